"""Checking a profile's values, and the two writes that use the check: a new version of the
rules (today or later, one per day, audited) and the change of a version not yet in force
(refused, saying why, once it is in force)."""

import copy
import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from fangkong.audit.models import AuditEvent
from fangkong.protocol.loading import shipped_profiles
from fangkong.protocol.models import KEYS, ProtocolProfile
from fangkong.protocol.plans import plan
from fangkong.protocol.services import profile_create, profile_update, profile_version
from fangkong.protocol.validation import validate_values

SH = ZoneInfo("Asia/Shanghai")
SHIPPED = {row["code"]: row for row in shipped_profiles()}


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever the Chinese catalogue says."""
    with translation.override("en"):
        yield


def values(code="covid19-20-measures"):
    return copy.deepcopy(SHIPPED[code]["values"])


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_every_shipped_profile_is_valid(code):
    assert validate_values(SHIPPED[code]["values"]) == []


def _without(key):
    v = values()
    del v[key]
    return v


def _with(path_setter):
    v = values()
    path_setter(v)
    return v


def _phase(v, basis="close-contact", index=0):
    return v["plans"][basis]["phases"][index]


# (what is wrong, the values, the path the report must name)
MISTAKES = [
    ("a key missing", _without("contact_lookback_days"), "contact_lookback_days"),
    ("the plans missing", _without("plans"), "plans"),
    ("an unknown key", _with(lambda v: v.update(risk_area_lift_day=5)), "risk_area_lift_day"),
    ("a number as text", _with(lambda v: v.update(discharge_ct_min="35")), "discharge_ct_min"),
    ("a boolean for a number", _with(lambda v: v.update(pcr_cutoff_ct=True)), "pcr_cutoff_ct"),
    ("a fraction of a day", _with(lambda v: v.update(contact_lookback_days=4.5)),
     "contact_lookback_days"),
    ("a negative count", _with(lambda v: v.update(risk_area_lift_days=0)),
     "risk_area_lift_days"),
    ("an unknown basis", _with(lambda v: v["plans"].update({"close-contacts": v["plans"][
        "close-contact"]})), "plans.close-contacts"),
    ("a plan without rule", _with(lambda v: v["plans"]["discharge"].pop("rule")),
     "plans.discharge.rule"),
    ("a plan without phases", _with(lambda v: v["plans"]["discharge"].update(phases=[])),
     "plans.discharge.phases"),
    ("an unknown kind", _with(lambda v: _phase(v).update(kind="quarantine")),
     "plans.close-contact.phases[0].kind"),
    ("zero days", _with(lambda v: _phase(v, index=1).update(days=0)),
     "plans.close-contact.phases[1].days"),
    ("days as text", _with(lambda v: _phase(v).update(days="5")),
     "plans.close-contact.phases[0].days"),
    ("a test day after the phase", _with(lambda v: _phase(v).update(test_days=[1, 2, 3, 6])),
     "plans.close-contact.phases[0].test_days[3]"),
    ("a test day 0", _with(lambda v: _phase(v).update(test_days=[0, 2])),
     "plans.close-contact.phases[0].test_days[0]"),
    ("test days out of order", _with(lambda v: _phase(v).update(test_days=[1, 3, 2])),
     "plans.close-contact.phases[0].test_days"),
    ("a test day twice", _with(lambda v: _phase(v).update(test_days=[1, 1, 3])),
     "plans.close-contact.phases[0].test_days"),
    ("test days not a list", _with(lambda v: _phase(v).update(test_days="1,2,3")),
     "plans.close-contact.phases[0].test_days"),
    ("tests only without a test", _with(lambda v: v["plans"].update({"arrival-low-risk": {
        "rule": "x", "phases": [{"kind": "testing", "days": 3, "test_days": []}]}})),
     "plans.arrival-low-risk.phases[0].test_days"),
    ("an unknown phase key", _with(lambda v: _phase(v).update(test_day=[1])),
     "plans.close-contact.phases[0].test_day"),
    ("a colour missing", _with(lambda v: v["code_colours"].pop("temporary_control")),
     "code_colours.temporary_control"),
    ("an unknown colour", _with(lambda v: v["code_colours"].update(home_isolation="orange")),
     "code_colours.home_isolation"),
    ("a colour for an unknown kind", _with(lambda v: v["code_colours"].update(lockdown="red")),
     "code_colours.lockdown"),
    ("an unknown risk level", _with(lambda v: v.update(risk_levels=["high", "severe"])),
     "risk_levels[1]"),
    ("a risk level twice", _with(lambda v: v.update(risk_levels=["high", "high"])),
     "risk_levels"),
    ("no risk level", _with(lambda v: v.update(risk_levels=[])), "risk_levels"),
]


@pytest.mark.parametrize("wrong, bad, path", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_reported_with_its_path(wrong, bad, path):
    problems = validate_values(bad)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: "), problems


def test_all_mistakes_are_reported_at_once_and_a_non_object_is_refused():
    v = values()
    _phase(v).update(days=0, kind="jail")
    del v["pcr_cutoff_ct"]
    paths = {p.split(": ")[0] for p in validate_values(v)}
    assert {"pcr_cutoff_ct", "plans.close-contact.phases[0].days",
            "plans.close-contact.phases[0].kind"} <= paths
    assert validate_values([1, 2]) and validate_values(None)
    assert len(validate_values({})) == len(KEYS)


# --- the writes ----------------------------------------------------------------------------

TODAY = datetime.datetime(2022, 11, 25, 10, tzinfo=SH)  # the Shuozhou notice is in force


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield datetime.date(2022, 11, 25)


def profile(code):
    return ProtocolProfile.objects.get(code=code)


def create(cast, **changes):
    fields = {"acting_user": cast.admin, "based_on": profile("shuozhou-2022-11-21"),
              "code": "shuozhou-2022-12-01", "name": "朔州市通告（12月1日）",
              "valid_from": datetime.date(2022, 12, 1), "source_doc": "朔州市通告",
              "values": values("shuozhou-2022-11-21"), **changes}
    return profile_create(**fields)


def test_a_new_version_takes_effect_on_its_day_and_is_audited(cast, today):
    v = values("shuozhou-2022-11-21")
    v["plans"]["arrival-low-risk"]["phases"][0].update(days=2, test_days=[1, 2])
    created = create(cast, values=v)
    assert created.disease == "covid-19" and created.created_by == cast.admin
    assert plan("arrival-low-risk", datetime.date(2022, 11, 30))[0].days == 3
    assert plan("arrival-low-risk", datetime.date(2022, 12, 1))[0].days == 2
    event = AuditEvent.objects.get(action="protocol.create")
    assert event.actor == cast.admin and event.target_uuid == created.uuid
    assert event.changes["based_on"] == [None, "shuozhou-2022-11-21"]
    old, new = event.changes["values.plans"]
    assert json.loads(old)["arrival-low-risk"]["phases"][0]["days"] == 3
    assert json.loads(new)["arrival-low-risk"]["phases"][0]["days"] == 2
    assert "values.pcr_cutoff_ct" not in event.changes  # only what differs from the base


def test_a_new_version_may_take_effect_today_but_not_before(cast, today):
    with pytest.raises(ValidationError) as refused:
        create(cast, valid_from=datetime.date(2022, 11, 24))
    message = refused.value.message_dict["valid_from"][0]
    assert "2022-11-25" in message and "not rewritten" in message
    assert create(cast, valid_from=today).valid_from == today
    assert ProtocolProfile.objects.count() == 5


def test_one_profile_per_day_and_unique_codes(cast, today):
    with pytest.raises(ValidationError) as refused:
        create(cast, valid_from=datetime.date(2022, 12, 7), code="covid19-ed9")
    errors = refused.value.message_dict
    assert "新十条" in errors["valid_from"][0]  # names the profile already on that day
    assert "code" in errors
    with pytest.raises(ValidationError) as refused:
        create(cast, code="Not A Slug!")
    assert "code" in refused.value.message_dict
    assert ProtocolProfile.objects.count() == 4
    assert not AuditEvent.objects.filter(action="protocol.create").exists()


def test_bad_values_are_refused_with_their_paths_and_nothing_saved(cast, today):
    v = values()
    _phase(v).update(test_days=[1, 9])
    with pytest.raises(ValidationError) as refused:
        create(cast, values=v, name=" ", source_doc="")
    errors = refused.value.message_dict
    assert errors["values"] == ["plans.close-contact.phases[0].test_days[1]: must be at most 5"]
    assert {"name", "source_doc"} <= errors.keys()
    assert ProtocolProfile.objects.count() == 4


def test_only_the_command_centre_writes_profiles(cast, today):
    for user in (cast.quxian, cast.wangge, cast.yiyuan, cast.jumin):
        with pytest.raises(PermissionError):
            create(cast, acting_user=user)
    assert ProtocolProfile.objects.count() == 4


def test_a_profile_not_yet_in_force_may_change_with_old_and_new_audited(cast, today):
    future = profile("covid19-10-new-measures")
    v = copy.deepcopy(future.values)
    v["plans"]["close-contact"]["phases"][0]["test_days"] = [3, 5]
    profile_update(acting_user=cast.admin, profile=future, values=v,
                   valid_from=datetime.date(2022, 12, 8), reason="draft corrected",
                   expected_version=profile_version(future))
    assert plan("close-contact", datetime.date(2022, 12, 7))[0].profile_code == (
        "shuozhou-2022-11-21")
    assert plan("close-contact", datetime.date(2022, 12, 8))[0].test_days == (
        datetime.date(2022, 12, 10), datetime.date(2022, 12, 12))
    event = AuditEvent.objects.get(action="protocol.update")
    assert event.changes["valid_from"] == ["2022-12-07", "2022-12-08"]
    old, new = event.changes["values.plans"]
    assert json.loads(old)["close-contact"]["phases"][0]["test_days"] == [5]
    assert json.loads(new)["close-contact"]["phases"][0]["test_days"] == [3, 5]
    assert event.reason == "draft corrected" and len(event.changes) == 2


@pytest.mark.parametrize("code", ["shuozhou-2022-11-21", "covid19-ed9"])
def test_a_profile_in_force_or_past_is_not_rewritten_and_the_refusal_says_why(cast, today, code):
    current = profile(code)
    with pytest.raises(ValidationError) as refused:
        profile_update(acting_user=cast.admin, profile=current, name="changed")
    assert refused.value.code == "in_force"
    assert current.valid_from.isoformat() in refused.value.messages[0]
    assert "new version" in refused.value.messages[0]
    assert profile(code).name == current.name
    assert not AuditEvent.objects.filter(action="protocol.update").exists()


def test_a_future_profile_cannot_be_moved_into_the_past_or_onto_another_day(cast, today):
    future = profile("covid19-10-new-measures")
    for day in (datetime.date(2022, 11, 20), datetime.date(2022, 11, 21)):
        with pytest.raises(ValidationError) as refused:
            profile_update(acting_user=cast.admin, profile=future, valid_from=day)
        assert "valid_from" in refused.value.message_dict
    assert profile("covid19-10-new-measures").valid_from == datetime.date(2022, 12, 7)


def test_a_stale_edit_is_refused(cast, today):
    future = profile("covid19-10-new-measures")
    seen = profile_version(future)
    with time_machine.travel(datetime.datetime(2022, 11, 25, 11, tzinfo=SH), tick=False):
        profile_update(acting_user=cast.admin, profile=future, name="新十条（修订）")
    with pytest.raises(ValidationError) as refused:
        profile_update(acting_user=cast.admin, profile=future, name="其他", expected_version=seen)
    assert refused.value.code == "stale"
    assert profile("covid19-10-new-measures").name == "新十条（修订）"
