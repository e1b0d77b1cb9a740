"""`fangkong protocol plan --basis B --from DATE [--format text|json]` and
`fangkong protocol list`."""

import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

pytestmark = pytest.mark.usefixtures("profiles")


def run(*args):
    out = io.StringIO()
    call_command("protocol", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_text_gives_each_phase_with_dates_tests_profile_and_rule():
    with translation.override("en"):
        text = run("plan", "--basis", "close-contact", "--from", "2022-11-10")
    lines = text.splitlines()
    assert lines[0] == "Close contact (close-contact), starting 2022-11-10:"
    assert lines[1] == "1. Centralised isolation, 7 days: 2022-11-10 to 2022-11-16"
    assert lines[2] == ("   Tests on 2022-11-10, 2022-11-11, 2022-11-12, 2022-11-14, "
                        "2022-11-16")
    assert lines[3] == "   Profile: 新型冠状病毒肺炎防控方案（第九版） (covid19-ed9)"
    assert lines[4].startswith("   Rule: 第九版：密切接触者“7天集中隔离+3天居家健康监测”")
    assert lines[5] == "2. Home health monitoring, 3 days: 2022-11-17 to 2022-11-19"
    assert lines[6] == "   Tests on 2022-11-19"
    assert len(lines) == 9


def test_text_in_the_default_language_still_carries_the_dates():
    text = run("plan", "--basis", "close-contact", "--from", "2022-12-07")
    assert "2022-12-07" in text and "2022-12-11" in text and "新十条" in text
    assert "2022-12-12" not in text


def test_json_has_the_phases_with_their_profile_and_rule():
    data = json.loads(run("plan", "--basis", "close-contact", "--from", "2022-11-11",
                          "--format", "json"))
    assert data["basis"] == "close-contact" and data["from"] == "2022-11-11"
    first, second = data["phases"]
    assert first == {
        "kind": "centralised_isolation", "days": 5, "starts_on": "2022-11-11",
        "ends_on": "2022-11-15",
        "test_days": ["2022-11-11", "2022-11-12", "2022-11-13", "2022-11-15"],
        "rule": first["rule"], "profile": "covid19-20-measures",
        "profile_name": "二十条优化措施（2022年11月11日）"}
    assert "二十条第1条" in first["rule"]
    assert (second["kind"], second["starts_on"], second["ends_on"], second["test_days"]) == (
        "home_isolation", "2022-11-16", "2022-11-18", ["2022-11-16", "2022-11-18"])


def test_json_keeps_chinese_readable():
    out = run("plan", "--basis", "arrival-low-risk", "--from", "2022-11-21", "--format", "json")
    assert "3天3检" in out and "\\u" not in out


REFUSALS = [
    (("--basis", "secondary-contact", "--from", "2022-11-11"), ["secondary-contact",
                                                                "2022-11-11", "二十条"]),
    (("--basis", "arrival-low-risk", "--from", "2022-11-20"), ["arrival-low-risk",
                                                               "2022-11-20"]),
    (("--basis", "arrival-low-risk", "--from", "2022-12-07"), ["arrival-low-risk",
                                                               "新十条"]),
    (("--basis", "close-contact", "--from", "2022-06-27"), ["2022-06-27"]),
    (("--basis", "close-contact", "--from", "2022-11-31"), ["2022-11-31", "YYYY-MM-DD"]),
    (("--basis", "close-contact", "--from", "yesterday"), ["yesterday"]),
    (("--basis", "contact", "--from", "2022-11-11"), ["contact", "close-contact",
                                                      "high-risk-post"]),
]


@pytest.mark.parametrize("args, words", REFUSALS, ids=[" ".join(r[0]) for r in REFUSALS])
def test_a_clear_refusal(args, words):
    with pytest.raises(CommandError) as refusal:
        run("plan", *args)
    assert all(word in str(refusal.value) for word in words), str(refusal.value)


def test_the_refusals_say_why_in_english_too():
    with translation.override("en"), pytest.raises(CommandError) as refusal:
        run("plan", "--basis", "close-contact", "--from", "2022-06-27")
    assert str(refusal.value) == "No protocol profile was in force on 2022-06-27."
    with translation.override("en"), pytest.raises(CommandError) as refusal:
        run("plan", "--basis", "contact", "--from", "2022-11-11")
    assert str(refusal.value).startswith("contact is not a basis of control; use one of: ")


def test_the_list_gives_each_profile_with_its_day_and_the_one_in_force():
    moment = datetime.datetime(2022, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False), translation.override("en"):
        lines = run("list").splitlines()
        data = json.loads(run("list", "--format", "json"))
    assert lines == [
        "2022-06-28  covid19-ed9  新型冠状病毒肺炎防控方案（第九版）",
        "2022-11-11  covid19-20-measures  二十条优化措施（2022年11月11日）",
        "2022-11-21  shuozhou-2022-11-21  朔州市新冠肺炎疫情防控通告（2022年11月21日）  "
        "[in force today]",
        "2022-12-07  covid19-10-new-measures  新十条优化措施（2022年12月7日）  [not yet in force]",
    ]
    assert [(row["code"], row["valid_from"], row["status"]) for row in data] == [
        ("covid19-ed9", "2022-06-28", "superseded"),
        ("covid19-20-measures", "2022-11-11", "superseded"),
        ("shuozhou-2022-11-21", "2022-11-21", "in_force"),
        ("covid19-10-new-measures", "2022-12-07", "future")]
    assert "3天3检" in data[2]["source_doc"]
