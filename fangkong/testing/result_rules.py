"""Is a laboratory's result row sound? Pure checks, no database.

A row names a tube, a result, the two Ct values where the laboratory sends them, and when it
was tested. The result must agree with the Ct values under the profile's cut-off (positive
below it): both targets below → positive; one → resample (单靶阳性, sample again); none →
negative. A missing Ct counts as not detected; with no Ct at all the stated result stands.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.testing.models import TubeResult

RESULTS = (TubeResult.NEGATIVE, TubeResult.POSITIVE, TubeResult.RESAMPLE)


@dataclass
class ResultRow:
    line: str             # where the row came from: "row 7", "message 3"
    barcode: str
    result: str
    ct_orf1ab: Decimal | None
    ct_n: Decimal | None
    tested_at: datetime.datetime | None


def parse_ct(text) -> Decimal | None:
    """A Ct as sent ('', None, '32.5'); raises ValueError for anything else."""
    if text is None or str(text).strip() == "":
        return None
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value.quantize(Decimal("0.1"))


def expected_result(ct_orf1ab, ct_n, cutoff) -> str | None:
    """The result the Ct values call for, or None when none was sent."""
    if ct_orf1ab is None and ct_n is None:
        return None
    below = sum(1 for ct in (ct_orf1ab, ct_n) if ct is not None and ct < cutoff)
    return (TubeResult.NEGATIVE, TubeResult.RESAMPLE, TubeResult.POSITIVE)[below]


def row_problems(row: ResultRow, *, cutoff, ct_max) -> list[tuple[str, str]]:
    """(field, message) for each fault of one row; empty when it may be recorded."""
    problems = []
    if not row.barcode:
        problems.append(("barcode", _("The tube barcode is missing.")))
    if row.result not in RESULTS:
        problems.append(("result", _("The result must be one of: %(choices)s.")
                         % {"choices": ", ".join(RESULTS)}))
    for field, ct in (("ct_orf1ab", row.ct_orf1ab), ("ct_n", row.ct_n)):
        if ct is not None and not Decimal(0) < ct <= Decimal(str(ct_max)):
            problems.append((field, _("A Ct value lies above 0 and at most %(max)s; this is "
                                      "%(ct)s.") % {"max": ct_max, "ct": ct}))
    if row.tested_at is None:
        problems.append(("tested_at", _("The test time is missing or not a time.")))
    elif row.tested_at > timezone.now():
        problems.append(("tested_at", _("This time lies in the future.")))
    if problems or row.result not in RESULTS:
        return problems
    expected = expected_result(row.ct_orf1ab, row.ct_n, Decimal(str(cutoff)))
    if expected is not None and expected != row.result:
        problems.append(("result", _(
            "The result says %(result)s but the Ct values (ORF1ab %(orf)s, N %(n)s) with the "
            "cut-off %(cutoff)s say %(expected)s.") % {
                "result": TubeResult(row.result).label, "expected": TubeResult(expected).label,
                "orf": row.ct_orf1ab if row.ct_orf1ab is not None else "—",
                "n": row.ct_n if row.ct_n is not None else "—", "cutoff": cutoff}))
    return problems
