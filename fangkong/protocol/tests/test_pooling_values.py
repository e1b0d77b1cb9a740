"""The testing rules of a profile: pooling by risk level, the Ct ceiling, the temporary
control of a positive pool and the turnaround target — each mistake named by its path."""

import copy

import pytest
from django.utils import translation

from fangkong.protocol.loading import shipped_profiles
from fangkong.protocol.validation import validate_values

SHIPPED = {row["code"]: row for row in shipped_profiles()}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _values(change, code="covid19-20-measures"):
    values = copy.deepcopy(SHIPPED[code]["values"])
    change(values)
    return values


def test_shuozhou_pools_ten_and_the_20_measures_twenty_outside_high_risk_areas():
    assert SHIPPED["shuozhou-2022-11-21"]["values"]["pooling"] == {"high": "household",
                                                                  "low": 10}
    assert SHIPPED["covid19-20-measures"]["values"]["pooling"]["low"] == 20
    assert SHIPPED["covid19-ed9"]["values"]["pooling"]["medium"] == 10


@pytest.mark.parametrize("change, path", [
    (lambda v: v["pooling"].pop("high"), "pooling.high: missing"),
    (lambda v: v["pooling"].update(medium=10), "pooling.medium: not a risk level in use"),
    (lambda v: v["pooling"].update(low=30), "pooling.low: must be at most 20"),
    (lambda v: v["pooling"].update(low=0), "pooling.low: must be at least 1"),
    (lambda v: v["pooling"].update(low="pairs"), "pooling.low: must be a whole number"),
    (lambda v: v.update(pooling=[10]), "pooling: must map each risk level to a pooling rule"),
    (lambda v: v.update(pool_control_days=0), "pool_control_days: must be at least 1"),
    (lambda v: v.update(turnaround_target_hours="a day"),
     "turnaround_target_hours: must be a number"),
    (lambda v: v.pop("ct_valid_max"), "ct_valid_max: missing"),
], ids=["level missing", "level not in use", "pool too big", "pool of none", "a word",
        "not a map", "no control days", "target not a number", "no Ct ceiling"])
def test_each_testing_mistake_is_named(change, path):
    assert validate_values(_values(change)) == [path]
