import pytest
from django.core.exceptions import ValidationError

from fangkong.audit.models import AuditEvent
from fangkong.cases import services
from fangkong.cases.models import Case
from fangkong.cases.tests.util import at, passing_tests, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(outbreak):
    case = report(outbreak, outbreak.cast.zhang, "confirmed")
    services.case_admit(acting_user=outbreak.cast.admin, case=case, facility=outbreak.hospital,
                        at=at(14, 12))
    return case


def discharge(outbreak, case, day, **kwargs):
    return services.case_discharge(acting_user=kwargs.pop("user", outbreak.cast.yiyuan),
                                   case=case, at=at(day, 15), **kwargs)


def test_discharge_without_tests_is_refused_and_says_what_is_missing(outbreak, confirmed):
    with pytest.raises(ValidationError) as error:
        discharge(outbreak, confirmed, 20)
    assert "2" in error.value.messages[0]
    assert Case.objects.get(pk=confirmed.pk).outcome == ""


def test_a_low_ct_refusal_names_the_test_and_values(outbreak, confirmed):
    services.case_test_record(acting_user=outbreak.cast.yiyuan, case=confirmed,
                              sampled_at=at(19, 8), ct_n=31, ct_orf1ab=36)
    with pytest.raises(ValidationError) as error:
        discharge(outbreak, confirmed, 20)
    message = error.value.messages[0]
    assert "2022-11-19 08:00" in message and "31" in message and "35" in message


def test_tests_less_than_a_day_apart_are_refused(outbreak, confirmed):
    for hour in (8, 20):
        services.case_test_record(acting_user=outbreak.cast.yiyuan, case=confirmed,
                                  sampled_at=at(19, hour), ct_n=36, ct_orf1ab=36)
    with pytest.raises(ValidationError) as error:
        discharge(outbreak, confirmed, 20)
    assert "24" in error.value.messages[0]


def test_two_passing_tests_a_day_apart_discharge_and_close_the_stay(outbreak, confirmed):
    passing_tests(confirmed, 19, outbreak.cast.yiyuan)
    discharge(outbreak, confirmed, 20)
    confirmed.refresh_from_db()
    assert (confirmed.outcome, confirmed.outcome_at, confirmed.facility) == (
        "discharged", at(20, 15), None)


def test_an_override_needs_a_reason_and_the_right_and_is_audited(outbreak, confirmed):
    with pytest.raises(PermissionError):
        discharge(outbreak, confirmed, 20, user=outbreak.cast.quxian,
                  override_reason="transferred to a non-COVID ward")
    discharge(outbreak, confirmed, 20, user=outbreak.cast.admin,
              override_reason="transferred to a non-COVID ward")
    audit = AuditEvent.objects.get(action="case.discharged", target_uuid=confirmed.uuid)
    assert "transferred to a non-COVID ward" in audit.reason
    assert audit.actor == outbreak.cast.admin


def test_asymptomatic_infections_are_released_not_discharged(outbreak):
    case = report(outbreak, outbreak.cast.li)
    passing_tests(case, 19, outbreak.cast.admin)
    with pytest.raises(ValidationError) as error:
        discharge(outbreak, case, 20, user=outbreak.cast.admin)
    assert error.value.code == "not_confirmed"
    services.case_release(acting_user=outbreak.cast.admin, case=case, at=at(20, 15))
    assert Case.objects.get(pk=case.pk).outcome == "released"


def test_bad_ct_values_are_refused(outbreak, confirmed):
    with pytest.raises(ValidationError) as error:
        services.case_test_record(acting_user=outbreak.cast.yiyuan, case=confirmed,
                                  sampled_at=at(19, 8), ct_n=-3, ct_orf1ab=36)
    assert "ct_n" in error.value.message_dict
    assert not confirmed.tests.exists()
