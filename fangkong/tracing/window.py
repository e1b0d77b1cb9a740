"""A case's infectious window (传染期): from the profile's look-back before onset (a
confirmed case) or before sampling (an asymptomatic one) until the case was isolated.

Isolated means the earliest of: the start of the isolation it was found in (a case found in
centralised or home isolation), its first admission to a facility, and its report. The
look-back is read from the profile in force on the reference day, so a 2022 case is judged
by the rules of its day.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.cases.models import Case, Classification
from fangkong.lib.localday import day_bounds
from fangkong.protocol.selectors import rule

REFERENCE_LABELS = {
    "onset": _("onset"),
    "sampling": _("sampling"),
    "report": _("report"),
}


@dataclass(frozen=True)
class Window:
    start: datetime.datetime
    end: datetime.datetime
    reference: str            # onset, sampling or report
    reference_day: datetime.date
    lookback_days: int

    @property
    def is_empty(self) -> bool:
        return self.end <= self.start

    @property
    def reference_label(self) -> str:
        return str(REFERENCE_LABELS[self.reference])


def _midnight(day: datetime.date) -> datetime.datetime:
    return day_bounds(day, settings.TIME_ZONE)[0]


def reference_of(case: Case) -> tuple[str, datetime.date]:
    if case.classification == Classification.CONFIRMED and case.onset_date:
        return "onset", case.onset_date
    if case.sample_date:
        return "sampling", case.sample_date
    return "report", timezone.localtime(case.reported_at).date()


def isolated_at(case: Case) -> datetime.datetime:
    from fangkong.control.models import ControlOrder, OrderKind, OrderStatus

    times = [case.reported_at]
    admitted = case.stays.aggregate(first=Min("admitted_at"))["first"]
    if admitted:
        times.append(admitted)
    if case.in_control:
        reported_day = timezone.localtime(case.reported_at).date()
        # the isolation that held the case on the day it was reported: one that ended
        # before (released weeks earlier) left the case free, and infectious, meanwhile
        order = (ControlOrder.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=_midnight(reported_day)),
            person_id=case.person_id, starts_on__lte=reported_day,
            kind__in=[OrderKind.CENTRALISED_ISOLATION, OrderKind.HOME_ISOLATION],
            status__in=[OrderStatus.ACTIVE, OrderStatus.ESCALATED, OrderStatus.RELEASED])
            .order_by("-starts_on").first())
        if order is not None:
            times.append(_midnight(order.starts_on))
    return min(times)


def infectious_window(case: Case) -> Window:
    reference, day = reference_of(case)
    lookback = rule(day, "contact_lookback_days")
    start = _midnight(day - datetime.timedelta(days=lookback))
    end = max(start, isolated_at(case))
    return Window(start=start, end=end, reference=reference, reference_day=day,
                  lookback_days=lookback)
