"""The residents' API: sign-in by code (public, same answers for unknown numbers, limits,
a family's choice), then the resident's status, health checks and appeals in their session;
anyone but a resident is refused."""

import pytest
from django.test import Client

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.control.models import Appeal, HealthCheck
from fangkong.inbox.models import WorkItem
from fangkong.lib import idnumber
from fangkong.people.services import person_create
from fangkong.residents.tests.util import (
    LI_PHONE,
    UNKNOWN_PHONE,
    ZHANG_PHONE,
    contact_order,
    resident,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("fangkong.residents.tests.urls")]


def post(client, url, body):
    return client.post(f"/api/v1{url}", body, content_type="application/json")


def sign_in(client, phone, sent, **extra):
    assert post(client, "/me/otp/request", {"phone": phone}).status_code == 202
    return post(client, "/me/otp/verify", {"phone": phone, "code": sent(phone)[-1], **extra})


@pytest.fixture
def order(outbreak, now):
    return contact_order(outbreak, outbreak.cast.li)


def test_a_resident_signs_in_and_reads_their_status(outbreak, order, client, sent):
    response = sign_in(client, LI_PHONE, sent)
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "name": "李娜", "choices": []}
    assert "sessionid" in response.cookies and "csrftoken" in response.cookies

    status = client.get("/api/v1/me/status").json()
    assert (status["name"], status["colour"], status["day"]) == ("李娜", "red", "2022-11-21")
    [found] = status["orders"]
    assert found["uuid"] == str(order.uuid) and found["basis"] == "contact"
    assert (found["starts_on"], found["ends_on"]) == ("2022-11-20", "2022-11-24")
    assert found["rule"] == order.rule and found["profile"] == order.profile.name
    assert [t["day"] for t in found["tests"]] == ["2022-11-20", "2022-11-21", "2022-11-22",
                                                  "2022-11-24"]
    assert "赵强" not in str(status)


def test_the_same_answers_for_an_unknown_number(cast, sent, now):
    answers = []
    for phone in (LI_PHONE, UNKNOWN_PHONE):
        client = Client()
        asked = post(client, "/me/otp/request", {"phone": phone})
        wrong = post(client, "/me/otp/verify", {"phone": phone, "code": "000000"
                                                if sent(phone) != ["000000"] else "111111"})
        again = post(client, "/me/otp/request", {"phone": phone})
        answers.append([(r.status_code, r.json()) for r in (asked, wrong, again)])
    assert answers[0] == answers[1]
    assert [code for code, _ in answers[0]] == [202, 422, 429]


def test_bad_input_is_named(cast, client, now):
    response = post(client, "/me/otp/request", {"phone": "12345"})
    assert response.status_code == 422 and "phone" in response.json()["errors"]
    response = post(client, "/me/otp/verify", {"phone": LI_PHONE, "code": "12"})
    assert response.status_code == 422 and "code" in response.json()["errors"]


def test_a_family_chooses_and_a_forged_choice_is_refused(cast, client, sent, now):
    son = person_create(acting_user=cast.admin, name="张小明",
                        id_number=idnumber.make("140602", cast.zhang.birth_date.replace(
                            year=2015), 31), household=cast.h101, phone=ZHANG_PHONE)
    answer = sign_in(client, ZHANG_PHONE, sent).json()
    assert answer["signed_in"] is False
    assert {c["name"] for c in answer["choices"]} == {"张伟", "张小明"}
    forged = post(client, "/me/otp/choose", {"person": str(cast.li.uuid)})
    assert forged.status_code == 422 and "person" in forged.json()["errors"]
    assert client.get("/api/v1/me/status").status_code == 401
    chosen = post(client, "/me/otp/choose", {"person": str(son.uuid)})
    assert chosen.json()["name"] == "张小明"
    assert client.get("/api/v1/me/status").json()["name"] == "张小明"


def test_choosing_needs_a_verified_code(cast, client, now):
    response = post(client, "/me/otp/choose", {"person": str(cast.zhang.uuid)})
    assert response.status_code == 422


def test_a_resident_reports_a_check_and_appeals(outbreak, order, client, sent):
    sign_in(client, LI_PHONE, sent)
    response = post(client, "/me/checks", {"order": str(order.uuid), "temperature": "36.8",
                                           "symptoms": ["sore_throat"]})
    assert response.status_code == 201 and response.json()["by_self"] is True
    assert HealthCheck.objects.get(order=order).symptoms == ["sore_throat"]

    response = post(client, "/me/appeals", {"order": str(order.uuid), "message": "已转运"})
    assert response.status_code == 201
    appeal = Appeal.objects.get(order=order)
    assert WorkItem.objects.get(key=f"appeal:{appeal.uuid}").place == outbreak.cast.wenyuan
    status = client.get("/api/v1/me/status").json()
    assert status["orders"][0]["appeals"][0]["message"] == "已转运"
    assert status["orders"][0]["checks_today"][0]["temperature"] == "36.8"


def test_bad_checks_and_empty_appeals_are_named(outbreak, order, client, sent):
    sign_in(client, LI_PHONE, sent)
    response = post(client, "/me/checks", {"order": str(order.uuid), "temperature": "44.0"})
    assert response.status_code == 422 and "temperature" in response.json()["errors"]
    response = post(client, "/me/checks", {"order": str(order.uuid), "temperature": "36.5",
                                           "symptoms": ["headache"]})
    assert response.status_code == 422 and "symptoms" in response.json()["errors"]
    response = post(client, "/me/appeals", {"order": str(order.uuid), "message": " "})
    assert response.status_code == 422 and "message" in response.json()["errors"]
    assert not HealthCheck.objects.exists() and not Appeal.objects.exists()


def test_another_persons_order_is_not_found(outbreak, order, login):
    client = login(outbreak.cast.jumin)
    response = post(client, "/me/checks", {"order": str(order.uuid), "temperature": "36.5"})
    assert response.status_code == 404
    response = post(client, "/me/appeals", {"order": str(order.uuid), "message": "申诉"})
    assert response.status_code == 404
    assert client.get("/api/v1/me/status").json()["orders"] == []


def test_only_residents_may_use_it(outbreak, order, login, client):
    cast = outbreak.cast
    assert client.get("/api/v1/me/status").status_code == 401
    _, secret = token_create(acting_user=cast.admin, user=cast.wangge, name="app",
                             role=Role.COMMUNITY_WORKER, scope=cast.wenyuan)
    bearer = client.get("/api/v1/me/status", headers={"Authorization": f"Bearer {secret}"})
    assert bearer.status_code == 403
    assert login(cast.wangge).get("/api/v1/me/status").status_code == 403
    staff = post(client, "/me/appeals", {"order": str(order.uuid), "message": "x"})
    assert staff.status_code == 403


def test_a_session_made_by_the_sign_in_is_a_resident_session(outbreak, order, sent, now):
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, LI_PHONE, sent)
    assert response.status_code == 200
    without = post(client, "/me/appeals", {"order": str(order.uuid), "message": "申诉"})
    assert without.status_code in (401, 403)
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/me/appeals", {"order": str(order.uuid), "message": "申诉"},
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_a_known_resident_keeps_their_account(outbreak, client, sent, now):
    sign_in(client, ZHANG_PHONE, sent)
    assert client.get("/api/v1/me/status").json()["name"] == "张伟"
    assert resident(outbreak.cast.zhang) == outbreak.cast.jumin
