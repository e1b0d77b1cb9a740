"""What the rules in force give for a basis of control: phases with their dates and tests.

Day counting: day 1 of a plan is its start date; a phase of N days covers days 1..N and
ends at 24:00 of its last day; the next phase starts the day after. Test day k of a phase is
the phase's start date + (k - 1). Every phase carries the profile and the rule that produced
it, so a date shown to a user can always say where it came from.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from fangkong.protocol.selectors import profile_on

BASES = ("close-contact", "secondary-contact", "high-risk-outflow", "arrival-low-risk",
         "discharge", "high-risk-post")


class NoSuchBasis(LookupError):
    """The profile in force has no plan for this basis (e.g. secondary contacts after the
    20 measures abolished them)."""


@dataclass(frozen=True)
class PlannedPhase:
    kind: str
    days: int
    starts_on: datetime.date
    ends_on: datetime.date  # the last day, inclusive
    test_days: tuple[datetime.date, ...]
    rule: str
    profile_code: str
    profile_name: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "days": self.days, "starts_on": self.starts_on.isoformat(),
                "ends_on": self.ends_on.isoformat(),
                "test_days": [d.isoformat() for d in self.test_days], "rule": self.rule,
                "profile": self.profile_code, "profile_name": self.profile_name}


def plan(basis: str, start: datetime.date, disease: str = "covid-19") -> list[PlannedPhase]:
    profile = profile_on(start, disease)
    entry = (profile.values.get("plans") or {}).get(basis)
    if basis not in BASES or not entry:
        raise NoSuchBasis(_("The rules in force on %(day)s (%(profile)s) have no plan for "
                            "%(basis)s.") % {"day": start.isoformat(), "profile": profile.name,
                                             "basis": basis})
    phases, day = [], start
    for spec in entry["phases"]:
        ends = day + datetime.timedelta(days=spec["days"] - 1)
        tests = tuple(day + datetime.timedelta(days=k - 1) for k in spec["test_days"])
        phases.append(PlannedPhase(spec["kind"], spec["days"], day, ends, tests, entry["rule"],
                                   profile.code, profile.name))
        day = ends + datetime.timedelta(days=1)
    return phases
