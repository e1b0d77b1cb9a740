"""Read models of the control pages and API on top of `control.selectors`: the register with
its filters, and the two ledgers (居家隔离 / 居家健康监测台账) with their .xlsx export.

Every query starts from `orders_for_user`, so it is scoped to the acting user; the ledger
export is audited here, in one transaction with nothing else, like the residents' export.
"""

import datetime
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.services import audit_record
from fangkong.control.models import OrderKind, Result, ScheduledTest
from fangkong.control.selectors import in_force, ledger, orders_for_user
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.places.models import Level, Place
from fangkong.places.selectors import place_labels

LEDGERS = {
    "home-isolation": (OrderKind.HOME_ISOLATION, gettext_lazy("Home isolation ledger")),
    "home-monitoring": (OrderKind.HOME_HEALTH_MONITORING,
                        gettext_lazy("Home health monitoring ledger")),
}
CHECKS_A_DAY = 2  # temperature twice a day (居家健康监测指南)


def communities_for_user(user) -> QuerySet:
    return Place.objects.accessible_to(user).filter(level=Level.COMMUNITY).order_by("path")


# --- the register -------------------------------------------------------------------------

def order_register(user, *, kind="", status="", basis="", community: Place | None = None,
                   day: datetime.date | None = None, query: str = "") -> QuerySet:
    """The orders in the user's area, filtered; each carries `next_test`, the first test not
    yet taken on or after `day` (today when no day is given)."""
    orders = orders_for_user(user).select_related("profile", "basis_case")
    if day is not None:
        orders = in_force(orders, day)
    if kind:
        orders = orders.filter(kind=kind)
    if status:
        orders = orders.filter(status=status)
    if basis:
        orders = orders.filter(basis=basis)
    if community is not None:
        orders = orders.filter(place__path__startswith=community.path)
    if query:
        orders = orders.filter(person__name__contains=query)
    upcoming = ScheduledTest.objects.filter(order=OuterRef("pk"), result=Result.PENDING,
                                            day__gte=day or timezone.localdate())
    return orders.annotate(next_test=Subquery(upcoming.order_by("day").values("day")[:1]))


# --- the ledgers --------------------------------------------------------------------------

@dataclass
class LedgerRow:
    name: str
    id_number: str
    phone: str
    address: str
    basis: str
    since: datetime.date
    until: datetime.date
    tests: list  # (day, result label) of the tests due by the ledger's day
    checks: int  # health checks taken on the ledger's day
    order: object


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def basis_text(order) -> str:
    """The basis as a reader needs it: its kind and the case or reference behind it."""
    behind = order.basis_case.number if order.basis_case_id else order.basis_ref
    label = str(order.get_basis_display())
    return f"{label} · {behind}" if behind else label


def ledger_rows(user, kind: str, day: datetime.date, *, community: Place | None = None,
                masked: bool = True) -> list[LedgerRow]:
    """The ledger of one kind of order on a day, in one community or the user's whole area."""
    start, end = _day_bounds(day)
    orders = (ledger(user, kind, day).select_related("basis_case")
              .prefetch_related(Prefetch("tests", ScheduledTest.objects.filter(day__lte=day)))
              .annotate(checks_today=Count("checks", filter=Q(checks__taken_at__gte=start,
                                                               checks__taken_at__lt=end))))
    if community is not None:
        orders = orders.filter(place__path__startswith=community.path)
    orders = list(orders)
    labels = place_labels([o.place for o in orders], below=community or user.scope)
    id_of = mask_id_number if masked else str
    phone_of = mask_phone if masked else str
    return [LedgerRow(
        name=o.person.name, id_number=id_of(o.person.id_number), phone=phone_of(o.person.phone),
        address=labels[o.place_id], basis=basis_text(o), since=o.starts_on, until=o.ends_on,
        tests=[(t.day, t.get_result_display()) for t in o.tests.all()], checks=o.checks_today,
        order=o) for o in orders]


def _headers() -> list[str]:
    return [_("Name"), _("ID number"), _("Phone"), _("Address"), _("Basis"), _("Since"),
            _("Planned last day"), _("Tests so far"), _("Health checks on the day")]


def _tests_text(tests) -> str:
    return "; ".join(f"{day:%m-%d} {label}" for day, label in tests)


def ledger_xlsx(title: str, rows: list[LedgerRow]) -> bytes:
    """A write-only workbook: the header row, then one row a person."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(_headers())
    for row in rows:
        sheet.append([row.name, row.id_number, row.phone, row.address, row.basis, row.since,
                      row.until, _tests_text(row.tests), row.checks])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_export(*, acting_user, kind: str, day: datetime.date, community: Place | None,
                  masked: bool) -> tuple[list[LedgerRow], bytes]:
    """The ledger's rows as .xlsx; the export is audited with its row count and masking."""
    rows = ledger_rows(acting_user, kind, day, community=community, masked=masked)
    title = str(dict(LEDGERS.values())[kind])
    data = ledger_xlsx(title, rows)
    with transaction.atomic():
        audit_record(actor=acting_user, action="control.ledger_export", target=None,
                     scope_place=community or acting_user.scope,
                     changes={"rows": (None, len(rows)), "masked": (None, masked)},
                     reason=f"{kind} {day.isoformat()}")
    return rows, data
