import datetime

import pytest

from fangkong.protocol.models import ProtocolProfile
from fangkong.protocol.selectors import ProfileMissing, profile_on, rule, rules


@pytest.mark.usefixtures("profiles")
def test_the_rules_of_a_day_come_from_the_profile_then_in_force():
    assert profile_on(datetime.date(2022, 11, 10)).code == "covid19-ed9"
    assert profile_on(datetime.date(2022, 11, 11)).code == "covid19-20-measures"
    assert rule(datetime.date(2022, 11, 28), "discharge_ct_min") == 35


@pytest.mark.usefixtures("profiles")
def test_a_later_profile_changes_the_rule_only_from_its_date():
    ProtocolProfile.objects.create(code="stricter", name="stricter", valid_from=datetime.date(
        2022, 12, 1), values={"discharge_ct_min": 38})
    assert rule(datetime.date(2022, 11, 30), "discharge_ct_min") == 35
    assert rule(datetime.date(2022, 12, 1), "discharge_ct_min") == 38


@pytest.mark.usefixtures("profiles")
def test_a_missing_value_or_day_before_any_profile_fails_loudly():
    ProtocolProfile.objects.create(code="partial", name="partial", valid_from=datetime.date(
        2023, 1, 1), values={})
    with pytest.raises(ProfileMissing, match="discharge_ct_min"):
        rule(datetime.date(2023, 1, 2), "discharge_ct_min")
    with pytest.raises(ProfileMissing):
        profile_on(datetime.date(2020, 1, 1))
    with pytest.raises(KeyError):
        rule(datetime.date(2022, 11, 28), "no_such_rule")


@pytest.mark.usefixtures("profiles")
def test_several_values_are_read_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        values = rules(datetime.date(2022, 11, 28), "discharge_ct_min", "serial_interval_mean")
    assert values == {"discharge_ct_min": 35, "serial_interval_mean": 3.0}
    with pytest.raises(KeyError):
        rules(datetime.date(2022, 11, 28), "discharge_ct_min", "no_such_rule")
