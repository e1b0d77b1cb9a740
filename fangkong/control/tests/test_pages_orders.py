"""The control pages a user reads and fills in: the register with its filters, an order's
page, placing a person under control with the plan previewed, and the approvals awaiting the
health side; each scoped to the user's area."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from fangkong.cases.tests.util import report
from fangkong.control import services
from fangkong.control.models import ControlOrder, OrderKind, OrderStatus

D = datetime.date


def zh(message, **params):
    with translation.override("zh-hans"):
        text = str(translation.gettext(message))
    return text % params if params else text


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def body_of(response):
    return response.content.decode()


@pytest.fixture
def w(outbreak):
    """李娜 a confirmed case (文远社区); 张伟 her close contact from 20 Nov; 王芳 left a
    high-risk area on 21 Nov (home isolation); 赵强 a close contact in 新建社区."""
    c = outbreak.cast
    w = SimpleNamespace(cast=c, o=outbreak)
    w.case = report(outbreak, c.li, "confirmed")
    w.zhang = services.control_order_create(
        acting_user=c.wangge, person=c.zhang, basis="contact", basis_case=w.case,
        plan_basis="close-contact", starts_on=D(2022, 11, 20))
    w.wang = services.control_order_create(
        acting_user=c.wangge, person=c.wang, basis="risk_area_outflow",
        basis_ref="高风险区 平鲁区某小区", plan_basis="high-risk-outflow",
        starts_on=D(2022, 11, 21))
    w.zhao = services.control_order_create(
        acting_user=c.wangge2, person=c.zhao, basis="contact", basis_ref="流调报告 1119-03",
        plan_basis="close-contact", starts_on=D(2022, 11, 20))
    return w


def register(client, **params):
    return client.get(reverse("control:register"), params)


def people_in(response):
    body = body_of(response)
    return {name for name in ("张伟", "王芳", "赵强", "李娜") if f'data-person="{name}"' in body}


def detail(client, order):
    return client.get(reverse("control:detail", args=[order.uuid]))


# --- the register -------------------------------------------------------------------------

def test_register_lists_the_orders_of_the_users_area_with_kind_colour_basis_and_dates(w, login):
    response = register(login(w.cast.wangge))
    assert response.status_code == 200
    assert people_in(response) == {"张伟", "王芳"}
    row = body_of(response).split('data-person="张伟"')[1].split("</tr>")[0]
    assert 'data-colour="red"' in row and escape(zh("Centralised isolation")) in row
    assert w.case.number in row
    assert "2022-11-20" in row and "2022-11-24" in row
    assert escape(zh("Active")) in row
    wang = body_of(response).split('data-person="王芳"')[1].split("</tr>")[0]
    assert "高风险区 平鲁区某小区" in wang and "2022-11-27" in wang


def test_register_shows_the_next_test_not_yet_taken(w, login):
    services.control_test_record(acting_user=w.cast.wangge, order=w.zhang,
                                 day=D(2022, 11, 20), result="negative")
    response = register(login(w.cast.wangge), day="2022-11-20")
    row = body_of(response).split('data-person="张伟"')[1].split("</tr>")[0]
    assert "2022-11-21" in row  # the 20th is done


@pytest.mark.parametrize("params, expected", [
    ({"kind": "home_isolation"}, {"王芳"}),
    ({"basis": "contact"}, {"张伟"}),
    ({"status": "pending"}, set()),
    ({"q": "王"}, {"王芳"}),
    ({"day": "2022-11-20"}, {"张伟"}),  # 王芳's order starts on the 21st
    ({"day": "2022-11-21"}, {"张伟", "王芳"}),
])
def test_register_filters(w, login, params, expected):
    assert people_in(register(login(w.cast.wangge), **params)) == expected


def test_register_filters_by_community_within_the_users_area(w, login):
    client = login(w.cast.jiedao)
    assert people_in(register(client)) == {"张伟", "王芳", "赵强"}
    assert people_in(register(client, community=str(w.cast.xinjian.uuid))) == {"赵强"}


def test_a_community_outside_the_area_is_refused_by_name(w, login):
    response = register(login(w.cast.wangge), community=str(w.cast.xinjian.uuid))
    assert response.status_code == 400
    assert escape(zh("This community is unknown or outside your area.")) in body_of(response)
    assert people_in(response) == set()


@pytest.mark.parametrize("who, status, expected", [
    ("wangge2", 200, {"赵强"}), ("quxian", 200, {"张伟", "王芳", "赵强"}),
    ("yingxianqu", 200, set()), ("noscope", 200, set()), ("jumin", 403, set()),
    ("yiyuan", 403, set()), ("louzhang", 403, set()),
])
def test_register_scope(w, login, who, status, expected):
    response = register(login(getattr(w.cast, who)))
    assert response.status_code == status
    assert people_in(response) == expected


def test_register_query_count_does_not_grow_with_the_orders(w, login, django_assert_num_queries):
    client = login(w.cast.admin)
    register(client)
    # session, user, scope, communities, count, page of orders
    with django_assert_num_queries(6):
        register(client)
    for person, ref in ((w.cast.liu, "应县 流调 1"), (w.cast.li, "混管 1120-08")):
        services.control_order_create(acting_user=w.cast.admin, person=person, basis="pool",
                                      basis_ref=ref, kind="temporary_control",
                                      starts_on=D(2022, 11, 21), ends_on=D(2022, 11, 22))
    with django_assert_num_queries(6):
        response = register(client)
    assert len(people_in(response)) == 4


# --- the order page -----------------------------------------------------------------------

def test_order_page_shows_the_person_basis_rule_phases_tests_and_timeline(w, login):
    body = body_of(detail(login(w.cast.wangge), w.zhang))
    assert reverse("people:detail", args=[w.cast.zhang.uuid]) in body
    assert reverse("cases:detail", args=[w.case.uuid]) in body and w.case.number in body
    assert 'data-colour="red"' in body.split('id="colour"')[1].split("</dd>")[0]
    rule = body.split('id="rule"')[1].split("</dd>")[0]
    assert w.zhang.profile.name in rule and "二十条第1条" in rule
    phases = body.split('id="follow-on"')[1].split("</table>")[0]
    assert escape(zh("Home isolation")) in phases
    assert "2022-11-25" in phases and "2022-11-27" in phases
    tests = body.split('id="tests"')[1].split("</table>")[0]
    assert [d in tests for d in ("2022-11-20", "2022-11-21", "2022-11-22", "2022-11-24")] == [
        True] * 4
    timeline = body.split('id="timeline"')[1]
    assert 'data-kind="created"' in timeline and "wangge" in timeline
    assert w.cast.zhang.id_number not in body


def test_order_page_shows_the_chain_both_ways(w, login):
    for day in w.zhang.test_days:
        services.control_test_record(acting_user=w.cast.wangge, order=w.zhang,
                                     day=D.fromisoformat(day), result="negative")
    home = services.control_order_release(acting_user=w.cast.wangge, order=w.zhang,
                                          day=D(2022, 11, 24))
    client = login(w.cast.wangge)
    first = body_of(detail(client, w.zhang))
    assert reverse("control:detail", args=[home.uuid]) in first.split('class="successor"')[1]
    second = body_of(detail(client, home))
    assert reverse("control:detail", args=[w.zhang.uuid]) in second.split(
        'id="predecessor"')[1]


@pytest.mark.parametrize("who, order, status", [
    ("wangge", "zhao", 404), ("wangge2", "zhang", 404), ("yingxianqu", "zhang", 404),
    ("noscope", "zhang", 404), ("jumin", "zhang", 403), ("louzhang", "zhang", 403),
    ("wangge2", "zhao", 200), ("yiyuan", "zhang", 200),  # the health side reads to approve
])
def test_order_page_scope(w, login, who, order, status):
    response = detail(login(getattr(w.cast, who)), getattr(w, order))
    assert response.status_code == status
    if status != 200:
        assert getattr(w, order).person.name not in body_of(response)


def test_order_page_offers_no_actions_to_readers(w, login):
    body = body_of(detail(login(w.cast.yiyuan), w.zhang))
    assert 'id="action-' not in body


def test_a_bad_uuid_is_404(w, login):
    client = login(w.cast.wangge)
    assert client.get("/control/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- placing a person under control -------------------------------------------------------

def create_url(**params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("control:create") + (f"?{query}" if query else "")


def preview(client, plan_basis, starts_on):
    return client.get(reverse("control:preview"),
                      {"plan_basis": plan_basis, "starts_on": starts_on})


def order_data(person, **extra):
    data = {"person": str(person.uuid), "basis": "contact", "basis_case": "",
            "basis_ref": "流调报告 1121-05", "starts_on": "2022-11-21",
            "plan_basis": "close-contact", "kind": "", "ends_on": "", "test_days": "",
            "reason": ""}
    data.update(extra)
    return data


def test_the_form_finds_the_person_by_name_and_by_id_number(w, login):
    client = login(w.cast.wangge)
    body = body_of(client.get(create_url(q="李")))
    assert "李娜" in body and f"?person={w.cast.li.uuid}" in body
    assert w.cast.li.id_number not in body
    response = client.get(create_url(q=w.cast.li.id_number))
    assert response.status_code == 302
    assert response["Location"] == create_url(person=w.cast.li.uuid)
    chosen = body_of(client.get(response["Location"]))
    assert 'id="order-form"' in chosen and 'id="manual-note"' in chosen


def test_someone_outside_the_area_cannot_be_chosen(w, login):
    client = login(w.cast.wangge)
    assert 'id="matches"' not in body_of(client.get(create_url(q="赵强")))
    assert client.get(create_url(person=w.cast.zhao.uuid)).status_code == 404
    response = client.post(reverse("control:create"), order_data(w.cast.zhao))
    assert response.status_code == 404
    assert not ControlOrder.objects.filter(person=w.cast.zhao, starts_on=D(2022, 11, 21)).exists()


def test_the_preview_shows_the_phases_of_the_rules_in_force(w, login):
    client = login(w.cast.wangge)
    body = body_of(preview(client, "close-contact", "2022-11-21"))
    rows = body.split('id="plan-phases"')[1].split("</table>")[0]
    assert 'data-kind="centralised_isolation"' in rows and 'data-kind="home_isolation"' in rows
    assert "2022-11-21" in rows and "2022-11-25" in rows  # 5 days centralised
    assert "2022-11-26" in rows and "2022-11-28" in rows  # then 3 at home
    assert "二十条第1条" in body
    before = body_of(preview(client, "close-contact", "2022-11-01"))
    assert "第九版" in before and "2022-11-07" in before  # 7 days centralised under ed. 9


def test_the_preview_shows_the_refusal_where_the_rules_have_no_plan(w, login):
    client = login(w.cast.wangge)
    body = body_of(preview(client, "secondary-contact", "2022-11-20"))
    assert 'id="plan-refusal"' in body and "secondary-contact" in body
    assert 'id="plan-phases"' not in body
    assert 'id="plan-phases"' in body_of(preview(client, "secondary-contact", "2022-11-10"))
    assert 'id="plan-refusal"' in body_of(preview(client, "close-contact", "2020-01-01"))
    assert 'id="plan-phases"' not in body_of(preview(client, "", "2022-11-20"))


def test_the_form_asks_for_the_preview_on_change(w, login):
    body = body_of(login(w.cast.wangge).get(create_url(person=w.cast.li.uuid)))
    assert f'hx-get="{reverse("control:preview")}"' in body
    assert 'id="plan-preview"' in body


def test_placing_a_close_contact_under_control(w, login):
    client = login(w.cast.wangge)
    response = client.post(reverse("control:create"), order_data(w.cast.li))
    order = ControlOrder.objects.get(person=w.cast.li)
    assert response.status_code == 302
    assert response["Location"] == reverse("control:detail", args=[order.uuid])
    assert (order.kind, order.status, order.starts_on, order.ends_on) == (
        OrderKind.CENTRALISED_ISOLATION, OrderStatus.ACTIVE, D(2022, 11, 21), D(2022, 11, 25))
    assert order.basis_ref == "流调报告 1121-05" and order.created_by == w.cast.wangge
    assert flash(response) == [zh("%(name)s is under %(kind)s until %(end)s.", name="李娜",
                                  kind=zh("Centralised isolation"), end="2022-11-25")]


def test_a_case_number_in_the_area_names_the_basis(w, login):
    other = report(w.o, w.cast.wang, "asymptomatic")
    client = login(w.cast.wangge)
    response = client.post(reverse("control:create"), order_data(
        w.cast.li, basis_case=other.number, basis_ref=""))
    assert response.status_code == 302
    assert ControlOrder.objects.get(person=w.cast.li).basis_case == other


def test_a_case_number_not_in_the_area_is_refused_on_the_field(w, login):
    elsewhere = report(w.o, w.cast.liu, "asymptomatic")  # 应县
    response = login(w.cast.wangge).post(reverse("control:create"), order_data(
        w.cast.li, basis_case=elsewhere.number))
    assert response.status_code == 400
    field = body_of(response).split('id="field-basis_case"')[1].split('id="field-basis_ref"')[0]
    assert escape(zh("No case with this number in your area.")) in field
    assert f'value="{elsewhere.number}"' in field
    assert not ControlOrder.objects.filter(person=w.cast.li).exists()


def test_no_plan_for_the_basis_is_refused_on_the_plan_field_keeping_the_input(w, login):
    response = login(w.cast.wangge).post(reverse("control:create"), order_data(
        w.cast.li, plan_basis="secondary-contact", basis_ref="流调 次密接 88"))
    assert response.status_code == 400
    body = body_of(response)
    field = body.split('id="field-plan_basis"')[1].split('id="plan-preview"')[0]
    assert 'class="errorlist"' in field and "secondary-contact" in field
    assert 'value="流调 次密接 88"' in body  # nothing the user typed is lost
    assert 'id="plan-refusal"' in body
    assert not ControlOrder.objects.filter(person=w.cast.li).exists()


def test_a_tests_only_plan_is_refused(w, login):
    response = login(w.cast.wangge).post(reverse("control:create"), order_data(
        w.cast.li, basis="arrival", plan_basis="arrival-low-risk", basis_ref="报备 1121"))
    assert response.status_code == 400
    assert escape(zh("This plan asks for tests only, not for control.")) in body_of(response)


def test_a_day_without_rules_is_refused_on_the_plan(w, login):
    response = login(w.cast.wangge).post(reverse("control:create"), order_data(
        w.cast.li, starts_on="2020-01-05"))
    assert response.status_code == 400
    field = body_of(response).split('id="field-plan_basis"')[1].split('id="plan-preview"')[0]
    assert escape(zh("No protocol profile was in force on %(day)s.", day="2020-01-05")) in field
    assert not ControlOrder.objects.filter(person=w.cast.li).exists()


def test_an_order_needs_a_case_or_a_reference(w, login):
    response = login(w.cast.wangge).post(reverse("control:create"), order_data(
        w.cast.li, basis_ref=""))
    assert response.status_code == 400
    field = body_of(response).split('id="field-basis_ref"')[1].split('id="field-reason"')[0]
    assert "errorlist" in field
    assert not ControlOrder.objects.filter(person=w.cast.li).exists()


def test_a_second_order_of_the_same_kind_is_refused(w, login):
    response = login(w.cast.wangge).post(reverse("control:create"), order_data(w.cast.zhang))
    assert response.status_code == 400
    message = escape(zh("This person is already under an active order of this kind."))
    body = body_of(response)
    assert message in body.split('id="order-form"')[1].split("<fieldset>")[0]  # above the form
    assert ControlOrder.objects.filter(person=w.cast.zhang).count() == 1


def test_a_pool_order_takes_the_kind_last_day_and_test_days(w, login):
    response = login(w.cast.wangge).post(reverse("control:create"), order_data(
        w.cast.li, basis="pool", basis_ref="混管 1121-07", plan_basis="",
        kind="temporary_control", ends_on="2022-11-23", test_days="1，3"))
    assert response.status_code == 302
    order = ControlOrder.objects.get(person=w.cast.li)
    assert (order.kind, order.ends_on, order.test_days, order.rule) == (
        "temporary_control", D(2022, 11, 23), ["2022-11-21", "2022-11-23"], "")


@pytest.mark.parametrize("extra, field, message", [
    ({"kind": "", "ends_on": ""}, "ends_on", "Give the kind and a last day on or after the first."),
    ({"test_days": "1, 5"}, "test_days", "Test days lie within the order's days."),
    ({"test_days": "0, 2"}, "test_days", "Test days lie within the order's days."),
    ({"test_days": "一, 三"}, "test_days", "Give whole day numbers, e.g. 1, 3, 5."),
])
def test_a_pool_order_with_bad_dates_is_refused_by_field(w, login, extra, field, message):
    data = order_data(w.cast.li, basis="pool", basis_ref="混管 1121-07", plan_basis="",
                      kind="temporary_control", ends_on="2022-11-23", test_days="1, 3")
    data.update(extra)
    response = login(w.cast.wangge).post(reverse("control:create"), data)
    assert response.status_code == 400
    after = body_of(response).split(f'id="field-{field}"')[1].split('class="field"')[0]
    assert escape(zh(message)) in after
    assert 'value="混管 1121-07"' in body_of(response)
    assert not ControlOrder.objects.filter(person=w.cast.li).exists()


def test_a_manual_order_needs_a_reason_then_awaits_the_health_side(w, login):
    client = login(w.cast.wangge)
    data = order_data(w.cast.li, basis="manual", basis_ref="", plan_basis="",
                      kind="home_health_monitoring", ends_on="2022-11-23")
    refused = client.post(reverse("control:create"), data)
    assert refused.status_code == 400
    reason = body_of(refused).split('id="field-reason"')[1].split("</fieldset>")[0]
    assert escape(zh("A manual order needs a written reason.")) in reason
    data["reason"] = "同楼层发热，居委会研判"
    placed = client.post(reverse("control:create"), data)
    order = ControlOrder.objects.get(person=w.cast.li)
    assert order.status == OrderStatus.PENDING
    assert flash(placed) == [zh("The order for %(name)s awaits the approval of a second person "
                                "from the health side.", name="李娜")]
    body = body_of(client.get(placed["Location"]))
    assert escape(zh("Awaiting approval")) in body.split('id="status"')[1].split("</dd>")[0]


@pytest.mark.parametrize("who", ["jumin", "yiyuan", "louzhang"])
def test_only_control_staff_place_people_under_control(w, login, who):
    client = login(getattr(w.cast, who))
    assert client.get(reverse("control:create")).status_code == 403
    assert client.post(reverse("control:create"), order_data(w.cast.li)).status_code == 403
    assert preview(client, "close-contact", "2022-11-21").status_code == 403
    assert not ControlOrder.objects.filter(person=w.cast.li).exists()


# --- approvals ----------------------------------------------------------------------------

@pytest.fixture
def pending(w):
    return services.control_order_create(
        acting_user=w.cast.wangge, person=w.cast.li, basis="manual", reason="同楼层发热，研判",
        kind="home_health_monitoring", starts_on=D(2022, 11, 21), ends_on=D(2022, 11, 23))


def test_the_health_side_sees_the_manual_orders_awaiting_approval(w, pending, login):
    response = login(w.cast.yiyuan).get(reverse("control:approvals"))
    assert response.status_code == 200
    body = body_of(response)
    assert f'data-order="{pending.uuid}"' in body and "同楼层发热，研判" in body
    assert reverse("control:detail", args=[pending.uuid]) in body
    assert f'data-order="{w.zhang.uuid}"' not in body  # not a manual order


def test_approvals_are_for_the_health_side_and_scoped(w, pending, login):
    assert login(w.cast.wangge).get(reverse("control:approvals")).status_code == 403
    assert login(w.cast.jumin).get(reverse("control:approvals")).status_code == 403
    body = body_of(login(w.cast.admin).get(reverse("control:approvals")))
    assert f'data-order="{pending.uuid}"' in body


def test_approvals_page_query_count(w, pending, login, django_assert_num_queries):
    client = login(w.cast.yiyuan)
    client.get(reverse("control:approvals"))
    with django_assert_num_queries(4):  # session, user, scope, orders
        client.get(reverse("control:approvals"))
    services.control_order_create(
        acting_user=w.cast.wangge2, person=w.cast.zhao, basis="manual", reason="研判",
        kind="home_health_monitoring", starts_on=D(2022, 11, 21), ends_on=D(2022, 11, 23))
    with django_assert_num_queries(4):
        response = client.get(reverse("control:approvals"))
    assert body_of(response).count("data-order=") == 2
