"""Creating, changing and revealing people through the API: the same services as the pages,
validation errors answered 422 naming the field, and every change audited."""

import datetime

import pytest

from fangkong.audit.models import AuditEvent
from fangkong.lib import idnumber
from fangkong.people.models import Person

NEW_ID = idnumber.make("140602", datetime.date(1995, 6, 1), 78)


def payload(cast, **changes):
    return {"name": "陈静", "id_number": NEW_ID, "household": str(cast.h102.uuid),
            "phone": "13500001111", "tags": ["pregnant"], **changes}


def post(client, body):
    return client.post("/api/v1/people", body, content_type="application/json")


def patch(client, person, body):
    return client.patch(f"/api/v1/people/{person.uuid}", body, content_type="application/json")


def test_create_registers_a_person_with_derived_facts(cast, login):
    response = post(login(cast.wangge), payload(cast))
    assert response.status_code == 201
    body = response.json()
    assert body["sex"] == "female" and body["birth_date"] == "1995-06-01"
    assert body["id_number"] == NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert body["phone"] == "135****1111" and body["tags"] == ["pregnant"]
    assert body["household"]["uuid"] == str(cast.h102.uuid)
    person = Person.objects.get(uuid=body["uuid"])
    assert AuditEvent.objects.filter(action="person.create", target_uuid=person.uuid).exists()


BAD_INPUT = [
    ({"id_number": NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")}, "id_number"),
    ({"id_number": "140602950601782"}, "id_number"),
    ({"phone": "12345"}, "phone"),
    ({"name": " "}, "name"),
    ({"id_type": "alien"}, "id_type"),
    ({"tags": ["vip"]}, "tags"),
    ({"household": "5b0e1b8e-0000-4000-8000-000000000000"}, "household"),
]


@pytest.mark.parametrize("changes, field", BAD_INPUT)
def test_create_refuses_bad_input_naming_the_field(cast, login, changes, field):
    count = Person.objects.count()
    response = post(login(cast.wangge), payload(cast, **changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert Person.objects.count() == count


def test_create_refuses_a_duplicate_id_number(cast, login):
    response = post(login(cast.wangge), payload(cast, id_number=cast.zhang.id_number))
    assert response.status_code == 422
    assert "张伟" in response.json()["errors"]["id_number"][0]
    assert Person.objects.filter(id_number=cast.zhang.id_number).count() == 1


def test_create_refuses_a_household_outside_the_area(cast, login):
    response = post(login(cast.wangge), payload(cast, household=str(cast.x101.uuid)))
    assert response.status_code == 422 and "household" in response.json()["errors"]
    assert not Person.objects.filter(name="陈静").exists()


def test_messages_follow_the_requested_language(cast, login):
    client = login(cast.wangge)
    response = client.post("/api/v1/people", payload(cast, phone="12345"),
                           content_type="application/json", headers={"Accept-Language": "en"})
    assert response.json()["errors"]["phone"] == ["Enter an 11-digit mainland mobile number."]


@pytest.mark.parametrize("changes, field", [
    ({"id_number": "140602850312213"}, "id_number"),
    ({"phone": "2345"}, "phone"),
    ({"sex": "female"}, "sex"),
])
def test_patch_refuses_bad_input_and_writes_nothing(cast, login, changes, field):
    events = AuditEvent.objects.count()
    response = patch(login(cast.wangge), cast.zhang, changes)
    assert response.status_code == 422 and field in response.json()["errors"]
    cast.zhang.refresh_from_db()
    assert cast.zhang.phone == "13800001234" and cast.zhang.sex == "male"
    assert AuditEvent.objects.count() == events


def test_patch_refuses_a_duplicate_id_number(cast, login):
    response = patch(login(cast.wangge), cast.li, {"id_number": cast.zhang.id_number})
    assert response.status_code == 422 and "id_number" in response.json()["errors"]


def test_patch_changes_only_the_fields_sent_and_audits_masked_values(cast, login):
    response = patch(login(cast.wangge), cast.zhang,
                     {"phone": "13911112222", "reason": "电话更换"})
    assert response.status_code == 200 and response.json()["phone"] == "139****2222"
    cast.zhang.refresh_from_db()
    assert cast.zhang.phone == "13911112222" and cast.zhang.name == "张伟"
    event = AuditEvent.objects.filter(action="person.update", target_uuid=cast.zhang.uuid).get()
    assert event.changes == {"phone": ["138****1234", "139****2222"]}
    assert event.reason == "电话更换" and event.actor == cast.wangge and event.via == "api"


def test_patch_through_a_token_records_the_token(cast, client):
    from fangkong.accounts.services import token_create

    token, secret = token_create(acting_user=cast.admin, user=cast.jiance, name="HIS",
                                 role="community_worker", scope=cast.wenyuan)
    response = client.patch(f"/api/v1/people/{cast.zhang.uuid}", {"tags": ["chronic"]},
                            content_type="application/json",
                            headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json()["tags"] == ["chronic"]
    event = AuditEvent.objects.get(action="person.update", target_uuid=cast.zhang.uuid)
    assert event.via == f"token:{token.prefix}" and event.actor == cast.jiance


def test_roles_without_edit_permission_are_refused(cast, login):
    assert patch(login(cast.louzhang), cast.zhang, {"name": "X"}).status_code == 403
    assert post(login(cast.louzhang), payload(cast)).status_code == 403


def test_reveal_returns_the_value_and_writes_an_audit_event(cast, login):
    response = login(cast.wangge).post(f"/api/v1/people/{cast.zhang.uuid}/reveal",
                                       {"field": "id_number"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": cast.zhang.id_number}
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="person.reveal", target_uuid=cast.zhang.uuid)
    assert event.actor == cast.wangge and event.reason == "id_number"


def test_building_leader_may_not_reveal(cast, login):
    response = login(cast.louzhang).post(f"/api/v1/people/{cast.zhang.uuid}/reveal",
                                         {"field": "phone"}, content_type="application/json")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="person.reveal").exists()


def test_reveal_refuses_other_fields(cast, login):
    response = login(cast.wangge).post(f"/api/v1/people/{cast.zhang.uuid}/reveal",
                                       {"field": "name"}, content_type="application/json")
    assert response.status_code == 422 and "field" in response.json()["errors"]


def test_history_lists_the_audit_trail(cast, login):
    client = login(cast.wangge)
    patch(client, cast.zhang, {"phone": "13911112222"})
    actions = [e["action"] for e in client.get(f"/api/v1/people/{cast.zhang.uuid}/history").json()]
    assert actions[0] == "person.update" and "person.create" in actions
