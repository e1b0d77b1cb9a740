"""Contact tracing (流调溯源): venue check-ins, investigations, contacts, teams.

A check-in (扫码记录) is the movement data spatio-temporal companions (时空伴随者) are found
from. An investigation (流调) is one case's, worked by one team; its trajectory is the dated
stays of the case's infectious window. A contact links a case to a person with a category;
when the person becomes a case, the contact is a transmission link, and clusters are the
connected components of those links.

Investigation status diagram::

    unassigned --assign--> assigned --start--> in progress --core done--> core information
    done --complete--> completed          (assign again: any open status, to another team)

Contact status diagram::

    proposed (household, companion) --confirm--> confirmed    (close: put under control)
    proposed --dismiss (reason)--> dismissed
    recorded by a tracer: confirmed at once

A check-in is one person at one venue from `checked_in_at` until `left_at`. A venue code
records the arrival only; the stay's end is the arrival plus the profile's assumed stay
unless a check-out says otherwise, so every row can be matched as an interval. The table is
append-only and large (20 million rows over 14 days for a city of 1.6 million): it is read
by venue and time, and by person and time, and nothing else.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import Role
from fangkong.core.models import BaseModel
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
    # no single-column indexes on the keys: the composite indexes below lead with them, and
    # every index is written on each of the millions of scans
    venue = models.ForeignKey("places.Venue", on_delete=models.PROTECT, related_name="+",
                              db_index=False, verbose_name=_("venue"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               db_index=False, verbose_name=_("person"))
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
            # the companion probe reads only the index: (venue, arrival) ranges, then left_at
            models.Index(fields=["venue", "checked_in_at"], name="tracing_checkin_venue_at",
                         include=["left_at", "person"]),
            models.Index(fields=["person", "checked_in_at"], name="tracing_checkin_person_at"),
        ]

    def __str__(self):
        return f"{self.person_id} @ {self.venue_id} {self.checked_in_at:%Y-%m-%d %H:%M}"


class Team(BaseModel):
    """A tracing team (追阳队伍) of a district; investigations are assigned to it."""

    name = models.CharField(_("name"), max_length=60)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("area"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                     related_name="tracing_teams", verbose_name=_("members"))
    active = models.BooleanField(_("takes new cases"), default=True)
    last_turn = models.PositiveBigIntegerField(
        default=0, help_text="round-robin: the number of the last case it was given; the "
                             "team with the lowest goes next")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tracing team")
        verbose_name_plural = _("tracing teams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"],
                                               name="tracing_team_name_unique")]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    UNASSIGNED = "unassigned", _("Awaiting a team")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    CORE_DONE = "core_done", _("Core information done")
    COMPLETED = "completed", _("Completed")


OPEN_STATUSES = (Status.UNASSIGNED, Status.ASSIGNED, Status.IN_PROGRESS, Status.CORE_DONE)
NOT_STARTED = (Status.UNASSIGNED, Status.ASSIGNED)
CLOCK_RUNNING = (*NOT_STARTED, Status.IN_PROGRESS)  # until core information is done


def overdue_q(now, prefix: str = "") -> Q:
    """Investigations whose core-information clock still runs past its due time."""
    return Q(**{f"{prefix}status__in": CLOCK_RUNNING, f"{prefix}core_due_at__lt": now})


class InvestigationQuerySet(ScopedQuerySet):
    """Investigations of cases living in the user's area; a tracer sees only their teams'."""

    def accessible_to(self, user):
        scoped = super().accessible_to(user)
        if getattr(user, "role", None) == Role.TRACER:
            return scoped.filter(team__members=user)
        return scoped


class Investigation(BaseModel):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT,
                                related_name="investigation", verbose_name=_("case"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("residence"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="investigations", verbose_name=_("team"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.UNASSIGNED)
    core_due_at = models.DateTimeField(_("core information due"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    core_done_at = models.DateTimeField(_("core information done at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    objects = InvestigationQuerySet.as_manager()

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        ordering = ["core_due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status=Status.UNASSIGNED) | Q(team__isnull=False),
                                   name="tracing_investigation_has_team"),
        ]
        indexes = [models.Index(fields=["status", "core_due_at"],
                                name="tracing_investigation_status")]

    def __str__(self):
        return f"{self.case_id} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status != Status.COMPLETED

    def is_overdue(self, now) -> bool:
        return self.status in CLOCK_RUNNING and self.core_due_at < now


class InvestigationEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    ASSIGNED = "assigned", _("Assigned")
    STARTED = "started", _("Started")
    CORE_DONE = "core_done", _("Core information done")
    COMPLETED = "completed", _("Completed")
    STAYS_PROPOSED = "stays_proposed", _("Stays proposed from check-ins and household")
    CONTACTS_PROPOSED = "contacts_proposed", _("Contacts proposed")
    STAY_REMOVED = "stay_removed", _("Stay removed")


class InvestigationEvent(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=InvestigationEventKind.choices)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.investigation_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class StaySource(models.TextChoices):
    CHECKIN = "checkin", _("Venue check-in")
    HOUSEHOLD = "household", _("Household")
    INTERVIEW = "interview", _("Interview")


class Stay(models.Model):
    """Where the case was, from when to when: at a venue or at a place (home, a compound)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="stays")
    venue = models.ForeignKey("places.Venue", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("venue"))
    place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("place"))
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=StaySource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gte=models.F("started_at")),
                                   name="tracing_stay_ends_after_start"),
            models.CheckConstraint(condition=Q(venue__isnull=False) | Q(place__isnull=False)
                                   | ~Q(note=""), name="tracing_stay_says_where"),
        ]

    def __str__(self):
        return f"{self.investigation_id} {self.started_at:%Y-%m-%d %H:%M}"


class Category(models.TextChoices):
    CLOSE = "close", _("Close contact")
    SECONDARY = "secondary", _("Secondary contact")
    GENERAL = "general", _("General contact")
    COMPANION = "companion", _("Spatio-temporal companion")


CONTROLLED = (Category.CLOSE, Category.SECONDARY)  # the contacts put under control


class Setting(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    WORKPLACE = "workplace", _("Workplace")
    VENUE = "venue", _("Venue")
    VEHICLE = "vehicle", _("Vehicle")
    SCHOOL = "school", _("School")
    HEALTHCARE = "healthcare", _("Health care")
    GATHERING = "gathering", _("Gathering")
    OTHER = "other", _("Other")


class ContactStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class ContactSource(models.TextChoices):
    HOUSEHOLD = "household", _("Same household")
    COMPANION = "companion", _("Overlapping check-ins")
    INTERVIEW = "interview", _("Interview")


class ContactQuerySet(ScopedQuerySet):
    """Contacts living in the user's area or of cases living there; a tracer sees the
    contacts of their teams' cases."""

    def accessible_to(self, user):
        if getattr(user, "role", None) == Role.TRACER and getattr(user, "scope_path", None):
            return self.filter(case__investigation__team__members=user)
        path = getattr(user, "scope_path", None)
        if not getattr(user, "is_authenticated", False) or not path:
            return self.none()
        return self.filter(Q(place__path__startswith=path)
                           | Q(case__place__path__startswith=path))


class Contact(BaseModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contacts",
                             verbose_name=_("case"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT,
                               related_name="contact_links", verbose_name=_("person"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("household"))
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    setting = models.CharField(_("setting"), max_length=12, choices=Setting.choices)
    last_exposure_at = models.DateTimeField(_("last exposure"))
    status = models.CharField(_("status"), max_length=10, choices=ContactStatus.choices)
    source = models.CharField(_("source"), max_length=10, choices=ContactSource.choices)
    via = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="secondary", verbose_name=_("through close contact"))
    venue = models.ForeignKey("places.Venue", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("venue"))
    overlap_minutes = models.PositiveIntegerField(_("overlap (minutes)"), null=True,
                                                  blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    control_order = models.ForeignKey("control.ControlOrder", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("control order"))
    controlled_at = models.DateTimeField(_("under control from"), null=True, blank=True)
    became_case = models.ForeignKey("cases.Case", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="infected_by",
                                    verbose_name=_("became case"))
    end_reason = models.TextField(_("reason"), blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-last_exposure_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="tracing_contact_once"),
            models.CheckConstraint(condition=Q(category="secondary", via__isnull=False)
                                   | (~Q(category="secondary") & Q(via__isnull=True)),
                                   name="tracing_secondary_has_via"),
        ]
        indexes = [
            models.Index(fields=["person"], name="tracing_contact_person"),
            models.Index(fields=["became_case"], name="tracing_contact_became_case"),
        ]

    def __str__(self):
        return f"{self.case_id} → {self.person_id} ({self.category})"


class ExposureSiteQuerySet(ScopedQuerySet):
    """Exposure sites at venues in the user's area; a tracer sees their teams' cases' sites."""

    place_path = "venue__place__path"

    def accessible_to(self, user):
        scoped = super().accessible_to(user)
        if getattr(user, "role", None) == Role.TRACER:
            return scoped.filter(case__investigation__team__members=user)
        return scoped


class ExposureSite(BaseModel):
    """A venue where a case stayed in a crowded period: its visitors in the window are told
    as a group instead of being traced one by one."""

    venue = models.ForeignKey("places.Venue", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("venue"))
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("case"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    visitors = models.PositiveIntegerField(_("visitors in the window"))
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = ExposureSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("exposure site")
        verbose_name_plural = _("exposure sites")
        ordering = ["-starts_at"]
        constraints = [models.UniqueConstraint(fields=["venue", "case", "starts_at"],
                                               name="tracing_exposure_site_once")]

    def __str__(self):
        return f"{self.venue_id} {self.starts_at:%Y-%m-%d %H:%M}"
