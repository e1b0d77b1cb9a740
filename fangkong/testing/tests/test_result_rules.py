"""A result must agree with its Ct values under the profile's cut-off: both targets below →
positive, one → resample, none → negative; a missing Ct is not detected."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from fangkong.testing.result_rules import ResultRow, expected_result, parse_ct, row_problems

D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def row(result, orf=None, n=None, tested_at=None, barcode="SZ0001"):
    return ResultRow("row 2", barcode, result, orf, n,
                     tested_at or timezone.now() - datetime.timedelta(hours=1))


@pytest.mark.parametrize("orf, n, expected", [
    (D("25"), D("27"), "positive"),
    (D("25"), D("40"), "resample"),      # 40 is not below the cut-off 40
    (D("39.9"), None, "resample"),       # N not sent: not detected
    (D("40"), D("41"), "negative"),
    (None, None, None),                  # no Ct: the stated result stands
])
def test_ct_values_call_for_a_result(orf, n, expected):
    assert expected_result(orf, n, D("40")) == expected


@pytest.mark.parametrize("bad, field, words", [
    (row("negative", D("25"), D("26")), "result", "say Positive"),
    (row("positive", D("25"), D("41")), "result", "Single target positive"),
    (row("positive", D("0"), D("20")), "ct_orf1ab", "above 0"),
    (row("positive", D("20"), D("46")), "ct_n", "at most 45"),
    (row("maybe"), "result", "must be one of"),
    (row("negative", barcode=""), "barcode", "missing"),
    (row("negative", tested_at=timezone.now() + datetime.timedelta(days=1)), "tested_at",
     "future"),
])
def test_each_bad_row_is_refused_with_its_reason(bad, field, words):
    problems = row_problems(bad, cutoff=40, ct_max=45)
    assert [f for f, _m in problems] == [field]
    assert words in problems[0][1]


def test_a_sound_row_has_no_problem():
    assert row_problems(row("positive", D("28.1"), D("30.2")), cutoff=40, ct_max=45) == []


@pytest.mark.parametrize("text, value", [("", None), (None, None), ("32.46", D("32.5")),
                                         (" 35 ", D("35.0"))])
def test_ct_text_parses(text, value):
    assert parse_ct(text) == value


@pytest.mark.parametrize("text", ["abc", "NaN", "inf"])
def test_ct_text_that_is_no_number_is_refused(text):
    with pytest.raises(ValueError):
        parse_ct(text)
