"""Contact tracing. So far: venue check-ins (扫码记录), the movements that spatio-temporal
companions (时空伴随者) are later found from.

A check-in is one person at one venue from `checked_in_at` until `left_at`. A venue code
records the arrival only; the stay's end is the arrival plus the profile's assumed stay
unless a check-out says otherwise, so every row can be matched as an interval. The table is
append-only and large (20 million rows over 14 days for a city of 1.6 million): it is read
by venue and time, and by person and time, and nothing else.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.scoping import ScopedQuerySet


class Source(models.TextChoices):
    SCAN = "scan", _("Scanned by the person")
    FORM = "form", _("Registered at the venue by ID number")
    TERMINAL = "terminal", _("Venue gate or terminal")


class CheckInQuerySet(ScopedQuerySet):
    """Check-ins at venues in the user's area; a resident sees their own."""

    place_path = "venue__place__path"
    person_field = "person_id"


class CheckIn(models.Model):
    venue = models.ForeignKey("places.Venue", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("venue"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    checked_in_at = models.DateTimeField(_("checked in"))
    left_at = models.DateTimeField(_("left"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            # a retried scan or upload is the same check-in, not a second one
            models.UniqueConstraint(fields=["venue", "person", "checked_in_at"],
                                    name="tracing_checkin_once"),
            models.CheckConstraint(condition=Q(left_at__gte=models.F("checked_in_at")),
                                   name="tracing_checkin_leaves_after_arriving"),
        ]
        indexes = [
            models.Index(fields=["venue", "checked_in_at"], name="tracing_checkin_venue_at"),
            models.Index(fields=["person", "checked_in_at"], name="tracing_checkin_person_at"),
        ]

    def __str__(self):
        return f"{self.person_id} @ {self.venue_id} {self.checked_in_at:%Y-%m-%d %H:%M}"
