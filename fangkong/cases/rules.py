"""The profile's discharge / release rule applied to a case, with a message a user can act on."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.cases.models import Case
from fangkong.lib import discharge
from fangkong.protocol.selectors import rules


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str = ""
    message: str = ""


def discharge_verdict(case: Case, at: datetime.datetime) -> Verdict:
    day = timezone.localdate(at)
    results = [discharge.CtResult(t.sampled_at, t.ct_n, t.ct_orf1ab)
               for t in case.tests.filter(sampled_at__lte=at)]
    values = rules(day, "discharge_ct_min", "discharge_tests_required",
                   "discharge_test_spacing_hours")
    verdict = discharge.check(results, ct_min=values["discharge_ct_min"],
                              required=values["discharge_tests_required"],
                              spacing_hours=values["discharge_test_spacing_hours"])
    return Verdict(verdict.ok, verdict.code, _message(verdict))


def _message(verdict: discharge.Verdict) -> str:
    facts = dict(verdict.facts)
    if verdict.ok:
        return ""
    if verdict.code == "no_tests":
        return _("No test towards discharge is recorded; the rule needs %(required)s.") % facts
    if verdict.code == "latest_below":
        facts["sampled_at"] = timezone.localtime(facts["sampled_at"]).strftime("%Y-%m-%d %H:%M")
        facts["ct_n"] = facts["ct_n"] if facts["ct_n"] is not None else "-"
        facts["ct_orf1ab"] = facts["ct_orf1ab"] if facts["ct_orf1ab"] is not None else "-"
        return _("The latest test (%(sampled_at)s) has Ct N %(ct_n)s / ORF1ab %(ct_orf1ab)s, "
                 "below the required %(ct_min)s.") % facts
    if verdict.code == "too_close":
        return _("Only %(count)s of the passing tests are at least %(hours)s hours apart; the "
                 "rule needs %(required)s.") % facts
    return _("Only %(count)s passing test(s) in a row; the rule needs %(required)s.") % facts
