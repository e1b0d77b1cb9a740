"""Users with one role and one scope place; API tokens bound to a role and a scope."""

import hashlib
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import Role


class User(AbstractUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    scope = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("scope"))
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="accounts", verbose_name=_("person"))
    display_name = models.CharField(_("display name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    @property
    def scope_path(self) -> str | None:
        """The path prefix this user may see; residents and scope-less users see no place."""
        if self.role == Role.RESIDENT or self.scope_id is None:
            return None
        return self.scope.path


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens",
                             verbose_name=_("account"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    scope = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("scope"))
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
