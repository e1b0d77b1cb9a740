"""The dashboard: curve, district filter, scope, days since the last community case,
occupancy, R(t), bad input and query counts — through the page, its JSON and the API."""

import datetime
import json
import re
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from fangkong.cases import services
from fangkong.cases.tests.util import at, report
from fangkong.lib import idnumber
from fangkong.lib.rt import estimate_r
from fangkong.people.services import person_create
from fangkong.reports.dashboard import dashboard

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:dashboard")
DATA = reverse("reports:dashboard_data")
API = "/api/v1/dashboard"
NOV = {d: datetime.date(2022, 11, d) for d in range(1, 31)}
# Local infections per day from 13 Nov, for R(t): 12 days, growing then levelling off.
RT_COUNTS = [1, 2, 2, 3, 4, 4, 5, 6, 5, 6, 5, 4]


@pytest.fixture
def course(outbreak):
    """zhang (朔城区) asymptomatic from community screening on the 14th, reclassified on the
    16th, in the hospital from the 15th and in the 方舱 from the 18th; li asymptomatic in home
    control on the 14th; wang confirmed in isolation at 07:00 on the 15th (still the 14th in
    UTC); zhao asymptomatic in a high-risk area on the 16th; liu (应县) confirmed at a fever
    clinic on the 16th, at the 应县 point from the 16th."""
    c = outbreak.cast
    zhang = report(outbreak, c.zhang, day=14, route="community_screening")
    report(outbreak, c.li, day=14, route="home_control")
    report(outbreak, c.wang, "confirmed", day=15, hour=7, route="centralised_isolation")
    report(outbreak, c.zhao, day=16, hour=23, route="high_risk_area")
    liu = report(outbreak, c.liu, "confirmed", day=16, route="fever_clinic")
    services.case_admit(acting_user=c.admin, case=zhang, facility=outbreak.hospital, at=at(15, 12))
    services.case_reclassify(acting_user=c.admin, case=zhang, at=at(16, 9), clinical_type="mild")
    services.case_admit(acting_user=c.admin, case=zhang, facility=outbreak.fangcang, at=at(18))
    services.case_admit(acting_user=c.admin, case=liu, facility=outbreak.yingxian_point,
                        at=at(16, 12))
    return outbreak


def residents(cast, count, household, region="140602", first=0):
    born = datetime.date(1970, 1, 1)
    return [person_create(acting_user=cast.admin, name=f"居民{first + n}",
                          id_number=idnumber.make(region, born + datetime.timedelta(days=first + n),
                                                  101), household=household)
            for n in range(count)]


def build_rt_outbreak(o, counts=RT_COUNTS):
    """`counts[i]` local infections on 13 Nov + i in 朔城区, alternating community screening
    and home control, every fourth one confirmed; one imported case on the 20th. The first
    three confirmed cases fill the hospital's 3 beds, the next four go to the 方舱."""
    c = o.cast
    people = iter(residents(c, sum(counts) + 1, c.h201))
    beds = [o.hospital] * 3 + [o.fangcang] * 4
    n = 0
    for offset, count in enumerate(counts):
        for k in range(count):
            route = "community_screening" if n % 2 else "home_control"
            confirmed = n % 4 == 0
            case = report(o, next(people), "confirmed" if confirmed else "asymptomatic",
                          day=13 + offset, hour=8 + k, route=route)
            if confirmed and beds:
                services.case_admit(acting_user=c.admin, case=case, facility=beds.pop(0),
                                    at=at(13 + offset, 22))
            n += 1
    report(o, next(people), "confirmed", day=20, hour=21, route="arrival", imported=True)
    return o


@pytest.fixture
def growing(outbreak):
    return build_rt_outbreak(outbreak)


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def data_of(client, **params):
    response = client.get(DATA, params)
    assert response.status_code == 200, response.content
    return response.json()


def headline(data):
    return {f["bucket"]: f["value"] for f in data["headline"]}


# --- the curve ---------------------------------------------------------------------------

def test_curve_counts_each_case_once_on_its_local_report_day(course, login):
    data = data_of(login(course.cast.admin), date="2022-11-16")
    curve = data["curve"]
    assert curve["days"] == ["2022-11-13", "2022-11-14", "2022-11-15", "2022-11-16"]
    assert curve["confirmed"] == [0, 1, 1, 1]  # zhang (reclassified by the 16th), wang, liu
    assert curve["asymptomatic"] == [0, 1, 0, 1]  # li, zhao
    assert curve["in_control"] == [0, 1, 1, 1]  # li, wang, zhao
    assert curve["community"] == [0, 1, 0, 1]  # zhang, liu


def test_reclassified_case_moves_stack_but_stays_on_its_report_day(course, login):
    client = login(course.cast.admin)
    before = data_of(client, date="2022-11-15")["curve"]
    after = data_of(client, date="2022-11-16")["curve"]
    assert (before["confirmed"][1], before["asymptomatic"][1]) == (0, 2)  # zhang asymptomatic
    assert (after["confirmed"][1], after["asymptomatic"][1]) == (1, 1)  # zhang confirmed
    assert after["confirmed"][3] == 1  # only liu on the 16th: zhang is not counted again
    assert sum(after["confirmed"]) + sum(after["asymptomatic"]) == 5


def test_curve_stops_at_the_as_of_day_and_ignores_later_reports(course, login):
    data = data_of(login(course.cast.admin), date="2022-11-14")
    assert data["curve"]["days"][-1] == "2022-11-14"
    assert sum(data["curve"]["confirmed"]) + sum(data["curve"]["asymptomatic"]) == 2


def test_district_filter_narrows_curve_figures_and_facilities(course, login):
    client = login(course.cast.admin)
    data = data_of(client, date="2022-11-16", district=str(course.cast.yingxian.uuid))
    assert data["district"]["name"] == "应县"
    assert data["curve"]["confirmed"] == [0, 0, 0, 1]
    assert data["curve"]["asymptomatic"] == [0, 0, 0, 0]
    figures = headline(data)
    assert (figures["new_confirmed"], figures["confirmed"], figures["asymptomatic"]) == (1, 1, 0)
    assert [f["name"] for f in data["occupancy"]] == ["应县隔离点"]
    # the days-since table still compares every district in the user's area
    assert [row["district"] for row in data["days_since"]] == ["朔城区", "应县"]


def test_headline_figures_are_the_bulletins(course, login):
    figures = headline(data_of(login(course.cast.admin), date="2022-11-16"))
    assert figures["new_confirmed"] == 2  # liu + zhang reclassified
    assert figures["new_reclassified"] == 1
    assert figures["new_asymptomatic"] == 1  # zhao
    assert (figures["new_in_control"], figures["new_community"]) == (1, 1)
    assert (figures["confirmed"], figures["asymptomatic"]) == (3, 2)
    assert (figures["in_hospital"], figures["under_observation"]) == (3, 2)


# --- scope and permissions ---------------------------------------------------------------

def test_district_user_sees_only_their_district(course, login):
    c = course.cast
    data = data_of(login(c.quxian), date="2022-11-16")
    assert [d["name"] for d in data["districts"]] == ["朔城区"]
    assert data["curve"]["confirmed"] == [0, 1, 1, 0]  # no liu from 应县
    assert headline(data)["confirmed"] == 2
    assert [row["district"] for row in data["days_since"]] == ["朔城区"]
    assert {f["name"] for f in data["occupancy"]} == {"朔州市人民医院", "市大医院方舱医院"}
    body = login(c.quxian).get(PAGE, {"date": "2022-11-16"}).content.decode()
    assert "应县" not in body and "刘洋" not in body


def test_district_outside_the_area_is_not_found(course, login):
    client = login(course.cast.quxian)
    params = {"date": "2022-11-16", "district": str(course.cast.yingxian.uuid)}
    assert client.get(DATA, params).status_code == 404
    assert client.get(PAGE, params).status_code == 404


@pytest.mark.parametrize("username", ["liudiao", "yiyuan", "jumin", "louzhang"])
def test_users_without_the_bulletin_permission_are_refused(course, login, username):
    client = login(getattr(course.cast, username))
    assert client.get(PAGE).status_code == 403
    assert client.get(DATA).status_code == 403


def test_anonymous_user_is_sent_to_log_in(course, client):
    assert client.get(PAGE).status_code == 302
    assert client.get(DATA).status_code == 302


def test_community_worker_sees_their_district_name_and_only_their_cases(course, login):
    data = data_of(login(course.cast.wangge), date="2022-11-16")
    assert [d["name"] for d in data["districts"]] == ["朔城区"]
    # 文远社区: zhang, li, wang live there; zhao lives in 新建社区
    assert sum(data["curve"]["confirmed"]) + sum(data["curve"]["asymptomatic"]) == 3
    assert data["occupancy"] == []  # no facility lies within the community


# --- days since the last community case --------------------------------------------------

def test_days_since_last_community_case_per_district(course, login):
    client = login(course.cast.admin)
    rows = {r["district"]: r for r in data_of(client, date="2022-11-20")["days_since"]}
    assert (rows["朔城区"]["last_community_day"], rows["朔城区"]["days"]) == ("2022-11-14", 6)
    assert (rows["应县"]["last_community_day"], rows["应县"]["days"]) == ("2022-11-16", 4)
    on_day = {r["district"]: r["days"] for r in data_of(client, date="2022-11-16")["days_since"]}
    assert on_day == {"朔城区": 2, "应县": 0}


def test_days_since_is_empty_before_any_community_case(course, login):
    rows = data_of(login(course.cast.admin), date="2022-11-13")["days_since"]
    assert [(r["district"], r["last_community_day"], r["days"]) for r in rows] == [
        ("朔城区", None, None), ("应县", None, None)]
    body = login(course.cast.admin).get(PAGE, {"date": "2022-11-13"}).content.decode()
    days_table = body[body.index('id="days-since"'):body.index('id="occupancy"')]
    assert days_table.count("—") == 4


# --- occupancy ---------------------------------------------------------------------------

def occupancy_on(client, day):
    return {f["name"]: (f["occupied"], f["beds"], f["percent"])
            for f in data_of(client, date=day)["occupancy"]}


def test_occupancy_on_past_days(course, login):
    client = login(course.cast.admin)
    assert occupancy_on(client, "2022-11-16") == {
        "朔州市人民医院": (1, 3, 33), "市大医院方舱医院": (0, 5, 0), "应县隔离点": (1, 4, 25)}
    assert occupancy_on(client, "2022-11-19") == {
        "朔州市人民医院": (0, 3, 0), "市大医院方舱医院": (1, 5, 20), "应县隔离点": (1, 4, 25)}


def test_occupancy_bars_on_the_page(course, login):
    body = login(course.cast.admin).get(PAGE, {"date": "2022-11-19"}).content.decode()
    section = body[body.index('id="occupancy"'):body.index('id="rt"')]
    assert "市大医院方舱医院" in section and 'style="width:20%"' in section


# --- R(t) --------------------------------------------------------------------------------

def test_rt_series_for_a_long_enough_series(growing, login):
    data = data_of(login(growing.cast.admin), date="2022-11-24")
    rt = data["rt"]
    assert rt["reason"] == ""
    assert (rt["si_mean"], rt["si_sd"], rt["window"]) == (3.0, 1.5, 7)
    expected = estimate_r(RT_COUNTS, si_mean=3.0, si_sd=1.5, window=7)  # the import left out
    assert [p["day"] for p in rt["series"]] == [
        "2022-11-20", "2022-11-21", "2022-11-22", "2022-11-23", "2022-11-24"]
    for point, estimate in zip(rt["series"], expected, strict=True):
        assert point["mean"] == pytest.approx(estimate.mean, rel=1e-12)
        assert point["lower"] == pytest.approx(estimate.lower, rel=1e-12)
        assert point["upper"] == pytest.approx(estimate.upper, rel=1e-12)
        assert point["lower"] < point["mean"] < point["upper"]


def test_rt_follows_the_district_filter(growing, login):
    c = growing.cast
    data = data_of(login(c.admin), date="2022-11-24", district=str(c.yingxian.uuid))
    assert data["rt"]["series"] == []
    assert data["rt"]["reason"] == zh("No local infection has been reported yet.")


def test_rt_explains_a_short_series(growing, login):
    data = data_of(login(growing.cast.admin), date="2022-11-17")
    assert data["rt"]["series"] == []
    assert data["rt"]["reason"]
    assert "8" in data["rt"]["reason"] and "5" in data["rt"]["reason"]
    body = login(growing.cast.admin).get(PAGE, {"date": "2022-11-17"}).content.decode()
    assert 'id="rt-reason"' in body and 'id="rt-chart"' not in body


def test_rt_series_starts_at_the_first_local_infection(course, login):
    data = data_of(login(course.cast.admin), date="2022-11-13")
    assert data["rt"]["series"] == []
    assert data["rt"]["reason"]  # no local infection yet
    # course's first case is on the 14th: 3 days of reports by the 16th, not 4
    reason = data_of(login(course.cast.admin), date="2022-11-16")["rt"]["reason"]
    assert "3" in reason


def test_rt_page_shows_the_latest_estimate(growing, login):
    body = login(growing.cast.admin).get(PAGE, {"date": "2022-11-24"}).content.decode()
    latest = estimate_r(RT_COUNTS, si_mean=3.0, si_sd=1.5, window=7)[-1]
    assert f"<b>{latest.mean:.2f}</b>" in body
    assert 'id="rt-chart"' in body


# --- the page ----------------------------------------------------------------------------

FIGURE = re.compile(r'<a class="figure" data-bucket="([a-z_]+)" href="([^"]+)"><b>(\d+)</b>')


def test_page_embeds_the_same_data_as_the_json(course, login):
    client = login(course.cast.admin)
    body = client.get(PAGE, {"date": "2022-11-16"}).content.decode()
    embedded = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>',
                         body, re.S).group(1)
    assert json.loads(embedded) == data_of(client, date="2022-11-16")
    assert "vendor/echarts-5.6.0.min.js" in body


def test_headline_figures_link_to_the_register(course, login):
    client = login(course.cast.admin)
    body = client.get(PAGE, {"date": "2022-11-16"}).content.decode()
    links = {bucket: (unescape(href), int(n)) for bucket, href, n in FIGURE.findall(body)}
    href, value = links["new_confirmed"]
    assert value == 2
    assert href == (f"{reverse('cases:register')}?outbreak=sz-2022-11&bucket=new_confirmed"
                    "&as_of=2022-11-16")
    register = client.get(href).content.decode()
    assert register.count("data-case=") == 2


def test_headline_links_carry_the_district_filter(course, login):
    c = course.cast
    body = login(c.admin).get(PAGE, {"date": "2022-11-16",
                                     "district": str(c.yingxian.uuid)}).content.decode()
    links = {bucket: unescape(href) for bucket, href, _n in FIGURE.findall(body)}
    assert links["confirmed"].endswith(f"&district={c.yingxian.uuid}")


def test_page_defaults_to_yesterday(course, login):
    with time_machine.travel(datetime.datetime(2022, 11, 17, 1, tzinfo=at(1).tzinfo)):
        body = login(course.cast.admin).get(PAGE).content.decode()
    assert 'value="2022-11-16"' in body


def test_no_outbreak_yet(course, login):
    client = login(course.cast.admin)
    response = client.get(PAGE, {"date": "2022-11-01"})
    assert response.status_code == 200
    assert zh("No outbreak had begun by this day.") in response.content.decode()
    assert 'id="dashboard-data"' not in response.content.decode()
    assert client.get(DATA, {"date": "2022-11-01"}).status_code == 404


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("params, field", [
    ({"date": "2022-13-40"}, "date"),
    ({"date": "2099-01-01"}, "date"),
    ({"district": "not-a-uuid"}, "district"),
    ({"date": "2022-11-01", "outbreak": "sz-2022-11"}, "outbreak"),
])
def test_bad_parameters_are_explained(course, login, params, field):
    client = login(course.cast.admin)
    response = client.get(DATA, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field] and body["detail"]
    page = client.get(PAGE, params)
    assert page.status_code == 400
    assert body["errors"][field][0] in unescape(page.content.decode())


def test_unknown_outbreak_is_not_found(course, login):
    client = login(course.cast.admin)
    assert client.get(DATA, {"outbreak": "nope"}).status_code == 404
    assert client.get(PAGE, {"outbreak": "nope"}).status_code == 404


# --- query counts ------------------------------------------------------------------------

MAX_QUERIES = 12


def test_data_view_query_count_is_bounded(growing, login, django_assert_max_num_queries):
    client = login(growing.cast.admin)
    with django_assert_max_num_queries(MAX_QUERIES):
        data_of(client, date="2022-11-24")


def test_query_count_does_not_grow_with_days_or_cases(course, growing, login):
    client = login(course.cast.admin)
    counts = []
    for day in ("2022-11-14", "2022-11-24", "2022-11-30"):
        with CaptureQueriesContext(connection) as queries:
            data_of(client, date=day)
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


def test_selector_query_count(growing, django_assert_max_num_queries):
    admin = growing.cast.admin
    admin.scope  # noqa: B018 - the view's user has its scope loaded by the session
    with django_assert_max_num_queries(10):
        dashboard(admin, NOV[24], growing.outbreak)


# --- the API -----------------------------------------------------------------------------

def test_api_returns_the_same_data(course, login):
    client = login(course.cast.admin)
    response = client.get(API, {"date": "2022-11-16"})
    assert response.status_code == 200, response.content
    assert response.json() == data_of(client, date="2022-11-16")


def test_api_scope_and_refusals(course, login):
    c = course.cast
    assert login(c.liudiao).get(API).status_code == 403
    client = login(c.quxian)
    assert client.get(API, {"date": "2022-11-16",
                            "district": str(c.yingxian.uuid)}).status_code == 404
    assert [d["name"] for d in client.get(API, {"date": "2022-11-16"}).json()["districts"]] == [
        "朔城区"]
    bad = client.get(API, {"date": "2099-01-01"})
    assert bad.status_code == 422 and "date" in bad.json()["errors"]
    assert client.get(API, {"date": "nonsense"}).status_code == 422
