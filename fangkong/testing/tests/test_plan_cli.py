"""`fangkong testing-schedule` and `fangkong testing-coverage`, run as the system: a place
named by uuid or by its codes, one line per slot and the groups left over, coverage as text
or as one JSON object on the last line, and clear refusals."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fangkong.audit.models import AuditEvent
from fangkong.testing import services
from fangkong.testing.models import Slot
from fangkong.testing.tests.util import at, mass_testing, sample_pool
from fangkong.testing.tests.util_plan import units


@pytest.fixture
def t(cast, outbreak):
    return mass_testing(cast)


def run(*args):
    """The command's output, in English so the tests read its words whatever the catalogue."""
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def test_the_schedule_of_a_community_named_by_its_code(t):
    lines = run("testing_schedule", "--round", str(t.round.uuid), "--place", "140602001001")
    slot = Slot.objects.get(round=t.round)
    assert slot.place == t.cast.unit1 and slot.starts_at == at(22, 7)
    assert lines[0].startswith("11-22 07:00–07:05\t") and t.venue.name in lines[0]
    assert "\t3\t" in lines[0]
    assert "1" in lines[-1] and "3" in lines[-1] and t.cast.wenyuan.name in lines[-1]
    event = AuditEvent.objects.get(action="testing.schedule")
    assert event.actor is None and event.via == "command"


def test_a_place_by_codes_from_the_top_or_by_uuid(t):
    run("testing_schedule", "--round", str(t.round.uuid), "--place",
        "140600/140602/140602001/140602001002")
    assert Slot.objects.get(round=t.round).place == t.cast.xinjian_unit
    run("testing_schedule", "--round", str(t.round.uuid), "--place", str(t.cast.beicheng.uuid))
    assert Slot.objects.filter(round=t.round).count() == 2


def test_groups_without_a_slot_are_listed(t):
    """Five minutes, two sites, three units: the last unit (新建社区) finds no room."""
    c = t.cast
    units(c, c.compound, buildings=1, units_each=1, households_each=1, people_each=1)
    short = services.round_create(acting_user=None, number=2, name="第2轮", starts_at=at(23, 8),
                                  ends_at=at(23, 8, 5), places=[(c.beicheng, "low")])
    lines = run("testing_schedule", "--round", str(short.uuid), "--place", "140602001")
    assert len([line for line in lines if "\t" in line]) == 2
    assert any(c.xinjian_compound.name in line and "\t" not in line for line in lines[:-1])


@pytest.mark.parametrize(("args", "says"), [
    (["--round", "nope", "--place", "140602001001"], "nope"),
    (["--round", "00000000-0000-0000-0000-000000000000", "--place", "140602001001"],
     "00000000"),
    (["--place", "999999"], "999999"),
    (["--place", "140602001001/99"], "99"),
    (["--place", "01"], "01"),                        # two compounds have the code 01
    (["--place", "00000000-0000-0000-0000-000000000001"], "00000000"),
])
def test_bad_arguments_are_refused_plainly(t, args, says):
    if "--round" not in args:
        args = ["--round", str(t.round.uuid), *args]
    with pytest.raises(CommandError, match=says):
        run("testing_schedule", *args)
    assert not Slot.objects.exists()


def test_a_closed_round_or_a_street_without_sites_is_refused(t):
    c = t.cast
    with pytest.raises(CommandError):
        run("testing_schedule", "--round", str(t.round.uuid), "--place", "140622100201")
    services.round_set_status(acting_user=None, test_round=t.round, status="closed")
    with pytest.raises(CommandError):
        run("testing_schedule", "--round", str(t.round.uuid), "--place", str(c.wenyuan.uuid))


def test_coverage_as_text_adds_up(t):
    c = t.cast
    sample_pool(t, "SZ8001", [c.zhang])
    lines = run("testing_coverage", "--round", str(t.round.uuid))
    assert t.round.name in lines[0]
    assert any(c.wenyuan.name in line and "3" in line for line in lines[1:3])
    assert lines[-1].split()[:1] == ["1"] and "3" in lines[-1] and "4" in lines[-1]


def test_coverage_as_json_on_the_last_line(t):
    c = t.cast
    sample_pool(t, "SZ8002", [c.zhang, c.li])
    services.exemption_record(acting_user=None, test_round=t.round, person=c.wang,
                              reason="bedridden")
    whole = json.loads(run("testing_coverage", "--round", str(t.round.uuid),
                           "--format", "json")[-1])
    assert whole["place"] is None and whole["round"]["uuid"] == str(t.round.uuid)
    assert whole["totals"] == {"target": 4, "sampled": 2, "results_back": 0, "exempt": 1,
                               "untested": 1, "share": round(2 / 3, 4)}
    assert [r["place"]["code"] for r in whole["rows"]] == ["140602001001", "140602001002"]
    unit = json.loads(run("testing_coverage", "--round", str(t.round.uuid), "--place",
                          "140602001001", "--format", "json")[-1])
    assert unit["place"]["name"] == c.wenyuan.name and unit["totals"]["untested"] == 0
    [row] = unit["rows"]
    assert row["place"]["uuid"] == str(c.unit1.uuid) and row["sampled"] == 2
