"""POST /api/v1/arrivals: public (no credentials, no CSRF), 201 with the requirement in plain
words and dates, 422 naming every faulty field, 429 over the hourly limit."""

import pytest
import time_machine
from django.test import Client

from fangkong.arrivals.models import ArrivalRegistration
from fangkong.arrivals.tests.util import HAIZHU, TRAVELLER_ID, at, list_haizhu
from fangkong.inbox.models import WorkItem
from fangkong.people.models import Person

pytestmark = pytest.mark.urls("fangkong.arrivals.tests.urls_api")
URL = "/api/v1/arrivals"


def payload(cast, **overrides):
    data = {"name": "孙悟", "id_number": TRAVELLER_ID, "phone": "13512345678",
            "origin": "110105", "arrival_at": "2022-11-22T10:00:00+08:00", "transport": "train",
            "transport_number": "G601", "household": str(cast.h201.uuid)}
    data.update(overrides)
    return data


@pytest.fixture
def api():
    with time_machine.travel(at(11, 22, 8), tick=False):
        yield Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def post(client, data):
    return client.post(URL, data, content_type="application/json")


@pytest.mark.django_db
def test_anyone_registers_without_credentials(cast, api):
    response = post(api, payload(cast))

    assert response.status_code == 201, response.content
    body = response.json()
    registration = ArrivalRegistration.objects.get()
    assert body["uuid"] == str(registration.uuid)
    assert body["requirement"] == "arrival-low-risk" and body["profile"] == "shuozhou-2022-11-21"
    assert body["summary"] == [
        "Within 3 days of arrival, take 3 PCR tests: November 22, 23, 24"]
    assert body["phases"][0]["test_days"] == ["2022-11-22", "2022-11-23", "2022-11-24"]
    assert body["updates"] == 0 and body["control_order"] is None
    assert body["arrival_at"].startswith("2022-11-22T10:00:00+08:00")
    assert "id_number" not in body and "phone" not in body


@pytest.mark.django_db
def test_from_a_high_risk_area_the_answer_names_the_order(cast, api):
    list_haizhu(cast)
    with time_machine.travel(at(11, 25, 8), tick=False):
        response = post(api, payload(cast, origin=HAIZHU,
                                     arrival_at="2022-11-25T10:00:00+08:00"))

    body = response.json()
    assert body["requirement"] == "high-risk-outflow" and body["control_order"]
    assert body["summary"] == ["Home isolation for 7 days, November 25 to December 1; "
                               "PCR tests on November 25, 27, 29, December 1"]


@pytest.mark.django_db
def test_the_same_day_again_is_merged(cast, api):
    first = post(api, payload(cast)).json()
    second = post(api, payload(cast, transport="car", transport_number="")).json()

    assert second["uuid"] == first["uuid"] and second["updates"] == 1
    assert ArrivalRegistration.objects.count() == 1


@pytest.mark.django_db
def test_bad_input_gets_422_naming_each_field_and_nothing_is_written(cast, api):
    response = post(api, payload(cast, phone="123", origin="140600",
                                 household=str(cast.unit1.uuid)))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"phone", "origin", "household"}
    assert errors["origin"] == ["Choose the province, city and county you are coming from."]
    assert not ArrivalRegistration.objects.exists() and Person.objects.count() == 5


@pytest.mark.django_db
def test_a_time_without_offset_or_an_unknown_choice_is_422(cast, api):
    response = post(api, payload(cast, arrival_at="2022-11-22T10:00", transport="rocket"))

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"arrival_at", "transport"}


@pytest.mark.django_db
def test_over_the_limit_the_answer_is_429_and_nothing_is_written(cast, api, settings):
    settings.FANGKONG_ARRIVALS_PER_HOUR = 1
    assert post(api, payload(cast)).status_code == 201
    before = (ArrivalRegistration.objects.count(), Person.objects.count(),
              WorkItem.objects.count())

    response = post(api, payload(cast, arrival_at="2022-11-23T10:00:00+08:00"))

    assert response.status_code == 429 and "nothing was saved" in response.json()["detail"]
    assert (ArrivalRegistration.objects.count(), Person.objects.count(),
            WorkItem.objects.count()) == before
