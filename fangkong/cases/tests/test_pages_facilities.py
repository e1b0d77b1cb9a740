"""The facilities page: beds and occupancy on a chosen day, scope, and the create form."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from fangkong.audit.models import AuditEvent
from fangkong.cases import services
from fangkong.cases.models import Classification, Facility, Route

SH = ZoneInfo("Asia/Shanghai")
NAMES = ["朔州市人民医院", "市大医院方舱医院", "应县隔离点"]


def at(day, hour=10):
    return datetime.datetime(2022, 11, day, hour, tzinfo=SH)


@pytest.fixture
def stays(outbreak):
    """李娜 in the hospital from 15 Nov 12:00, moved to the makeshift hospital on 17 Nov;
    张伟 in the makeshift hospital from 16 Nov."""
    o, c = outbreak, outbreak.cast
    li = services.case_report(acting_user=c.admin, person=c.li, outbreak=o.outbreak,
                              classification=Classification.CONFIRMED, clinical_type="mild",
                              reported_at=at(15), route=Route.FEVER_CLINIC)
    zhang = services.case_report(acting_user=c.admin, person=c.zhang, outbreak=o.outbreak,
                                 classification=Classification.ASYMPTOMATIC, reported_at=at(16),
                                 route=Route.HOME_CONTROL)
    services.case_admit(acting_user=c.admin, case=li, facility=o.hospital, at=at(15, 12))
    services.case_admit(acting_user=c.admin, case=zhang, facility=o.fangcang, at=at(16, 12))
    services.case_admit(acting_user=c.admin, case=li, facility=o.fangcang, at=at(17, 9))
    return o


def url(**params):
    return reverse("cases:facilities"), params


def row(body, name):
    return body.split(f'data-facility="{name}"')[1].split("</tr>")[0]


def cell(body, name, css):
    return row(body, name).split(f'class="num {css}"')[1].split(">", 1)[1].split("<")[0]


def listed(body):
    return {name for name in NAMES if f'data-facility="{name}"' in body}


def test_occupancy_on_a_chosen_day(stays, login):
    client = login(stays.cast.admin)
    day16 = client.get(*url(day="2022-11-16")).content.decode()
    assert cell(day16, "朔州市人民医院", "occupied") == "1"
    assert cell(day16, "朔州市人民医院", "percent") == "33%"
    assert cell(day16, "市大医院方舱医院", "occupied") == "1"
    day17 = client.get(*url(day="2022-11-17")).content.decode()
    assert cell(day17, "朔州市人民医院", "occupied") == "0"
    assert cell(day17, "市大医院方舱医院", "occupied") == "2"
    assert cell(day17, "市大医院方舱医院", "percent") == "40%"
    assert "2022-11-17" in day17


def test_default_day_is_today(stays, login):
    body = login(stays.cast.admin).get(*url()).content.decode()
    assert cell(body, "市大医院方舱医院", "occupied") == "2"
    assert datetime.datetime.now(SH).strftime("%Y-%m-%d") in body
    kind = row(body, "应县隔离点")
    with translation.override("zh-hans"):
        assert str(Facility._meta.get_field("kind").choices[2][1]) in kind
    assert ">4<" in kind  # beds


def test_a_bad_day_gives_a_message_not_an_error_page(stays, login):
    response = login(stays.cast.admin).get(*url(day="2022-11-31"))
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


@pytest.mark.parametrize("who, expected", [
    ("admin", set(NAMES)), ("yiyuan", set(NAMES)),  # hospital users see the city's facilities
    ("quxian", {"朔州市人民医院", "市大医院方舱医院"}), ("yingxianqu", {"应县隔离点"}),
    ("wangge", set()), ("noscope", set()),
])
def test_each_user_sees_the_facilities_of_their_area(stays, login, who, expected):
    response = login(getattr(stays.cast, who)).get(*url())
    assert response.status_code == 200
    assert listed(response.content.decode()) == expected


@pytest.mark.parametrize("who", ["jumin", "ducha", "louzhang"])
def test_users_without_case_rights_are_refused(stays, login, who):
    assert login(getattr(stays.cast, who)).get(*url()).status_code == 403


def test_only_facility_managers_get_the_create_form(stays, login):
    assert 'id="facility-form"' in login(stays.cast.admin).get(*url()).content.decode()
    client = login(stays.cast.quxian)
    assert 'id="facility-form"' not in client.get(*url()).content.decode()
    response = client.post(reverse("cases:facilities"), {
        "name": "新方舱", "kind": "makeshift_hospital", "place": str(stays.cast.shuocheng.uuid),
        "beds": "100"})
    assert response.status_code == 403
    assert not Facility.objects.filter(name="新方舱").exists()


def test_create_a_facility(stays, login):
    client = login(stays.cast.admin)
    response = client.post(reverse("cases:facilities"), {
        "name": "应县第二隔离点", "kind": "isolation_point",
        "place": str(stays.cast.yingxian.uuid), "beds": "120"})
    assert response.status_code == 302
    facility = Facility.objects.get(name="应县第二隔离点")
    assert facility.place == stays.cast.yingxian and facility.beds == 120
    assert AuditEvent.objects.filter(action="facility.create", actor=stays.cast.admin,
                                     target_uuid=facility.uuid).exists()
    assert "应县第二隔离点" in client.get(*url()).content.decode()


@pytest.mark.parametrize("data, field", [
    ({"name": "朔州市人民医院"}, "name"),
    ({"beds": "0"}, "beds"),
    ({"beds": "many"}, "beds"),
    ({"place": "4d1f2b7e-0000-4000-8000-000000000000"}, "place"),
    ({"place": ""}, "place"),
    ({"kind": "hotel"}, "kind"),
])
def test_create_errors_are_shown_next_to_the_field_and_the_input_is_kept(stays, login, data,
                                                                         field):
    posted = {"name": "城南方舱", "kind": "makeshift_hospital",
              "place": str(stays.cast.shuocheng.uuid), "beds": "300", **data}
    response = login(stays.cast.admin).post(reverse("cases:facilities"), posted)
    body = response.content.decode()
    assert response.status_code == 200
    block = body.split(f'id="field-{field}"')[1].split('<div class="field"')[0]
    assert "errorlist" in block
    assert f'value="{posted["name"]}"' in body
    assert Facility.objects.count() == 3


def test_facilities_page_query_count_does_not_grow(stays, login, django_assert_num_queries):
    client = login(stays.cast.admin)
    client.get(*url())
    with django_assert_num_queries(6) as few:
        client.get(*url())
    for n in range(5):
        services.facility_create(acting_user=stays.cast.admin, name=f"点{n}",
                                 kind="isolation_point", place=stays.cast.shuocheng, beds=10)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(*url())
