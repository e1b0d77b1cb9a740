import pytest
from django.urls import reverse

from fangkong.cases.tests.util import report

pytestmark = pytest.mark.django_db


def person_page(login, user, person):
    return login(user).get(reverse("people:detail", kwargs={"public_id": person.uuid}))


def test_the_person_page_links_to_the_persons_case(outbreak, login):
    case = report(outbreak, outbreak.cast.zhang)
    body = person_page(login, outbreak.cast.wangge, outbreak.cast.zhang).content.decode()
    assert reverse("cases:detail", kwargs={"public_id": case.uuid}) in body


def test_a_user_who_may_not_view_cases_sees_no_case_on_the_person_page(outbreak, login):
    report(outbreak, outbreak.cast.zhang)
    body = person_page(login, outbreak.cast.louzhang, outbreak.cast.zhang).content.decode()
    assert outbreak.outbreak.code not in body


def test_a_reporter_is_offered_to_report_a_person_with_no_case(outbreak, login):
    body = person_page(login, outbreak.cast.quxian, outbreak.cast.li).content.decode()
    assert f"{reverse('cases:report')}?person={outbreak.cast.li.uuid}" in body
