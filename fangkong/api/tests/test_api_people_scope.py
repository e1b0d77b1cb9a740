"""Every person endpoint is scoped: out of area answers 404 exactly like a missing record."""

import uuid

import pytest

from fangkong.audit.models import AuditEvent


def endpoints(public_id):
    base = f"/api/v1/people/{public_id}"
    return [("get", base, None), ("patch", base, {"name": "改名"}),
            ("post", f"{base}/reveal", {"field": "id_number"}), ("get", f"{base}/history", None)]


def call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("worker, outsider", [("wangge", "zhao"), ("wangge2", "zhang"),
                                              ("yingxianqu", "wang"), ("quxian", "liu")])
def test_every_person_endpoint_answers_404_outside_the_area(cast, login, worker, outsider):
    client = login(getattr(cast, worker))
    person = getattr(cast, outsider)
    for method, url, body in endpoints(person.uuid) + endpoints(uuid.uuid4()):
        assert call(client, method, url, body).status_code == 404, (method, url)
    person.refresh_from_db()
    assert person.name != "改名"


def test_a_worker_cannot_find_another_communitys_resident(cast, login):
    client = login(cast.wangge)
    for query in ["赵强", cast.zhao.id_number, cast.zhao.phone]:
        assert client.get("/api/v1/people", {"q": query}).json()["count"] == 0
    names = {p["name"] for p in client.get("/api/v1/people").json()["items"]}
    assert names == {"张伟", "李娜", "王芳"}


def test_a_worker_cannot_filter_by_another_communitys_place(cast, login):
    client = login(cast.wangge)
    assert client.get("/api/v1/people", {"place": str(cast.xinjian.uuid)}).status_code == 404


def test_nothing_is_revealed_or_audited_across_areas(cast, login):
    before = AuditEvent.objects.filter(action="person.reveal").count()
    response = login(cast.wangge).post(f"/api/v1/people/{cast.zhao.uuid}/reveal",
                                       {"field": "phone"}, content_type="application/json")
    assert response.status_code == 404
    assert cast.zhao.phone not in response.content.decode()
    assert AuditEvent.objects.filter(action="person.reveal").count() == before


def test_a_user_without_an_area_sees_no_one(cast, login):
    client = login(cast.noscope)
    assert client.get("/api/v1/people").json()["count"] == 0
    assert client.get(f"/api/v1/people/{cast.zhang.uuid}").status_code == 404
    assert client.get("/api/v1/places").status_code == 404


def test_resident_sees_only_themself(cast, login):
    client = login(cast.jumin)
    me = client.get("/api/v1/me").json()
    assert me["role"] == "resident" and me["scope"] is None
    assert me["person"]["name"] == "张伟"
    assert me["person"]["id_number"] != cast.zhang.id_number
    assert client.get(f"/api/v1/people/{cast.zhang.uuid}").status_code == 200
    for other in (cast.li, cast.zhao, cast.liu):
        assert client.get(f"/api/v1/people/{other.uuid}").status_code == 404
    assert [p["name"] for p in client.get("/api/v1/people").json()["items"]] == ["张伟"]


def test_resident_may_not_browse_places_or_reveal(cast, login):
    client = login(cast.jumin)
    assert client.get("/api/v1/places").status_code == 403
    response = client.post(f"/api/v1/people/{cast.zhang.uuid}/reveal", {"field": "phone"},
                           content_type="application/json")
    assert response.status_code == 403
