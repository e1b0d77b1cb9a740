"""The case register page: filters, the bulletin's bucket links, scope, query counts."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from fangkong.cases import services
from fangkong.cases.models import Case, Classification, Route
from fangkong.cases.selectors import bucket_label

SH = ZoneInfo("Asia/Shanghai")
ALL = ["张伟", "李娜", "王芳", "赵强", "刘洋"]


def at(day, hour=10):
    return datetime.datetime(2022, 11, day, hour, tzinfo=SH)


def report(o, person, day, classification=Classification.ASYMPTOMATIC,
           route=Route.COMMUNITY_SCREENING, **kwargs):
    if classification == Classification.CONFIRMED:
        kwargs.setdefault("clinical_type", "mild")
    return services.case_report(acting_user=o.cast.admin, person=person, outbreak=o.outbreak,
                                classification=classification, reported_at=at(day), route=route,
                                **kwargs)


@pytest.fixture
def cases(outbreak):
    """张伟 asymptomatic (community, later released), 李娜 confirmed (in isolation, in the
    hospital), 王芳 asymptomatic reclassified on 20 Nov, 赵强 (新建社区), 刘洋 (应县)."""
    o, c = outbreak, outbreak.cast
    o.zhang = report(o, c.zhang, 14)
    o.li = report(o, c.li, 15, Classification.CONFIRMED, Route.CENTRALISED_ISOLATION)
    o.zhao = report(o, c.zhao, 16, route=Route.HOME_CONTROL)
    o.wang = report(o, c.wang, 17)
    o.liu = report(o, c.liu, 20, Classification.CONFIRMED, Route.FEVER_CLINIC,
                   clinical_type="moderate")
    services.case_reclassify(acting_user=c.admin, case=o.wang, at=at(20, 8),
                             clinical_type="mild")
    services.case_admit(acting_user=c.admin, case=o.li, facility=o.hospital, at=at(15, 12))
    for day in (22, 23):
        services.case_test_record(acting_user=c.admin, case=o.zhang, sampled_at=at(day, 9),
                                  ct_n=Decimal("36"), ct_orf1ab=Decimal("37"))
    services.case_release(acting_user=c.admin, case=o.zhang, at=at(24))
    return o


def names_in(response):
    body = response.content.decode()
    return {name for name in ALL if name in body}


def get(client, **params):
    return client.get(reverse("cases:register"), params)


def test_register_lists_the_cases_with_their_facts_and_no_id_numbers(cases, login):
    client = login(cases.cast.admin)
    response = get(client)
    body = response.content.decode()
    assert response.status_code == 200
    assert names_in(response) == set(ALL)
    for person in (cases.cast.zhang, cases.cast.li, cases.cast.liu):
        assert person.id_number not in body
        assert person.id_number[:6] not in body
    row = body.split(f'data-case="{cases.li.number}"')[1].split("</tr>")[0]
    assert reverse("cases:detail", args=[cases.li.uuid]) in row
    assert "朔州市人民医院" in row and "朔城区" in row and "2022-11-15 10:00" in row


@pytest.mark.parametrize("who, visible", [
    ("wangge", {"张伟", "李娜", "王芳"}),
    ("wangge2", {"赵强"}),
    ("quxian", {"张伟", "李娜", "王芳", "赵强"}),
    ("yingxianqu", {"刘洋"}),
    ("yiyuan", {"李娜"}),  # a hospital sees the cases its facilities hold
    ("noscope", set()),
])
def test_each_user_sees_only_the_cases_of_their_area(cases, login, who, visible):
    response = get(login(getattr(cases.cast, who)))
    assert response.status_code == 200
    assert names_in(response) == visible


def test_a_resident_is_refused(cases, login):
    assert get(login(cases.cast.jumin)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(cases, client):
    response = get(client)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("params, expected", [
    ({"classification": "confirmed"}, {"李娜", "王芳", "刘洋"}),
    ({"classification": "asymptomatic"}, {"张伟", "赵强"}),
    ({"status": "released"}, {"张伟"}),
    ({"status": "open"}, {"李娜", "王芳", "赵强", "刘洋"}),
    ({"reported_from": "2022-11-15", "reported_to": "2022-11-16"}, {"李娜", "赵强"}),
    ({"reported_to": "2022-11-14"}, {"张伟"}),
    ({"q": "李娜"}, {"李娜"}),
])
def test_filters_narrow_the_list(cases, login, params, expected):
    assert names_in(get(login(cases.cast.admin), **params)) == expected


def test_filter_by_district_and_by_case_number(cases, login):
    client = login(cases.cast.admin)
    assert names_in(get(client, district=str(cases.cast.yingxian.uuid))) == {"刘洋"}
    assert names_in(get(client, q=cases.zhao.number)) == {"赵强"}


def test_district_choices_stay_in_the_users_area(cases, login):
    client = login(cases.cast.quxian)
    body = get(client).content.decode()
    assert str(cases.cast.shuocheng.uuid) in body
    assert str(cases.cast.yingxian.uuid) not in body
    response = get(client, district=str(cases.cast.yingxian.uuid))
    assert response.status_code == 400
    assert names_in(response) == set()


@pytest.mark.parametrize("params", [
    {"district": "not-a-uuid"}, {"reported_from": "2022-13-45"}, {"as_of": "yesterday"},
    {"bucket": "no_such_figure", "as_of": "2022-11-20"}, {"bucket": "confirmed"},
    {"classification": "severe"}, {"outbreak": "no-such-outbreak"},
    {"reported_from": "2022-11-20", "reported_to": "2022-11-10"},
])
def test_a_bad_filter_value_gives_a_clear_message_not_an_error_page(cases, login, params):
    response = get(login(cases.cast.admin), **params)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="errorlist"' in body
    assert names_in(response) == set()  # no unfiltered list passed off as the filtered one


def test_unknown_district_message_names_the_problem(cases, login):
    body = get(login(cases.cast.admin), district="0d5c1c42-0000-4000-8000-000000000000"
               ).content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("This district is unknown or outside your area.") in body


@pytest.mark.parametrize("bucket, day, expected", [
    ("asymptomatic", 19, {"张伟", "赵强", "王芳"}),
    ("asymptomatic", 20, {"张伟", "赵强"}),
    ("confirmed", 20, {"李娜", "王芳", "刘洋"}),
    ("confirmed", 19, {"李娜"}),
    ("new_reclassified", 20, {"王芳"}),
    ("new_confirmed", 20, {"王芳", "刘洋"}),
    ("new_community", 14, {"张伟"}),
    ("new_in_control", 16, {"赵强"}),
    ("released", 24, {"张伟"}),
    ("released", 23, set()),
    ("under_observation", 24, {"赵强"}),
    ("in_hospital", 24, {"李娜", "王芳", "刘洋"}),
])
def test_bulletin_links_list_the_cases_behind_the_figure(cases, login, bucket, day, expected):
    response = get(login(cases.cast.admin), outbreak=cases.outbreak.code, bucket=bucket,
                   as_of=f"2022-11-{day}")
    assert response.status_code == 200
    assert names_in(response) == expected


def test_bucket_link_shows_a_heading_naming_the_figure_and_the_day(cases, login):
    body = get(login(cases.cast.admin), bucket="confirmed", as_of="2022-11-28"
               ).content.decode()
    heading = body.split('id="bucket">')[1].split("</h2>")[0]
    with translation.override("zh-hans"):
        assert str(bucket_label("confirmed")) in heading
    assert "2022-11-28" in heading and "24" in heading


def test_bucket_link_for_a_district_user_keeps_to_their_district(cases, login):
    response = get(login(cases.cast.quxian), bucket="confirmed", as_of="2022-11-28",
                   district=str(cases.cast.shuocheng.uuid))
    assert names_in(response) == {"李娜", "王芳"}


def test_community_worker_can_follow_a_bulletin_link_naming_their_district(cases, login):
    response = get(login(cases.cast.wangge), bucket="confirmed", as_of="2022-11-28",
                   district=str(cases.cast.shuocheng.uuid))
    assert response.status_code == 200
    assert names_in(response) == {"李娜", "王芳"}


def test_default_outbreak_is_the_one_in_force_and_another_can_be_chosen(cases, login):
    c = cases.cast
    later = services.outbreak_create(acting_user=c.admin, code="sz-2023-01", name="第二轮",
                                     start_date=datetime.date(2023, 1, 5), places=[c.shuocheng])
    services.case_report(acting_user=c.admin, person=c.zhang, outbreak=later,
                         classification=Classification.ASYMPTOMATIC,
                         reported_at=datetime.datetime(2023, 1, 6, 9, tzinfo=SH),
                         route=Route.COMMUNITY_SCREENING)
    client = login(c.admin)
    assert Case.objects.filter(person=c.zhang).count() == 2
    body = get(client).content.decode()  # today: the latest outbreak begun
    assert "sz-2023-01-00001" in body and cases.zhang.number not in body
    body = get(client, bucket="confirmed", as_of="2022-11-28").content.decode()
    assert "sz-2023-01-00001" not in body  # the outbreak in force on the bulletin's day
    body = get(client, outbreak="sz-2022-11").content.decode()
    assert cases.zhang.number in body and "sz-2023-01-00001" not in body
    body = get(client, outbreak="").content.decode()  # all outbreaks
    assert cases.zhang.number in body and "sz-2023-01-00001" in body


def test_pages_keep_the_filters(cases, login, settings):
    settings.FANGKONG_PAGE_SIZE = 2
    client = login(cases.cast.admin)
    first = get(client, classification="confirmed")
    body = first.content.decode()
    assert "classification=confirmed" in body and "page=2" in body
    second = get(client, classification="confirmed", page="2")
    assert len(names_in(first) | names_in(second)) == 3


def test_register_query_count_does_not_grow_with_the_cases(cases, login,
                                                           django_assert_num_queries):
    client = login(cases.cast.admin)
    get(client)  # warm the session
    # session, user, outbreaks, scope, districts, outbreak in force, count, page
    with django_assert_num_queries(8):
        get(client)
    with django_assert_num_queries(7) as few:  # all outbreaks: no default to look up
        get(client, outbreak="")
    for n, person in enumerate([cases.cast.zhang, cases.cast.li, cases.cast.wang]):
        second = services.outbreak_create(acting_user=cases.cast.admin, code=f"x-{n}",
                                          name=f"x{n}", start_date=datetime.date(2022, 1, 1),
                                          places=[cases.cast.shuocheng])
        services.case_report(acting_user=cases.cast.admin, person=person, outbreak=second,
                             classification=Classification.ASYMPTOMATIC,
                             reported_at=at(1), route=Route.ARRIVAL)
        services.case_admit(acting_user=cases.cast.admin,
                            case=Case.objects.get(outbreak=second), facility=cases.fangcang,
                            at=at(2))
    with django_assert_num_queries(len(few.captured_queries)):
        response = get(client, outbreak="")
    assert response.content.decode().count("data-case=") == 8
