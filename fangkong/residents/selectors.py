"""Reads for residents: who uses a phone number, and a person's own status in plain words.

A resident's page never names the case behind a contact order, nor the people who decided:
a manual decision shows its written reason and the role of its approver.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Role
from fangkong.control.models import (
    Appeal,
    Basis,
    Colour,
    ControlOrder,
    HealthCheck,
    OrderKind,
    OrderStatus,
    Result,
    Symptom,
)
from fangkong.control.selectors import colour_of, status_of
from fangkong.people.models import Person

PAST_DAYS = 30
CURRENT = (OrderStatus.PENDING, OrderStatus.ACTIVE)


def people_with_phone(phone: str) -> QuerySet:
    """Everyone on record (merged duplicates aside) who gave this number: a family may share
    one."""
    if not phone:
        return Person.objects.none()
    return Person.objects.active().filter(phone=phone).order_by("name", "id")


@dataclass
class TestRow:
    day: datetime.date
    result: str
    result_label: str
    is_today: bool


@dataclass
class CheckRow:
    taken_at: datetime.datetime
    temperature: object
    symptoms: list[str]
    by_self: bool


@dataclass
class OrderView:
    """One order as its person reads it."""

    order: ControlOrder
    kind_label: str
    status_label: str
    basis_label: str
    colour: str
    colour_label: str
    in_force: bool
    manual_reason: str = ""
    approver_role: str = ""
    awaiting_exit_test: bool = False
    profile_name: str = ""
    tests: list[TestRow] = field(default_factory=list)
    checks_today: list[CheckRow] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    open_appeal: bool = False
    ended_on: datetime.date | None = None


@dataclass
class ResidentStatus:
    colour: str
    colour_label: str
    today: datetime.date
    current: list[OrderView]
    past: list[OrderView]

    @property
    def can_report(self) -> list[OrderView]:
        """Orders a health check can be reported on today: active and begun."""
        return [view for view in self.current if view.in_force]


def _local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return start, start + datetime.timedelta(days=1)


def _orders(person: Person, today: datetime.date) -> list[ControlOrder]:
    since = today - datetime.timedelta(days=PAST_DAYS)
    start, end = _local_day_bounds(today)
    recent = Q(ended_at__gte=_local_day_bounds(since)[0]) | Q(ended_at__isnull=True,
                                                             ends_on__gte=since)
    return list(
        ControlOrder.objects.filter(person=person)
        .filter(Q(status__in=CURRENT) | recent)
        .select_related("profile", "approved_by")
        .prefetch_related(
            "tests",
            Prefetch("checks", to_attr="checks_today",
                     queryset=HealthCheck.objects.filter(taken_at__gte=start, taken_at__lt=end)),
            Prefetch("appeals", queryset=Appeal.objects.order_by("created_at")))
        .order_by("-starts_on", "-id"))


def _approver_role(order: ControlOrder) -> str:
    if order.basis != Basis.MANUAL:
        return ""
    if order.approved_by is None:
        return _("awaiting approval by the health side")
    return str(Role(order.approved_by.role).label) if order.approved_by.role else ""


def _symptom_labels(values) -> list[str]:
    labels = dict(Symptom.choices)
    return [str(labels.get(value, value)) for value in values]


def _view(order: ControlOrder, today: datetime.date, in_force_ids: set[int]) -> OrderView:
    colour = colour_of(order)
    appeals = list(order.appeals.all())
    return OrderView(
        order=order, kind_label=str(OrderKind(order.kind).label),
        status_label=str(OrderStatus(order.status).label),
        basis_label=str(Basis(order.basis).label),
        colour=colour, colour_label=str(Colour(colour).label),
        in_force=order.pk in in_force_ids,
        manual_reason=order.reason if order.basis == Basis.MANUAL else "",
        approver_role=_approver_role(order),
        awaiting_exit_test=order.status == OrderStatus.ACTIVE and today > order.ends_on,
        profile_name=order.profile.name if order.profile_id else "",
        tests=[TestRow(t.day, t.result, str(Result(t.result).label), t.day == today)
               for t in order.tests.all()],
        checks_today=[CheckRow(c.taken_at, c.temperature, _symptom_labels(c.symptoms),
                               c.by_self) for c in order.checks_today],
        appeals=appeals, open_appeal=any(a.answered_at is None for a in appeals),
        ended_on=timezone.localdate(order.ended_at) if order.ended_at else None)


def resident_status(person: Person, today: datetime.date) -> ResidentStatus:
    """The person's code colour on `today` with the orders behind it, their other current
    (pending or not yet begun) orders, and the orders that ended in the last 30 days."""
    status = status_of(person, today)
    in_force_ids = {order.pk for order in status.orders}
    views = [_view(order, today, in_force_ids) for order in _orders(person, today)]
    return ResidentStatus(
        colour=status.colour, colour_label=str(status.colour_label), today=today,
        current=[v for v in views if v.order.status in CURRENT],
        past=[v for v in views if v.order.status not in CURRENT])


def appeals_for_user(user) -> QuerySet:
    """Appeals of orders in the user's area (a resident: of their own orders)."""
    return (Appeal.objects.filter(order__in=ControlOrder.objects.accessible_to(user))
            .select_related("order", "order__person", "order__place"))


def open_appeals_for_user(user) -> QuerySet:
    return appeals_for_user(user).filter(answered_at__isnull=True).order_by("created_at", "id")
