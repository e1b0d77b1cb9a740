"""Appeals: a resident's message about their order reaches their community's inbox; the
community answers it, the item closes, and the resident reads the answer. Another community
neither sees nor answers it."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangkong.audit.models import AuditEvent
from fangkong.cases.tests.util import report
from fangkong.control.models import Appeal
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.selectors import inbox_for_user
from fangkong.residents import services
from fangkong.residents.tests.util import contact_order, resident

pytestmark = pytest.mark.django_db
STATUS = reverse("residents:status")
APPEALS = reverse("residents:appeals")
MESSAGE = "我20日已做核酸阴性，与病例没有接触，请核实"
ANSWER = "经核实您与病例同时段在同一超市，按规定需隔离至24日，感谢配合"


@pytest.fixture
def order(outbreak, now):
    return contact_order(outbreak, outbreak.cast.li)


@pytest.fixture
def li(outbreak):
    client = Client()
    client.force_login(resident(outbreak.cast.li))
    return client


def staff(user):
    client = Client()
    client.force_login(user)
    return client


def appeal_url(order):
    return reverse("residents:appeal", args=[order.uuid])


def answer_url(appeal):
    return reverse("residents:appeal_answer", args=[appeal.uuid])


def test_the_appeal_round_trip(outbreak, order, li):
    cast = outbreak.cast
    assert li.get(appeal_url(order)).status_code == 200
    response = li.post(appeal_url(order), {"message": MESSAGE})
    assert response.status_code == 302 and response["Location"] == STATUS
    appeal = Appeal.objects.get(order=order)
    assert appeal.message == MESSAGE and appeal.created_by.person == cast.li

    [item] = inbox_for_user(cast.wangge, kind=ItemKind.APPEAL)
    assert (item.place, item.person, item.key) == (cast.wenyuan, cast.li,
                                                   f"appeal:{appeal.uuid}")
    assert not inbox_for_user(cast.wangge2, kind=ItemKind.APPEAL).exists()
    assert MESSAGE in li.get(STATUS).content.decode()

    wangge = staff(cast.wangge)
    listing = wangge.get(APPEALS).content.decode()
    assert "李娜" in listing and answer_url(appeal) in listing
    assert MESSAGE in wangge.get(answer_url(appeal)).content.decode()
    response = wangge.post(answer_url(appeal), {"answer": ANSWER})
    assert response.status_code == 302 and response["Location"] == APPEALS

    appeal.refresh_from_db()
    assert (appeal.answer, appeal.answered_by) == (ANSWER, cast.wangge)
    item.refresh_from_db()
    assert item.done_by == cast.wangge and item.outcome == ANSWER
    assert answer_url(appeal) not in wangge.get(APPEALS).content.decode()
    assert set(AuditEvent.objects.filter(target_uuid=cast.li.uuid).values_list(
        "action", flat=True)) >= {"resident.appeal", "resident.appeal_answer"}

    page = li.get(STATUS).content.decode()
    assert ANSWER in page and "wangge" not in page


def test_another_community_can_neither_see_nor_answer_it(outbreak, order, li):
    cast = outbreak.cast
    li.post(appeal_url(order), {"message": MESSAGE})
    appeal = Appeal.objects.get(order=order)
    wangge2 = staff(cast.wangge2)
    assert "李娜" not in wangge2.get(APPEALS).content.decode()
    assert wangge2.get(answer_url(appeal)).status_code == 404
    assert wangge2.post(answer_url(appeal), {"answer": "无权答复"}).status_code == 404
    with pytest.raises(PermissionError):
        services.appeal_answer(acting_user=cast.wangge2, appeal=appeal, answer="无权答复")
    appeal.refresh_from_db()
    assert appeal.answered_at is None and appeal.answer == ""
    assert staff(cast.noscope).get(answer_url(appeal)).status_code == 404


@pytest.mark.parametrize("username", ["louzhang", "yiyuan", "ducha"])
def test_staff_without_the_right_are_refused(outbreak, order, li, username):
    li.post(appeal_url(order), {"message": MESSAGE})
    appeal = Appeal.objects.get(order=order)
    client = staff(getattr(outbreak.cast, username))
    assert client.get(APPEALS).status_code == 403
    assert client.post(answer_url(appeal), {"answer": "x"}).status_code == 403


def test_a_district_above_the_community_may_answer(outbreak, order, li):
    li.post(appeal_url(order), {"message": MESSAGE})
    appeal = Appeal.objects.get(order=order)
    assert staff(outbreak.cast.quxian).post(answer_url(appeal), {"answer": ANSWER})[
        "Location"] == APPEALS
    assert WorkItem.objects.get(key=f"appeal:{appeal.uuid}").done_by == outbreak.cast.quxian


def test_an_empty_appeal_is_explained_and_nothing_is_sent(outbreak, order, li):
    response = li.post(appeal_url(order), {"message": "   "})
    assert response.status_code == 400 and response.context["form"].errors["message"]
    assert not Appeal.objects.exists() and not WorkItem.objects.filter(kind="appeal").exists()


def test_a_second_appeal_waits_for_the_answer_to_the_first(outbreak, order, li):
    li.post(appeal_url(order), {"message": MESSAGE})
    response = li.post(appeal_url(order), {"message": "再次申诉"})
    assert response.status_code == 400 and response.context["form"].errors["message"]
    assert Appeal.objects.count() == 1
    services.appeal_answer(acting_user=outbreak.cast.wangge, appeal=Appeal.objects.get(),
                           answer=ANSWER)
    assert li.post(appeal_url(order), {"message": "再次申诉"}).status_code == 302
    assert Appeal.objects.count() == 2


def test_an_appeal_is_answered_once_and_never_empty(outbreak, order, li):
    cast = outbreak.cast
    li.post(appeal_url(order), {"message": MESSAGE})
    appeal = Appeal.objects.get()
    response = staff(cast.wangge).post(answer_url(appeal), {"answer": " "})
    assert response.status_code == 400 and response.context["form"].errors["answer"]
    services.appeal_answer(acting_user=cast.wangge, appeal=appeal, answer=ANSWER)
    with pytest.raises(ValidationError):
        services.appeal_answer(acting_user=cast.quxian, appeal=appeal, answer="改答复")
    appeal.refresh_from_db()
    assert appeal.answer == ANSWER


def test_only_the_person_may_appeal(outbreak, order):
    with pytest.raises(PermissionError):
        services.appeal_submit(acting_user=outbreak.cast.wangge, order=order, message=MESSAGE)
    with pytest.raises(PermissionError):
        services.appeal_submit(acting_user=outbreak.cast.jumin, order=order, message=MESSAGE)
    assert not Appeal.objects.exists()


def test_the_list_costs_the_same_queries_however_many_appeals(outbreak, now):
    cast = outbreak.cast
    wangge = staff(cast.wangge)
    people = [cast.li, cast.zhang, cast.wang]
    index = report(outbreak, cast.zhao)

    def appeal_for(person):
        order = contact_order(outbreak, person, case=index)
        services.appeal_submit(acting_user=resident(person), order=order, message=MESSAGE)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert wangge.get(APPEALS).status_code == 200
        return len(queries)

    appeal_for(people[0])
    one = count()
    for person in people[1:]:
        appeal_for(person)
    assert count() == one
    assert wangge.get(APPEALS).content.decode().count(MESSAGE[:20]) == 3


def test_an_unknown_appeal_is_not_found(cast):
    assert staff(cast.wangge).get(reverse("residents:appeal_answer",
                                          args=[uuid.uuid4()])).status_code == 404
