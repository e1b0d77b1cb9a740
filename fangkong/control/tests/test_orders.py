import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fangkong.audit.models import AuditEvent
from fangkong.control import services
from fangkong.control.models import ControlOrder, OrderStatus
from fangkong.control.selectors import status_of
from fangkong.control.tests.util import D, close_contact, pass_tests
from fangkong.inbox.models import WorkItem

pytestmark = pytest.mark.django_db


def test_a_close_contact_gets_the_dates_and_tests_of_the_rules_in_force(outbreak):
    order = close_contact(outbreak, outbreak.cast.li)
    assert (order.kind, order.starts_on, order.ends_on) == (
        "centralised_isolation", D(2022, 11, 20), D(2022, 11, 24))
    assert list(order.tests.values_list("day", flat=True)) == [
        D(2022, 11, 20), D(2022, 11, 21), D(2022, 11, 22), D(2022, 11, 24)]
    assert order.profile.code == "covid19-20-measures" and "二十条" in order.rule
    assert [p["kind"] for p in order.follow_on] == ["home_isolation"]


def test_releasing_the_first_phase_starts_the_next(outbreak):
    cast = outbreak.cast
    first = close_contact(outbreak, cast.li)
    pass_tests(first, cast.wangge)
    second = services.control_order_release(acting_user=cast.wangge, order=first,
                                            day=D(2022, 11, 24))
    assert (second.kind, second.starts_on, second.ends_on) == (
        "home_isolation", D(2022, 11, 25), D(2022, 11, 27))
    assert second.predecessor == first and second.basis_case == first.basis_case
    released = ControlOrder.objects.get(pk=first.pk)
    assert released.status == OrderStatus.RELEASED and "2022-11-24" in released.end_reason
    assert AuditEvent.objects.get(action="control.release", target_uuid=cast.li.uuid).reason
    pass_tests(second, cast.wangge)
    assert services.control_order_release(acting_user=cast.wangge, order=second,
                                          day=D(2022, 11, 27)) is None
    assert status_of(cast.li, D(2022, 11, 28)).colour == "green"


def test_an_early_release_is_refused_with_the_rule_that_blocks_it(outbreak):
    order = close_contact(outbreak, outbreak.cast.li)
    with pytest.raises(ValidationError) as error:
        services.control_order_release(acting_user=outbreak.cast.wangge, order=order,
                                       day=D(2022, 11, 23))
    assert "2022-11-24" in error.value.messages[0] and "二十条" in error.value.messages[0]
    assert ControlOrder.objects.get(pk=order.pk).status == OrderStatus.ACTIVE


def test_release_waits_for_a_negative_exit_test(outbreak):
    order = close_contact(outbreak, outbreak.cast.li)
    with pytest.raises(ValidationError) as error:
        services.control_order_release(acting_user=outbreak.cast.wangge, order=order,
                                       day=D(2022, 11, 24))
    assert "2022-11-24" in error.value.messages[0]


def test_a_positive_test_escalates_to_a_case_found_under_control(outbreak):
    cast = outbreak.cast
    order = close_contact(outbreak, cast.li)
    case = services.control_test_record(acting_user=cast.wangge, order=order,
                                        day=D(2022, 11, 21), result="positive")
    assert (case.person, case.route, case.in_control) == (cast.li, "centralised_isolation", True)
    order.refresh_from_db()
    assert order.status == OrderStatus.ESCALATED and not order.successors.exists()
    assert AuditEvent.objects.filter(action="control.escalate", actor=cast.wangge).exists()


def test_one_active_order_of_a_kind_per_person(outbreak):
    close_contact(outbreak, outbreak.cast.li)
    with pytest.raises(ValidationError) as error:
        close_contact(outbreak, outbreak.cast.li, start=D(2022, 11, 21))
    assert "kind" in error.value.message_dict
    assert ControlOrder.objects.filter(person=outbreak.cast.li).count() == 1


def test_the_database_refuses_an_order_without_a_basis(outbreak):
    order = close_contact(outbreak, outbreak.cast.li)
    with pytest.raises(IntegrityError), transaction.atomic():
        ControlOrder.objects.filter(pk=order.pk).update(basis_case=None, basis_ref="")


def test_a_plan_the_rules_do_not_have_is_refused(outbreak):
    with pytest.raises(ValidationError) as error:
        services.control_order_create(acting_user=outbreak.cast.wangge, person=outbreak.cast.li,
                                      basis="contact", basis_ref="contact of li's colleague",
                                      plan_basis="secondary-contact",
                                      starts_on=D(2022, 11, 20))
    assert error.value.error_dict["plan_basis"][0].code == "no_plan"


def test_a_manual_order_waits_for_a_second_person(outbreak):
    cast = outbreak.cast
    order = services.control_order_create(
        acting_user=cast.wangge, person=cast.wang, basis="manual", kind="home_health_monitoring",
        starts_on=D(2022, 11, 20), ends_on=D(2022, 11, 26), reason="visited the market on 18 Nov")
    assert order.status == OrderStatus.PENDING
    assert status_of(cast.wang, D(2022, 11, 21)).colour == "green"
    assert WorkItem.objects.filter(kind="approval", person=cast.wang).exists()
    with pytest.raises(PermissionError):  # a community worker is not the health side
        services.control_order_approve(acting_user=cast.wangge2, order=order)
    services.control_order_approve(acting_user=cast.yiyuan, order=order)
    assert status_of(cast.wang, D(2022, 11, 21)).colour == "yellow"


def test_the_creator_cannot_approve_their_own_manual_order(outbreak):
    cast = outbreak.cast
    order = services.control_order_create(
        acting_user=cast.admin, person=cast.wang, basis="manual", kind="home_isolation",
        starts_on=D(2022, 11, 20), ends_on=D(2022, 11, 26), reason="refused to test")
    with pytest.raises(ValidationError) as error:
        services.control_order_approve(acting_user=cast.admin, order=order)
    assert error.value.code == "same_person"
    assert ControlOrder.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_a_manual_order_without_a_reason_is_refused(outbreak):
    with pytest.raises(ValidationError) as error:
        services.control_order_create(
            acting_user=outbreak.cast.admin, person=outbreak.cast.wang, basis="manual",
            kind="home_isolation", starts_on=D(2022, 11, 20), ends_on=D(2022, 11, 26),
            reason="  ")
    assert "reason" in error.value.message_dict
    assert not ControlOrder.objects.exists()


def test_the_colour_is_red_for_isolation_and_says_why(outbreak):
    order = close_contact(outbreak, outbreak.cast.li)
    status = status_of(outbreak.cast.li, D(2022, 11, 22))
    assert (status.colour, status.orders) == ("red", [order])
    assert status_of(outbreak.cast.li, D(2022, 11, 19)).colour == "green"


def test_users_cannot_place_people_outside_their_area_under_control(outbreak):
    with pytest.raises(PermissionError):
        close_contact(outbreak, outbreak.cast.zhao)  # 新建社区, wangge works in 文远社区
    with pytest.raises(PermissionError):
        close_contact(outbreak, outbreak.cast.li, user=outbreak.cast.louzhang)


def test_health_checks_are_checked(outbreak):
    order = close_contact(outbreak, outbreak.cast.li)
    at = datetime.datetime(2022, 11, 21, 8, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as error:
        services.health_check_record(acting_user=outbreak.cast.wangge, order=order, taken_at=at,
                                     temperature=45, symptoms=["fever"])
    assert "temperature" in error.value.message_dict
    check = services.health_check_record(acting_user=outbreak.cast.wangge, order=order,
                                         taken_at=at, temperature="37.8",
                                         symptoms=["fever", "dry_cough"])
    assert check.symptoms == ["dry_cough", "fever"]


def test_cancelling_needs_a_reason_and_ends_the_chain(outbreak):
    order = close_contact(outbreak, outbreak.cast.li)
    with pytest.raises(ValidationError):
        services.control_order_cancel(acting_user=outbreak.cast.wangge, order=order, reason="")
    services.control_order_cancel(acting_user=outbreak.cast.wangge, order=order,
                                  reason="wrong person: the contact was 李华, not 李娜")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and "李华" in order.end_reason


def test_a_result_for_a_day_still_to_come_is_refused(outbreak, time_machine):
    time_machine.move_to(datetime.datetime(2022, 11, 21, 10, tzinfo=datetime.UTC))
    order = close_contact(outbreak, outbreak.cast.li)
    with pytest.raises(ValidationError) as error:
        services.control_test_record(acting_user=outbreak.cast.wangge, order=order,
                                     day=D(2022, 11, 22), result="negative")
    assert error.value.error_dict["day"][0].code == "future"


def test_a_released_order_stays_on_the_days_it_held(outbreak):
    cast = outbreak.cast
    first = close_contact(outbreak, cast.li)
    pass_tests(first, cast.wangge)
    services.control_order_release(acting_user=cast.wangge, order=first, day=D(2022, 11, 24))
    assert status_of(cast.li, D(2022, 11, 23)).orders == [first]
    assert status_of(cast.li, D(2022, 11, 24)).orders != [first]
