"""A registration's requirement in plain words, for the traveller and the community:
"抵达后3天内做3次核酸：11月22日、23日、24日", with the rule and the profile that gave it."""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fangkong.arrivals.models import ArrivalRegistration, Requirement
from fangkong.control.models import OrderKind

TESTING = "testing"


def _day(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def day_list(days) -> str:
    """"11月25日、27日、29日、12月1日": the month is named only when it changes."""
    parts, month = [], None
    for day in map(_day, days):
        fmt = pgettext("arrival dates", "j") if day.month == month else pgettext(
            "arrival dates", "F j")
        parts.append(date_format(day, fmt))
        month = day.month
    return pgettext("arrival dates", ", ").join(parts)


def phase_sentence(phase: dict) -> str:
    tests = phase.get("test_days") or []
    if phase["kind"] == TESTING:
        return _("Within %(days)s days of arrival, take %(count)s PCR tests: %(dates)s") % {
            "days": phase["days"], "count": len(tests), "dates": day_list(tests)}
    values = {"kind": OrderKind(phase["kind"]).label, "days": phase["days"],
              "first": day_list([phase["starts_on"]]), "last": day_list([phase["ends_on"]])}
    if not tests:
        return _("%(kind)s for %(days)s days, %(first)s to %(last)s") % values
    return _("%(kind)s for %(days)s days, %(first)s to %(last)s; PCR tests on %(dates)s") % {
        **values, "dates": day_list(tests)}


def source_sentence(phase: dict) -> str:
    return _("Rule: %(rule)s (%(profile)s)") % {"rule": phase.get("rule", ""),
                                                 "profile": phase.get("profile_name", "")}


def none_sentence(registration: ArrivalRegistration) -> str:
    if registration.local:
        return _("You are travelling within the city: nothing is required on arrival.")
    return _("The rules in force on %(day)s (%(profile)s) ask nothing of arrivals from areas "
             "not listed as high risk.") % {
        "day": day_list([registration.arrival_day]),
        "profile": registration.profile.name if registration.profile_id else "—"}


def requirement_lines(registration: ArrivalRegistration) -> list[dict]:
    """One {"text", "source"} per phase, or one line saying why nothing is asked."""
    if registration.requirement == Requirement.NONE or not registration.phases:
        return [{"text": none_sentence(registration), "source": ""}]
    return [{"text": phase_sentence(phase), "source": source_sentence(phase)}
            for phase in registration.phases]


def work_item_title(registration: ArrivalRegistration) -> str:
    return _("Arrival of %(name)s on %(day)s: %(requirement)s") % {
        "name": registration.name, "day": day_list([registration.arrival_day]),
        "requirement": Requirement(registration.requirement).label}
