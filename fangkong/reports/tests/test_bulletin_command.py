"""`fangkong bulletin --date D [--format text|json|docx] [--outbreak CODE] [--user U]`."""

import io
import json

import docx
import pytest
from django.core.management import CommandError, call_command

from fangkong.accounts.models import User
from fangkong.cases import services
from fangkong.cases.services import outbreak_create
from fangkong.cases.tests.util import at, report

DAY16 = ("11月16日0—24时，新增新冠肺炎确诊病例2例（含1例由无症状感染者转为确诊病例），"
         "其中：朔城区1例、应县1例；新增无症状感染者1例，其中：朔城区1例。"
         "新增阳性感染者中，隔离管控中发现1例，社会面筛查发现1例。")
CUMULATIVE16 = ("截至11月16日24时，本轮疫情累计报告新冠肺炎确诊病例3例，其中：朔城区2例、应县1例；"
                "无症状感染者1例，其中：朔城区1例。现已治愈出院确诊病例0例，"
                "解除医学观察的无症状感染者0例，尚在院治疗的确诊病例有3例，"
                "尚在医学观察的无症状感染者1例。")


@pytest.fixture
def cases(outbreak):
    """On the 16th: liu (应县) reported confirmed, li reported asymptomatic in home control,
    zhang (asymptomatic since the 14th) reclassified; wang confirmed since the 15th."""
    c = outbreak.cast
    zhang = report(outbreak, c.zhang, day=14, route="community_screening")
    report(outbreak, c.wang, "confirmed", day=15, route="centralised_isolation")
    report(outbreak, c.liu, "confirmed", day=16, route="fever_clinic")
    report(outbreak, c.li, day=16, hour=22, route="home_control")
    services.case_reclassify(acting_user=c.admin, case=zhang, at=at(16, 9), clinical_type="mild")
    return outbreak


def run(*args):
    out = io.StringIO()
    call_command("bulletin", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_text_is_the_official_wording_for_the_command_centre(cases):
    assert run("--date", "2022-11-16") == f"{DAY16}\n\n{CUMULATIVE16}\n"


def test_a_district_user_gets_only_their_district(cases):
    text = run("--date", "2022-11-16", "--user", "yingxianqu")
    assert "累计报告新冠肺炎确诊病例1例，其中：应县1例；无症状感染者0例。" in text
    assert "朔城区" not in text


def test_json_keeps_chinese_readable_and_the_stable_keys(cases):
    out = run("--date", "2022-11-16", "--format", "json", "--outbreak", "sz-2022-11")
    assert '"朔城区"' in out and "\n  " in out
    data = json.loads(out)
    assert {"as_of", "outbreak_start", "new", "cumulative", "discharged", "released",
            "in_hospital", "under_observation", "deaths"} <= data.keys()
    assert data["cumulative"]["by_district"]["应县"]["confirmed"] == 1
    assert data["new"]["reclassified"] == 1


def test_docx_goes_to_the_output_file(cases, tmp_path):
    target = tmp_path / "out.docx"
    printed = run("--date", "2022-11-16", "--format", "docx", "--output", str(target))
    assert printed.strip() == str(target)
    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    assert CUMULATIVE16 in texts


def test_docx_without_output_lands_in_the_working_directory(cases, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printed = run("--date", "2022-11-16", "--format", "docx")
    assert printed.strip() == str(tmp_path / "bulletin-2022-11-16.docx")
    assert DAY16 in [p.text for p in docx.Document(printed.strip()).paragraphs]


def test_text_can_be_written_to_a_file(cases, tmp_path):
    target = tmp_path / "b.txt"
    run("--date", "2022-11-16", "--output", str(target))
    assert target.read_text(encoding="utf-8") == f"{DAY16}\n\n{CUMULATIVE16}\n"


@pytest.mark.parametrize("args, named", [
    (["--date", "2022-13-01"], "2022-13-01"),
    (["--date", "yesterday"], "yesterday"),
    (["--date", "2099-01-01"], "2099-01-01"),
    (["--date", "2022-11-16", "--outbreak", "nope"], "nope"),
    (["--date", "2022-11-12"], "2022-11-12"),
    (["--date", "2022-11-16", "--user", "nobody"], "nobody"),
    (["--date", "2022-11-16", "--user", "jumin"], "jumin"),
])
def test_bad_input_is_refused_with_a_message_naming_it(cases, tmp_path, args, named):
    target = tmp_path / "out.docx"
    with pytest.raises(CommandError) as refusal:
        run(*args, "--format", "docx", "--output", str(target))
    assert named in str(refusal.value)
    assert not target.exists()


def test_an_outbreak_that_began_after_the_date_is_refused(cases):
    outbreak_create(acting_user=cases.cast.admin, code="later", name="later",
                    start_date=at(20).date(), places=[cases.cast.yingxian])
    with pytest.raises(CommandError, match="later"):
        run("--date", "2022-11-16", "--outbreak", "later")


def test_without_a_command_centre_user_the_user_must_be_named(cases):
    User.objects.filter(username="zhihui").update(is_active=False)
    with pytest.raises(CommandError, match="--user"):
        run("--date", "2022-11-16")
    assert "朔城区" in run("--date", "2022-11-16", "--user", "quxian")
