"""Reads of accounts and API tokens, scoped to the acting user's area."""

from fangkong.accounts.models import ApiToken, User
from fangkong.accounts.roles import Role
from fangkong.places.models import Level, Place

TOKEN_SCOPE_LEVELS = (Level.CITY, Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY)


def accounts_in_scope(issuer):
    """Active staff and service accounts working inside the issuer's area."""
    path = issuer.scope_path
    if not path:
        return User.objects.none()
    return (User.objects.filter(is_active=True, scope__path__startswith=path)
            .exclude(role=Role.RESIDENT).order_by("username"))


def token_scopes(issuer):
    return (Place.objects.accessible_to(issuer).filter(level__in=TOKEN_SCOPE_LEVELS)
            .order_by("path"))


def tokens_in_scope(issuer):
    path = issuer.scope_path
    if not path:
        return ApiToken.objects.none()
    return (ApiToken.objects.filter(scope__path__startswith=path)
            .select_related("user", "scope", "created_by"))
