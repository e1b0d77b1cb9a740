"""The inbox through the API: the open items of the caller's area with counts per kind,
closing one with what was done (recorded and audited, as on the page), 404 for another
area's item, 422 naming the field for bad input with nothing written, 403 for residents."""

import datetime

import pytest
from django.utils import translation

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.audit.models import AuditEvent
from fangkong.control.models import OrderKind
from fangkong.control.monitoring import missed_checks, release_due
from fangkong.control.services import control_order_create
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.services import work_item_open

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(cast):
    """张伟 (文远社区) and 赵强 (新建社区): a missed check and a release due each."""
    with translation.override("en"):
        cast.orders = {}
        for person in (cast.zhang, cast.zhao):
            cast.orders[person.name] = control_order_create(
                acting_user=cast.admin, person=person, basis="pool", basis_ref="pool-1120-07",
                kind=OrderKind.HOME_HEALTH_MONITORING, starts_on=datetime.date(2022, 11, 20),
                ends_on=datetime.date(2022, 11, 21))
        missed_checks(datetime.date(2022, 11, 21))
        release_due(datetime.date(2022, 11, 21))
    return cast


def item_of(person, kind):
    return WorkItem.objects.get(person=person, kind=kind)


def close(client, item, body, **headers):
    return client.post(f"/api/v1/inbox/{item.uuid}/close", body,
                       content_type="application/json", **EN, **headers)


def test_the_inbox_lists_the_open_items_of_the_callers_area(world, login):
    response = login(world.wangge).get("/api/v1/inbox", **EN)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and {i["person"]["name"] for i in body["items"]} == {"张伟"}
    assert body["counts"]["missed_check"] == 1 and body["counts"]["release_due"] == 1
    assert body["counts"]["appeal"] == 0
    item = next(i for i in body["items"] if i["kind"] == "missed_check")
    assert item["kind_label"] == "Missed health check"
    assert item["order"] == str(world.orders["张伟"].uuid)
    assert item["place"]["name"] == "文远社区" and item["due_on"] == "2022-11-22"
    assert item["done_at"] is None and item["done_by"] == "" and item["outcome"] == ""


def test_the_kind_filter_and_a_bad_kind(world, login):
    client = login(world.quxian)
    body = client.get("/api/v1/inbox", {"kind": "release_due"}, **EN).json()
    assert body["count"] == 2 and {i["kind"] for i in body["items"]} == {"release_due"}
    response = client.get("/api/v1/inbox", {"kind": "gossip"}, **EN)
    assert response.status_code == 422 and "kind" in response.json()["errors"]


def test_an_item_without_an_order_names_none(world, login):
    work_item_open(kind=ItemKind.ARRIVAL, place=world.wenyuan, person=world.li,
                   title="arrival", due_on=datetime.date(2022, 11, 22), key="arrival:1")
    body = login(world.wangge).get("/api/v1/inbox", {"kind": "arrival"}, **EN).json()
    assert [i["order"] for i in body["items"]] == [None]


def test_closing_records_who_and_when_and_is_audited(world, login):
    item = item_of(world.zhang, ItemKind.RELEASE_DUE)
    response = close(login(world.wangge), item, {"outcome": "  Released after a negative test "})
    assert response.status_code == 200
    body = response.json()
    assert body["done_by"] == "wangge" and body["outcome"] == "Released after a negative test"
    assert body["done_at"].endswith("+08:00")
    item.refresh_from_db()
    assert item.done_by == world.wangge and item.done_at is not None
    audit = AuditEvent.objects.get(action="work_item.close")
    assert audit.actor == world.wangge and audit.target_uuid == item.uuid
    assert login(world.wangge).get("/api/v1/inbox", **EN).json()["count"] == 1


def test_closing_with_a_token_of_the_area(world, client):
    _, secret = token_create(acting_user=world.admin, user=world.wangge, name="hotline",
                             role=Role.COMMUNITY_WORKER, scope=world.wenyuan)
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    response = close(client, item, {"outcome": "phoned"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="work_item.close").via.startswith("token:")


def test_closing_another_areas_item_answers_404(world, login):
    item = item_of(world.zhao, ItemKind.MISSED_CHECK)
    assert close(login(world.wangge), item, {"outcome": "done"}).status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


@pytest.mark.parametrize("body", [{"outcome": "   "}, {}, {"outcome": "x" * 2001}])
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(world, login, body):
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    response = close(login(world.wangge), item, body)
    assert response.status_code == 422 and "outcome" in response.json()["errors"]
    item.refresh_from_db()
    assert item.done_at is None and not AuditEvent.objects.filter(action="work_item.close")


def test_closing_an_item_closed_already_is_refused(world, login):
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    client = login(world.wangge)
    close(client, item, {"outcome": "first"})
    response = close(login(world.jiedao), item, {"outcome": "second"})
    assert response.status_code == 422
    assert response.json()["detail"] == "This item was closed already."
    item.refresh_from_db()
    assert (item.done_by, item.outcome) == (world.wangge, "first")


def test_a_resident_is_refused_and_a_user_without_an_area_sees_nothing(world, login):
    assert login(world.jumin).get("/api/v1/inbox", **EN).status_code == 403
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    assert close(login(world.jumin), item, {"outcome": "x"}).status_code == 403
    body = login(world.noscope).get("/api/v1/inbox", **EN).json()
    assert body["count"] == 0 and body["items"] == []


def test_the_list_query_count_does_not_grow_with_the_items(world, login,
                                                           django_assert_num_queries):
    client = login(world.quxian)
    client.get("/api/v1/inbox")
    # session, user, scope, page items, count, counts per kind
    with django_assert_num_queries(6):
        assert client.get("/api/v1/inbox").json()["count"] == 4
    for n in range(10):
        work_item_open(kind=ItemKind.APPEAL, place=world.xinjian, person=world.zhao,
                       title=f"appeal {n}", due_on=datetime.date(2022, 11, 23), key=f"a{n}")
    with django_assert_num_queries(6):
        assert client.get("/api/v1/inbox").json()["count"] == 14
