import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """The per-address counts live in the process's cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
