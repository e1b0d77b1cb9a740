"""Reads of contact tracing, each scoped to the acting user: investigations (a tracer sees
only their teams'), contacts, teams and their workload, and the tracing dashboard's figures.
"""

import datetime
from statistics import median

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from fangkong.tracing.models import (
    CONTROLLED,
    NOT_STARTED,
    OPEN_STATUSES,
    Contact,
    ContactStatus,
    ExposureSite,
    Investigation,
    Status,
    Team,
    overdue_q,
)


def investigations_for(user, *, status: str = "", team: Team | None = None,
                       overdue: bool = False) -> QuerySet:
    rows = (Investigation.objects.accessible_to(user)
            .select_related("case", "case__person", "team", "place"))
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if team is not None:
        rows = rows.filter(team=team)
    if overdue:
        rows = rows.filter(overdue_q(timezone.now()))
    return rows.annotate(contact_count=Count("case__contacts", distinct=True))


def contacts_for(user, *, case=None, status: str = "", category: str = "",
                 uncontrolled: bool = False) -> QuerySet:
    rows = (Contact.objects.accessible_to(user)
            .select_related("case", "person", "place", "venue", "control_order", "became_case"))
    if case is not None:
        rows = rows.filter(case=case)
    if status:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category=category)
    if uncontrolled:
        rows = rows.filter(uncontrolled_q())
    return rows


def uncontrolled_q() -> Q:
    """Confirmed close and secondary contacts not (yet) under control, nor cases."""
    return Q(status=ContactStatus.CONFIRMED, category__in=CONTROLLED,
             controlled_at__isnull=True, became_case__isnull=True)


def exposure_sites_for(user) -> QuerySet:
    return ExposureSite.objects.accessible_to(user).select_related("venue", "case")


def teams_with_workload(user) -> QuerySet:
    """The user's teams, each with its members, open and overdue investigations."""
    now = timezone.now()
    return (Team.objects.accessible_to(user).prefetch_related("members").annotate(
        open_count=Count("investigations", filter=Q(
            investigations__status__in=OPEN_STATUSES), distinct=True),
        overdue_count=Count("investigations", filter=overdue_q(now, "investigations__"),
                            distinct=True),
        done_count=Count("investigations", filter=Q(
            investigations__status=Status.COMPLETED), distinct=True)))


def hours_to_control(user, *, since: datetime.datetime | None = None) -> list[float]:
    """For each case whose confirmed close (and secondary) contacts are all under control or
    cases: hours from its report to the last of them going under control."""
    rows = Contact.objects.accessible_to(user).filter(
        status=ContactStatus.CONFIRMED, category__in=CONTROLLED)
    if since is not None:
        rows = rows.filter(case__reported_at__gte=since)
    per_case = (rows.values("case_id", "case__reported_at").annotate(
        last=Max("controlled_at"),
        waiting=Count("id", filter=Q(controlled_at__isnull=True,
                                     became_case__isnull=True))))
    return [max(0.0, (r["last"] - r["case__reported_at"]).total_seconds() / 3600)
            for r in per_case if r["waiting"] == 0 and r["last"] is not None]


def dashboard(user) -> dict:
    """The tracing dashboard: what is waiting, and how fast contacts go under control."""
    investigations = Investigation.objects.accessible_to(user)
    now = timezone.now()
    counts = investigations.aggregate(
        not_started=Count("id", filter=Q(status__in=NOT_STARTED)),
        unassigned=Count("id", filter=Q(status=Status.UNASSIGNED)),
        overdue=Count("id", filter=overdue_q(now)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        completed=Count("id", filter=Q(status=Status.COMPLETED)))
    contacts = Contact.objects.accessible_to(user)
    counts.update(contacts.aggregate(
        proposed=Count("id", filter=Q(status=ContactStatus.PROPOSED)),
        uncontrolled=Count("id", filter=uncontrolled_q()),
        close=Count("id", filter=Q(status=ContactStatus.CONFIRMED,
                                   category__in=CONTROLLED))))
    hours = hours_to_control(user)
    counts["median_hours_to_control"] = round(median(hours), 1) if hours else None
    counts["cases_fully_controlled"] = len(hours)
    return counts


def not_started(user) -> QuerySet:
    return investigations_for(user).filter(status__in=NOT_STARTED).order_by("core_due_at")
