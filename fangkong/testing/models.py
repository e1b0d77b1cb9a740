"""Mass testing (全员核酸): rounds over places, sampling sites and their schedule, tubes and
the samples bound to them, laboratory results, and the single retests of a positive pool.

A tube holds one person's swab or a pool of them (10合1, 20合1, or one household's); how many
is the pooling rule of the round's place, read from the profile by risk level. A sample binds
one person to one tube in one round, once: the database refuses a second first-time sample.
A positive pool puts every member under temporary control (basis: the tube) and opens a
`Retest` for each; a negative single retest lifts that control, a positive one reports a case.

Tube status diagram::

    open --close (full, or by the sampler)--> closed --receive (lab)--> received
    closed | received --result (file, HL7 or API)--> reported
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import Role
from fangkong.core.models import BaseModel
from fangkong.core.scoping import ScopedQuerySet


class Laboratory(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("place"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                     related_name="laboratories", verbose_name=_("members"))

    class Meta:
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SiteQuerySet(ScopedQuerySet):
    """Sites in the user's area; a sampler sees the sites they are assigned to."""

    place_path = "venue__place__path"

    def accessible_to(self, user):
        if getattr(user, "role", None) == Role.SAMPLER and user.is_authenticated:
            return self.filter(samplers=user)
        return super().accessible_to(user)


class SamplingSite(BaseModel):
    """A venue where samples are taken: `points` sampling points, each taking
    `per_point_hour` people an hour."""

    venue = models.OneToOneField("places.Venue", on_delete=models.PROTECT,
                                 related_name="sampling_site", verbose_name=_("venue"))
    points = models.PositiveSmallIntegerField(_("sampling points"))
    per_point_hour = models.PositiveSmallIntegerField(_("people per point per hour"))
    active = models.BooleanField(_("in use"), default=True)
    samplers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                      related_name="sampling_sites", verbose_name=_("samplers"))

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("sampling site")
        verbose_name_plural = _("sampling sites")
        ordering = ["venue__code"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1) & Q(per_point_hour__gte=1),
                                   name="testing_site_has_capacity"),
        ]

    def __str__(self):
        return self.venue.name

    @property
    def per_hour(self) -> int:
        return self.points * self.per_point_hour


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Sampling")
    CLOSED = "closed", _("Closed")


class TestRound(BaseModel):
    number = models.PositiveIntegerField(_("round number"))
    name = models.CharField(_("name"), max_length=100)
    starts_at = models.DateTimeField(_("sampling starts"))
    ends_at = models.DateTimeField(_("sampling ends"))
    status = models.CharField(_("status"), max_length=8, choices=RoundStatus.choices,
                              default=RoundStatus.PLANNED)
    profile = models.ForeignKey("protocol.ProtocolProfile", on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("protocol profile"))
    places = models.ManyToManyField("places.Place", through="RoundPlace", related_name="+")

    class Meta:
        verbose_name = _("test round")
        verbose_name_plural = _("test rounds")
        ordering = ["-starts_at", "-number"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="testing_round_ends_after_start"),
        ]

    def __str__(self):
        return self.name


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High-risk area")
    MEDIUM = "medium", _("Medium-risk area")
    LOW = "low", _("Elsewhere")


class RoundPlace(models.Model):
    """A place the round covers, with the pooling rule its risk level gives: `pool_size`
    swabs a tube (1 for single tubes), or one tube per household."""

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="round_places")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("place"))
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    pool_size = models.PositiveSmallIntegerField(_("swabs per tube"))
    per_household = models.BooleanField(_("one tube per household"), default=False)

    class Meta:
        ordering = ["place__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "place"], name="testing_round_place_once"),
        ]

    def __str__(self):
        return f"{self.round_id} {self.place_id}"


class ExemptReason(models.TextChoices):
    BEDRIDDEN = "bedridden", _("Bedridden: sampled door to door")
    AWAY = "away", _("Away from home")
    CASE = "case", _("Already a case")
    CENTRALISED = "centralised", _("In centralised isolation: tested there")


class PersonScoped(ScopedQuerySet):
    place_path = "person__household__path"
    person_field = "person_id"


class Exemption(BaseModel):
    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="exemptions")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    reason = models.CharField(_("reason"), max_length=12, choices=ExemptReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PersonScoped.as_manager()

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="testing_exempt_once"),
        ]

    def __str__(self):
        return f"{self.person_id} {self.reason}"


class SlotQuerySet(ScopedQuerySet):
    place_path = "place__path"


class Slot(models.Model):
    """A time at a site for the households of one unit (or one group of a village), whose
    paths lie between `path_from` and `path_to`."""

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="slots")
    site = models.ForeignKey(SamplingSite, on_delete=models.PROTECT, related_name="slots",
                             verbose_name=_("sampling site"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("building, unit or village"))
    label = models.CharField(_("who"), max_length=120)
    path_from = models.CharField(max_length=50)
    path_to = models.CharField(max_length=50)
    people = models.PositiveIntegerField(_("people"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "path_from"]
        indexes = [models.Index(fields=["round", "path_from"], name="testing_slot_path")]

    def __str__(self):
        return self.label


class TubeKind(models.TextChoices):
    POOL = "pool", _("Pooled tube")
    SINGLE = "single", _("Single tube")
    RETEST = "retest", _("Single retest")


class TubeStatus(models.TextChoices):
    OPEN = "open", _("Being filled")
    CLOSED = "closed", _("Closed")
    RECEIVED = "received", _("At the laboratory")
    REPORTED = "reported", _("Result reported")


class TubeResult(models.TextChoices):
    NONE = "", _("No result yet")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    RESAMPLE = "resample", _("Single target positive: resample")


class TubeQuerySet(ScopedQuerySet):
    """Tubes taken in the user's area; a sampler's of their sites, a laboratory's its own."""

    def accessible_to(self, user):
        role = getattr(user, "role", None)
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if role == Role.SAMPLER:
            return self.filter(Q(site__samplers=user) | Q(sampler=user)).distinct()
        if role == Role.LABORATORY:
            return self.filter(lab__members=user)
        return super().accessible_to(user)


class Tube(BaseModel):
    barcode = models.CharField(_("barcode"), max_length=40, unique=True)
    round = models.ForeignKey(TestRound, on_delete=models.PROTECT, related_name="tubes",
                              verbose_name=_("test round"))
    kind = models.CharField(_("kind"), max_length=8, choices=TubeKind.choices)
    capacity = models.PositiveSmallIntegerField(_("swabs per tube"))
    per_household = models.BooleanField(_("one tube per household"), default=False)
    site = models.ForeignKey(SamplingSite, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tubes", verbose_name=_("sampling site"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("where sampled"))
    sampler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("sampler"))
    retest_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="retests", verbose_name=_("pool retested"))
    size = models.PositiveSmallIntegerField(_("swabs"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=TubeStatus.choices,
                              default=TubeStatus.OPEN)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    lab = models.ForeignKey(Laboratory, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="tubes", verbose_name=_("laboratory"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=TubeResult.choices,
                              blank=True)
    ct_orf1ab = models.DecimalField(_("Ct ORF1ab"), max_digits=4, decimal_places=1, null=True,
                                    blank=True)
    ct_n = models.DecimalField(_("Ct N"), max_digits=4, decimal_places=1, null=True,
                               blank=True)
    tested_at = models.DateTimeField(_("tested"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    reported_via = models.CharField(_("reported via"), max_length=8, blank=True)

    objects = TubeQuerySet.as_manager()

    class Meta:
        verbose_name = _("tube")
        verbose_name_plural = _("tubes")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size__lte=models.F("capacity")),
                                   name="testing_tube_not_over_capacity"),
            models.CheckConstraint(condition=Q(result="") | Q(reported_at__isnull=False),
                                   name="testing_tube_result_is_dated"),
        ]
        indexes = [
            models.Index(fields=["round", "status"], name="testing_tube_round_status"),
            models.Index(fields=["lab", "status"], name="testing_tube_lab_status"),
        ]

    def __str__(self):
        return self.barcode


class SampleQuerySet(ScopedQuerySet):
    place_path = "person__household__path"
    person_field = "person_id"

    def accessible_to(self, user):
        if getattr(user, "role", None) == Role.SAMPLER and user.is_authenticated:
            return self.filter(Q(tube__site__samplers=user) | Q(tube__sampler=user)).distinct()
        return super().accessible_to(user)


class Sample(models.Model):
    """One person's swab in one tube. A person is sampled once a round; a retest is a second,
    single-tube sample of a pool member."""

    round = models.ForeignKey(TestRound, on_delete=models.PROTECT, related_name="samples")
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="samples")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="samples",
                               verbose_name=_("person"))
    sampled_at = models.DateTimeField(_("sampled"))
    sampler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    retest = models.BooleanField(_("retest"), default=False)

    objects = SampleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], condition=Q(retest=False),
                                    name="testing_sampled_once_a_round"),
            models.UniqueConstraint(fields=["tube", "person"], name="testing_once_in_a_tube"),
        ]
        indexes = [models.Index(fields=["person", "round"], name="testing_sample_person")]

    def __str__(self):
        return f"{self.tube_id} {self.person_id}"


class RetestStatus(models.TextChoices):
    DUE = "due", _("To be sampled")
    SAMPLED = "sampled", _("Sampled, awaiting result")
    NEGATIVE = "negative", _("Negative: control lifted")
    POSITIVE = "positive", _("Positive: case reported")


class Retest(BaseModel):
    """单采复核: a member of a positive (or to-be-resampled) pool, sampled again alone, door to
    door; `order` is the temporary control the pool put them under."""

    pool = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="member_retests",
                             verbose_name=_("positive pool"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    order = models.ForeignKey("control.ControlOrder", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("temporary control"))
    tube = models.ForeignKey(Tube, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("retest tube"))
    status = models.CharField(_("status"), max_length=8, choices=RetestStatus.choices,
                              default=RetestStatus.DUE)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("case"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = PersonScoped.as_manager()

    class Meta:
        verbose_name = _("retest")
        verbose_name_plural = _("retests")
        ordering = ["status", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "person"], name="testing_retest_once"),
        ]

    def __str__(self):
        return f"{self.pool_id} {self.person_id}"
