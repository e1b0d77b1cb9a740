"""The bulletin page: official paragraphs, figures linked to their records, downloads, scope."""

import datetime
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import docx
import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext

from fangkong.cases import services
from fangkong.cases.tests.util import SHANGHAI, at, passing_tests, report

PAGE = reverse("reports:bulletin")
LINK = re.compile(r'<a (?:class="figure" )?href="([^"]+)">(?:<b>)?(\d+)<')
CASE_ROW = re.compile(r'<tr data-case="([^"]+)"')
CUMULATIVE16 = ("截至11月16日24时，本轮疫情累计报告新冠肺炎确诊病例3例，其中：朔城区2例、应县1例；"
                "无症状感染者1例，其中：朔城区1例。")


def download(fmt):
    return reverse("reports:bulletin_download", args=[fmt])


@pytest.fixture
def cases(outbreak):
    """As of the 16th: zhang (asymptomatic on the 14th, reclassified on the 16th), wang
    (confirmed on the 15th, discharged on the 16th), liu (应县, confirmed on the 16th), li
    (asymptomatic in home control on the 16th)."""
    c = outbreak.cast
    zhang = report(outbreak, c.zhang, day=14, route="community_screening")
    wang = report(outbreak, c.wang, "confirmed", day=13, route="centralised_isolation")
    report(outbreak, c.liu, "confirmed", day=16, route="fever_clinic")
    report(outbreak, c.li, day=16, hour=22, route="home_control")
    services.case_reclassify(acting_user=c.admin, case=zhang, at=at(16, 9), clinical_type="mild")
    passing_tests(wang, 14, c.admin)
    services.case_discharge(acting_user=c.admin, case=wang, at=at(16, 15))
    return outbreak


def page(client, **params):
    return client.get(PAGE, params).content.decode()


def figure_links(body):
    return [(unescape(href), int(n)) for href, n in LINK.findall(body)
            if href.startswith(reverse("cases:register"))]


def test_page_shows_the_official_paragraphs(cases, login):
    body = page(login(cases.cast.admin), date="2022-11-16")
    assert CUMULATIVE16 in body
    assert "11月16日0—24时，新增新冠肺炎确诊病例2例（含1例由无症状感染者转为确诊病例）" in body
    assert "当日治愈出院确诊病例1例。" in body


def test_the_default_day_is_yesterday_in_beijing_time(cases, login):
    client = login(cases.cast.admin)
    # 01:00 on the 17th in Beijing is still the 16th in UTC: the bulletin is the 16th's.
    with time_machine.travel(datetime.datetime(2022, 11, 17, 1, tzinfo=SHANGHAI), tick=False):
        body = page(client)
    assert 'value="2022-11-16"' in body
    assert "截至11月16日24时" in body


def test_every_figure_links_to_the_records_behind_it(cases, login):
    client = login(cases.cast.admin)
    links = figure_links(page(client, date="2022-11-16"))
    assert len(links) == 3 * 11 + 2  # two districts and the total; discharged and released
    for href, figure in links:
        query = parse_qs(urlsplit(href).query)
        assert query["outbreak"] == ["sz-2022-11"] and query["as_of"] == ["2022-11-16"]
        response = client.get(href)
        assert response.status_code == 200, href
        assert len(CASE_ROW.findall(response.content.decode())) == figure, href


def test_a_district_figure_lists_that_districts_cases(cases, login):
    client = login(cases.cast.admin)
    links = figure_links(page(client, date="2022-11-16"))
    yingxian = str(cases.cast.yingxian.uuid)
    [confirmed] = [href for href, _n in links
                   if parse_qs(urlsplit(href).query).get("district") == [yingxian]
                   and "bucket=confirmed" in href]
    listed = CASE_ROW.findall(client.get(confirmed).content.decode())
    assert listed == [cases.cast.liu.cases.get().number]


@pytest.mark.parametrize("user, mine, theirs", [("quxian", "朔城区", "应县"),
                                                ("yingxianqu", "应县", "朔城区"),
                                                ("wangge", "朔城区", "应县")])
def test_a_local_user_sees_and_downloads_only_their_area(cases, login, user, mine,
                                                                theirs):
    client = login(getattr(cases.cast, user))
    body = page(client, date="2022-11-16")
    assert mine in body and theirs not in body
    for fmt in ("txt", "json"):
        content = client.get(download(fmt), {"date": "2022-11-16"}).content.decode()
        assert mine in content and theirs not in content
    links = figure_links(body)
    assert len(links) == 2 * 11 + 2
    for href, figure in links:
        assert len(CASE_ROW.findall(client.get(href).content.decode())) == figure, href


@pytest.mark.parametrize("user", ["jumin", "liudiao", "yiyuan"])
def test_users_without_the_permission_are_refused(cases, login, user):
    client = login(getattr(cases.cast, user))
    assert client.get(PAGE).status_code == 403
    assert client.get(download("json"), {"date": "2022-11-16"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(cases, client):
    assert client.get(PAGE).status_code == 302
    assert client.get(download("txt")).status_code == 302


def test_downloads_carry_the_day_in_their_name(cases, login):
    client = login(cases.cast.admin)
    params = {"date": "2022-11-16", "outbreak": "sz-2022-11"}
    text = client.get(download("txt"), params)
    assert text["Content-Disposition"] == 'attachment; filename="bulletin-2022-11-16.txt"'
    assert CUMULATIVE16 in text.content.decode()
    data = json.loads(client.get(download("json"), params).content)
    assert data["as_of"] == "2022-11-16" and data["discharged"] == 1
    word = client.get(download("docx"), params)
    assert word["Content-Disposition"].endswith('filename="bulletin-2022-11-16.docx"')
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert any(p.startswith(CUMULATIVE16) for p in paragraphs)


def test_the_page_offers_the_three_downloads_for_its_day(cases, login):
    body = unescape(page(login(cases.cast.admin), date="2022-11-16"))
    for fmt in ("txt", "json", "docx"):
        assert f"{download(fmt)}?date=2022-11-16&outbreak=sz-2022-11" in body


def test_unknown_download_format_is_not_found(cases, login):
    assert login(cases.cast.admin).get(download("pdf"), {"date": "2022-11-16"}).status_code == 404


@pytest.mark.parametrize("params", [{"date": "2022-13-40"}, {"date": "2099-01-01"},
                                    {"date": "2022-11-16", "outbreak": "nope"}])
def test_bad_parameters_get_a_message_not_a_bulletin(cases, login, params):
    client = login(cases.cast.admin)
    response = client.get(PAGE, params)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert "累计报告" not in response.content.decode()
    assert client.get(download("txt"), params).status_code == 400


def test_future_day_is_refused_with_a_clear_message(cases, login):
    body = page(login(cases.cast.admin), date="2099-01-01")
    assert gettext("This day lies in the future.") in body


def test_before_the_outbreak_the_page_says_so(cases, login):
    client = login(cases.cast.admin)
    response = client.get(PAGE, {"date": "2022-11-12"})
    assert response.status_code == 200
    assert gettext("No outbreak had begun by this day.") in response.content.decode()
    assert client.get(download("json"), {"date": "2022-11-12"}).status_code == 404


def test_without_any_outbreak_the_page_is_a_friendly_empty_state(cast, login):
    body = page(login(cast.admin))
    assert gettext("No outbreak had begun by this day.") in body
    assert 'name="outbreak"' not in body


def test_the_outbreak_select_appears_only_when_there_is_a_choice(cases, login):
    client = login(cases.cast.admin)
    assert '<select name="outbreak"' not in page(client, date="2022-11-16")
    services.outbreak_create(acting_user=cases.cast.admin, code="yx-2022-10", name="应县前一轮",
                             start_date=datetime.date(2022, 10, 1), places=[cases.cast.yingxian])
    body = page(client, date="2022-11-16")
    assert '<select name="outbreak"' in body
    assert CUMULATIVE16 in body  # the latest outbreak begun by the day stays the default
    earlier = page(client, date="2022-11-16", outbreak="yx-2022-10")
    assert "本轮疫情累计报告新冠肺炎确诊病例0例" in earlier


def test_an_outbreak_that_began_after_the_day_is_refused(cases, login):
    response = login(cases.cast.admin).get(PAGE, {"date": "2022-11-12",
                                                  "outbreak": "sz-2022-11"})
    assert response.status_code == 400
    assert "2022-11-13" in response.content.decode()


def test_the_page_uses_a_fixed_number_of_queries(cases, login, django_assert_max_num_queries):
    client = login(cases.cast.admin)
    with django_assert_max_num_queries(10):
        client.get(PAGE, {"date": "2022-11-16"})
