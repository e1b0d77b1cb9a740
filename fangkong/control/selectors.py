"""Reads of control orders, scoped to the acting user, and a person's status on a day."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.control.models import Colour, ControlOrder, OrderKind, OrderStatus, Result
from fangkong.lib.localday import day_bounds

RANK = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
DEFAULT_COLOURS = {OrderKind.CENTRALISED_ISOLATION: Colour.RED,
                   OrderKind.HOME_ISOLATION: Colour.RED,
                   OrderKind.HOME_HEALTH_MONITORING: Colour.YELLOW,
                   OrderKind.TEMPORARY_CONTROL: Colour.YELLOW}


def orders_for_user(user) -> QuerySet:
    return ControlOrder.objects.accessible_to(user).select_related("person", "place")


def in_force(orders: QuerySet, day: datetime.date) -> QuerySet:
    """Orders that held a person at 24:00 on `day`: begun by then, and still active or ended
    (released, escalated) only after that day — so a past day's ledger stays as it was. An
    active order whose planned end has passed still holds while the exit test is awaited;
    pending and cancelled orders never held anyone."""
    _, end = day_bounds(day, settings.TIME_ZONE)
    ended_later = Q(status__in=[OrderStatus.RELEASED, OrderStatus.ESCALATED], ended_at__gte=end)
    return orders.filter(Q(status=OrderStatus.ACTIVE) | ended_later, starts_on__lte=day)


def colour_of(order: ControlOrder) -> str:
    colours = (order.profile.values.get("code_colours") if order.profile_id else None) or {}
    return colours.get(order.kind) or DEFAULT_COLOURS[order.kind]


@dataclass
class Status:
    colour: str = Colour.GREEN
    orders: list = field(default_factory=list)

    @property
    def colour_label(self) -> str:
        return Colour(self.colour).label


def status_of(person, day: datetime.date) -> Status:
    """The person's code colour on a day and the orders that give it (the reasons)."""
    orders = list(in_force(ControlOrder.objects.filter(person=person), day)
                  .select_related("profile", "basis_case"))
    status = Status(orders=orders)
    for order in orders:
        colour = colour_of(order)
        if RANK[colour] > RANK[status.colour]:
            status.colour = colour
    return status


def ledger(user, kind: str, day: datetime.date) -> QuerySet:
    """People under one kind of control on a day (the home-isolation or home-health-
    monitoring ledger), in the user's area."""
    return (in_force(orders_for_user(user), day).filter(kind=kind)
            .order_by("place__path", "person__name"))


def due_tests(order: ControlOrder, day: datetime.date) -> QuerySet:
    return order.tests.filter(Q(day__gte=day) | Q(result=""))


def release_refusal(order: ControlOrder, day: datetime.date) -> str:
    """Why the rule keeps this order on `day`, or '' when it may be released: not before its
    planned last day, and only once the last scheduled test by then is negative."""
    if day < order.ends_on:
        return _("The rule keeps this order until %(end)s (%(rule)s).") % {
            "end": order.ends_on.isoformat(), "rule": order.rule or order.get_basis_display()}
    last = order.tests.filter(day__lte=day).order_by("-day").first()
    if last is not None and last.result != Result.NEGATIVE:
        return _("The exit test of %(day)s has no negative result yet.") % {
            "day": last.day.isoformat()}
    return ""


def control_status_for(user, person, day: datetime.date) -> Status | None:
    """The person's status for a staff page, or None when the user may not see control."""
    from fangkong.accounts.roles import Perm, can

    if not can(user, Perm.VIEW_CONTROL):
        return None
    return status_of(person, day)
