"""The acting user's area limits an import; people registered elsewhere are not revealed."""

import pytest
from django.utils import translation

from fangkong.people.importing import ImportFileError
from fangkong.people.models import Person
from fangkong.people.tests.test_import_support import new_id, row, run


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English; the default language is zh-hans."""
    with translation.override("en"):
        yield

def test_community_worker_cannot_import_into_another_community(cast):
    report = run(cast.wangge, [row("孙明", new_id(101), community="新建社区",
                                   compound="新建小区", household="101")])
    assert report.created == 0
    assert [(r.row, r.column) for r in report.rejected] == [(2, "社区")]
    assert not Person.objects.filter(id_number=new_id(101)).exists()


def test_person_registered_elsewhere_is_refused_without_naming_them(cast):
    zhao = cast.zhao  # lives in 新建社区
    report = run(cast.wangge, [row("赵强", zhao.id_number, phone="13911112222")])
    assert report.created == report.updated == 0
    (rejection,) = report.rejected
    assert rejection.column == "身份证号"
    assert "outside your area" in rejection.message and "赵强" not in rejection.message
    zhao.refresh_from_db()
    assert zhao.phone == "13700002468" and zhao.household == cast.x101


def test_district_staff_may_import_anywhere_below_them(cast):
    report = run(cast.quxian, [row("孙明", new_id(101), community="新建社区",
                                   compound="新建小区", household="102")])
    assert report.created == 1


def test_building_leader_may_not_import(cast):
    with pytest.raises(PermissionError):
        run(cast.louzhang, [row()])


def test_user_without_area_may_not_import(cast):
    with pytest.raises(ImportFileError):
        run(cast.noscope, [row()])
