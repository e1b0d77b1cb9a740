"""Every shipped profile's dates, table-driven: for each basis, a plan starting the day before
and the day of each effective date (28 Jun, 11 Nov, 21 Nov, 7 Dec 2022), with its phases'
kinds, days, first and last days and test days written out by hand; day 1 is the start date;
phases chain across a month's end; refusals where the rules in force have no such plan; and
every phase names the profile and the rule that produced it."""

import datetime

import pytest

from fangkong.protocol.loading import shipped_profiles
from fangkong.protocol.plans import BASES, NoSuchBasis, plan
from fangkong.protocol.selectors import ProfileMissing

pytestmark = pytest.mark.usefixtures("profiles")

CI, HI, HHM, TESTS = ("centralised_isolation", "home_isolation", "home_health_monitoring",
                      "testing")
ED9, M20, SZ, M10 = ("covid19-ed9", "covid19-20-measures", "shuozhou-2022-11-21",
                     "covid19-10-new-measures")


def day(text: str) -> datetime.date:
    """"11-10" → 2022-11-10: every date of this table lies in 2022."""
    return datetime.date.fromisoformat(f"2022-{text}")


# (basis, start, profile, [(kind, days, first day, last day, [test days])])
PLANS = [
    # close contacts: 7+3 (9th edition), 5+3 (20 measures, also under Shuozhou's notice),
    # 5 days at home (10 new measures)
    ("close-contact", "06-28", ED9, [(CI, 7, "06-28", "07-04",
                                      ["06-28", "06-29", "06-30", "07-02", "07-04"]),
                                     (HHM, 3, "07-05", "07-07", ["07-07"])]),
    ("close-contact", "11-10", ED9, [(CI, 7, "11-10", "11-16",
                                      ["11-10", "11-11", "11-12", "11-14", "11-16"]),
                                     (HHM, 3, "11-17", "11-19", ["11-19"])]),
    ("close-contact", "11-11", M20, [(CI, 5, "11-11", "11-15",
                                      ["11-11", "11-12", "11-13", "11-15"]),
                                     (HI, 3, "11-16", "11-18", ["11-16", "11-18"])]),
    ("close-contact", "11-20", M20, [(CI, 5, "11-20", "11-24",
                                      ["11-20", "11-21", "11-22", "11-24"]),
                                     (HI, 3, "11-25", "11-27", ["11-25", "11-27"])]),
    ("close-contact", "11-21", SZ, [(CI, 5, "11-21", "11-25",
                                     ["11-21", "11-22", "11-23", "11-25"]),
                                    (HI, 3, "11-26", "11-28", ["11-26", "11-28"])]),
    ("close-contact", "11-28", SZ, [(CI, 5, "11-28", "12-02",
                                     ["11-28", "11-29", "11-30", "12-02"]),
                                    (HI, 3, "12-03", "12-05", ["12-03", "12-05"])]),
    ("close-contact", "12-06", SZ, [(CI, 5, "12-06", "12-10",
                                     ["12-06", "12-07", "12-08", "12-10"]),
                                    (HI, 3, "12-11", "12-13", ["12-11", "12-13"])]),
    ("close-contact", "12-07", M10, [(HI, 5, "12-07", "12-11", ["12-11"])]),
    # secondary contacts: 7 days at home, tests on days 1, 4, 7; abolished on 11 Nov
    ("secondary-contact", "06-28", ED9, [(HI, 7, "06-28", "07-04",
                                          ["06-28", "07-01", "07-04"])]),
    ("secondary-contact", "11-10", ED9, [(HI, 7, "11-10", "11-16",
                                          ["11-10", "11-13", "11-16"])]),
    # leaving a high-risk area: 7 days centralised, then 7 days at home from 11 Nov
    ("high-risk-outflow", "06-28", ED9, [(CI, 7, "06-28", "07-04",
                                          ["06-28", "06-29", "06-30", "07-02", "07-04"])]),
    ("high-risk-outflow", "11-10", ED9, [(CI, 7, "11-10", "11-16",
                                          ["11-10", "11-11", "11-12", "11-14", "11-16"])]),
    ("high-risk-outflow", "11-11", M20, [(HI, 7, "11-11", "11-17",
                                          ["11-11", "11-13", "11-15", "11-17"])]),
    ("high-risk-outflow", "11-20", M20, [(HI, 7, "11-20", "11-26",
                                          ["11-20", "11-22", "11-24", "11-26"])]),
    ("high-risk-outflow", "11-21", SZ, [(HI, 7, "11-21", "11-27",
                                         ["11-21", "11-23", "11-25", "11-27"])]),
    ("high-risk-outflow", "12-06", SZ, [(HI, 7, "12-06", "12-12",
                                         ["12-06", "12-08", "12-10", "12-12"])]),
    ("high-risk-outflow", "12-07", M10, [(HI, 7, "12-07", "12-13",
                                          ["12-07", "12-09", "12-11", "12-13"])]),
    # arrivals from low-risk areas: Shuozhou's 3 tests in 3 days, 21 Nov to 6 Dec only
    ("arrival-low-risk", "11-21", SZ, [(TESTS, 3, "11-21", "11-23",
                                        ["11-21", "11-22", "11-23"])]),
    ("arrival-low-risk", "11-30", SZ, [(TESTS, 3, "11-30", "12-02",
                                        ["11-30", "12-01", "12-02"])]),
    ("arrival-low-risk", "12-06", SZ, [(TESTS, 3, "12-06", "12-08",
                                        ["12-06", "12-07", "12-08"])]),
    # discharged cases: 7 days home health monitoring, tests on days 3 and 7
    ("discharge", "06-28", ED9, [(HHM, 7, "06-28", "07-04", ["06-30", "07-04"])]),
    ("discharge", "11-10", ED9, [(HHM, 7, "11-10", "11-16", ["11-12", "11-16"])]),
    ("discharge", "11-11", M20, [(HHM, 7, "11-11", "11-17", ["11-13", "11-17"])]),
    ("discharge", "11-20", M20, [(HHM, 7, "11-20", "11-26", ["11-22", "11-26"])]),
    ("discharge", "11-21", SZ, [(HHM, 7, "11-21", "11-27", ["11-23", "11-27"])]),
    ("discharge", "12-06", SZ, [(HHM, 7, "12-06", "12-12", ["12-08", "12-12"])]),
    ("discharge", "12-07", M10, [(HHM, 7, "12-07", "12-13", ["12-09", "12-13"])]),
    # closed-loop high-risk posts: 5 days home health monitoring from 11 Nov
    ("high-risk-post", "11-11", M20, [(HHM, 5, "11-11", "11-15",
                                       ["11-11", "11-13", "11-15"])]),
    ("high-risk-post", "11-20", M20, [(HHM, 5, "11-20", "11-24",
                                       ["11-20", "11-22", "11-24"])]),
    ("high-risk-post", "11-21", SZ, [(HHM, 5, "11-21", "11-25",
                                      ["11-21", "11-23", "11-25"])]),
    ("high-risk-post", "12-06", SZ, [(HHM, 5, "12-06", "12-10",
                                      ["12-06", "12-08", "12-10"])]),
    ("high-risk-post", "12-07", M10, [(HHM, 5, "12-07", "12-11",
                                       ["12-07", "12-09", "12-11"])]),
]

# (basis, start, the profile in force that has no such plan)
NO_PLAN = [
    ("secondary-contact", "11-11", "二十条"), ("secondary-contact", "11-20", "二十条"),
    ("secondary-contact", "11-21", "朔州"), ("secondary-contact", "12-06", "朔州"),
    ("secondary-contact", "12-07", "新十条"),
    ("arrival-low-risk", "06-28", "第九版"), ("arrival-low-risk", "11-10", "第九版"),
    ("arrival-low-risk", "11-11", "二十条"), ("arrival-low-risk", "11-20", "二十条"),
    ("arrival-low-risk", "12-07", "新十条"),
    ("high-risk-post", "06-28", "第九版"), ("high-risk-post", "11-10", "第九版"),
]


def test_the_tables_cover_every_basis_on_both_sides_of_every_effective_date():
    sides = {"06-28", "11-10", "11-11", "11-20", "11-21", "12-06", "12-07"}
    for basis in BASES:
        covered = {start for b, start, *_ in PLANS + NO_PLAN if b == basis}
        assert sides <= covered, (basis, sorted(sides - covered))


def _label(row):
    return f"{row[0]}@{row[1]}"


@pytest.mark.parametrize("basis, start, profile, expected", PLANS, ids=map(_label, PLANS))
def test_phases_of_the_rules_in_force_on_the_first_day(basis, start, profile, expected):
    phases = plan(basis, day(start))
    got = [(p.kind, p.days, p.starts_on, p.ends_on, list(p.test_days)) for p in phases]
    assert got == [(kind, days, day(first), day(last), [day(t) for t in tests])
                   for kind, days, first, last, tests in expected]
    assert {p.profile_code for p in phases} == {profile}


@pytest.mark.parametrize("basis, start, profile_word", NO_PLAN, ids=map(_label, NO_PLAN))
def test_no_plan_where_the_rules_in_force_have_none(basis, start, profile_word):
    with pytest.raises(NoSuchBasis) as refusal:
        plan(basis, day(start))
    message = str(refusal.value)
    assert f"2022-{start}" in message and basis in message and profile_word in message


@pytest.mark.parametrize("basis", BASES)
def test_no_plan_before_the_first_profile(basis):
    with pytest.raises(ProfileMissing):
        plan(basis, day("06-27"))


def test_day_one_is_the_start_date_and_the_last_day_is_inclusive():
    only, = plan("close-contact", day("12-07"))
    assert only.starts_on == day("12-07") and only.ends_on == day("12-11")
    assert (only.ends_on - only.starts_on).days + 1 == only.days == 5
    first, second = plan("close-contact", day("11-11"))
    assert first.test_days[0] == first.starts_on  # test day 1 is the first day itself
    assert second.starts_on == day("11-16")  # the day after the first phase's last day
    assert second.test_days[0] == second.starts_on


def test_a_plan_keeps_the_rules_of_its_first_day_across_a_change():
    """A close contact placed on 10 Nov stays on 7+3 although the 20 measures begin on the
    11th: the plan is fixed by the rules in force on its first day."""
    first, second = plan("close-contact", day("11-10"))
    assert first.profile_code == second.profile_code == ED9
    assert second.ends_on == day("11-19")


SHIPPED = {row["code"]: row for row in shipped_profiles()}
RULE_WORDS = {  # (basis, start): words of the rule the phase must carry
    ("close-contact", "11-10"): "第九版：密切接触者“7天集中隔离+3天居家健康监测”",
    ("close-contact", "11-11"): "二十条第1条",
    ("close-contact", "12-07"): "5天居家隔离，第5天核酸检测阴性后解除",
    ("secondary-contact", "11-10"): "密接的密接7天居家隔离",
    ("high-risk-outflow", "11-11"): "二十条第4条",
    ("arrival-low-risk", "11-21"): "3天3检",
    ("high-risk-post", "11-11"): "二十条第5条",
    ("discharge", "11-10"): "出院后7天居家健康监测",
}


@pytest.mark.parametrize("basis, start, profile, expected", PLANS, ids=map(_label, PLANS))
def test_each_phase_names_its_profile_and_rule(basis, start, profile, expected):
    shipped = SHIPPED[profile]
    for phase in plan(basis, day(start)):
        assert phase.profile_code == profile and phase.profile_name == shipped["name"]
        assert phase.rule == shipped["values"]["plans"][basis]["rule"]
        assert RULE_WORDS.get((basis, start), "") in phase.rule
        shown = phase.as_dict()
        assert shown["profile"] == profile and shown["rule"] == phase.rule
        assert shown["starts_on"] == phase.starts_on.isoformat()
