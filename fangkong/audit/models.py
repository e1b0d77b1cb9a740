"""Append-only audit events: who did what to whom, when, why, from where."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events are append-only")

    def delete(self):
        raise AppendOnlyError("audit events are append-only")

    def accessible_to(self, user):
        path = getattr(user, "scope_path", None)
        if not path:
            return self.none()
        return self.filter(scope_place__path__startswith=path)


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", verbose_name=_("actor"))
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    scope_place = models.ForeignKey("places.Place", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    via = models.CharField(_("channel"), max_length=40, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")
