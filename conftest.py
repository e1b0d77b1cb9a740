import pytest

from fangkong.core.cast import PASSWORD, build_cast


@pytest.fixture
def cast(db):
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
