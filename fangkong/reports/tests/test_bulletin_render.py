"""The bulletin's words (official style) and its .docx, from hand-written figures."""

import copy
import io

import docx
import pytest
from django.utils.translation import gettext

from fangkong.cases.selectors import bucket_label
from fangkong.reports.docx import bulletin_docx
from fangkong.reports.text import bulletin_paragraphs, bulletin_text

SEED_CUMULATIVE = (
    "截至11月28日24时，本轮疫情累计报告新冠肺炎确诊病例399例，其中：朔城区143例、应县256例；"
    "无症状感染者1836例，其中：朔城区1280例、应县556例。现已治愈出院确诊病例59例，"
    "解除医学观察的无症状感染者130例，尚在院治疗的确诊病例有340例，"
    "尚在医学观察的无症状感染者1706例。")


def district(confirmed, asymptomatic, discharged, released, in_hospital, under_observation,
             deaths=0):
    return {"confirmed": confirmed, "asymptomatic": asymptomatic, "discharged": discharged,
            "released": released, "in_hospital": in_hospital,
            "under_observation": under_observation, "deaths": deaths}


def new(confirmed, reclassified, asymptomatic, in_control, community):
    return {"confirmed": confirmed, "reclassified": reclassified, "asymptomatic": asymptomatic,
            "in_control": in_control, "community": community}


@pytest.fixture
def seed():
    """The seed page's figures as of 28 Nov 2022 (the day's split is made up)."""
    return {
        "as_of": "2022-11-28", "outbreak": "sz-2022-11", "outbreak_name": "朔州本轮疫情",
        "outbreak_start": "2022-11-13", "scope": "朔州市",
        "new": {"confirmed": 12, "reclassified": 3, "asymptomatic": 40, "in_control": 45,
                "community": 4, "discharged": 6, "released": 16, "deaths": 0,
                "by_district": {"朔城区": new(5, 1, 30, 33, 1), "应县": new(7, 2, 10, 12, 3)}},
        "cumulative": {"confirmed": 399, "asymptomatic": 1836, "by_district": {
            "朔城区": district(143, 1280, 20, 90, 123, 1190),
            "应县": district(256, 556, 39, 40, 217, 516)}},
        "discharged": 59, "released": 130, "in_hospital": 340, "under_observation": 1706,
        "deaths": 0,
    }


def test_cumulative_paragraph_matches_the_seed_page_exactly(seed):
    day, cumulative = bulletin_paragraphs(seed)
    assert cumulative == SEED_CUMULATIVE
    assert bulletin_text(seed) == f"{day}\n\n{cumulative}\n"


def test_day_paragraph_in_the_official_style(seed):
    assert bulletin_paragraphs(seed)[0] == (
        "11月28日0—24时，新增新冠肺炎确诊病例12例（含3例由无症状感染者转为确诊病例），"
        "其中：朔城区5例、应县7例；新增无症状感染者40例，其中：朔城区30例、应县10例。"
        "新增阳性感染者中，隔离管控中发现45例，社会面筛查发现4例。"
        "当日治愈出院确诊病例6例，解除医学观察无症状感染者16例。")


def test_zero_figures_are_left_out_or_said_as_none(seed):
    quiet = copy.deepcopy(seed)
    quiet["as_of"] = "2022-12-05"
    quiet["new"].update(confirmed=0, reclassified=0, asymptomatic=3, in_control=3, community=0,
                        discharged=0, released=2)
    quiet["new"]["by_district"]["朔城区"].update(confirmed=0, reclassified=0, asymptomatic=3)
    quiet["new"]["by_district"]["应县"].update(confirmed=0, reclassified=0, asymptomatic=0)
    assert bulletin_paragraphs(quiet)[0] == (
        "12月5日0—24时，无新增新冠肺炎确诊病例；新增无症状感染者3例，其中：朔城区3例。"
        "新增阳性感染者中，隔离管控中发现3例，社会面筛查发现0例。"
        "当日解除医学观察无症状感染者2例。")


def test_a_day_without_anything_new(seed):
    quiet = copy.deepcopy(seed)
    quiet["new"].update(confirmed=0, reclassified=0, asymptomatic=0, in_control=0, community=0,
                        discharged=0, released=0)
    for row in quiet["new"]["by_district"].values():
        row.update(confirmed=0, reclassified=0, asymptomatic=0, in_control=0, community=0)
    assert bulletin_paragraphs(quiet)[0] == (
        "11月28日0—24时，无新增新冠肺炎确诊病例；无新增无症状感染者。")


def test_deaths_are_mentioned_only_when_there_are_any(seed):
    assert "死亡" not in bulletin_text(seed)
    grave = copy.deepcopy(seed)
    grave["new"]["deaths"] = 1
    grave.update(deaths=2, in_hospital=338)
    day, cumulative = bulletin_paragraphs(grave)
    assert day.endswith("当日新增死亡病例1例。")
    assert cumulative.endswith("尚在医学观察的无症状感染者1706例。累计死亡病例2例。")


def test_district_names_are_not_escaped(seed):
    odd = copy.deepcopy(seed)
    odd["cumulative"]["by_district"]["A&B区"] = odd["cumulative"]["by_district"].pop("应县")
    assert "A&B区256例" in bulletin_paragraphs(odd)[1]


def table_values(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_docx_has_title_paragraphs_and_district_table(seed):
    document = docx.Document(io.BytesIO(bulletin_docx(seed)))
    texts = [p.text for p in document.paragraphs]
    assert "朔州市" in texts[0]
    assert "2022年11月28日" in texts[1] and "朔州本轮疫情" in texts[1]
    assert SEED_CUMULATIVE in texts
    assert any(t.startswith("11月28日0—24时，新增新冠肺炎确诊病例12例") for t in texts)
    [table] = document.tables
    rows = table_values(table)
    assert rows[0][:2] == [gettext("District"), str(bucket_label("new_confirmed"))]
    assert rows[1] == ["朔城区", "5", "1", "30", "143", "1280", "20", "90", "123", "1190"]
    assert rows[2] == ["应县", "7", "2", "10", "256", "556", "39", "40", "217", "516"]
    assert rows[3] == [gettext("Total"), "12", "3", "40", "399", "1836", "59", "130", "340", "1706"]


def test_docx_names_a_cjk_font(seed):
    document = docx.Document(io.BytesIO(bulletin_docx(seed)))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(docx.oxml.ns.qn("w:eastAsia")) == "SimSun"


def test_docx_adds_a_deaths_column_only_when_there_are_deaths(seed):
    grave = copy.deepcopy(seed)
    grave.update(deaths=2, in_hospital=338)
    grave["cumulative"]["by_district"]["应县"].update(deaths=2, in_hospital=215)
    [table] = docx.Document(io.BytesIO(bulletin_docx(grave))).tables
    rows = table_values(table)
    assert rows[0][-1] == str(bucket_label("deaths")) and rows[2][-1] == "2" and rows[3][-1] == "2"
