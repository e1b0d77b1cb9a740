"""The actions of an order's page: test results, health checks, release (the rule's refusal
shown before the user tries), cancel, and the health side's approval of a manual order; each
refusal kept in the form with what the user typed."""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from fangkong.cases.models import Case
from fangkong.cases.tests.util import report
from fangkong.control import services
from fangkong.control.models import ControlOrder, HealthCheck, OrderStatus, ScheduledTest

D = datetime.date
SH = ZoneInfo("Asia/Shanghai")


def zh(message, **params):
    with translation.override("zh-hans"):
        text = str(translation.gettext(message))
    return text % params if params else text


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def body_of(response):
    return response.content.decode()


def section(body, action):
    return body.split(f'id="action-{action}"')[1].split("</details>")[0]


def fresh(order):
    return ControlOrder.objects.get(pk=order.pk)


@pytest.fixture
def w(outbreak, time_machine):
    """It is 22 Nov 2022, 10:00: 张伟 is in day 3 of his centralised isolation as a close
    contact of 李娜 (20–24 Nov, tests 20, 21, 22, 24)."""
    time_machine.move_to(datetime.datetime(2022, 11, 22, 10, tzinfo=SH))
    c = outbreak.cast
    w = SimpleNamespace(cast=c, o=outbreak, clock=time_machine)
    w.case = report(outbreak, c.li, "confirmed")
    w.order = services.control_order_create(
        acting_user=c.wangge, person=c.zhang, basis="contact", basis_case=w.case,
        plan_basis="close-contact", starts_on=D(2022, 11, 20))
    return w


def page(client, order):
    return client.get(reverse("control:detail", args=[order.uuid]))


def act(client, order, action, data):
    return client.post(reverse("control:act", args=[order.uuid, action]), data)


def negatives(w, *days):
    for day in days:
        services.control_test_record(acting_user=w.cast.wangge, order=w.order,
                                     day=D(2022, 11, day), result="negative")


# --- test results -------------------------------------------------------------------------

def test_a_negative_result_is_recorded_and_shown(w, login):
    client = login(w.cast.wangge)
    response = act(client, w.order, "test", {"day": "2022-11-20", "result": "negative"})
    assert response.status_code == 302
    assert response["Location"] == reverse("control:detail", args=[w.order.uuid])
    assert flash(response) == [zh("Test result recorded.")]
    assert ScheduledTest.objects.get(order=w.order, day=D(2022, 11, 20)).result == "negative"
    body = body_of(page(client, w.order))
    assert 'data-day="2022-11-20" data-result="negative"' in body
    assert 'data-kind="test"' in body.split('id="timeline"')[1]


def test_the_test_form_offers_the_scheduled_days_the_first_open_one_chosen(w, login):
    negatives(w, 20)
    form = section(body_of(page(login(w.cast.wangge), w.order)), "test")
    assert '<option value="2022-11-21" selected>' in form
    assert all(f'value="2022-11-{d}"' in form for d in (20, 22, 24))


def test_a_positive_result_leads_to_the_new_case(w, login):
    response = act(login(w.cast.wangge), w.order, "test",
                   {"day": "2022-11-22", "result": "positive"})
    case = Case.objects.get(person=w.cast.zhang)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.uuid])
    assert flash(response) == [zh("Positive result recorded: the order is escalated and case "
                                  "%(number)s is reported.", number=case.number)]
    assert fresh(w.order).status == OrderStatus.ESCALATED and case.in_control


def test_a_day_without_a_scheduled_test_is_refused_keeping_the_result(w, login):
    response = act(login(w.cast.wangge), w.order, "test",
                   {"day": "2022-11-19", "result": "missed"})
    assert response.status_code == 400
    form = section(body_of(response), "test")
    assert escape(zh("No test is scheduled for this order on that day.")) in form
    assert 'value="missed"' in form.split("checked")[0].rsplit("<input", 1)[1]
    assert not ScheduledTest.objects.filter(order=w.order).exclude(result="").exists()


def test_a_result_must_be_chosen(w, login):
    response = act(login(w.cast.wangge), w.order, "test", {"day": "2022-11-20"})
    assert response.status_code == 400
    assert "errorlist" in section(body_of(response), "test")


# --- health checks ------------------------------------------------------------------------

def test_a_health_check_with_symptoms_is_recorded(w, login):
    client = login(w.cast.wangge)
    response = act(client, w.order, "check", {"taken_at": "2022-11-22T08:30",
                                              "temperature": "37.6",
                                              "symptoms": ["dry_cough", "fatigue"]})
    assert response.status_code == 302
    assert flash(response) == [zh("Health check recorded.")]
    check = HealthCheck.objects.get(order=w.order)
    assert (check.temperature, check.symptoms, check.recorded_by) == (
        Decimal("37.6"), ["dry_cough", "fatigue"], w.cast.wangge)
    assert check.taken_at == datetime.datetime(2022, 11, 22, 8, 30, tzinfo=SH)
    checks = body_of(page(client, w.order)).split('id="checks"')[1].split("</table>")[0]
    assert "2022-11-22 08:30" in checks and "37.6" in checks
    assert escape(zh("Dry cough")) in checks and "wangge" in checks


def test_the_check_form_offers_symptom_checkboxes_and_the_time_now(w, login):
    form = section(body_of(page(login(w.cast.wangge), w.order)), "check")
    assert form.count('type="checkbox"') == 6
    assert 'type="datetime-local"' in form and 'value="2022-11-22T10:' in form


@pytest.mark.parametrize("data, field, message", [
    ({"taken_at": "2022-11-22T08:30", "temperature": "45.0"}, "temperature",
     "A body temperature lies between 34 and 43 °C."),
    ({"taken_at": "2022-11-23T08:30", "temperature": "36.5"}, "taken_at",
     "This time lies in the future."),
])
def test_a_bad_health_check_is_refused_by_field_keeping_the_input(w, login, data, field,
                                                                   message):
    response = act(login(w.cast.wangge), w.order, "check", {**data, "symptoms": ["fever"]})
    assert response.status_code == 400
    form = section(body_of(response), "check")
    block = form.split(f'id="field-{field}"')[1].split('class="field"')[0]
    assert escape(zh(message)) in block
    assert f'value="{data["temperature"]}"' in form and 'value="fever"' in form.split(
        "checked")[0].rsplit("<input", 1)[1]
    assert not HealthCheck.objects.exists()


# --- release ------------------------------------------------------------------------------

def test_an_early_release_shows_the_rule_before_and_is_refused(w, login):
    client = login(w.cast.wangge)
    refusal = zh("The rule keeps this order until %(end)s (%(rule)s).", end="2022-11-24",
                 rule=w.order.rule)
    verdict = section(body_of(page(client, w.order)), "release")
    assert escape(refusal) in verdict.split('id="release-verdict"')[1]
    response = act(client, w.order, "release", {"reason": "本人要求"})
    assert response.status_code == 400
    assert escape(refusal) in section(body_of(response), "release")
    assert "本人要求" in section(body_of(response), "release")
    assert fresh(w.order).status == OrderStatus.ACTIVE


def test_a_release_without_the_negative_exit_test_is_refused(w, login):
    w.clock.move_to(datetime.datetime(2022, 11, 24, 18, tzinfo=SH))
    negatives(w, 20, 21, 22)
    client = login(w.cast.wangge)
    refusal = zh("The exit test of %(day)s has no negative result yet.", day="2022-11-24")
    assert escape(refusal) in section(body_of(page(client, w.order)), "release")
    assert act(client, w.order, "release", {}).status_code == 400
    assert fresh(w.order).status == OrderStatus.ACTIVE


def test_release_on_the_last_day_starts_the_next_phase(w, login):
    w.clock.move_to(datetime.datetime(2022, 11, 24, 18, tzinfo=SH))
    negatives(w, 20, 21, 22, 24)
    client = login(w.cast.wangge)
    assert escape(zh("The rule allows the release today.")) in section(
        body_of(page(client, w.order)), "release")
    response = act(client, w.order, "release", {})
    home = ControlOrder.objects.get(predecessor=w.order)
    assert response.status_code == 302
    assert response["Location"] == reverse("control:detail", args=[home.uuid])
    assert flash(response) == [zh("Released. The next phase of the plan, %(kind)s, runs from "
                                  "%(start)s to %(end)s.", kind=zh("Home isolation"),
                                  start="2022-11-25", end="2022-11-27")]
    assert fresh(w.order).status == OrderStatus.RELEASED


# --- cancel -------------------------------------------------------------------------------

def test_cancel_needs_a_reason(w, login):
    client = login(w.cast.wangge)
    response = act(client, w.order, "cancel", {"reason": "  "})
    assert response.status_code == 400
    assert escape(zh("Say why the order is cancelled.")) in section(body_of(response), "cancel")
    assert fresh(w.order).status == OrderStatus.ACTIVE
    response = act(client, w.order, "cancel", {"reason": "身份核实有误，非同住人员"})
    assert response.status_code == 302 and flash(response) == [zh("Order cancelled.")]
    body = body_of(page(client, w.order))
    assert fresh(w.order).status == OrderStatus.CANCELLED
    cancelled = body.split('data-kind="cancelled"')[1].split("</tr>")[0]
    assert "身份核实有误，非同住人员" in cancelled and "wangge" in cancelled
    assert 'id="action-' not in body


# --- approval -----------------------------------------------------------------------------

@pytest.fixture
def manual(w):
    return services.control_order_create(
        acting_user=w.cast.admin, person=w.cast.li, basis="manual",
        reason="同楼层发热，指挥部研判", kind="home_health_monitoring",
        starts_on=D(2022, 11, 22), ends_on=D(2022, 11, 24))


def test_the_creator_is_told_beforehand_and_refused_approval(w, manual, login):
    client = login(w.cast.admin)
    form = section(body_of(page(client, manual)), "approve")
    assert escape(zh("You placed this order: a second person must approve it.")) in form
    response = act(client, manual, "approve", {})
    assert response.status_code == 400
    assert escape(zh("A manual order needs a second person to approve it.")) in section(
        body_of(response), "approve")
    assert fresh(manual).status == OrderStatus.PENDING


def test_the_health_side_approves_a_manual_order(w, manual, login):
    client = login(w.cast.yiyuan)
    assert 'id="approve-note"' not in body_of(page(client, manual))
    response = act(client, manual, "approve", {"reason": "已核实发热情况"})
    assert response.status_code == 302
    assert flash(response) == [zh("Order approved: it applies from now on.")]
    order = fresh(manual)
    assert (order.status, order.approved_by) == (OrderStatus.ACTIVE, w.cast.yiyuan)
    body = body_of(page(client, manual))
    assert "yiyuan" in body.split('id="approved"')[1].split("</dd>")[0]
    assert "已核实发热情况" in body.split('data-kind="approved"')[1].split("</tr>")[0]


def test_a_pending_order_offers_only_approve_and_cancel(w, manual, login):
    body = body_of(page(login(w.cast.admin), manual))
    assert 'id="action-approve"' in body and 'id="action-cancel"' in body
    assert 'id="action-test"' not in body and 'id="action-release"' not in body
    assert 'id="action-approve"' not in body_of(page(login(w.cast.wangge), manual))
    response = act(login(w.cast.admin), manual, "check",
                   {"taken_at": "2022-11-22T08:00", "temperature": "36.5"})
    assert response.status_code == 302
    assert flash(response) == [zh("This action does not apply to this order now.")]
    assert not HealthCheck.objects.exists()


# --- who may act --------------------------------------------------------------------------

@pytest.mark.parametrize("who, action, data, status", [
    ("wangge", "approve", {}, 403),
    ("yiyuan", "test", {"day": "2022-11-20", "result": "negative"}, 403),
    ("jumin", "check", {"taken_at": "2022-11-22T08:00", "temperature": "36.5"}, 403),
    ("wangge2", "test", {"day": "2022-11-20", "result": "negative"}, 404),
    ("yingxianqu", "cancel", {"reason": "x"}, 404),
    ("noscope", "cancel", {"reason": "x"}, 404),
])
def test_acting_without_the_right_or_outside_the_area_is_refused(w, manual, login, who,
                                                                 action, data, status):
    order = manual if action == "approve" else w.order
    assert act(login(getattr(w.cast, who)), order, action, data).status_code == status
    assert fresh(order).status == order.status
    assert not ScheduledTest.objects.exclude(result="").exists()


def test_unknown_action_is_404_and_a_get_is_405(w, login):
    client = login(w.cast.wangge)
    assert act(client, w.order, "extend", {}).status_code == 404
    assert client.get(reverse("control:act", args=[w.order.uuid, "test"])).status_code == 405


def test_order_page_query_count_does_not_grow_with_its_history(w, login,
                                                                django_assert_num_queries):
    client = login(w.cast.wangge)
    page(client, w.order)
    with django_assert_num_queries(10) as before:
        page(client, w.order)
    negatives(w, 20, 21, 22)
    for hour in (7, 8, 9):
        services.health_check_record(acting_user=w.cast.wangge, order=w.order,
                                     taken_at=datetime.datetime(2022, 11, 22, hour, tzinfo=SH),
                                     temperature=Decimal("36.5"))
    with django_assert_num_queries(len(before.captured_queries)):
        response = page(client, w.order)
    assert body_of(response).count('data-result="negative"') == 3
