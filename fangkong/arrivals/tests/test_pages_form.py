"""The public arrival form: no login, CSRF on, every fault shown on its field with the input
kept, the confirmation in plain words, and a limit per address."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fangkong.arrivals.models import ArrivalRegistration
from fangkong.arrivals.tests.util import HAIZHU, TRAVELLER_ID, at, list_haizhu
from fangkong.control.models import ControlOrder
from fangkong.inbox.models import WorkItem
from fangkong.people.models import Person


def zh(message, **values):
    with translation.override("zh-hans"):
        text = str(translation.gettext(message))
    return text % values if values else text


def zh_dates(*parts):
    with translation.override("zh-hans"):
        from fangkong.arrivals.wording import day_list
        return day_list(parts)


def filled(cast, **overrides):
    data = {"name": "孙悟", "id_type": "mainland", "id_number": TRAVELLER_ID,
            "phone": "135 1234 5678", "origin_province": "110000", "origin_city": "110100",
            "origin_county": "110105", "arrival_at": "2022-11-22T10:00", "transport": "train",
            "transport_number": "G601", "test_taken_at": "",
            "dest": [str(p.uuid) for p in (cast.shuocheng, cast.beicheng, cast.wenyuan,
                                           cast.compound, cast.building2, cast.unit2,
                                           cast.h201)]}
    data.update(overrides)
    return data


def field_html(body, name):
    """One field's block of the page: its label, input, help and errors."""
    start = body.index(f'id="field-{name}"')
    return body[start:body.index('<div class="field', start + 1)]


@pytest.fixture
def today():
    with time_machine.travel(at(11, 22, 8), tick=False):
        yield


@pytest.mark.django_db
def test_the_form_needs_no_login_and_is_light(cast, client, today, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("arrivals:form"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body and 'name="viewport"' in body
    assert ">北京市<" in body and ">朔城区<" in body and ">应县<" in body


@pytest.mark.django_db
def test_a_traveller_registers_and_sees_the_tests_asked_of_them(cast, client, today):
    response = client.post(reverse("arrivals:form"), filled(cast))

    registration = ArrivalRegistration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("arrivals:done", args=[registration.uuid])
    page = client.get(response["Location"]).content.decode()
    sentence = zh("Within %(days)s days of arrival, take %(count)s PCR tests: %(dates)s",
                  days=3, count=3, dates=zh_dates(at(11, 22).date(), at(11, 23).date(),
                                                  at(11, 24).date()))
    assert sentence in page
    assert "3天3检" in page and "朔州市新冠肺炎疫情防控通告" in page  # the rule and the profile
    assert "北京市朝阳区" in page and "文远社区 开发区小区 2号楼 1单元 201" in page
    assert TRAVELLER_ID not in page  # masked even for the traveller
    assert registration.phone == "13512345678" and registration.ip == "127.0.0.1"


@pytest.mark.django_db
def test_from_a_high_risk_area_the_page_names_the_isolation_and_its_rule(cast, client):
    list_haizhu(cast)
    with time_machine.travel(at(11, 25, 8), tick=False):
        response = client.post(reverse("arrivals:form"), filled(
            cast, origin_province="440000", origin_city="440100", origin_county=HAIZHU,
            arrival_at="2022-11-25T10:00"), follow=True)

    page = response.content.decode()
    assert ControlOrder.objects.count() == 1
    assert "二十条第4条" in page and zh("Home isolation") in page
    assert 'id="isolation-note"' in page
    assert zh_dates(at(11, 25).date(), at(11, 27).date(), at(11, 29).date(),
                    at(12, 1).date()) in page


@pytest.mark.django_db
def test_faults_are_shown_on_their_fields_and_the_input_is_kept(cast, client, today):
    response = client.post(reverse("arrivals:form"), filled(
        cast, id_number="110105199204081234", phone="12345", origin_county="",
        dest=[str(cast.shuocheng.uuid), str(cast.beicheng.uuid), str(cast.wenyuan.uuid)]))

    assert response.status_code == 400
    body = response.content.decode()
    assert zh("The check character does not match: check the number for a typo.") in (
        field_html(body, "id_number"))
    assert zh("Enter an 11-digit mainland mobile number.") in field_html(body, "phone")
    assert zh("Choose the province, city and county you are coming from.") in (
        field_html(body, "origin_county"))
    assert zh("Choose the household you are going to.") in body
    # what was typed and chosen is still there
    assert 'value="孙悟"' in body and 'value="110105199204081234"' in body
    assert re.search(r'<option value="110000" selected>', body)
    assert re.search(r'<option value="110100" selected>', body)
    assert f'<option value="{cast.wenyuan.uuid}" selected>' in body
    assert ">开发区小区<" in body  # the next choice below the community is offered
    assert ArrivalRegistration.objects.count() == 0 and Person.objects.count() == 5
    assert WorkItem.objects.count() == 0


@pytest.mark.django_db
def test_a_stale_lower_pick_is_dropped_when_a_higher_one_changed(cast, client, today):
    """Without script: 应县 chosen after a 朔城区 street was picked."""
    response = client.post(reverse("arrivals:form"), filled(
        cast, dest=[str(cast.yingxian.uuid), str(cast.beicheng.uuid), str(cast.wenyuan.uuid)],
        refresh="1"))

    body = response.content.decode()
    assert response.status_code == 200 and ArrivalRegistration.objects.count() == 0
    assert f'<option value="{cast.yingxian.uuid}" selected>' in body
    assert ">金城镇<" in body and f'value="{cast.beicheng.uuid}"' not in body
    assert 'class="errorlist"' not in body


@pytest.mark.django_db
def test_the_confirmation_is_shown_only_to_the_browser_that_registered(cast, client, today):
    client.post(reverse("arrivals:form"), filled(cast))
    url = reverse("arrivals:done", args=[ArrivalRegistration.objects.get().uuid])

    assert client.get(url).status_code == 200
    assert Client().get(url).status_code == 404


@pytest.mark.django_db
def test_csrf_stays_on(cast, today):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("arrivals:form"), filled(cast))

    assert response.status_code == 403 and ArrivalRegistration.objects.count() == 0


@pytest.mark.django_db
def test_over_the_hourly_limit_the_answer_is_429_and_nothing_is_written(
        cast, client, settings, today):
    settings.FANGKONG_ARRIVALS_PER_HOUR = 2
    for day in ("2022-11-22T10:00", "2022-11-23T10:00"):
        assert client.post(reverse("arrivals:form"), filled(cast, arrival_at=day)
                           ).status_code == 302
    before = (ArrivalRegistration.objects.count(), Person.objects.count(),
              WorkItem.objects.count())

    response = client.post(reverse("arrivals:form"), filled(cast, arrival_at="2022-11-24T10:00"))

    assert response.status_code == 429
    assert zh("Nothing was saved. Please try again in an hour, or call the community you are "
              "going to.") in response.content.decode()
    assert (ArrivalRegistration.objects.count(), Person.objects.count(),
            WorkItem.objects.count()) == before
    other = Client(REMOTE_ADDR="198.51.100.7")  # another address is not affected
    assert other.post(reverse("arrivals:form"), filled(cast, arrival_at="2022-11-24T10:00")
                      ).status_code == 302
    with time_machine.travel(at(11, 22, 9, 1), tick=False):  # the next hour
        assert client.post(reverse("arrivals:form"), filled(cast, arrival_at="2022-11-25T10:00")
                           ).status_code == 302


@pytest.mark.django_db
def test_faulty_forms_do_not_use_up_the_limit(cast, client, settings, today):
    settings.FANGKONG_ARRIVALS_PER_HOUR = 1
    for _ in range(3):
        assert client.post(reverse("arrivals:form"), filled(cast, phone="1")).status_code == 400
    assert client.post(reverse("arrivals:form"), filled(cast)).status_code == 302


@pytest.mark.django_db
def test_an_unreadable_time_and_missing_fields_are_reported_together(cast, client, today):
    response = client.post(reverse("arrivals:form"), filled(
        cast, name="", arrival_at="22/11 morning", origin_province="", origin_city="",
        origin_county="", dest=[]))

    body = response.content.decode()
    assert response.status_code == 400
    assert zh("Enter the name.") in field_html(body, "name")
    assert 'class="errorlist"' in field_html(body, "arrival_at")
    assert zh("Enter the arrival time.") not in body  # the form's own message says it
    assert zh("Choose the province, city and county you are coming from.") in body
    assert zh("Choose the household you are going to.") in body
    assert ArrivalRegistration.objects.count() == 0
