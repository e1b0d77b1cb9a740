"""The control side's daily jobs: missed health checks, missed tests, orders due for release.

Each job looks at one local day once it is over (the `daily` command runs them for
yesterday) and leaves work in the inbox of the person's community. Every item carries a key
naming the order (and the day), so running a job twice for a day opens nothing new, and the
inbox can link an item to its order. A job returns counts for the command's summary:
`label`, `looked_at` (what it examined), `opened` (new items) and `existing` (items that were
open already).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.services import audit_record
from fangkong.control.models import (
    ControlOrder,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    Result,
    ScheduledTest,
)
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.services import work_item_open
from fangkong.places.models import Level, Place

CHECKS_A_DAY = 2  # temperature twice a day (issue 4, daily monitoring)
KEY_BATCH = 500  # keys per look-up: SQLite limits the parameters of one query

ONE_DAY = datetime.timedelta(days=1)


def _bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The local day as an interval of instants [start, end)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, timezone.make_aware(datetime.datetime.combine(day + ONE_DAY,
                                                                datetime.time.min))


def communities_of(households) -> dict[int, Place]:
    """The community (社区/村) above each household, keyed by the household's pk, in one query.
    A household with no community above it answers for itself."""
    households = list(households)
    paths = {path for household in households for path in household.ancestor_paths()}
    communities = {place.path: place for place in
                   Place.objects.filter(level=Level.COMMUNITY, path__in=paths)}
    found = {}
    for household in households:
        above = [communities[p] for p in household.ancestor_paths() if p in communities]
        found[household.pk] = above[-1] if above else household
    return found


def _existing_keys(kind: str, keys: list[str]) -> set[str]:
    found = set()
    for i in range(0, len(keys), KEY_BATCH):
        found.update(WorkItem.objects.filter(kind=kind, key__in=keys[i:i + KEY_BATCH])
                     .values_list("key", flat=True))
    return found


def _open_items(kind: str, wanted: list[dict]) -> dict:
    """Open the wanted items ({key, order, title, due_on}) that are not open yet, each for the
    community of the order's household."""
    existing = _existing_keys(kind, [w["key"] for w in wanted])
    new = [w for w in wanted if w["key"] not in existing]
    places = communities_of({w["order"].place for w in new})
    for w in new:
        order = w["order"]
        work_item_open(kind=kind, place=places[order.place_id], person=order.person,
                       title=w["title"], due_on=w["due_on"], key=w["key"])
    return {"looked_at": len(wanted), "opened": len(new), "existing": len(existing)}


# --- the service ---------------------------------------------------------------------------

@transaction.atomic
def control_test_mark_missed(*, acting_user, test: ScheduledTest) -> bool:
    """A scheduled test whose day has passed with no result is recorded as missed, on the
    order's timeline and in the audit log. A result recorded later replaces it
    (`control_test_record`). False when a result came in meanwhile."""
    if test.day >= timezone.localdate():
        raise ValidationError(_("A test can be marked missed only once its day is over."),
                              code="not_over")
    now, actor = timezone.now(), acting_user if getattr(acting_user, "pk", None) else None
    marked = ScheduledTest.objects.filter(pk=test.pk, result=Result.PENDING).update(
        result=Result.MISSED, recorded_at=now, recorded_by=actor)
    if not marked:
        return False
    order = test.order
    reason = _("No result was recorded for the test of %(day)s by the end of that day.") % {
        "day": test.day.isoformat()}
    OrderEvent.objects.create(order=order, kind=OrderEventKind.TEST, at=now, reason=reason,
                              detail={"day": test.day.isoformat(), "result": Result.MISSED},
                              actor=actor)
    audit_record(actor=acting_user, action="control.test_missed", target=order.person,
                 scope_place=order.place, reason=reason,
                 changes={"result": (Result.PENDING, Result.MISSED)})
    return True


# --- the jobs --------------------------------------------------------------------------------

def _held_through(day: datetime.date):
    """Orders that held their person for the whole of `day` within their planned span: active
    now, or ended (released, escalated) only after the day was over."""
    _, end = _bounds(day)
    return ControlOrder.objects.filter(
        Q(status=OrderStatus.ACTIVE)
        | Q(status__in=[OrderStatus.RELEASED, OrderStatus.ESCALATED], ended_at__gte=end),
        starts_on__lte=day, ends_on__gte=day)


def missed_checks(day: datetime.date) -> dict:
    """An order held through `day` with fewer than two health checks taken that day gives its
    community a missed-check item, due the next day."""
    start, end = _bounds(day)
    orders = (_held_through(day)
              .annotate(taken=Count("checks", filter=Q(checks__taken_at__gte=start,
                                                       checks__taken_at__lt=end)))
              .filter(taken__lt=CHECKS_A_DAY).select_related("person", "place")
              .order_by("pk"))
    wanted = [{"key": f"missed_check:{order.uuid}:{day.isoformat()}", "order": order,
               "due_on": day + ONE_DAY,
               "title": _("%(name)s: %(taken)d of %(needed)d health checks on %(day)s") % {
                   "name": order.person.name, "taken": order.taken, "needed": CHECKS_A_DAY,
                   "day": day.isoformat()}}
              for order in orders]
    return {"label": _("Missed health checks"), **_open_items(ItemKind.MISSED_CHECK, wanted)}


def missed_tests(day: datetime.date) -> dict:
    """A scheduled test of an active order whose day (on or before `day`) passed with no
    result is marked missed, and the community gets a missed-test item due the day after."""
    tests = list(ScheduledTest.objects.filter(
        day__lte=day, result=Result.PENDING, order__status=OrderStatus.ACTIVE)
        .select_related("order__person", "order__place").order_by("day", "pk"))
    wanted = []
    for test in tests:
        if control_test_mark_missed(acting_user=None, test=test):
            wanted.append({"key": f"missed_test:{test.order.uuid}:{test.day.isoformat()}",
                           "order": test.order, "due_on": test.day + ONE_DAY,
                           "title": _("%(name)s missed the test of %(day)s") % {
                               "name": test.order.person.name, "day": test.day.isoformat()}})
    return {"label": _("Missed tests"), **_open_items(ItemKind.MISSED_TEST, wanted)}


def release_due(day: datetime.date) -> dict:
    """An active order whose planned last day is `day` or earlier is due for release: its
    community gets an item, due the day after the planned last day."""
    orders = (ControlOrder.objects.filter(status=OrderStatus.ACTIVE, ends_on__lte=day)
              .select_related("person", "place").order_by("pk"))
    wanted = [{"key": f"release_due:{order.uuid}", "order": order,
               "due_on": order.ends_on + ONE_DAY,
               "title": _("%(name)s is due for release: the planned last day was %(day)s") % {
                   "name": order.person.name, "day": order.ends_on.isoformat()}}
              for order in orders]
    return {"label": _("Orders due for release"), **_open_items(ItemKind.RELEASE_DUE, wanted)}
