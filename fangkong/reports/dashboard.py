"""The command dashboard as of 24:00 on a day, scoped to the acting user (read-only).

`dashboard()` returns one JSON-ready dict that the page embeds, `dashboard_data` serves and
the API validates: headline figures (the bulletin's, so the two never disagree), the
epidemic curve by report day, days since the last community case per district (社会面清零),
facility occupancy, and R(t) by the method of Cori et al. (2013). The curve and the R(t)
incidence come from one GROUP BY over report days, so the cost does not grow with the
number of days, districts or facilities.
"""

import datetime
import uuid as uuidlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.cases.models import Classification, FacilityKind, Outbreak
from fangkong.cases.selectors import (
    bucket_label,
    bucket_q,
    cases_for_user,
    facilities_for_user,
    occupancy,
    outbreak_on,
)
from fangkong.lib.localday import day_bounds, days
from fangkong.lib.rt import estimate_r
from fangkong.places.models import Level, Place
from fangkong.protocol.selectors import ProfileMissing, rules
from fangkong.reports.bulletin import NEW_KEYS, case_section

# The headline figures, in the order the page shows them: (bucket, bulletin key).
HEADLINE = (
    ("new_confirmed", "confirmed"), ("new_reclassified", "reclassified"),
    ("new_asymptomatic", "asymptomatic"), ("new_in_control", "in_control"),
    ("new_community", "community"),
    ("confirmed", "confirmed"), ("asymptomatic", "asymptomatic"),
    ("in_hospital", "in_hospital"), ("under_observation", "under_observation"),
    ("discharged", "discharged"), ("released", "released"), ("deaths", "deaths"),
)
CURVE_SERIES = ("confirmed", "asymptomatic", "in_control", "community")


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def default_day() -> datetime.date:
    """Yesterday in the local time zone: the last day whose 24:00 has passed."""
    return timezone.localdate(timezone=_zone()) - datetime.timedelta(days=1)


def districts_in_scope(user, outbreak: Outbreak) -> list[Place]:
    """The outbreak's districts the user's area lies in or covers, and any district with
    cases the user can see, as the bulletin counts them (one query)."""
    path = getattr(user, "scope_path", None)
    if not path:
        return []
    cased = cases_for_user(user).filter(outbreak=outbreak).values("district")
    named = Outbreak.places.through.objects.filter(outbreak=outbreak).values("place")
    candidates = (Place.objects.filter(level=Level.DISTRICT)
                  .filter(Q(pk__in=named) | Q(pk__in=cased)).order_by("path"))
    return [p for p in candidates if p.path.startswith(path) or path.startswith(p.path)]


def district_in_scope(districts: list[Place], public_id) -> Place | None:
    try:
        key = uuidlib.UUID(str(public_id))
    except ValueError:
        return None
    return next((d for d in districts if d.uuid == key), None)


class NotInScope(LookupError):
    """An outbreak code that does not exist, or a district outside the user's area."""


def resolve(user, day: datetime.date, code: str = "", district_id=None):
    """(outbreak, district, districts) for the request's parameters. The outbreak is None
    when no code is given and none had begun by `day`; NotInScope for an unknown code or a
    district outside the area; ValidationError for an outbreak that began after `day`."""
    outbreak = outbreak_on(day, code)
    if outbreak is None:
        if code:
            raise NotInScope(code)
        return None, None, []
    if outbreak.start_date > day:
        raise ValidationError({"outbreak": _(
            "This outbreak began on %(start)s, after the chosen day.")
            % {"start": outbreak.start_date.isoformat()}}, code="before_start")
    districts = districts_in_scope(user, outbreak)
    district = None
    if district_id:
        district = district_in_scope(districts, district_id)
        if district is None:
            raise NotInScope(district_id)
    return outbreak, district, districts


def _scoped_cases(user, outbreak: Outbreak, day: datetime.date, district: Place | None):
    _, end = day_bounds(day, settings.TIME_ZONE)
    cases = cases_for_user(user).filter(outbreak=outbreak, reported_at__lt=end)
    return cases.filter(district=district) if district is not None else cases


def _headline(user, outbreak, day, district) -> list[dict]:
    """The bulletin's case figures: its totals, or its row for the district filtered on."""
    b = case_section(user, outbreak, day)
    new, cumulative = b["new"], {**b["cumulative"], **{k: b[k] for k in (
        "in_hospital", "under_observation", "discharged", "released", "deaths")}}
    if district is not None:
        new = b["new"]["by_district"].get(district.name, {})
        cumulative = b["cumulative"]["by_district"].get(district.name, {})
    figures = []
    for bucket, key in HEADLINE:
        is_new = bucket in NEW_KEYS.values()
        figures.append({"bucket": bucket, "label": str(bucket_label(bucket)), "new": is_new,
                        "value": (new if is_new else cumulative).get(key, 0)})
    return figures


def _daily_rows(user, outbreak, day, district) -> dict[datetime.date, dict]:
    """Per report day: cases by classification as of `day`, by where found, and local ones."""
    report_day = TruncDate("reported_at", tzinfo=_zone())
    rows = (_scoped_cases(user, outbreak, day, district)
            .annotate(report_day=report_day).values("report_day")
            .annotate(n_confirmed=Count("pk", filter=bucket_q("confirmed", day)),
                      n_asymptomatic=Count("pk", filter=bucket_q("asymptomatic", day)),
                      n_in_control=Count("pk", filter=Q(in_control=True)),
                      n_community=Count("pk", filter=Q(in_control=False)),
                      n_local=Count("pk", filter=Q(imported=False)))
            .order_by("report_day"))
    # Annotations named like model fields (in_control) would shadow them inside the filters.
    return {row.pop("report_day"): {key[2:]: n for key, n in row.items()} for row in rows}


def _curve(axis: list[datetime.date], rows: dict) -> dict:
    zero = dict.fromkeys(CURVE_SERIES, 0)
    return {"days": [d.isoformat() for d in axis],
            **{name: [rows.get(d, zero)[name] for d in axis] for name in CURVE_SERIES}}


def curve_rows(data: dict) -> list[dict]:
    """The curve as one row per day, for the table under the chart."""
    curve = data["curve"]
    return [{"day": day, **{name: curve[name][i] for name in CURVE_SERIES}}
            for i, day in enumerate(curve["days"])]


def _days_since(user, outbreak, day, districts: list[Place]) -> list[dict]:
    last = dict(_scoped_cases(user, outbreak, day, None).filter(in_control=False)
                .values("district").annotate(last=Max("reported_at"))
                .values_list("district", "last"))
    result = []
    for district in districts:
        when = last.get(district.pk)
        last_day = timezone.localtime(when, _zone()).date() if when else None
        result.append({"district": district.name, "uuid": str(district.uuid),
                       "last_community_day": last_day.isoformat() if last_day else None,
                       "days": (day - last_day).days if last_day else None})
    return result


def _occupancy(user, day, district) -> list[dict]:
    facilities = facilities_for_user(user)
    if district is not None:
        facilities = facilities.filter(place__path__startswith=district.path)
    facilities = list(facilities)
    occupied = occupancy(facilities, day) if facilities else {}
    rows = []
    for f in facilities:
        n = occupied.get(f.pk, 0)
        rows.append({"uuid": str(f.uuid), "name": f.name, "kind": f.kind,
                     "kind_label": str(FacilityKind(f.kind).label), "beds": f.beds,
                     "occupied": n, "percent": round(100 * n / f.beds) if f.beds else 0})
    return rows


def _rt_parameters(day, disease) -> tuple[float, float, int]:
    values = rules(day, "serial_interval_mean", "serial_interval_sd", "rt_window_days",
                   disease=disease)
    return (float(values["serial_interval_mean"]), float(values["serial_interval_sd"]),
            int(values["rt_window_days"]))


def _rt(axis: list[datetime.date], rows: dict, day, disease) -> dict:
    """R(t) over sliding windows of local infections by report day, from the first day with
    a local infection (earlier days hold no information and would only show the prior)."""
    result = {"series": [], "reason": "", "si_mean": None, "si_sd": None, "window": None}
    try:
        si_mean, si_sd, window = _rt_parameters(day, disease)
    except ProfileMissing:
        result["reason"] = _("No protocol profile gives a serial interval for this day.")
        return result
    result.update(si_mean=si_mean, si_sd=si_sd, window=window)
    incidence = [rows[d]["local"] if d in rows else 0 for d in axis]
    first = next((i for i, n in enumerate(incidence) if n), None)
    if first is None:
        result["reason"] = _("No local infection has been reported yet.")
        return result
    incidence = incidence[first:]
    if len(incidence) < window + 1:
        result["reason"] = _(
            "R(t) needs %(needed)d days of reports from the first local infection; "
            "there are %(days)d so far.") % {"needed": window + 1, "days": len(incidence)}
        return result
    try:
        estimates = estimate_r(incidence, si_mean=si_mean, si_sd=si_sd, window=window)
    except ValueError:
        estimates = []
    if not estimates:
        result["reason"] = _("The series is too short for the serial interval in force.")
    result["series"] = [{"day": axis[first + e.t_end].isoformat(), "mean": e.mean,
                         "lower": e.lower, "upper": e.upper} for e in estimates]
    return result


def chart_labels() -> dict[str, str]:
    return {
        "confirmed": str(Classification.CONFIRMED.label),
        "asymptomatic": str(Classification.ASYMPTOMATIC.label),
        "in_control": _("Found under control"),
        "community": _("Found in the community"),
        "rt_mean": _("R(t), posterior mean"),
        "rt_band": _("Credible interval (95%)"),
        "threshold": _("R = 1"),
    }


def dashboard(user, day: datetime.date, outbreak: Outbreak,
              district: Place | None = None, districts: list[Place] | None = None) -> dict:
    """Everything the dashboard shows as of 24:00 on `day`; `district` narrows all but the
    days-since table, which compares the districts in scope."""
    if districts is None:
        districts = districts_in_scope(user, outbreak)
    axis = days(outbreak.start_date, day)
    rows = _daily_rows(user, outbreak, day, district)
    return {
        "as_of": day.isoformat(),
        "outbreak": {"code": outbreak.code, "name": outbreak.name, "uuid": str(outbreak.uuid),
                     "start": outbreak.start_date.isoformat()},
        "district": ({"uuid": str(district.uuid), "name": district.name}
                     if district is not None else None),
        "districts": [{"uuid": str(d.uuid), "name": d.name} for d in districts],
        "headline": _headline(user, outbreak, day, district),
        "curve": _curve(axis, rows),
        "days_since": _days_since(user, outbreak, day, districts),
        "occupancy": _occupancy(user, day, district),
        "rt": _rt(axis, rows, day, outbreak.disease),
        "labels": chart_labels(),
    }
