"""Control orders (管控措施), their timelines, health checks and scheduled tests.

An order puts one person under one kind of control for dated reasons: a basis (a contact of
a case, a positive pool, an arrival, a discharge, leaving a high-risk area, a high-risk post,
or a manual decision approved by a second person), the protocol profile and rule that gave
its dates, and its test days. Phases chain: releasing a close contact's centralised
isolation starts the home isolation the plan holds next (`follow_on`).

Status diagram::

    pending (manual, awaiting a second approver) --approve--> active
    active --release (exit test negative, not before the planned end)--> released
    active --a positive test--> escalated (a case is reported)
    pending | active --cancel (reason)--> cancelled
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import BaseModel
from fangkong.core.scoping import ScopedQuerySet


class OrderKind(models.TextChoices):
    CENTRALISED_ISOLATION = "centralised_isolation", _("Centralised isolation")
    HOME_ISOLATION = "home_isolation", _("Home isolation")
    HOME_HEALTH_MONITORING = "home_health_monitoring", _("Home health monitoring")
    TEMPORARY_CONTROL = "temporary_control", _("Temporary control")


class Basis(models.TextChoices):
    CONTACT = "contact", _("Contact of a case")
    POOL = "pool", _("Positive pooled test")
    ARRIVAL = "arrival", _("Arrival")
    DISCHARGE = "discharge", _("Discharged or released case")
    RISK_AREA_OUTFLOW = "risk_area_outflow", _("Left a high-risk area")
    HIGH_RISK_POST = "high_risk_post", _("High-risk post")
    MANUAL = "manual", _("Manual decision")


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    ESCALATED = "escalated", _("Escalated to a case")
    CANCELLED = "cancelled", _("Cancelled")


class Colour(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class OrderQuerySet(ScopedQuerySet):
    """Orders of people held in the user's area; a resident sees their own."""

    person_field = "person_id"


class ControlOrder(BaseModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT,
                               related_name="control_orders", verbose_name=_("person"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("household"))
    kind = models.CharField(_("kind"), max_length=24, choices=OrderKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    plan_basis = models.CharField(_("plan"), max_length=24, blank=True)
    basis_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("case behind the basis"))
    basis_ref = models.CharField(_("basis reference"), max_length=120, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    profile = models.ForeignKey("protocol.ProtocolProfile", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("protocol profile"))
    rule = models.TextField(_("rule"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("planned last day"))
    test_days = models.JSONField(_("test days"), default=list, blank=True)
    follow_on = models.JSONField(default=list, blank=True,
                                 help_text="the plan's phases still to come, as planned")
    predecessor = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="successors")
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("end reason"), blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("control order")
        verbose_name_plural = _("control orders")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"],
                                    condition=Q(status=OrderStatus.ACTIVE),
                                    name="control_one_active_order_of_a_kind"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="control_ends_after_start"),
            models.CheckConstraint(
                condition=(Q(basis=Basis.MANUAL) & ~Q(reason=""))
                | (~Q(basis=Basis.MANUAL) & (Q(basis_case__isnull=False) | ~Q(basis_ref=""))),
                name="control_order_has_a_basis"),
            models.CheckConstraint(
                condition=~Q(basis=Basis.MANUAL)
                | Q(status__in=[OrderStatus.PENDING, OrderStatus.CANCELLED])
                | Q(approved_by__isnull=False),
                name="control_manual_order_is_approved"),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="control_status_end")]

    def __str__(self):
        return f"{self.person} · {self.get_kind_display()}"


class OrderEventKind(models.TextChoices):
    CREATED = "created", _("Placed under control")
    APPROVED = "approved", _("Approved")
    TEST = "test", _("Test result")
    RELEASED = "released", _("Released")
    ESCALATED = "escalated", _("Escalated to a case")
    CANCELLED = "cancelled", _("Cancelled")


class OrderEvent(models.Model):
    order = models.ForeignKey(ControlOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=OrderEventKind.choices)
    at = models.DateTimeField(_("time"))
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.order_id} {self.kind}"


class Result(models.TextChoices):
    PENDING = "", _("Not yet taken")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    MISSED = "missed", _("Missed")


class ScheduledTest(models.Model):
    order = models.ForeignKey(ControlOrder, on_delete=models.CASCADE, related_name="tests")
    day = models.DateField(_("day"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices,
                              blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["order", "day"],
                                               name="control_one_test_a_day")]

    def __str__(self):
        return f"{self.order_id} {self.day} {self.result or '-'}"


class HealthCheck(models.Model):
    """A temperature and symptoms, twice a day while under control; `by_self` when the
    person reported it."""

    order = models.ForeignKey(ControlOrder, on_delete=models.CASCADE, related_name="checks")
    taken_at = models.DateTimeField(_("taken at"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    by_self = models.BooleanField(_("reported by the person"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_at"]
        indexes = [models.Index(fields=["order", "taken_at"], name="control_check_order_at")]

    def __str__(self):
        return f"{self.order_id} {self.taken_at:%Y-%m-%d %H:%M} {self.temperature}"


class Symptom(models.TextChoices):
    FEVER = "fever", _("Fever")
    DRY_COUGH = "dry_cough", _("Dry cough")
    FATIGUE = "fatigue", _("Fatigue")
    SORE_THROAT = "sore_throat", _("Sore throat")
    SMELL_TASTE = "smell_taste", _("Loss of smell or taste")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")


class Appeal(BaseModel):
    """A person's appeal of their status; it reaches the community responsible for them."""

    order = models.ForeignKey(ControlOrder, on_delete=models.PROTECT, related_name="appeals")
    message = models.TextField(_("message"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.order_id} appeal"
