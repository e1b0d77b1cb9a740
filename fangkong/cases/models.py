"""Outbreaks, facilities, cases and their dated timelines.

A Case's current state (classification, outcome, facility) is a projection kept by the
services in `services.py` in the same transaction as the CaseEvent that explains it; the
milestone times (`reported_at`, `reclassified_at`, `outcome_at`) are what the bulletin
counts "as of" a day, so a past day's figures never change when later facts arrive.

Case state diagram::

    reported (asymptomatic) --reclassify--> confirmed
    asymptomatic --release--> released          (解除医学观察)
    confirmed --discharge--> discharged         (治愈出院)
    confirmed --die--> died
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import BaseModel
from fangkong.core.scoping import ScopedQuerySet


class FacilityKind(models.TextChoices):
    DESIGNATED_HOSPITAL = "designated_hospital", _("Designated hospital")
    MAKESHIFT_HOSPITAL = "makeshift_hospital", _("Makeshift hospital")
    ISOLATION_POINT = "isolation_point", _("Isolation point")


class Facility(BaseModel):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=FacilityKind.choices)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("located in"))
    beds = models.PositiveIntegerField(_("beds"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="facility_name_unique")]

    def __str__(self):
        return self.name


class Outbreak(BaseModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    disease = models.CharField(_("disease"), max_length=40, default="covid-19")
    start_date = models.DateField(_("start date"))
    places = models.ManyToManyField("places.Place", related_name="+", verbose_name=_("places"))

    class Meta:
        verbose_name = _("outbreak")
        verbose_name_plural = _("outbreaks")
        ordering = ["-start_date"]

    def __str__(self):
        return self.name


class Classification(models.TextChoices):
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")
    CONFIRMED = "confirmed", _("Confirmed case")


class ClinicalType(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    CRITICAL = "critical", _("Critical")


class Route(models.TextChoices):
    """Where a case was found; the first three mean it was already under control."""

    CENTRALISED_ISOLATION = "centralised_isolation", _("In centralised isolation")
    HOME_CONTROL = "home_control", _("In home isolation or monitoring")
    HIGH_RISK_AREA = "high_risk_area", _("In a high-risk area")
    COMMUNITY_SCREENING = "community_screening", _("Community screening")
    FEVER_CLINIC = "fever_clinic", _("Fever clinic")
    KEY_POPULATION = "key_population", _("Key-population testing")
    ARRIVAL = "arrival", _("On arrival")


IN_CONTROL_ROUTES = frozenset({Route.CENTRALISED_ISOLATION, Route.HOME_CONTROL,
                               Route.HIGH_RISK_AREA})


class Outcome(models.TextChoices):
    OPEN = "", _("Under treatment or observation")
    DISCHARGED = "discharged", _("Discharged")
    RELEASED = "released", _("Released from medical observation")
    DIED = "died", _("Died")


class CaseQuerySet(ScopedQuerySet):
    def accessible_to(self, user):
        """Cases living in the user's area; a hospital sees the cases its facilities hold,
        a tracer those assigned to their teams."""
        from fangkong.accounts.roles import Role

        if getattr(user, "role", None) == Role.HOSPITAL and user.scope_path:
            held = FacilityStay.objects.filter(
                facility__place__path__startswith=user.scope_path).values("case_id")
            return self.filter(pk__in=held)
        if getattr(user, "role", None) == Role.TRACER and user.scope_path:
            return super().accessible_to(user).filter(investigation__team__members=user)
        return super().accessible_to(user)


class Case(BaseModel):
    outbreak = models.ForeignKey(Outbreak, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("outbreak"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases",
                               verbose_name=_("person"))
    number = models.CharField(_("case number"), max_length=40, unique=True)
    initial_classification = models.CharField(_("classification at report"), max_length=16,
                                              choices=Classification.choices)
    classification = models.CharField(_("classification"), max_length=16,
                                      choices=Classification.choices)
    clinical_type = models.CharField(_("clinical type"), max_length=16,
                                     choices=ClinicalType.choices, blank=True)
    reported_at = models.DateTimeField(_("reported at"))
    sample_date = models.DateField(_("sample date"), null=True, blank=True)
    onset_date = models.DateField(_("onset date"), null=True, blank=True)
    route = models.CharField(_("where found"), max_length=24, choices=Route.choices)
    in_control = models.BooleanField(_("found under control"))
    imported = models.BooleanField(_("imported"), default=False)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("residence"))
    district = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("reporting district"))
    reclassified_at = models.DateTimeField(_("reclassified at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices,
                               blank=True)
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("current facility"))

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["outbreak", "person"],
                                    name="case_one_per_person_per_outbreak"),
            models.CheckConstraint(
                condition=Q(outcome="", outcome_at__isnull=True)
                | (~Q(outcome="") & Q(outcome_at__isnull=False)),
                name="case_outcome_has_time"),
            models.CheckConstraint(
                condition=Q(reclassified_at__isnull=True)
                | Q(initial_classification=Classification.ASYMPTOMATIC,
                    classification=Classification.CONFIRMED),
                name="case_reclassified_was_asymptomatic"),
        ]
        indexes = [
            models.Index(fields=["outbreak", "reported_at"], name="case_outbreak_reported"),
            models.Index(fields=["outcome_at"], name="case_outcome_at"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return not self.outcome


class EventKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    RECLASSIFIED = "reclassified", _("Reclassified as confirmed")
    CLINICAL_TYPE = "clinical_type", _("Clinical type changed")
    ADMITTED = "admitted", _("Admitted")
    TRANSFERRED = "transferred", _("Transferred")
    TEST = "test", _("Test recorded")
    DISCHARGED = "discharged", _("Discharged")
    RELEASED = "released", _("Released from medical observation")
    DIED = "died", _("Died")


class CaseEvent(models.Model):
    """One dated fact in a case's timeline; `at` is when it happened, not when it was typed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("time"))
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class FacilityStay(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stays")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="stays")
    admitted_at = models.DateTimeField(_("admitted at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        ordering = ["admitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(left_at__isnull=True),
                                    name="stay_one_open_per_case"),
            models.CheckConstraint(condition=Q(left_at__isnull=True)
                                   | Q(left_at__gte=models.F("admitted_at")),
                                   name="stay_leaves_after_admission"),
        ]
        indexes = [models.Index(fields=["facility", "admitted_at"], name="stay_facility_admitted")]

    def __str__(self):
        return f"{self.case_id} @ {self.facility_id} from {self.admitted_at:%Y-%m-%d %H:%M}"


class CaseTest(models.Model):
    """A test taken towards discharge or release. A missing Ct means not detected."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tests")
    sampled_at = models.DateTimeField(_("sampled at"))
    ct_n = models.DecimalField(_("Ct (N gene)"), max_digits=4, decimal_places=1, null=True,
                               blank=True)
    ct_orf1ab = models.DecimalField(_("Ct (ORF1ab gene)"), max_digits=4, decimal_places=1,
                                    null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sampled_at"]

    def __str__(self):
        return f"{self.case_id} {self.sampled_at:%Y-%m-%d %H:%M} {self.ct_n}/{self.ct_orf1ab}"
