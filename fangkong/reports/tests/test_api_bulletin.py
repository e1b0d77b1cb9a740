"""The bulletin through the API: exactly `bulletin()` for the caller's area as of 24:00 on a
day, the outbreak chosen by the day unless named, clear 404/422 answers for a missing
outbreak or a bad day, and refusals for roles without the bulletin."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.cases.models import Classification, Route
from fangkong.cases.services import case_admit, case_reclassify, case_report, outbreak_create
from fangkong.reports.bulletin import bulletin

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2022, 11, 17)


def at(day, hour=10):
    return datetime.datetime(2022, 11, day, hour, tzinfo=TZ)


@pytest.fixture
def world(outbreak):
    """Two confirmed and one reclassified case in 朔城区, one asymptomatic in 应县."""
    c, o = outbreak.cast, outbreak.outbreak

    def report(person, classification, day, route, **kwargs):
        return case_report(acting_user=c.admin, person=person, outbreak=o,
                           classification=classification, reported_at=at(day), route=route,
                           **kwargs)

    zhang = report(c.zhang, Classification.CONFIRMED, 14, Route.COMMUNITY_SCREENING,
                   clinical_type="mild")
    case_admit(acting_user=c.admin, case=zhang, facility=outbreak.hospital, at=at(14, 12))
    li = report(c.li, Classification.ASYMPTOMATIC, 15, Route.HOME_CONTROL)
    case_reclassify(acting_user=c.admin, case=li, at=at(17), clinical_type="moderate")
    report(c.liu, Classification.ASYMPTOMATIC, 16, Route.CENTRALISED_ISOLATION)
    report(c.zhao, Classification.CONFIRMED, 17, Route.FEVER_CLINIC, clinical_type="mild")
    return outbreak


def as_json(value):
    return json.loads(json.dumps(value))


def get(client, query, **kwargs):
    return client.get(f"/api/v1/bulletin?{query}", **kwargs)


def test_the_answer_is_exactly_the_bulletin(world, login):
    c = world.cast
    response = get(login(c.admin), "date=2022-11-17")
    assert response.status_code == 200, response.content
    assert response.json() == as_json(bulletin(c.admin, DAY, world.outbreak))


def test_figures_as_of_the_day(world, login):
    body = get(login(world.cast.admin), "date=2022-11-17").json()
    assert body["as_of"] == "2022-11-17" and body["outbreak_start"] == "2022-11-13"
    assert body["outbreak"] == "sz-2022-11" and body["scope"] == "朔州市"
    new = body["new"]
    assert (new["confirmed"], new["reclassified"], new["asymptomatic"]) == (2, 1, 0)
    assert (new["in_control"], new["community"]) == (0, 1)
    assert new["by_district"]["朔城区"]["confirmed"] == 2
    assert new["by_district"]["应县"] == {"confirmed": 0, "reclassified": 0, "asymptomatic": 0,
                                        "in_control": 0, "community": 0}
    cumulative = body["cumulative"]
    assert (cumulative["confirmed"], cumulative["asymptomatic"]) == (3, 1)
    assert cumulative["by_district"]["朔城区"] == {
        "confirmed": 3, "asymptomatic": 0, "discharged": 0, "released": 0, "in_hospital": 3,
        "under_observation": 0, "deaths": 0}
    assert (body["in_hospital"], body["under_observation"], body["deaths"]) == (3, 1, 0)


def test_an_earlier_day_counts_only_what_was_known_by_then(world, login):
    body = get(login(world.cast.admin), "date=2022-11-16").json()
    assert (body["cumulative"]["confirmed"], body["cumulative"]["asymptomatic"]) == (1, 2)
    assert body["new"]["asymptomatic"] == 1 and body["new"]["in_control"] == 1


def test_a_yingxian_district_token_gets_a_bulletin_of_yingxian_only(world, client):
    c = world.cast
    _, secret = token_create(acting_user=c.admin, user=c.yingxianqu, name="Dashboard",
                             role=Role.DISTRICT, scope=c.yingxian)
    response = get(client, "date=2022-11-17", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    body = response.json()
    assert body == as_json(bulletin(c.yingxianqu, DAY, world.outbreak))
    assert body["scope"] == "应县"
    assert list(body["new"]["by_district"]) == list(body["cumulative"]["by_district"]) == ["应县"]
    assert (body["cumulative"]["confirmed"], body["cumulative"]["asymptomatic"]) == (0, 1)


def test_an_inspector_of_shuocheng_sees_shuocheng(world, login):
    body = get(login(world.cast.ducha), "date=2022-11-17").json()
    assert list(body["cumulative"]["by_district"]) == ["朔城区"]
    assert body["cumulative"]["confirmed"] == 3


def test_the_outbreak_is_the_one_begun_by_the_day_unless_named(world, login):
    c = world.cast
    outbreak_create(acting_user=c.admin, code="sz-2022-12", name="次轮疫情",
                    start_date=datetime.date(2022, 12, 20), places=[c.shuocheng])
    client = login(c.admin)
    assert get(client, "date=2022-11-17").json()["outbreak"] == "sz-2022-11"
    assert get(client, "date=2022-12-21").json()["outbreak"] == "sz-2022-12"
    named = get(client, "date=2022-12-21&outbreak=sz-2022-11").json()
    assert named["outbreak"] == "sz-2022-11" and named["cumulative"]["confirmed"] == 3


def test_no_outbreak_is_answered_404_with_a_reason(world, login):
    client = login(world.cast.admin)
    en = {"Accept-Language": "en"}
    response = get(client, "date=2022-11-01", headers=en)
    assert response.status_code == 404
    assert response.json() == {"detail": "No outbreak had begun by this day."}
    response = get(client, "date=2022-11-17&outbreak=nowhere", headers=en)
    assert response.status_code == 404
    assert response.json() == {"detail": "No outbreak has this code."}


def test_the_day_defaults_to_yesterday(world, login):
    response = get(login(world.cast.admin), "outbreak=sz-2022-11")
    assert response.status_code == 200
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert response.json()["as_of"] == yesterday.isoformat()
    assert response.json()["cumulative"]["confirmed"] == 3


def test_an_outbreak_begun_after_the_day_is_refused(world, login):
    response = get(login(world.cast.admin), "date=2022-11-10&outbreak=sz-2022-11",
                   headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "outbreak": ["This outbreak began on 2022-11-13, after the chosen day."]}


@pytest.mark.parametrize("query", ["date=2022-11-31", "date=17/11/2022", "date=2099-01-01",
                                   "date=yesterday"])
def test_a_bad_day_is_refused_naming_the_field(world, login, query):
    response = get(login(world.cast.admin), query)
    assert response.status_code == 422, response.content
    assert "date" in response.json()["errors"] and response.json()["detail"]


@pytest.mark.parametrize("who", ["jumin", "yiyuan", "liudiao", "jiance", "louzhang"])
def test_roles_without_the_bulletin_are_refused(world, login, who):
    response = get(login(getattr(world.cast, who)), "date=2022-11-17")
    assert response.status_code == 403 and response.json()["detail"]


def test_a_token_without_the_bulletin_is_refused(world, client):
    c = world.cast
    _, secret = token_create(acting_user=c.admin, user=c.jumin, name="x", role=Role.SAMPLER,
                             scope=c.wenyuan)
    response = get(client, "date=2022-11-17", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403


def test_anonymous_callers_are_refused(world, client):
    assert get(client, "date=2022-11-17").status_code == 401


def test_the_bulletin_takes_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.cast.admin)
    # session, user, the user's area, the outbreak, the district rows, the outbreak's
    # districts, the contacts traced
    with django_assert_num_queries(7):
        get(client, "date=2022-11-17")


def test_openapi_schema_documents_the_bulletin(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/bulletin"]["get"]
    assert operation["operationId"] == "bulletin"
    assert {p["name"] for p in operation["parameters"]} == {"date", "outbreak"}
    out = schema["components"]["schemas"]["BulletinOut"]
    assert {"as_of", "outbreak_start", "new", "cumulative", "discharged", "released",
            "in_hospital", "under_observation", "deaths"} <= set(out["properties"])
