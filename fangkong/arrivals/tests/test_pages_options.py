"""The public choices behind the form's selects: division and place names, nothing about
the people who live there, for anyone, in a couple of queries."""

import uuid

import pytest
from django.urls import reverse

from fangkong.people.models import Person

RESIDENT_NAMES = ["张伟", "李娜", "王芳", "赵强", "刘洋"]


def places(client, place, **params):
    return client.get(reverse("arrivals:options_places"),
                      {"dest": str(place.uuid) if place else "", **params})


def no_people(body, cast):
    people = list(Person.objects.all())
    return not any(p.name in body or p.id_number in body or (p.phone and p.phone in body)
                   for p in people) and not any(name in body for name in RESIDENT_NAMES)


@pytest.mark.django_db
def test_the_cities_and_counties_of_a_choice(client):
    cities = client.get(reverse("arrivals:options_cities"), {"origin_province": "140000"})
    counties = client.get(reverse("arrivals:options_counties"), {"origin_city": "140600"})

    assert cities.status_code == counties.status_code == 200
    assert ">朔州市<" in cities.content.decode() and ">太原市<" in cities.content.decode()
    assert ">应县<" in counties.content.decode() and "市辖区" not in counties.content.decode()


@pytest.mark.django_db
def test_a_city_without_counties_offers_no_county_select(client):
    counties = client.get(reverse("arrivals:options_counties"), {"origin_city": "441900"})

    assert counties.status_code == 200 and "<select" not in counties.content.decode()


@pytest.mark.django_db
def test_place_choices_are_names_only(cast, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        unit = places(client, cast.unit1)
    body = unit.content.decode()
    assert unit.status_code == 200
    assert f'value="{cast.h101.uuid}"' in body and ">101<" in body and ">102<" in body
    assert no_people(body, cast)

    for place in (cast.city, cast.shuocheng, cast.beicheng, cast.wenyuan, cast.compound,
                  cast.building1, cast.village, cast.h101):
        assert no_people(places(client, place).content.decode(), cast)


@pytest.mark.django_db
def test_a_household_or_an_unknown_pick_has_nothing_below(cast, client):
    for response in (places(client, cast.h101), places(client, None),
                     client.get(reverse("arrivals:options_places"), {"dest": "not-a-uuid"}),
                     client.get(reverse("arrivals:options_places"), {"dest": str(uuid.uuid4())})):
        assert response.status_code == 200 and response.content.decode().strip() == ""


@pytest.mark.django_db
def test_the_city_itself_is_not_a_pick(cast, client):
    """The chain starts at the districts; the root offers nothing (no whole-tree listing)."""
    assert places(client, cast.city).content.decode().strip() == ""


@pytest.mark.django_db
def test_choices_refuse_writes(cast, client):
    for name in ("arrivals:options_cities", "arrivals:options_counties",
                 "arrivals:options_places"):
        assert client.post(reverse(name), {}).status_code == 405
