"""API: the dashboard (`GET /api/v1/dashboard`), the same dict the page embeds."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from fangkong.accounts.roles import Perm
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.reports.dashboard import NotInScope, dashboard, default_day, resolve

router = Router(tags=["reports"])


class OutbreakRef(Schema):
    code: str
    name: str
    uuid: uuid.UUID
    start: datetime.date


class DistrictRef(Schema):
    uuid: uuid.UUID
    name: str


class Figure(Schema):
    bucket: str
    label: str
    new: bool
    value: int


class Curve(Schema):
    days: list[datetime.date]
    confirmed: list[int]
    asymptomatic: list[int]
    in_control: list[int]
    community: list[int]


class DaysSince(Schema):
    district: str
    uuid: uuid.UUID
    last_community_day: datetime.date | None
    days: int | None


class Occupancy(Schema):
    uuid: uuid.UUID
    name: str
    kind: str
    kind_label: str
    beds: int
    occupied: int
    percent: int


class RPoint(Schema):
    day: datetime.date
    mean: float
    lower: float
    upper: float


class RSeries(Schema):
    series: list[RPoint]
    reason: str
    si_mean: float | None
    si_sd: float | None
    window: int | None


class DashboardOut(Schema):
    as_of: datetime.date
    outbreak: OutbreakRef
    district: DistrictRef | None
    districts: list[DistrictRef]
    headline: list[Figure]
    curve: Curve
    days_since: list[DaysSince]
    occupancy: list[Occupancy]
    rt: RSeries
    labels: dict[str, str]


@router.get("/dashboard", response={200: DashboardOut, **REFUSALS, **INVALID},
            summary="Dashboard as of 24:00 on a day")
def dashboard_get(request, date: datetime.date | None = None, outbreak: str = "",
                  district: uuid.UUID | None = None):
    """Headline figures, epidemic curve, days since the last community case per district,
    facility occupancy and R(t), scoped to the caller; `date` defaults to yesterday."""
    user = request.auth
    require(user, Perm.VIEW_BULLETIN)
    day = date or default_day()
    if day > timezone.localdate():
        raise ValidationError({"date": _("This day lies in the future.")}, code="future")
    try:
        found, chosen, districts = resolve(user, day, outbreak, district)
    except NotInScope:
        raise Http404 from None
    if found is None:
        raise HttpError(404, _("No outbreak had begun by this day."))
    return dashboard(user, day, found, chosen, districts)
