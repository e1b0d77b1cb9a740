import pytest

from fangkong.core.cast import PASSWORD, build_cast


@pytest.fixture
def profiles(db):
    """The shipped protocol profiles. The data migration loads them, but a transactional test
    (the browser tests) flushes every table when it ends, so tests that need them ask."""
    from fangkong.protocol.loading import load_profiles
    from fangkong.protocol.models import ProtocolProfile

    load_profiles(ProtocolProfile)


@pytest.fixture
def cast(db, profiles):
    return build_cast()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def login(client):
    """Log the test client in as one of the cast's users."""

    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The cast creates a dozen users per test: PBKDF2's deliberate slowness would dominate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def outbreak(cast):
    """The cast's outbreak (朔城区 and 应县 from 13 Nov 2022) and one facility of each kind."""
    from fangkong.core.cast import build_outbreak

    return build_outbreak(cast)


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits (arrivals, one-time codes) count in the cache: every test starts afresh,
    or the registrations of earlier tests from 127.0.0.1 would refuse a later one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
