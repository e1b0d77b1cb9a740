"""Users and API tokens."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import ApiToken, User, hash_token
from fangkong.accounts.roles import Perm, Role, can
from fangkong.audit.services import audit_record

TOKEN_PREFIX_LENGTH = 8


@transaction.atomic
def user_create(*, acting_user, username: str, password: str, role: str, scope=None,
                person=None, display_name: str = "") -> User:
    if role == Role.RESIDENT and person is None:
        raise ValidationError({"person": _("A resident account must be linked to a person.")})
    if role != Role.RESIDENT and scope is None:
        raise ValidationError({"scope": _("Choose the area this account works in.")})
    user = User(username=username, role=role, scope=scope, person=person,
                display_name=display_name)
    user.set_password(password)
    user.save()
    audit_record(actor=acting_user, action="user.create", target=user,
                 scope_place=scope or (person.household if person else None),
                 changes={"role": [None, role], "username": [None, username]})
    return user


@transaction.atomic
def token_create(*, acting_user, user: User, name: str, role: str, scope) -> tuple[ApiToken, str]:
    """Issue a token; the secret is returned once and only its hash is kept."""
    if not can(acting_user, Perm.MANAGE_TOKENS):
        raise PermissionError(Perm.MANAGE_TOKENS)
    if role == Role.RESIDENT:
        raise ValidationError({"role": _("Tokens are for machine clients, not residents.")})
    path = acting_user.scope_path or ""
    if not path or not scope.path.startswith(path):
        raise ValidationError({"scope": _("This place lies outside your area.")})
    secret = "fk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, user=user, role=role, scope=scope, prefix=secret[:TOKEN_PREFIX_LENGTH + 3],
        key_hash=hash_token(secret), created_by=acting_user,
    )
    audit_record(actor=acting_user, action="token.create", target=token, scope_place=scope,
                 changes={"role": [None, role], "user": [None, user.username]})
    return token, secret


@transaction.atomic
def token_revoke(*, acting_user, token: ApiToken, reason: str = "") -> ApiToken:
    if not can(acting_user, Perm.MANAGE_TOKENS):
        raise PermissionError(Perm.MANAGE_TOKENS)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=acting_user, action="token.revoke", target=token,
                     scope_place=token.scope, reason=reason)
    return token


def token_authenticate(secret: str) -> User | None:
    """The token's account acting with the token's role and scope, or None."""
    if not secret or not secret.startswith("fk_"):
        return None
    token = (ApiToken.objects.select_related("user", "scope")
             .filter(key_hash=hash_token(secret), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    user = token.user
    user.role, user.scope = token.role, token.scope
    user.auth_via = f"token:{token.prefix}"
    return user
