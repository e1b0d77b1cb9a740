"""The organisers' API: rounds planned, read and opened, coverage and the untested of a place,
exemptions, sites and their samplers, the schedule and its slots — scoped to the caller
(outside: 404), with refused input answered 422 naming the field."""

import pytest

from fangkong.accounts.services import token_create
from fangkong.places.services import venue_create
from fangkong.testing import services
from fangkong.testing.models import Exemption, RoundStatus, SamplingSite, Slot
from fangkong.testing.tests.util import mass_testing, sample_pool

API = "/api/v1/testing"


@pytest.fixture
def t(cast, outbreak):
    return mass_testing(cast)


def post(client, url, body, **kwargs):
    return client.post(url, body, content_type="application/json", **kwargs)


def rounds(test_round, tail=""):
    return f"{API}/rounds/{test_round.uuid}{tail}"


def new_round(cast, **changes):
    body = {"number": 2, "name": "全员核酸 第2轮", "starts_at": "2022-11-24T07:00:00+08:00",
            "ends_at": "2022-11-24T19:00:00+08:00",
            "places": [{"place": str(cast.xinjian.uuid), "risk_level": "high"}]}
    body.update(changes)
    return body


# --- rounds -------------------------------------------------------------------------------

def test_rounds_are_listed_and_read_with_their_pooling_rules(t, login):
    client = login(t.cast.wangge)
    listing = client.get(f"{API}/rounds").json()
    assert listing["count"] == 1 and listing["items"][0]["uuid"] == str(t.round.uuid)
    detail = client.get(rounds(t.round)).json()
    assert detail["status"] == "open" and detail["starts_at"].startswith("2022-11-22T07:00")
    assert detail["starts_at"].endswith("+08:00")
    assert detail["profile"]["code"] == t.round.profile.code
    pooling = {p["place"]["code"]: (p["risk_level"], p["pool_size"], p["per_household"])
               for p in detail["places"]}
    assert pooling["140602001001"] == ("low", 10, False)
    assert pooling["140602001002"][0::2] == ("high", True)


def test_a_round_outside_the_callers_area_is_404(t, login):
    client = login(t.cast.yingxianqu)
    assert client.get(f"{API}/rounds").json()["count"] == 0
    for tail in ("", "/coverage", "/untested", "/slots", "/exemptions"):
        assert client.get(rounds(t.round, tail)).status_code == 404, tail
    assert post(client, rounds(t.round, "/status"), {"status": "closed"}).status_code == 404


def test_roles_without_the_right_are_refused(t, login):
    assert login(t.cast.caiyang).get(f"{API}/rounds").status_code == 403
    assert login(t.cast.jiance).get(rounds(t.round, "/coverage")).status_code == 403
    assert post(login(t.cast.louzhang), f"{API}/rounds", new_round(t.cast)).status_code == 403
    assert login(t.cast.caiyang).get(f"{API}/sites").json()["count"] == 1  # their own site


def test_planning_a_round_and_opening_it(t, login):
    client = login(t.cast.wangge2)
    response = post(client, f"{API}/rounds", new_round(t.cast))
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["status"] == "planned" and made["places"][0]["per_household"] is True
    opened = post(client, f"{API}/rounds/{made['uuid']}/status", {"status": "open"})
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    # the first round reaches beyond 新建社区: not theirs to close
    assert post(client, rounds(t.round, "/status"), {"status": "closed"}).status_code == 403
    t.round.refresh_from_db()
    assert t.round.status == RoundStatus.OPEN


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_at": "2022-11-24T06:00:00+08:00"}, "ends_at"),
    ({"starts_at": "2022-11-24T07:00:00"}, "starts_at"),          # no offset
    ({"places": []}, "places"),
    ({"name": "  "}, "name"),
    ({"number": 0}, "number"),
    ({"places": [{"place": "00000000-0000-0000-0000-000000000000", "risk_level": "high"}]},
     "places"),
    ({"places": [{"place": "x", "risk_level": "high"}]}, "place"),
    ({"places": [{"place": None, "risk_level": "severe"}]}, "risk_level"),
    ({"starts_at": "2019-11-24T07:00:00+08:00", "ends_at": "2019-11-25T07:00:00+08:00"},
     "starts_at"),                                                 # no profile in force
])
def test_a_refused_round_answers_422_naming_the_field(t, login, changes, field):
    response = post(login(t.cast.wangge2), f"{API}/rounds", new_round(t.cast, **changes))
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"], response.json()


def test_a_place_outside_the_area_is_refused(t, login):
    body = new_round(t.cast, places=[{"place": str(t.cast.wenyuan.uuid), "risk_level": "low"}])
    response = post(login(t.cast.wangge2), f"{API}/rounds", body)
    assert response.status_code == 422 and "places" in response.json()["errors"]


# --- coverage -----------------------------------------------------------------------------

def test_coverage_of_a_place_by_unit(t, login):
    c = t.cast
    sample_pool(t, "SZ6001", [c.zhang])
    client = login(c.admin)
    body = client.get(rounds(t.round, "/coverage"), {"place": str(c.wenyuan.uuid)}).json()
    assert body["place"]["uuid"] == str(c.wenyuan.uuid)
    assert {k: body["totals"][k] for k in ("target", "sampled", "exempt", "untested")} == {
        "target": 3, "sampled": 1, "exempt": 0, "untested": 2}
    [unit] = body["groups"]
    assert unit["place"]["uuid"] == str(c.unit1.uuid) and "1号楼" in unit["label"]
    whole = client.get(rounds(t.round, "/coverage")).json()
    assert whole["place"]["uuid"] == str(c.city.uuid) and whole["totals"]["target"] == 4


def test_a_place_outside_the_area_is_404_and_a_bad_one_422(t, login):
    client = login(t.cast.wangge)
    for tail in ("/coverage", "/untested", "/slots", "/exemptions"):
        response = client.get(rounds(t.round, tail), {"place": str(t.cast.xinjian.uuid)})
        assert response.status_code == 404, tail
        assert client.get(rounds(t.round, tail), {"place": "nope"}).status_code == 422


def test_the_untested_pages_with_phones_masked_for_a_building_leader(t, login):
    c = t.cast
    client = login(c.louzhang)
    first = client.get(rounds(t.round, "/untested"), {"limit": 2}).json()
    assert first["count"] == 3 and len(first["items"]) == 2
    rest = client.get(rounds(t.round, "/untested"), {"limit": 2, "offset": 2}).json()
    everyone = {i["name"]: i for i in first["items"] + rest["items"]}
    assert set(everyone) == {"张伟", "李娜", "王芳"}
    assert everyone["张伟"]["phone"] == "138****1234" and everyone["张伟"]["slot"] is None
    worker = login(c.wangge).get(rounds(t.round, "/untested")).json()
    assert {i["name"]: i["phone"] for i in worker["items"]}["张伟"] == "13800001234"
    assert client.get(rounds(t.round, "/untested"), {"limit": 0}).status_code == 422


# --- exemptions ---------------------------------------------------------------------------

def test_exemptions_are_recorded_listed_and_withdrawn(t, login):
    c = t.cast
    client = login(c.wangge)
    response = post(client, rounds(t.round, "/exemptions"),
                    {"person": str(c.wang.uuid), "reason": "bedridden", "note": "卧床"})
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["reason"] == "bedridden" and made["person"]["name"] == "王芳"
    [listed] = client.get(rounds(t.round, "/exemptions")).json()
    assert listed["exemption"] == made["uuid"] and listed["reason"] == "bedridden"
    withdraw = rounds(t.round, f"/exemptions/{made['uuid']}/withdraw")
    refused = post(client, withdraw, {"reason": " "})
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    assert post(client, withdraw, {"reason": "能下楼了"}).json() == {"withdrawn": made["uuid"]}
    assert not Exemption.objects.exists()
    assert post(client, withdraw, {"reason": "again"}).status_code == 404


def test_exemption_refusals_name_the_person(t, login):
    c = t.cast
    sample_pool(t, "SZ6002", [c.zhang])
    client = login(c.admin)
    post(client, rounds(t.round, "/exemptions"), {"person": str(c.li.uuid), "reason": "away"})
    for who in (c.zhang, c.liu, c.li):  # sampled, outside the round, exempt already
        response = post(client, rounds(t.round, "/exemptions"),
                        {"person": str(who.uuid), "reason": "away"})
        assert response.status_code == 422 and "person" in response.json()["errors"], who.name
    response = post(client, rounds(t.round, "/exemptions"),
                    {"person": str(c.wang.uuid), "reason": "holiday"})
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    outside = post(login(c.wangge), rounds(t.round, "/exemptions"),
                   {"person": str(c.zhao.uuid), "reason": "away"})
    assert outside.status_code == 422 and "person" in outside.json()["errors"]


def test_another_communitys_exemption_cannot_be_withdrawn(t, login):
    c = t.cast
    exemption = services.exemption_record(acting_user=c.wangge2, test_round=t.round,
                                          person=c.zhao, reason="away")
    response = post(login(c.wangge), rounds(t.round, f"/exemptions/{exemption.uuid}/withdraw"),
                    {"reason": "x"})
    assert response.status_code == 404 and Exemption.objects.exists()


# --- sites --------------------------------------------------------------------------------

def test_sites_are_made_and_staffed_in_the_area(t, login):
    c = t.cast
    venue = venue_create(acting_user=None, place=c.building2, name="2号楼前", kind="other")
    client = login(c.wangge)
    listing = client.get(f"{API}/sites").json()
    assert [s["uuid"] for s in listing["items"]] == [str(t.site.uuid)]
    assert listing["items"][0]["samplers"] == ["caiyang"]
    response = post(client, f"{API}/sites", {"venue": str(venue.uuid), "points": 2,
                                             "per_point_hour": 50})
    assert response.status_code == 201 and response.json()["per_hour"] == 100
    site = SamplingSite.objects.get(venue=venue)
    staffed = post(client, f"{API}/sites/{site.uuid}/samplers", {"samplers": ["caiyang"]})
    assert staffed.status_code == 200 and staffed.json()["samplers"] == ["caiyang"]


@pytest.mark.parametrize(("body", "field"), [
    ({"points": 0, "per_point_hour": 50}, "points"),
    ({"points": "many", "per_point_hour": 50}, "points"),
])
def test_a_refused_site_answers_422(t, login, body, field):
    venue = venue_create(acting_user=None, place=t.cast.building2, name="空地", kind="other")
    response = post(login(t.cast.wangge), f"{API}/sites", {"venue": str(venue.uuid), **body})
    assert response.status_code == 422 and field in response.json()["errors"]


def test_a_venue_or_sampler_outside_the_area_is_refused(t, login):
    c = t.cast
    client = login(c.wangge)
    outside = venue_create(acting_user=None, place=c.xinjian_compound, name="外", kind="other")
    for venue in (outside, t.venue):  # outside; already a site
        response = post(client, f"{API}/sites", {"venue": str(venue.uuid), "points": 1,
                                                 "per_point_hour": 10})
        assert response.status_code == 422 and "venue" in response.json()["errors"]
    for names in (["caiyang2"], ["louzhang"]):  # another community's; not a sampler
        response = post(client, f"{API}/sites/{t.site.uuid}/samplers", {"samplers": names})
        assert response.status_code == 422 and "samplers" in response.json()["errors"]
    assert post(client, f"{API}/sites/{t.site2.uuid}/samplers",
                {"samplers": []}).status_code == 404


# --- the schedule -------------------------------------------------------------------------

def test_the_schedule_is_made_and_its_slots_read(t, login):
    c = t.cast
    client = login(c.wangge)
    response = post(client, rounds(t.round, "/schedule"), {"place": str(c.wenyuan.uuid)})
    assert response.json() == {"slots": 1, "people": 3, "unplaced": []}
    slots = client.get(rounds(t.round, "/slots")).json()
    [slot] = slots["items"]
    assert slot["site"]["uuid"] == str(t.site.uuid) and slot["people"] == 3
    assert slot["starts_at"].startswith("2022-11-22T07:00") and slot["place"]["name"] == "1单元"
    assert login(c.louzhang).get(rounds(t.round, "/slots")).json()["count"] == 1
    assert login(c.jiance).get(rounds(t.round, "/slots")).status_code == 403


def test_a_schedule_is_refused_outside_the_area_without_sites_or_when_closed(t, login):
    c = t.cast
    client = login(c.wangge)
    response = post(client, rounds(t.round, "/schedule"), {"place": str(c.xinjian.uuid)})
    assert response.status_code == 422 and "place" in response.json()["errors"]
    services.round_set_status(acting_user=c.admin, test_round=t.round, status="closed")
    response = post(client, rounds(t.round, "/schedule"), {"place": str(c.wenyuan.uuid)})
    assert response.status_code == 422 and not Slot.objects.exists()


def test_the_openapi_schema_types_the_answers(client):
    schema = client.get("/api/v1/openapi.json").json()
    ops = {op["operationId"]: op for path in schema["paths"].values() for op in path.values()}
    assert {"testing_rounds_create", "testing_rounds_coverage", "testing_rounds_untested",
            "testing_exemptions_withdraw", "testing_sites_samplers",
            "testing_schedule_build", "testing_slots_list"} <= set(ops)
    answer = ops["testing_rounds_coverage"]["responses"]["200"]["content"]["application/json"]
    name = answer["schema"]["$ref"].rsplit("/", 1)[-1]
    coverage = schema["components"]["schemas"][name]["properties"]
    assert {"totals", "groups", "place", "round"} <= set(coverage)


def test_a_bearer_token_acts_with_its_scope(t, client):
    c = t.cast
    _, secret = token_create(acting_user=c.admin, user=c.wangge2, name="大屏",
                             role="community_worker", scope=c.xinjian)
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.get(rounds(t.round, "/coverage"), headers=headers).json()
    assert body["place"]["uuid"] == str(c.xinjian.uuid) and body["totals"]["target"] == 1
