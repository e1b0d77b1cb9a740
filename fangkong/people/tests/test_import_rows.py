"""Importing residents: good files are written, bad rows are named by row and column."""

import datetime

import pytest
from django.utils import translation

from fangkong.audit.models import AuditEvent
from fangkong.people.importing import ImportFileError
from fangkong.people.models import Person
from fangkong.people.tests.test_import_support import (
    HEADER,
    csv_bytes,
    new_id,
    row,
    run,
    xlsx_bytes,
)
from fangkong.places.models import Level, Place


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English; the default language is zh-hans."""
    with translation.override("en"):
        yield

def test_good_xlsx_creates_people_and_missing_places(cast):
    rows = [row("孙明", new_id(101), household="101"),
            row("周红", new_id(102), phone="", building="3号楼", unit="2单元", household="301",
                tags="独居老人、慢性病", residency="流动人口")]
    report = run(cast.wangge, data=xlsx_bytes(rows), filename="residents.xlsx")
    assert (report.created, report.updated, report.rejected) == (2, 0, [])
    assert report.places_created == 3  # 3号楼 › 2单元 › 301
    zhou = Person.objects.get(id_number=new_id(102))
    assert zhou.household.name == "301" and zhou.residency == "floating"
    assert sorted(zhou.tags.values_list("tag", flat=True)) == ["chronic", "elderly_alone"]
    assert zhou.birth_date == datetime.date(1990, 5, 6) and zhou.sex == "female"
    sun = Person.objects.get(id_number=new_id(101))
    assert sun.household == cast.h101 and sun.phone == "13512345678"
    unit = zhou.household.parent
    assert unit.level == Level.UNIT and unit.parent.name == "3号楼"
    assert zhou.household.path.startswith(unit.path) and unit.path.startswith(cast.compound.path)


def test_created_places_follow_the_path_rule(cast):
    run(cast.wangge, [row(building="9号楼", unit="1单元", household="901")])
    building = Place.objects.get(name="9号楼")
    siblings = Place.objects.filter(parent=cast.compound).order_by("path")
    assert list(siblings)[-1] == building
    assert building.path == cast.building2.path[:-5] + "00003"
    assert building.level == Level.BUILDING and building.created_by == cast.wangge


def test_village_households_stand_under_the_community(cast):
    report = run(cast.admin, [row(district="应县", subdistrict="金城镇", community="东关村",
                                  compound="", building="", unit="", household="13号")])
    assert report.created == 1
    home = Person.objects.get(id_number=new_id(101)).household
    assert home.parent == cast.village and home.level == Level.HOUSEHOLD


def test_good_csv_matches_existing_household(cast):
    report = run(cast.wangge, [row(household="102")])
    assert report.created == 1 and report.places_created == 0
    assert Person.objects.get(id_number=new_id(101)).household == cast.h102


def test_bad_rows_are_reported_with_row_and_column_and_good_rows_written(cast):
    wrong_check = new_id(103)[:-1] + ("0" if new_id(103)[-1] != "0" else "1")
    rows = [
        row("好人", new_id(101)),
        row("甲", wrong_check),
        row("乙", "140602900101123"),
        row("丙", new_id(105), phone="12345"),
        row("丁", new_id(107), district="平鲁区"),
        row("", new_id(109)),
    ]
    report = run(cast.wangge, rows)
    assert report.created == 1
    found = {(r.row, r.column) for r in report.rejected}
    assert found == {(3, "身份证号"), (4, "身份证号"), (5, "手机号"), (6, "区县"), (7, "姓名")}
    messages = {r.row: r.message for r in report.rejected}
    assert "check character" in messages[3]
    assert "15-digit" in messages[4]
    assert "平鲁区" in messages[6]
    assert Person.objects.filter(name="好人").exists()
    assert not Person.objects.filter(name__in=["甲", "乙", "丙", "丁"]).exists()


def test_same_id_twice_rejects_the_later_row(cast):
    report = run(cast.wangge, [row("孙明", new_id(101)), row("孙明明", new_id(101))])
    assert report.created == 1
    assert report.rejected == [(3, "身份证号", report.rejected[0].message)]
    assert "row 2" in report.rejected[0].message


def test_unknown_and_missing_headers_are_named_and_nothing_imported(cast):
    header = ["姓名", "身份证", "区县", "街道", "社区", "户号", "备注"]
    with pytest.raises(ImportFileError) as error:
        run(cast.wangge, data=csv_bytes([], header=header))
    assert "身份证" in str(error.value) and "备注" in str(error.value)
    assert "身份证号/证件号码" in str(error.value)
    assert not AuditEvent.objects.filter(action="people.import").exists()


def test_other_id_types_need_birth_date_and_sex(cast):
    header = ["姓名", "证件类型", "证件号码", "性别", "出生日期", "区县", "街道", "社区", "户号"]
    place = ["朔城区", "北城街道", "文远社区", "105"]
    rows = [["Anna Schmidt", "护照", "C1234567", "女", "1991-02-03", *place],
            ["Bob", "护照", "C7654321", "", "", *place]]
    report = run(cast.wangge, data=csv_bytes(rows, header=header))
    assert report.created == 1
    assert {(r.row, r.column) for r in report.rejected} == {(3, "性别"), (3, "出生日期")}
    anna = Person.objects.get(id_number="C1234567")
    assert anna.id_type == "passport" and anna.birth_date == datetime.date(1991, 2, 3)


def test_unknown_labels_are_rejected_and_over_80_is_ignored(cast):
    rows = [row("孙明", new_id(101), tags="80岁以上 孕妇"),
            row("周红", new_id(103), tags="外星人"),
            row("钱", new_id(105), residency="常驻人口")]
    report = run(cast.wangge, rows)
    assert report.created == 1
    assert {(r.row, r.column) for r in report.rejected} == {(3, "特殊人群"), (4, "人员类别")}
    assert list(Person.objects.get(name="孙明").tags.values_list("tag", flat=True)) == [
        "pregnant"]


def test_header_only_file_is_refused(cast):
    with pytest.raises(ImportFileError):
        run(cast.wangge, data=csv_bytes([], header=HEADER))


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_gbk_and_bom_csv_files(cast, encoding):
    data = csv_bytes([row("孙明", new_id(101), tags="孕妇")], encoding=encoding)
    report = run(cast.wangge, data=data)
    assert report.created == 1 and report.rejected == []
    assert Person.objects.get(id_number=new_id(101)).name == "孙明"
