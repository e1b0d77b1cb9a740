import datetime
from decimal import Decimal

from fangkong.lib.discharge import CtResult, check

T0 = datetime.datetime(2022, 11, 20, 8, tzinfo=datetime.UTC)
RULE = {"ct_min": 35, "required": 2, "spacing_hours": 24}


def result(hours, ct_n, ct_orf1ab):
    def ct(value):
        return None if value is None else Decimal(str(value))

    return CtResult(T0 + datetime.timedelta(hours=hours), ct(ct_n), ct(ct_orf1ab))


def test_two_passing_tests_a_day_apart_allow_discharge():
    assert check([result(0, 36, 37), result(24, None, 38)], **RULE).ok


def test_no_tests_is_refused_with_the_number_needed():
    verdict = check([], **RULE)
    assert (verdict.ok, verdict.code, verdict.facts["required"]) == (False, "no_tests", 2)


def test_a_low_ct_on_either_gene_refuses_even_after_passing_tests():
    verdict = check([result(0, 36, 36), result(24, 36, 36), result(48, 36, 33.5)], **RULE)
    assert verdict.code == "latest_below"
    assert verdict.facts["ct_orf1ab"] == Decimal("33.5")


def test_passing_tests_before_a_failing_one_do_not_count():
    verdict = check([result(0, 36, 36), result(24, 30, 36), result(48, 36, 36)], **RULE)
    assert (verdict.code, verdict.facts["count"]) == ("too_few", 1)


def test_tests_closer_than_the_spacing_are_refused():
    verdict = check([result(0, 36, 36), result(20, 37, 37)], **RULE)
    assert (verdict.code, verdict.facts["count"]) == ("too_close", 1)


def test_a_third_test_can_complete_the_spacing():
    assert check([result(0, 36, 36), result(20, 37, 37), result(25, 38, 38)], **RULE).ok


def test_exactly_at_the_threshold_passes():
    assert check([result(0, 35, 35), result(24, 35, 35)], **RULE).ok
