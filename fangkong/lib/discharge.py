"""The discharge / release test rule, free of Django so it can be tested on its own.

Rule (诊疗方案第九版): the last `required` tests in a row have Ct >= `ct_min` on both the N
and ORF1ab genes (no amplification counts as passing), each at least `spacing_hours` after
the one before. A refusal carries a code and the facts that explain it.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class CtResult:
    sampled_at: datetime.datetime
    ct_n: Decimal | None
    ct_orf1ab: Decimal | None

    def passes(self, ct_min) -> bool:
        return all(ct is None or ct >= ct_min for ct in (self.ct_n, self.ct_orf1ab))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str = ""
    facts: dict = field(default_factory=dict)


def check(tests: list[CtResult], *, ct_min, required: int,
          spacing_hours: float) -> Verdict:
    if not tests:
        return Verdict(False, "no_tests", {"required": required})
    ordered = sorted(tests, key=lambda t: t.sampled_at)
    latest = ordered[-1]
    if not latest.passes(ct_min):
        return Verdict(False, "latest_below", {"sampled_at": latest.sampled_at,
                                               "ct_n": latest.ct_n,
                                               "ct_orf1ab": latest.ct_orf1ab,
                                               "ct_min": ct_min})
    run = _trailing_passing_run(ordered, ct_min)
    spaced = _spaced(run, datetime.timedelta(hours=spacing_hours))
    if len(spaced) >= required:
        return Verdict(True)
    if len(run) >= required:
        return Verdict(False, "too_close", {"count": len(spaced), "required": required,
                                            "hours": spacing_hours})
    return Verdict(False, "too_few", {"count": len(run), "required": required})


def _trailing_passing_run(ordered: list[CtResult], ct_min) -> list[CtResult]:
    run: list[CtResult] = []
    for test in reversed(ordered):
        if not test.passes(ct_min):
            break
        run.append(test)
    return list(reversed(run))


def _spaced(run: list[CtResult], gap: datetime.timedelta) -> list[CtResult]:
    """The longest chain of tests each at least `gap` after the previous (greedy is optimal)."""
    chain: list[CtResult] = []
    for test in run:
        if not chain or test.sampled_at - chain[-1].sampled_at >= gap:
            chain.append(test)
    return chain
