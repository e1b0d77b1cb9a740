"""Protocol profiles through the API: the list and one profile for those who may see control
orders, the plan of a basis from a day (or 422 with the refusal), and a new version by the
command centre only, with bad input refused by field and nothing written.

Until `fangkong.protocol.api.router` is mounted in `fangkong.api.main`, these tests mount it
on an API of their own under the same /api/v1/ prefix (this module is the URLconf).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import Resolver404, path, resolve
from ninja import NinjaAPI

import fangkong.urls
from fangkong.api import errors
from fangkong.api.auth import AUTH
from fangkong.audit.models import AuditEvent
from fangkong.protocol.api import router
from fangkong.protocol.loading import shipped_profiles
from fangkong.protocol.models import ProtocolProfile


def _mounted() -> bool:
    try:
        resolve("/api/v1/protocol/profiles", urlconf=fangkong.urls)
    except Resolver404:
        return False
    return True


if _mounted():
    urlpatterns = fangkong.urls.urlpatterns
else:
    _api = NinjaAPI(title="protocol (test)", urls_namespace="protocol_test_api", auth=AUTH)
    errors.install(_api)
    _api.add_router("", router)
    urlpatterns = [path("api/v1/", _api.urls), *fangkong.urls.urlpatterns]

pytestmark = pytest.mark.urls(__name__)

SH = ZoneInfo("Asia/Shanghai")
TODAY = datetime.datetime(2022, 11, 25, 10, tzinfo=SH)
SHIPPED = {row["code"]: row for row in shipped_profiles()}


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def post(client, body, **headers):
    return client.post("/api/v1/protocol/profiles", body, content_type="application/json",
                       **headers)


# --- reading -------------------------------------------------------------------------------

def test_the_list_gives_each_profile_with_its_day_and_standing(cast, login, today):
    response = login(cast.wangge).get("/api/v1/protocol/profiles")
    assert response.status_code == 200
    rows = [(p["code"], p["valid_from"], p["standing"]) for p in response.json()]
    assert rows == [("covid19-ed9", "2022-06-28", "superseded"),
                    ("covid19-20-measures", "2022-11-11", "superseded"),
                    ("shuozhou-2022-11-21", "2022-11-21", "in_force"),
                    ("covid19-10-new-measures", "2022-12-07", "future")]
    assert "values" not in response.json()[0]


def test_one_profile_with_all_its_values(cast, login, today):
    response = login(cast.quxian).get("/api/v1/protocol/profiles/covid19-20-measures")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "二十条优化措施（2022年11月11日）"
    assert body["values"] == SHIPPED["covid19-20-measures"]["values"]
    assert body["standing"] == "superseded"
    assert login(cast.quxian).get("/api/v1/protocol/profiles/no-such").status_code == 404


def test_the_plan_of_a_basis_from_a_day(cast, login):
    response = login(cast.liudiao).get(
        "/api/v1/protocol/plan?basis=close-contact&from=2022-11-10")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["basis"] == "close-contact" and body["from"] == "2022-11-10"
    first, second = body["phases"]
    assert (first["kind"], first["days"], first["starts_on"], first["ends_on"]) == (
        "centralised_isolation", 7, "2022-11-10", "2022-11-16")
    assert first["test_days"] == ["2022-11-10", "2022-11-11", "2022-11-12", "2022-11-14",
                                  "2022-11-16"]
    assert (second["kind"], second["starts_on"], second["ends_on"], second["test_days"]) == (
        "home_health_monitoring", "2022-11-17", "2022-11-19", ["2022-11-19"])
    assert first["profile"] == second["profile"] == "covid19-ed9"
    assert "第九版" in first["rule"] and first["profile_name"].endswith("（第九版）")


PLAN_REFUSALS = [
    ("basis=secondary-contact&from=2022-11-11", "basis", "二十条"),
    ("basis=arrival-low-risk&from=2022-12-07", "basis", "新十条"),
    ("basis=arrival-low-risk&from=2022-11-20", "basis", "2022-11-20"),
    ("basis=close-contact&from=2022-06-27", "basis", "2022-06-27"),
    ("basis=contact&from=2022-11-11", "basis", ""),
    ("basis=close-contact&from=2022-11-31", "from", ""),
    ("basis=close-contact", "from", ""),
]


@pytest.mark.parametrize("query, field, words", PLAN_REFUSALS, ids=[r[0] for r in PLAN_REFUSALS])
def test_no_plan_is_a_422_saying_why(cast, login, query, field, words):
    response = login(cast.admin).get(f"/api/v1/protocol/plan?{query}")
    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["errors"] and words in body["detail"]


WHO_READS = [("admin", 200), ("quxian", 200), ("wangge", 200), ("liudiao", 200),
             ("noscope", 200), ("yiyuan", 403), ("louzhang", 403), ("ducha", 403),
             ("jumin", 403)]


@pytest.mark.parametrize("who, status", WHO_READS)
def test_who_may_read(cast, login, who, status):
    client = login(getattr(cast, who))
    for url in ("/api/v1/protocol/profiles", "/api/v1/protocol/profiles/covid19-ed9",
                "/api/v1/protocol/plan?basis=discharge&from=2022-11-28"):
        assert client.get(url).status_code == status, url


def test_anonymous_callers_are_refused(cast, client):
    assert client.get("/api/v1/protocol/profiles").status_code == 401


def test_the_list_reads_in_one_query(cast, login, django_assert_max_num_queries):
    client = login(cast.admin)
    client.get("/api/v1/protocol/profiles")  # warm the session
    with django_assert_max_num_queries(3):  # session, user, profiles
        assert client.get("/api/v1/protocol/profiles").status_code == 200


# --- writing -------------------------------------------------------------------------------

def new_version(**changes):
    return {"based_on": "shuozhou-2022-11-21", "code": "shuozhou-2022-12-01",
            "name": "朔州市通告（12月1日）", "valid_from": "2022-12-01",
            "source_doc": "朔州市通告（2022年12月1日）", **changes}


def test_the_command_centre_creates_a_version_copied_from_another(cast, login, today):
    response = post(login(cast.admin), new_version())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "shuozhou-2022-12-01" and body["standing"] == "future"
    assert body["values"] == SHIPPED["shuozhou-2022-11-21"]["values"]
    assert AuditEvent.objects.get(action="protocol.create").actor == cast.admin
    plan = login(cast.admin).get("/api/v1/protocol/plan?basis=discharge&from=2022-12-01")
    assert plan.json()["phases"][0]["profile"] == "shuozhou-2022-12-01"


def test_a_version_with_its_own_values(cast, login, today):
    values = dict(SHIPPED["shuozhou-2022-11-21"]["values"], risk_area_lift_days=4)
    response = post(login(cast.admin), new_version(based_on=None, values=values))
    assert response.status_code == 201, response.content
    assert response.json()["values"]["risk_area_lift_days"] == 4


BAD_BODIES = [
    ({"valid_from": "2022-11-24"}, "valid_from"),
    ({"valid_from": "2022-12-07"}, "valid_from"),
    ({"valid_from": "2022-12-32"}, "valid_from"),
    ({"code": "covid19-ed9"}, "code"),
    ({"based_on": "no-such"}, "based_on"),
    ({"based_on": None}, "values"),
    ({"values": {"plans": {}}}, "values"),
    ({"name": ""}, "name"),
]


@pytest.mark.parametrize("changes, field", BAD_BODIES, ids=[b[1] + str(i) for i, b in
                                                             enumerate(BAD_BODIES)])
def test_bad_input_is_refused_by_field_and_nothing_is_written(cast, login, today, changes,
                                                               field):
    response = post(login(cast.admin), new_version(**changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert ProtocolProfile.objects.count() == 4


def test_value_mistakes_are_named_by_their_path(cast, login, today):
    values = dict(SHIPPED["shuozhou-2022-11-21"]["values"], contact_lookback_days=-1)
    response = post(login(cast.admin), new_version(values=values), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["errors"]["values"] == ["contact_lookback_days: must be at least 0"]


@pytest.mark.parametrize("who", ["quxian", "wangge", "yiyuan", "jumin"])
def test_only_the_command_centre_creates_profiles(cast, login, today, who):
    assert post(login(getattr(cast, who)), new_version()).status_code == 403
    assert ProtocolProfile.objects.count() == 4
