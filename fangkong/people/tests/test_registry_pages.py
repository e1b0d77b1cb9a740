import datetime

import pytest
from django.urls import reverse

from fangkong.audit.models import AuditEvent
from fangkong.lib import idnumber
from fangkong.people.models import Person
from fangkong.people.services import person_update


def test_registry_lists_only_the_workers_community_with_masked_identifiers(cast, login):
    client = login(cast.wangge)
    body = client.get(reverse("people:registry")).content.decode()
    assert "张伟" in body and "王芳" in body
    assert "赵强" not in body and "刘洋" not in body
    assert cast.zhang.id_number not in body
    assert cast.zhang.id_number[:6] + "********" + cast.zhang.id_number[-4:] in body
    assert "138****1234" in body


@pytest.mark.parametrize("query, found", [("张伟", True), ("13800001234", True),
                                          ("+86 138 0000 1234", True)])
def test_search_by_name_phone_and_id(cast, login, query, found):
    body = login(cast.wangge).get(reverse("people:registry"), {"q": query}).content.decode()
    assert ("张伟" in body) == found
    assert "李娜" not in body


def test_search_by_full_id_number_stays_in_scope(cast, login):
    client = login(cast.wangge)
    found = client.get(reverse("people:registry"), {"q": cast.zhang.id_number})
    assert "张伟" in found.content.decode()
    assert "赵强" not in client.get(reverse("people:registry"),
                                   {"q": cast.zhao.id_number}).content.decode()


def test_registry_page_uses_a_fixed_number_of_queries(cast, login, django_assert_max_num_queries):
    client = login(cast.admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("people:registry"))


def test_detail_shows_household_members_and_history(cast, login):
    body = login(cast.wangge).get(reverse("people:detail", args=[cast.zhang.uuid])).content.decode()
    assert "李娜" in body  # same household
    assert "王芳" not in body  # other household
    assert 'data-action="person.create"' in body


def test_reveal_returns_the_number_and_records_it(cast, login):
    client = login(cast.wangge)
    response = client.post(reverse("people:reveal", args=[cast.zhang.uuid, "id_number"]))
    assert cast.zhang.id_number in response.content.decode()
    assert AuditEvent.objects.filter(action="person.reveal", actor=cast.wangge,
                                     target_uuid=cast.zhang.uuid).count() == 1


def wrong_check_character(number):
    return number[:17] + ("1" if number[17] == "0" else "0")


def test_create_form_shows_field_errors_in_chinese_and_keeps_the_input(cast, login):
    client = login(cast.wangge)
    bad = wrong_check_character(idnumber.make("140602", datetime.date(1990, 2, 3), 55))
    response = client.post(reverse("people:create"), {
        "name": "孙丽", "id_type": "mainland", "id_number": bad, "phone": "12345",
        "household": str(cast.h102.uuid), "residency": "resident"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "校验码" in body
    assert 'value="孙丽"' in body
    assert not Person.objects.filter(name="孙丽").exists()


def test_create_then_edit_through_the_pages(cast, login):
    client = login(cast.wangge)
    number = idnumber.make("140602", datetime.date(1990, 2, 3), 56)
    response = client.post(reverse("people:create"), {
        "name": "孙丽", "id_type": "mainland", "id_number": number, "phone": "13512345678",
        "household": str(cast.h102.uuid), "residency": "resident", "tags": ["pregnant"]})
    person = Person.objects.get(name="孙丽")
    assert response.status_code == 302
    assert list(person.tags.values_list("tag", flat=True)) == ["pregnant"]
    response = client.post(reverse("people:edit", args=[person.uuid]), {
        "name": "孙丽", "id_type": "mainland", "id_number": number, "phone": "13512345679",
        "household": str(cast.h102.uuid), "residency": "floating", "reason": "搬迁"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="person.update", target_uuid=person.uuid)
    assert event.changes["residency"] == ["resident", "floating"]
    assert event.reason == "搬迁"


def test_cannot_move_a_resident_into_a_household_outside_the_area(cast, login):
    client = login(cast.wangge)
    response = client.post(reverse("people:edit", args=[cast.zhang.uuid]), {
        "name": "张伟", "id_type": "mainland", "id_number": cast.zhang.id_number,
        "household": str(cast.x101.uuid), "residency": "resident"})
    assert response.status_code == 200
    cast.zhang.refresh_from_db()
    assert cast.zhang.household == cast.h101


def test_export_is_masked_scoped_and_audited(cast, login):
    response = login(cast.wangge).get(reverse("people:export"))
    body = response.content.decode("utf-8-sig")
    assert "张伟" in body and "赵强" not in body
    assert cast.zhang.id_number not in body and "13800001234" not in body
    event = AuditEvent.objects.get(action="people.export")
    assert event.actor == cast.wangge and event.changes["rows"] == [None, 3]


def test_resident_sees_only_their_own_record(cast, login):
    client = login(cast.jumin)
    response = client.get(reverse("people:me"))
    assert response.status_code == 302
    assert "张伟" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("people:detail", args=[cast.li.uuid])).status_code == 404


def test_a_save_over_someone_elses_change_is_refused_and_keeps_the_input(cast, login):
    client = login(cast.wangge)
    form = client.get(reverse("people:edit", args=[cast.zhang.uuid])).context["form"]
    version = form.initial["version"]
    person_update(acting_user=cast.jiedao, person=cast.zhang, phone="13811112222")
    response = client.post(reverse("people:edit", args=[cast.zhang.uuid]), {
        "name": "张维", "id_type": "mainland", "id_number": cast.zhang.id_number,
        "phone": "13800001234", "household": str(cast.h101.uuid), "residency": "resident",
        "version": version})
    assert response.status_code == 200
    assert 'value="张维"' in response.content.decode()
    cast.zhang.refresh_from_db()
    assert (cast.zhang.name, cast.zhang.phone) == ("张伟", "13811112222")


def test_subdistrict_staff_merge_a_duplicate_through_the_page(cast, login):
    duplicate = Person.objects.create(
        name="张伟", id_type="passport", id_number="E7654321", sex="male",
        birth_date=datetime.date(1985, 3, 12), household=cast.h101)
    client = login(cast.jiedao)
    url = reverse("people:merge", args=[cast.zhang.uuid])
    response = client.post(url, {"duplicate_id_number": "e7654321", "reason": ""})
    assert response.status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    response = client.post(url, {"duplicate_id_number": "e7654321", "reason": "护照重复登记"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == cast.zhang
    assert "E7654321" not in client.get(reverse("people:registry")).content.decode()


def test_merge_cannot_reach_a_record_outside_the_area(cast, login):
    client = login(cast.jiedao)
    response = client.post(reverse("people:merge", args=[cast.zhang.uuid]),
                           {"duplicate_id_number": cast.liu.id_number, "reason": "x"})
    assert response.status_code == 200
    cast.liu.refresh_from_db()
    assert cast.liu.merged_into is None
