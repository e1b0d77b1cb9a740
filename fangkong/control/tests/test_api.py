"""Control orders through the API: the register and an order's history scoped to the caller,
the same services as the pages with their refusals answered 422 (naming the field) or 403,
orders outside the caller's area answered 404, and a person's status — a resident's own only."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.cases.models import Case
from fangkong.cases.tests.util import report
from fangkong.control import services
from fangkong.control.models import ControlOrder, HealthCheck, OrderStatus

D = datetime.date
SH = ZoneInfo("Asia/Shanghai")
ORDERS = "/api/v1/control/orders"



@pytest.fixture
def w(outbreak):
    """李娜 a confirmed case; 张伟 her close contact from 20 Nov (文远社区); 王芳 home
    isolation after leaving a high-risk area from 21 Nov; 赵强 (新建社区) a close contact."""
    c = outbreak.cast
    w = SimpleNamespace(cast=c, o=outbreak)
    w.case = report(outbreak, c.li, "confirmed")
    w.zhang = services.control_order_create(
        acting_user=c.wangge, person=c.zhang, basis="contact", basis_case=w.case,
        plan_basis="close-contact", starts_on=D(2022, 11, 20))
    w.wang = services.control_order_create(
        acting_user=c.wangge, person=c.wang, basis="risk_area_outflow", basis_ref="平鲁区高风险区",
        plan_basis="high-risk-outflow", starts_on=D(2022, 11, 21))
    w.zhao = services.control_order_create(
        acting_user=c.wangge2, person=c.zhao, basis="contact", basis_ref="流调 1119-03",
        plan_basis="close-contact", starts_on=D(2022, 11, 20))
    return w


def post(client, url, body, **kwargs):
    return client.post(url, body, content_type="application/json", **kwargs)


def url(order, action=""):
    return f"{ORDERS}/{order.uuid}" + (f"/{action}" if action else "")


def names(response):
    return [item["person"]["name"] for item in response.json()["items"]]


def bearer(cast, user, role, scope):
    _, secret = token_create(acting_user=cast.admin, user=user, name="监测系统", role=role,
                             scope=scope)
    return {"Authorization": f"Bearer {secret}"}


def fresh(order):
    return ControlOrder.objects.get(pk=order.pk)


# --- reading ------------------------------------------------------------------------------

def test_the_register_lists_the_orders_of_the_callers_area(w, login):
    response = login(w.cast.wangge).get(ORDERS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and sorted(names(response)) == ["张伟", "王芳"]
    zhang = next(i for i in body["items"] if i["person"]["name"] == "张伟")
    assert zhang["uuid"] == str(w.zhang.uuid)
    assert (zhang["kind"], zhang["colour"], zhang["status"]) == (
        "centralised_isolation", "red", "active")
    assert zhang["basis"] == "contact" and zhang["plan_basis"] == "close-contact"
    assert zhang["basis_case"] == {"uuid": str(w.case.uuid), "number": w.case.number}
    assert (zhang["starts_on"], zhang["ends_on"]) == ("2022-11-20", "2022-11-24")
    assert zhang["test_days"] == ["2022-11-20", "2022-11-21", "2022-11-22", "2022-11-24"]
    assert zhang["profile"] == "covid19-20-measures" and "二十条" in zhang["rule"]


@pytest.mark.parametrize("params, expected", [
    ("kind=home_isolation", ["王芳"]), ("basis=contact", ["张伟"]), ("q=张", ["张伟"]),
    ("date=2022-11-20", ["张伟"]), ("status=released", []),
])
def test_the_register_filters(w, login, params, expected):
    assert names(login(w.cast.wangge).get(f"{ORDERS}?{params}")) == expected


def test_the_register_filters_by_community_within_the_area(w, login):
    xinjian = f"{ORDERS}?community={w.cast.xinjian.uuid}"
    assert names(login(w.cast.jiedao).get(xinjian)) == ["赵强"]
    refused = login(w.cast.wangge).get(xinjian)
    assert refused.status_code == 422 and "community" in refused.json()["errors"]


def test_bad_filters_are_422_naming_the_field(w, login):
    response = login(w.cast.wangge).get(f"{ORDERS}?kind=quarantine&date=2022-02-30")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"kind", "date"}


def test_the_register_pages(w, login):
    body = login(w.cast.admin).get(f"{ORDERS}?limit=2&offset=2").json()
    assert (body["count"], body["limit"], body["offset"], len(body["items"])) == (3, 2, 2, 1)


def test_the_register_query_count_does_not_grow(w, login, django_assert_num_queries):
    client = login(w.cast.admin)
    client.get(ORDERS)
    with django_assert_num_queries(5) as first:  # session, user, scope, page, count
        client.get(ORDERS)
    services.control_order_create(acting_user=w.cast.admin, person=w.cast.liu, basis="pool",
                                  basis_ref="混管 8", kind="temporary_control",
                                  starts_on=D(2022, 11, 21), ends_on=D(2022, 11, 22))
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(client.get(ORDERS).json()["items"]) == 4


def test_an_order_with_its_tests_checks_events_and_next_phases(w, login):
    services.control_test_record(acting_user=w.cast.wangge, order=w.zhang, day=D(2022, 11, 20),
                                 result="negative")
    services.health_check_record(acting_user=w.cast.wangge, order=w.zhang,
                                 taken_at=datetime.datetime(2022, 11, 20, 8, tzinfo=SH),
                                 temperature="36.6", symptoms=["fatigue"])
    body = login(w.cast.wangge).get(url(w.zhang)).json()
    assert body["tests"][0] == {"day": "2022-11-20", "result": "negative",
                                "recorded_at": body["tests"][0]["recorded_at"]}
    assert [t["result"] for t in body["tests"]] == ["negative", "", "", ""]
    assert body["checks"] == [{"taken_at": "2022-11-20T08:00:00+08:00", "temperature": "36.6",
                               "symptoms": ["fatigue"], "by_self": False}]
    assert [e["kind"] for e in body["events"]] == ["created", "test"]
    assert body["events"][0]["actor"] == "wangge"
    assert body["follow_on"][0]["kind"] == "home_isolation"
    assert body["follow_on"][0]["starts_on"] == "2022-11-25"
    assert body["successors"] == [] and body["predecessor"] is None


@pytest.mark.parametrize("who, status", [
    ("wangge", 404), ("yingxianqu", 404), ("noscope", 404), ("jumin", 403), ("louzhang", 403),
    ("wangge2", 200), ("yiyuan", 200),
])
def test_an_order_outside_the_area_is_404(w, login, who, status):
    response = login(getattr(w.cast, who)).get(url(w.zhao))
    assert response.status_code == status
    if status != 200:
        assert "赵强" not in response.content.decode()


def test_a_token_reads_within_its_scope(w, client):
    headers = bearer(w.cast, w.cast.wangge2, Role.COMMUNITY_WORKER, w.cast.xinjian)
    response = client.get(ORDERS, headers=headers)
    assert names(response) == ["赵强"]
    assert client.get(url(w.zhang), headers=headers).status_code == 404


# --- placing under control ----------------------------------------------------------------

def placing(person, **extra):
    body = {"person": str(person.uuid), "basis": "contact", "starts_on": "2022-11-21",
            "plan_basis": "close-contact", "basis_ref": "流调 1121-05"}
    body.update(extra)
    return body


def test_placing_under_a_plan(w, login):
    response = post(login(w.cast.wangge), ORDERS, placing(w.cast.li))
    assert response.status_code == 201
    body = response.json()
    order = ControlOrder.objects.get(person=w.cast.li)
    assert body["uuid"] == str(order.uuid) and body["status"] == "active"
    assert (body["kind"], body["starts_on"], body["ends_on"]) == (
        "centralised_isolation", "2022-11-21", "2022-11-25")


def test_placing_without_a_plan(w, login):
    response = post(login(w.cast.wangge), ORDERS, placing(
        w.cast.li, basis="pool", plan_basis="", kind="temporary_control",
        ends_on="2022-11-22", test_days=["2022-11-21", "2022-11-22"], basis_ref="混管 1121-07"))
    assert response.status_code == 201
    assert response.json()["test_days"] == ["2022-11-21", "2022-11-22"]


def test_placing_by_case_number(w, login):
    response = post(login(w.cast.wangge), ORDERS, placing(
        w.cast.li, basis_ref="", basis_case=w.case.number))
    assert response.status_code == 201
    assert response.json()["basis_case"]["number"] == w.case.number


@pytest.mark.parametrize("extra, field", [
    ({"plan_basis": "secondary-contact"}, "plan_basis"),  # abolished on 11 Nov 2022
    ({"plan_basis": "arrival-low-risk", "basis": "arrival"}, "plan_basis"),  # tests only
    ({"basis_ref": ""}, "basis_ref"),
    ({"basis_case": "SZ-0000"}, "basis_case"),
    ({"basis": "manual", "basis_ref": ""}, "reason"),
    ({"plan_basis": "", "kind": ""}, "ends_on"),
    ({"plan_basis": "", "kind": "temporary_control", "ends_on": "2022-11-22",
      "test_days": ["2022-11-25"]}, "test_days"),
    ({"starts_on": "2020-01-01"}, "plan_basis"),  # no rules in force that day
    ({"basis": "rumour"}, "basis"),
    ({"plan_basis": "quarantine"}, "plan_basis"),
])
def test_bad_orders_are_422_naming_the_field_and_nothing_is_written(w, login, extra, field):
    response = post(login(w.cast.wangge), ORDERS, placing(w.cast.li, **extra))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not ControlOrder.objects.filter(person=w.cast.li).exists()


def test_the_refusal_of_an_abolished_basis_says_why(w, login):
    response = post(login(w.cast.wangge), ORDERS, placing(w.cast.li,
                                                          plan_basis="secondary-contact"))
    message = response.json()["errors"]["plan_basis"][0]
    assert "2022-11-21" in message and "secondary-contact" in message


def test_placing_someone_outside_the_area_or_without_the_right(w, login):
    refused = post(login(w.cast.wangge), ORDERS, placing(w.cast.zhao))
    assert refused.status_code == 422 and "person" in refused.json()["errors"]
    assert post(login(w.cast.yiyuan), ORDERS, placing(w.cast.li)).status_code == 403
    assert post(login(w.cast.jumin), ORDERS, placing(w.cast.zhang)).status_code == 403
    assert ControlOrder.objects.count() == 3


# --- approval, release, cancel ------------------------------------------------------------

@pytest.fixture
def manual(w, login):
    response = post(login(w.cast.admin), ORDERS, placing(
        w.cast.li, basis="manual", basis_ref="", plan_basis="", kind="home_health_monitoring",
        ends_on="2022-11-23", reason="同楼层发热，指挥部研判"))
    assert response.status_code == 201 and response.json()["status"] == "pending"
    return ControlOrder.objects.get(person=w.cast.li)


def test_the_creator_cannot_approve_a_manual_order(w, manual, login):
    response = post(login(w.cast.admin), url(manual, "approve"), {})
    assert response.status_code == 422
    assert fresh(manual).status == OrderStatus.PENDING


def test_the_health_side_approves(w, manual, login):
    response = post(login(w.cast.yiyuan), url(manual, "approve"), {"reason": "已核实"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approved_by"]) == ("active", "yiyuan")


def test_approval_needs_the_health_sides_right(w, manual, login):
    assert post(login(w.cast.wangge), url(manual, "approve"), {}).status_code == 403
    assert fresh(manual).status == OrderStatus.PENDING


def test_an_early_release_is_422_with_the_rule(w, login, time_machine):
    time_machine.move_to(datetime.datetime(2022, 11, 22, 10, tzinfo=SH))
    response = post(login(w.cast.wangge), url(w.zhang, "release"), {})
    assert response.status_code == 422
    assert "2022-11-24" in response.json()["detail"] and "二十条" in response.json()["detail"]
    assert fresh(w.zhang).status == OrderStatus.ACTIVE


def test_a_release_returns_the_next_phase(w, login, time_machine):
    time_machine.move_to(datetime.datetime(2022, 11, 24, 18, tzinfo=SH))
    client = login(w.cast.wangge)
    for day in w.zhang.test_days:
        assert post(client, url(w.zhang, "tests"), {"day": day, "result": "negative"}
                    ).status_code == 200
    response = post(client, url(w.zhang, "release"), {"reason": "5天期满，核酸阴性"})
    assert response.status_code == 200
    body = response.json()
    assert body["released"]["status"] == "released"
    assert (body["next"]["kind"], body["next"]["starts_on"], body["next"]["predecessor"]) == (
        "home_isolation", "2022-11-25", str(w.zhang.uuid))


def test_cancel_needs_a_reason(w, login):
    client = login(w.cast.wangge)
    assert post(client, url(w.zhang, "cancel"), {}).status_code == 422
    blank = post(client, url(w.zhang, "cancel"), {"reason": " "})
    assert blank.status_code == 422 and "reason" in blank.json()["errors"]
    done = post(client, url(w.zhang, "cancel"), {"reason": "身份核实有误"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


def test_acting_on_an_order_outside_the_area_is_404(w, login):
    client = login(w.cast.wangge)
    for action, body in (("cancel", {"reason": "x"}), ("release", {}),
                         ("tests", {"day": "2022-11-20", "result": "negative"}),
                         ("checks", {"taken_at": "2022-11-20T08:00:00+08:00",
                                     "temperature": "36.5"})):
        assert post(client, url(w.zhao, action), body).status_code == 404
    assert fresh(w.zhao).status == OrderStatus.ACTIVE


# --- tests and health checks --------------------------------------------------------------

def test_a_negative_result(w, login):
    response = post(login(w.cast.wangge), url(w.zhang, "tests"),
                    {"day": "2022-11-20", "result": "negative"})
    assert response.status_code == 200
    assert response.json() == {"day": "2022-11-20", "result": "negative",
                               "order_status": "active", "case": None}


def test_a_positive_result_reports_a_case(w, login):
    response = post(login(w.cast.wangge), url(w.zhang, "tests"),
                    {"day": "2022-11-21", "result": "positive"})
    assert response.status_code == 200
    case = Case.objects.get(person=w.cast.zhang)
    assert response.json()["order_status"] == "escalated"
    assert response.json()["case"] == {"uuid": str(case.uuid), "number": case.number}


@pytest.mark.parametrize("body, field", [
    ({"day": "2022-11-23", "result": "negative"}, "day"),  # no test that day
    ({"day": "2022-11-20", "result": "unclear"}, "result"),
    ({"result": "negative"}, "day"),
])
def test_bad_results_are_422(w, login, body, field):
    response = post(login(w.cast.wangge), url(w.zhang, "tests"), body)
    assert response.status_code == 422 and field in response.json()["errors"]


def test_a_health_check(w, login):
    response = post(login(w.cast.wangge), url(w.zhang, "checks"),
                    {"taken_at": "2022-11-20T20:00:00+08:00", "temperature": "37.4",
                     "symptoms": ["fever", "sore_throat"]})
    assert response.status_code == 201
    assert response.json()["symptoms"] == ["fever", "sore_throat"]
    assert HealthCheck.objects.get().recorded_by == w.cast.wangge


@pytest.mark.parametrize("body, field", [
    ({"taken_at": "2022-11-20T20:00:00", "temperature": "36.5"}, "taken_at"),  # no offset
    ({"taken_at": "2022-11-20T20:00:00+08:00", "temperature": "48.0"}, "temperature"),
    ({"taken_at": "2022-11-20T20:00:00+08:00", "temperature": "36.55"}, "temperature"),
    ({"taken_at": "2022-11-20T20:00:00+08:00", "temperature": "36.5", "symptoms": ["cough"]},
     "symptoms"),
    ({"taken_at": "2099-01-01T08:00:00+08:00", "temperature": "36.5"}, "taken_at"),
])
def test_bad_health_checks_are_422(w, login, body, field):
    response = post(login(w.cast.wangge), url(w.zhang, "checks"), body)
    assert response.status_code == 422 and field in response.json()["errors"]
    assert not HealthCheck.objects.exists()


def test_health_checks_need_the_right(w, login):
    body = {"taken_at": "2022-11-20T20:00:00+08:00", "temperature": "36.5"}
    assert post(login(w.cast.yiyuan), url(w.zhang, "checks"), body).status_code == 403
    assert post(login(w.cast.jumin), url(w.zhang, "checks"), body).status_code == 403


# --- a person's status --------------------------------------------------------------------

def status(client, person, day=None):
    query = f"?date={day}" if day else ""
    return client.get(f"/api/v1/people/{person.uuid}/status{query}")


def test_a_residents_own_status_with_its_reasons(w, login):
    response = status(login(w.cast.jumin), w.cast.zhang, "2022-11-22")
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["name"] == "张伟" and body["date"] == "2022-11-22"
    assert body["colour"] == "red" and body["colour_label"]
    [order] = body["orders"]
    assert (order["kind"], order["basis"], order["basis_case"]) == (
        "centralised_isolation", "contact", w.case.number)
    assert (order["since"], order["until"]) == ("2022-11-20", "2022-11-24")
    assert order["due_tests"] == ["2022-11-20", "2022-11-21", "2022-11-22", "2022-11-24"]


def test_status_on_another_day(w, login):
    before = status(login(w.cast.jumin), w.cast.zhang, "2022-11-19").json()
    assert before["colour"] == "green" and before["orders"] == []


def test_a_resident_reads_only_their_own_status(w, login):
    assert status(login(w.cast.jumin), w.cast.li).status_code == 404
    assert status(login(w.cast.jumin), w.cast.wang).status_code == 404


@pytest.mark.parametrize("who, person, code", [
    ("wangge", "wang", 200), ("wangge", "zhao", 404), ("noscope", "zhang", 404),
    ("yiyuan", "zhang", 403), ("louzhang", "zhang", 403),
])
def test_status_scope(w, login, who, person, code):
    assert status(login(getattr(w.cast, who)), getattr(w.cast, person),
                  "2022-11-22").status_code == code


def test_a_bad_date_is_422(w, login):
    response = status(login(w.cast.jumin), w.cast.zhang, "2022-11-31")
    assert response.status_code == 422 and "date" in response.json()["errors"]


def test_the_operations_are_in_the_openapi_schema(w, login):
    paths = login(w.cast.wangge).get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/control/orders", "/api/v1/control/orders/{public_id}",
            "/api/v1/control/orders/{public_id}/release",
            "/api/v1/people/{public_id}/status"} <= set(paths)
