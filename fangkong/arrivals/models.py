"""Arrivals (入朔返朔报备): travellers' registrations and the list of risk areas they come from.

A registration is written by the traveller on a public form; the service finds or creates
the person, decides what the rules in force on the arrival day ask of them (tests, or home
isolation after leaving a high-risk area, through a control order) and leaves a work item
for the destination community. One registration per ID number and local arrival day: a
second one that day updates the first (`updates` counts how often).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import BaseModel
from fangkong.core.scoping import ScopedQuerySet


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High risk")
    LOW = "low", _("Low risk")


class RiskRegionQuerySet(models.QuerySet):
    def in_force(self, day):
        """Regions listed on `day`: from `valid_from` to `valid_to` (the last day), inclusive."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class RiskRegion(BaseModel):
    """An entry of the list of risk areas in force that arrivals are judged by, kept by the
    command centre: a county or a whole city, anywhere in the country (GB/T 2260 code)."""

    code = models.CharField(_("administrative code"), max_length=6)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    valid_from = models.DateField(_("listed from"))
    valid_to = models.DateField(_("listed until"), null=True, blank=True,
                                help_text=_("The last day it is listed; empty while in force."))
    source = models.CharField(_("source"), max_length=300,
                              help_text=_("The notice that lists it."))

    objects = RiskRegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk region")
        verbose_name_plural = _("risk regions")
        ordering = ["-valid_from", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=F("valid_from")),
                                   name="arrivals_region_ends_after_start"),
        ]
        indexes = [models.Index(fields=["code", "valid_from"], name="arrivals_region_code")]

    def __str__(self):
        return f"{self.name} ({self.get_level_display()})"


class Transport(models.TextChoices):
    CAR = "car", _("Car")
    TRAIN = "train", _("Train")
    PLANE = "plane", _("Plane")
    BUS = "bus", _("Coach")
    OTHER = "other", _("Other")


class Requirement(models.TextChoices):
    """What the rules ask of an arrival: a protocol plan's basis code, or nothing."""

    NONE = "none", _("Nothing required")
    HIGH_RISK_OUTFLOW = "high-risk-outflow", _("Home isolation after leaving a high-risk area")
    ARRIVAL_LOW_RISK = "arrival-low-risk", _("Tests after arriving from a low-risk area")


class ArrivalQuerySet(ScopedQuerySet):
    """Registrations whose destination lies in the user's area."""

    place_path = "household__path"


class ArrivalRegistration(BaseModel):
    name = models.CharField(_("Name"), max_length=60)
    id_type = models.CharField(_("ID type"), max_length=16)
    id_number = models.CharField(_("ID number"), max_length=32)
    phone = models.CharField(_("phone"), max_length=20)
    origin_code = models.CharField(_("coming from"), max_length=6)
    arrival_at = models.DateTimeField(_("arrival time"))
    arrival_day = models.DateField(_("arrival day"), help_text="the local day of arrival_at")
    transport = models.CharField(_("transport"), max_length=8, choices=Transport.choices)
    transport_number = models.CharField(_("train, flight or plate number"), max_length=20,
                                        blank=True)
    household = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("destination household"))
    test_taken_at = models.DateTimeField(_("negative test taken at"), null=True, blank=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="arrivals", verbose_name=_("person"))
    requirement = models.CharField(_("requirement"), max_length=24, choices=Requirement.choices)
    phases = models.JSONField(_("planned phases"), default=list, blank=True)
    profile = models.ForeignKey("protocol.ProtocolProfile", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("protocol profile"))
    local = models.BooleanField(_("from within the city"), default=False)
    control_order = models.ForeignKey("control.ControlOrder", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("control order"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    updates = models.PositiveIntegerField(
        _("updates"), default=0, help_text="later registrations of the same day merged here")

    objects = ArrivalQuerySet.as_manager()

    class Meta:
        verbose_name = _("arrival registration")
        verbose_name_plural = _("arrival registrations")
        ordering = ["-arrival_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number", "arrival_day"],
                                    name="arrivals_one_per_person_and_day"),
        ]
        indexes = [models.Index(fields=["arrival_day"], name="arrivals_day")]

    def __str__(self):
        return f"{self.name} {self.arrival_day}"
