"""Reads of cases, scoped to the acting user, and the dated buckets the bulletin counts.

A bucket is a named condition on a case "as of" a local day: the bulletin counts each
bucket and the register lists the cases of one bucket, from the same Q object, so every
figure can be opened as the list of records behind it.
"""

import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fangkong.cases.models import (
    Case,
    CaseEvent,
    Classification,
    Facility,
    FacilityStay,
    Outbreak,
    Outcome,
)
from fangkong.lib.localday import day_bounds
from fangkong.places.models import PATH_STEP


def _confirmed_by(end) -> Q:
    return (Q(initial_classification=Classification.CONFIRMED)
            | Q(reclassified_at__lt=end))


def _open_at(end) -> Q:
    return ~Q(outcome_at__lt=end)


def _new_report(start, end) -> Q:
    return Q(reported_at__gte=start, reported_at__lt=end)


def _ended(outcome, start, end) -> Q:
    return Q(outcome=outcome, outcome_at__gte=start, outcome_at__lt=end)


def _reclassified(start, end) -> Q:
    return Q(reclassified_at__gte=start, reclassified_at__lt=end)


# A case reported asymptomatic and reclassified on the same day is one new confirmed case
# that day, as the official bulletins count it: not a new asymptomatic, not a reclassification.
BUCKETS = {
    "new_confirmed": (_("New confirmed cases"), lambda s, e: (
        (_new_report(s, e) & _confirmed_by(e))
        | (_reclassified(s, e) & Q(reported_at__lt=s)))),
    "new_reclassified": (_("Reclassified from asymptomatic"),
                         lambda s, e: _reclassified(s, e) & Q(reported_at__lt=s)),
    "new_asymptomatic": (_("New asymptomatic infections"), lambda s, e: (
        _new_report(s, e) & ~_confirmed_by(e))),
    "new_in_control": (_("New infections found under control"),
                       lambda s, e: _new_report(s, e) & Q(in_control=True)),
    "new_community": (_("New infections found in the community"),
                      lambda s, e: _new_report(s, e) & Q(in_control=False)),
    "new_discharged": (_("Discharged on the day"),
                       lambda s, e: _ended(Outcome.DISCHARGED, s, e)),
    "new_released": (_("Released on the day"), lambda s, e: _ended(Outcome.RELEASED, s, e)),
    "new_deaths": (_("Deaths on the day"), lambda s, e: _ended(Outcome.DIED, s, e)),
    "confirmed": (_("Cumulative confirmed cases"),
                  lambda s, e: Q(reported_at__lt=e) & _confirmed_by(e)),
    "asymptomatic": (_("Cumulative asymptomatic infections"),
                     lambda s, e: Q(reported_at__lt=e) & ~_confirmed_by(e)),
    "discharged": (_("Discharged"), lambda s, e: Q(outcome=Outcome.DISCHARGED,
                                                   outcome_at__lt=e)),
    "released": (_("Released from medical observation"),
                 lambda s, e: Q(outcome=Outcome.RELEASED, outcome_at__lt=e)),
    "deaths": (_("Deaths"), lambda s, e: Q(outcome=Outcome.DIED, outcome_at__lt=e)),
    "in_hospital": (_("Confirmed cases still in hospital"),
                    lambda s, e: Q(reported_at__lt=e) & _confirmed_by(e) & _open_at(e)),
    "under_observation": (_("Asymptomatic infections still under observation"),
                          lambda s, e: Q(reported_at__lt=e) & ~_confirmed_by(e) & _open_at(e)),
}


def bucket_q(bucket: str, day: datetime.date) -> Q:
    start, end = day_bounds(day, settings.TIME_ZONE)
    return BUCKETS[bucket][1](start, end)


def bucket_label(bucket: str) -> str:
    return BUCKETS[bucket][0]


def cases_for_user(user) -> QuerySet:
    return Case.objects.accessible_to(user)


def outbreak_on(day: datetime.date, code: str = "") -> Outbreak | None:
    """The outbreak named by `code`, else the latest one begun by `day`."""
    outbreaks = Outbreak.objects.all()
    if code:
        return outbreaks.filter(code=code).first()
    return outbreaks.filter(start_date__lte=day).order_by("-start_date").first()


def register(user, *, outbreak: Outbreak | None = None, district=None,
             classification: str = "", status: str = "", reported_from=None,
             reported_to=None, bucket: str = "", as_of: datetime.date | None = None,
             query: str = "") -> QuerySet:
    """The case register, filtered; `bucket` + `as_of` give the records behind a figure."""
    cases = cases_for_user(user)
    if outbreak is not None:
        cases = cases.filter(outbreak=outbreak)
    if district is not None:
        cases = cases.filter(district=district)
    if classification:
        cases = cases.filter(classification=classification)
    if status == "open":
        cases = cases.filter(outcome="")
    elif status:
        cases = cases.filter(outcome=status)
    if reported_from:
        cases = cases.filter(reported_at__gte=day_bounds(reported_from, settings.TIME_ZONE)[0])
    if reported_to:
        cases = cases.filter(reported_at__lt=day_bounds(reported_to, settings.TIME_ZONE)[1])
    if bucket and as_of:
        cases = cases.filter(bucket_q(bucket, as_of))
    if query:
        cases = cases.filter(Q(number__icontains=query) | Q(person__name__icontains=query))
    return cases.select_related("person", "district", "facility")


def cases_of_person(user, person) -> list[Case]:
    """The person's cases the user may see (none without the right to view cases)."""
    from fangkong.accounts.roles import Perm, can

    if not can(user, Perm.VIEW_CASES):
        return []
    return list(cases_for_user(user).filter(person=person).select_related("outbreak"))


def timeline(case: Case) -> QuerySet:
    return CaseEvent.objects.filter(case=case).select_related("facility", "actor")


def facilities_for_user(user) -> QuerySet:
    return Facility.objects.accessible_to(user)


def admission_facilities(user) -> QuerySet:
    """Facilities a case may be admitted to: any in the user's city, since patients are sent
    across district lines (应县 cases to the city's designated hospital in 朔城区)."""
    path = getattr(user, "scope_path", "") or ""
    if not getattr(user, "is_authenticated", False) or not path:
        return Facility.objects.none()
    return Facility.objects.filter(place__path__startswith=path[:PATH_STEP])


def occupancy(facilities, day: datetime.date) -> dict[int, int]:
    """Occupied beds per facility at 24:00 on `day`."""
    _, end = day_bounds(day, settings.TIME_ZONE)
    rows = (FacilityStay.objects.filter(facility__in=facilities, admitted_at__lt=end)
            .filter(Q(left_at__isnull=True) | Q(left_at__gte=end))
            .values("facility").annotate(n=Count("pk")))
    return {row["facility"]: row["n"] for row in rows}
