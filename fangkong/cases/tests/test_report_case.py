import datetime

import pytest
from django.core.exceptions import ValidationError

from fangkong.audit.models import AuditEvent
from fangkong.cases.models import CaseEvent, EventKind
from fangkong.cases.tests.util import at, report

pytestmark = pytest.mark.django_db


def test_a_report_takes_its_district_from_the_residence_and_control_from_the_route(outbreak):
    case = report(outbreak, outbreak.cast.liu, "confirmed", route="centralised_isolation")
    assert case.district == outbreak.cast.yingxian
    assert case.place == outbreak.cast.village_home
    assert case.in_control is True
    assert case.number == "sz-2022-11-00001"
    assert report(outbreak, outbreak.cast.zhang, route="fever_clinic").in_control is False


def test_a_report_is_on_the_timeline_and_in_the_audit_trail(outbreak):
    case = report(outbreak, outbreak.cast.zhang)
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.at) == (EventKind.REPORTED, at(14))
    audit = AuditEvent.objects.get(action="case.report", target_uuid=case.uuid)
    assert audit.actor == outbreak.cast.admin


@pytest.mark.parametrize(("classification", "extra", "field"), [
    ("confirmed", {"clinical_type": ""}, "clinical_type"),
    ("asymptomatic", {"clinical_type": "mild"}, "clinical_type"),
    ("asymptomatic", {"onset_date": datetime.date(2022, 11, 13)}, "onset_date"),
    ("confirmed", {"sample_date": datetime.date(2022, 11, 15)}, "sample_date"),
])
def test_inconsistent_reports_are_refused_by_field(outbreak, classification, extra, field):
    with pytest.raises(ValidationError) as error:
        report(outbreak, outbreak.cast.zhang, classification, **extra)
    assert field in error.value.message_dict
    assert not outbreak.cast.zhang.cases.exists()


def test_a_report_before_the_outbreak_began_is_refused(outbreak):
    with pytest.raises(ValidationError) as error:
        report(outbreak, outbreak.cast.zhang, day=12)
    assert "2022-11-13" in error.value.message_dict["reported_at"][0]


def test_one_person_is_one_case_per_outbreak(outbreak):
    report(outbreak, outbreak.cast.zhang)
    with pytest.raises(ValidationError) as error:
        report(outbreak, outbreak.cast.zhang, day=15)
    assert "person" in error.value.message_dict


def test_a_report_in_the_future_is_refused(outbreak):
    from fangkong.cases import services

    with pytest.raises(ValidationError) as error:
        services.case_report(acting_user=outbreak.cast.admin, person=outbreak.cast.zhang,
                             outbreak=outbreak.outbreak, classification="asymptomatic",
                             reported_at=at(1, month=12).replace(year=2099),
                             route="community_screening")
    assert error.value.error_dict["reported_at"][0].code == "future"


def test_users_cannot_report_people_outside_their_area_or_without_the_right(outbreak):
    cast = outbreak.cast
    with pytest.raises(PermissionError):
        report(outbreak, cast.liu, user=cast.quxian)  # 应县 resident, 朔城区 user
    with pytest.raises(PermissionError):
        report(outbreak, cast.zhang, user=cast.wangge)  # community workers do not report
    assert report(outbreak, cast.zhang, user=cast.liudiao).district == cast.shuocheng
