import pytest
from django.core.exceptions import ValidationError

from fangkong.audit.models import AuditEvent
from fangkong.cases import services
from fangkong.cases.models import Case, EventKind, FacilityStay
from fangkong.cases.tests.util import at, report

pytestmark = pytest.mark.django_db


def test_reclassification_records_its_day_and_type(outbreak):
    case = report(outbreak, outbreak.cast.zhang)
    services.case_reclassify(acting_user=outbreak.cast.admin, case=case, at=at(16),
                             clinical_type="moderate", reason="CT shows pneumonia")
    case.refresh_from_db()
    assert (case.classification, case.initial_classification) == ("confirmed", "asymptomatic")
    assert (case.reclassified_at, case.clinical_type) == (at(16), "moderate")
    event = case.events.get(kind=EventKind.RECLASSIFIED)
    assert event.reason == "CT shows pneumonia"
    assert AuditEvent.objects.filter(action="case.reclassify", target_uuid=case.uuid).exists()


def test_a_confirmed_case_cannot_be_reclassified_again(outbreak):
    case = report(outbreak, outbreak.cast.zhang, "confirmed")
    with pytest.raises(ValidationError) as error:
        services.case_reclassify(acting_user=outbreak.cast.admin, case=case, at=at(16),
                                 clinical_type="mild")
    assert error.value.code == "not_asymptomatic"


def test_events_cannot_be_dated_before_the_last_one(outbreak):
    case = report(outbreak, outbreak.cast.zhang, day=15)
    with pytest.raises(ValidationError) as error:
        services.case_reclassify(acting_user=outbreak.cast.admin, case=case, at=at(14),
                                 clinical_type="mild")
    assert "at" in error.value.message_dict
    assert Case.objects.get(pk=case.pk).classification == "asymptomatic"


def test_clinical_type_changes_are_on_the_timeline(outbreak):
    case = report(outbreak, outbreak.cast.zhang, "confirmed")
    services.case_change_clinical_type(acting_user=outbreak.cast.admin, case=case, at=at(15),
                                       clinical_type="severe", reason="SpO2 92 %")
    event = case.events.get(kind=EventKind.CLINICAL_TYPE)
    assert event.detail == {"from": "mild", "to": "severe"}
    with pytest.raises(ValidationError):
        services.case_change_clinical_type(acting_user=outbreak.cast.admin, case=case,
                                           at=at(16), clinical_type="severe")


def test_admission_then_transfer_keeps_one_open_stay(outbreak):
    case = report(outbreak, outbreak.cast.zhang, "confirmed")
    services.case_admit(acting_user=outbreak.cast.admin, case=case, facility=outbreak.fangcang,
                        at=at(14, 12))
    services.case_admit(acting_user=outbreak.cast.yiyuan, case=case, facility=outbreak.hospital,
                        at=at(15, 9), reason="progressed to moderate")
    stays = list(FacilityStay.objects.filter(case=case).values_list("facility", "left_at"))
    assert stays == [(outbreak.fangcang.pk, at(15, 9)), (outbreak.hospital.pk, None)]
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [EventKind.REPORTED, EventKind.ADMITTED, EventKind.TRANSFERRED]


def test_death_needs_a_confirmed_case_and_a_cause(outbreak):
    asymptomatic = report(outbreak, outbreak.cast.zhang)
    with pytest.raises(ValidationError) as error:
        services.case_die(acting_user=outbreak.cast.admin, case=asymptomatic, at=at(16),
                          reason="x")
    assert error.value.code == "not_confirmed"
    confirmed = report(outbreak, outbreak.cast.li, "confirmed")
    with pytest.raises(ValidationError):
        services.case_die(acting_user=outbreak.cast.admin, case=confirmed, at=at(16), reason=" ")
    services.case_admit(acting_user=outbreak.cast.admin, case=confirmed,
                        facility=outbreak.hospital, at=at(15))
    services.case_die(acting_user=outbreak.cast.admin, case=confirmed, at=at(16),
                      reason="respiratory failure")
    confirmed.refresh_from_db()
    assert (confirmed.outcome, confirmed.facility) == ("died", None)
    assert FacilityStay.objects.get(case=confirmed).left_at == at(16)
    with pytest.raises(ValidationError):
        services.case_admit(acting_user=outbreak.cast.admin, case=confirmed,
                            facility=outbreak.fangcang, at=at(17))


def test_a_hospital_cannot_act_on_a_case_it_never_held(outbreak):
    case = report(outbreak, outbreak.cast.liu, "confirmed")
    services.case_admit(acting_user=outbreak.cast.admin, case=case,
                        facility=outbreak.yingxian_point, at=at(15))
    outbreak.cast.yiyuan.scope = outbreak.cast.shuocheng
    outbreak.cast.yiyuan.save()
    with pytest.raises(PermissionError):
        services.case_change_clinical_type(acting_user=outbreak.cast.yiyuan, case=case,
                                           at=at(16), clinical_type="moderate")
    assert not Case.objects.accessible_to(outbreak.cast.yiyuan).filter(pk=case.pk).exists()
