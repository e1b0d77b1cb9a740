"""Who is calling: a browser session (CSRF-checked on unsafe methods) or a bearer token.

Endpoints act as `request.auth`: the session's user, or the token's account acting with the
token's role and scope (see `fangkong.accounts.services.token_authenticate`).
"""

from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from fangkong.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer fk_…`; a bad or revoked token is refused at once (401)."""

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is None:
            raise AuthenticationError
        return user


class Session(SessionAuth):
    """Django's login session; ninja checks the CSRF token on POST/PATCH/PUT/DELETE."""

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


# The bearer comes first so a machine client never trips over the CSRF check.
AUTH = [BearerToken(), Session(csrf=True)]
