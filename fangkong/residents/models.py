"""One-time codes for residents' sign-in by phone.

Only a salted SHA-256 of a code is kept. A code lives five minutes, takes five tries and
works once; a newer code for the same phone replaces the older one (only the latest counts).
Codes are also made for numbers that belong to no one on record, and never sent, so that no
answer tells a caller whether a number is known.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OneTimeCode(models.Model):
    phone = models.CharField(_("phone"), max_length=20)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["phone", "-created_at"], name="otp_phone_latest")]

    def __str__(self):
        return f"{self.phone[:3]}…{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"
