"""The inbox page: the open work items of the user's own area with counts per kind and a kind
filter, links to what each item is about, and closing an item with what was done (a plain
post or htmx in place), recorded with who and when and audited; other areas' items answer
404; residents are refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from fangkong.audit.models import AuditEvent
from fangkong.control.models import OrderKind
from fangkong.control.monitoring import missed_checks, release_due
from fangkong.control.services import control_order_create
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.services import work_item_close, work_item_open

LIST = "/inbox/"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages and stored titles in English (the default language is zh-hans)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def order_for(cast, person):
    return control_order_create(
        acting_user=cast.admin, person=person, basis="pool", basis_ref="pool-1120-07",
        kind=OrderKind.HOME_HEALTH_MONITORING, starts_on=datetime.date(2022, 11, 20),
        ends_on=datetime.date(2022, 11, 21))


@pytest.fixture
def world(cast):
    """张伟 (文远社区) and 赵强 (新建社区) each with a missed check and a release due; 李娜
    (文远社区) with an arrival to follow up."""
    cast.zhang_order = order_for(cast, cast.zhang)
    cast.zhao_order = order_for(cast, cast.zhao)
    missed_checks(datetime.date(2022, 11, 21))
    release_due(datetime.date(2022, 11, 21))
    cast.arrival = work_item_open(kind=ItemKind.ARRIVAL, place=cast.wenyuan, person=cast.li,
                                  title="李娜 arrived from Taiyuan",
                                  due_on=datetime.date(2022, 11, 22), key="arrival:test-1")
    return cast


def item_of(person, kind):
    return WorkItem.objects.get(person=person, kind=kind)


def rows(response):
    return response.content.decode().count("data-item=")


def test_a_community_worker_sees_only_the_items_of_their_community(world, login):
    body = login(world.wangge).get(LIST).content.decode()
    assert "张伟" in body and "李娜" in body and "赵强" not in body
    body = login(world.wangge2).get(LIST).content.decode()
    assert "赵强" in body and "张伟" not in body and "李娜" not in body


def test_a_district_sees_every_community_below_it(world, login):
    response = login(world.quxian).get(LIST)
    assert rows(response) == 5


def test_counts_per_kind_and_the_kind_filter(world, login):
    client = login(world.wangge)
    body = client.get(LIST).content.decode()
    assert 'data-kind="all"' in body
    for kind, count in (("all", 3), ("missed_check", 1), ("release_due", 1), ("arrival", 1)):
        start = body.index(f'data-kind="{kind}"')
        assert f"<b>{count}</b>" in body[start:start + 200], kind
    assert 'data-kind="appeal"' not in body  # kinds with nothing open are left out
    response = client.get(LIST, {"kind": "release_due"})
    assert rows(response) == 1 and "due for release" in response.content.decode()
    body = client.get(LIST, {"kind": "appeal"}).content.decode()
    assert 'data-kind="appeal" aria-current="page"><b>0</b>' in body
    assert "No open work item." in body


def test_an_unknown_kind_is_refused_with_a_clear_error(world, login):
    response = login(world.wangge).get(LIST, {"kind": "gossip"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode() and rows(response) == 0


def test_items_link_to_their_order_or_else_to_their_person(world, login):
    body = login(world.wangge).get(LIST).content.decode()
    assert f'href="/control/{world.zhang_order.uuid}/"' in body
    assert f'href="{reverse("people:detail", kwargs={"public_id": world.li.uuid})}"' in body


def test_overdue_items_are_marked(world, login):
    body = login(world.wangge).get(LIST).content.decode()
    assert "Overdue" in body  # due in Nov 2022


def test_closing_records_who_and_when_and_is_audited(world, login):
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    client = login(world.wangge)
    response = client.post(reverse("inbox:close", kwargs={"public_id": item.uuid}),
                           {"outcome": "Phoned him: 36.5 °C twice", "kind": "missed_check"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?kind=missed_check"
    item.refresh_from_db()
    assert item.done_by == world.wangge and item.done_at is not None
    assert item.outcome == "Phoned him: 36.5 °C twice"
    audit = AuditEvent.objects.get(action="work_item.close")
    assert audit.actor == world.wangge and audit.target_uuid == item.uuid
    assert audit.reason == "Phoned him: 36.5 °C twice"
    page = client.get(response["Location"])
    assert "Item closed" in page.content.decode() and rows(page) == 0


def test_closing_without_saying_what_was_done_is_refused_and_nothing_changes(world, login):
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    response = login(world.wangge).post(
        reverse("inbox:close", kwargs={"public_id": item.uuid}), {"outcome": "   "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say what was done." in body and "was not closed" in body
    item.refresh_from_db()
    assert item.done_at is None and not AuditEvent.objects.filter(action="work_item.close")


def test_closing_another_areas_item_answers_404(world, login):
    item = item_of(world.zhao, ItemKind.MISSED_CHECK)
    response = login(world.wangge).post(
        reverse("inbox:close", kwargs={"public_id": item.uuid}), {"outcome": "done"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


def test_closing_with_htmx_swaps_the_row_and_the_counts(world, login):
    item = item_of(world.zhang, ItemKind.RELEASE_DUE)
    response = login(world.wangge).post(
        reverse("inbox:close", kwargs={"public_id": item.uuid}), {"outcome": "Released"},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="item-{item.uuid}"')
    assert "Closed by wangge" in body and "Released" in body
    assert 'id="inbox-counts" aria-label="Kind" hx-swap-oob="true"' in body
    start = body.index('data-kind="all"')
    assert "<b>2</b>" in body[start:start + 200]


def test_htmx_close_without_an_outcome_shows_the_error_in_the_row(world, login):
    item = item_of(world.zhang, ItemKind.RELEASE_DUE)
    response = login(world.wangge).post(
        reverse("inbox:close", kwargs={"public_id": item.uuid}), {"outcome": ""},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Say what was done." in response.content.decode()
    item.refresh_from_db()
    assert item.done_at is None


def test_an_item_closed_already_keeps_who_closed_it(world, login):
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    work_item_close(acting_user=world.jiedao, item=item, outcome="first")
    response = login(world.wangge).post(
        reverse("inbox:close", kwargs={"public_id": item.uuid}), {"outcome": "second"},
        follow=True)
    assert "This item was closed already." in response.content.decode()
    item.refresh_from_db()
    assert (item.done_by, item.outcome) == (world.jiedao, "first")


def test_closing_needs_a_post(world, login):
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    response = login(world.wangge).get(reverse("inbox:close", kwargs={"public_id": item.uuid}))
    assert response.status_code == 405


def test_a_resident_is_refused_and_a_user_without_an_area_sees_nothing(world, login):
    item = item_of(world.zhang, ItemKind.MISSED_CHECK)
    assert login(world.jumin).get(LIST).status_code == 403
    assert login(world.jumin).post(reverse("inbox:close", kwargs={"public_id": item.uuid}),
                                   {"outcome": "x"}).status_code == 403
    response = login(world.noscope).get(LIST)
    assert response.status_code == 200 and rows(response) == 0
    assert "No open work item." in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_query_count_does_not_grow_with_the_items(world, login,
                                                           django_assert_num_queries):
    client = login(world.quxian)
    client.get(LIST)  # warm the session
    # session, user, scope, counts per kind, page count, page items
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert rows(response) == 5
    for n in range(10):
        work_item_open(kind=ItemKind.APPEAL, place=world.xinjian, person=world.zhao,
                       title=f"appeal {n}", due_on=datetime.date(2022, 11, 23), key=f"a{n}")
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert rows(response) == 15
