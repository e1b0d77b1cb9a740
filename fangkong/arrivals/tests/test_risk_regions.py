"""The list of risk areas arrivals are judged by: kept by whoever may edit the protocol (the
command centre), on a page and in the admin; entries are added and ended, never rewritten."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from fangkong.arrivals.models import RiskRegion
from fangkong.arrivals.services import risk_region_add, risk_region_end
from fangkong.arrivals.tests.util import HAIZHU, list_haizhu
from fangkong.audit.models import AuditEvent

D = datetime.date


def zh(message):
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


def add_form(**overrides):
    data = {"origin_province": "440000", "origin_city": "440100", "origin_county": HAIZHU,
            "level": "high", "valid_from": "2022-11-20", "source": "广州市通告第1号"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_only_who_may_edit_the_protocol_opens_the_page(cast, client, login):
    url = reverse("arrivals:risk_regions")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (cast.wangge, cast.quxian, cast.yiyuan, cast.jumin, cast.noscope):
        assert login(user).get(url).status_code == 403, user.username
    assert login(cast.admin).get(url).status_code == 200


@pytest.mark.django_db
def test_the_command_centre_lists_a_county_and_sees_it(cast, login, django_assert_max_num_queries):
    client = login(cast.admin)
    response = client.post(reverse("arrivals:risk_regions"), add_form())

    assert response.status_code == 302
    region = RiskRegion.objects.get()
    assert (region.code, region.name, region.level) == (HAIZHU, "广东省广州市海珠区", "high")
    assert region.valid_from == D(2022, 11, 20) and region.valid_to is None
    event = AuditEvent.objects.get(action="risk_region.add")
    assert event.actor == cast.admin and event.target_uuid == region.uuid
    for code in ("110105", "410100", "310101"):
        list_haizhu(cast, code=code)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("arrivals:risk_regions")).content.decode()
    assert "广东省广州市海珠区" in page and "广州市通告第1号" in page and "河南省郑州市" in page


@pytest.mark.django_db
def test_a_whole_city_is_listed_by_leaving_the_county_empty(cast, login):
    login(cast.admin).post(reverse("arrivals:risk_regions"), add_form(origin_county=""))

    assert RiskRegion.objects.get().code == "440100"


@pytest.mark.django_db
def test_bad_entries_are_refused_on_their_fields(cast, login):
    client = login(cast.admin)
    response = client.post(reverse("arrivals:risk_regions"), add_form(
        origin_city="", origin_county="", source=" "))

    body = response.content.decode()
    assert response.status_code == 400 and not RiskRegion.objects.exists()
    assert zh("Enter the six-digit code of a county or a city in force.") in body
    assert zh("Name the notice that lists it.") in body
    assert 'value="440000" selected' in body  # the choice is kept


@pytest.mark.django_db
def test_the_same_area_cannot_be_listed_twice_at_once(cast):
    list_haizhu(cast, valid_from=D(2022, 11, 1))
    with pytest.raises(ValidationError) as refused:
        list_haizhu(cast, valid_from=D(2022, 11, 20))
    assert set(refused.value.message_dict) == {"code"}
    list_haizhu(cast, level="low", valid_from=D(2022, 11, 20))  # another level may overlap


@pytest.mark.django_db
def test_others_cannot_add_or_end_entries(cast, login):
    region = list_haizhu(cast)
    client = login(cast.wangge)

    assert client.post(reverse("arrivals:risk_regions"), add_form(
        origin_county="440106")).status_code == 403
    assert client.post(reverse("arrivals:risk_region_end", args=[region.uuid]),
                       {"last_day": "2022-11-30"}).status_code == 403
    region.refresh_from_db()
    assert RiskRegion.objects.count() == 1 and region.valid_to is None
    with pytest.raises(PermissionError):
        risk_region_add(acting_user=cast.wangge, code="440106", level="high",
                        valid_from=D(2022, 11, 1), source="x")
    with pytest.raises(PermissionError):
        risk_region_end(acting_user=cast.quxian, region=region, last_day=D(2022, 11, 30))


@pytest.mark.django_db
def test_ending_an_entry_keeps_it_for_the_days_it_was_listed(cast, login):
    region = list_haizhu(cast, valid_from=D(2022, 11, 1))
    client = login(cast.admin)

    response = client.post(reverse("arrivals:risk_region_end", args=[region.uuid]),
                           {"last_day": "2022-11-28"})

    assert response.status_code == 302
    region.refresh_from_db()
    assert region.valid_to == D(2022, 11, 28)
    assert list(RiskRegion.objects.in_force(D(2022, 11, 28))) == [region]
    assert not RiskRegion.objects.in_force(D(2022, 11, 29)).exists()
    assert AuditEvent.objects.get(action="risk_region.end").changes["valid_to"] == [
        None, "2022-11-28"]
    again = client.post(reverse("arrivals:risk_region_end", args=[region.uuid]),
                        {"last_day": "2022-10-01"}, follow=True)
    assert zh("The last day is before the first day.") in again.content.decode()
    region.refresh_from_db()
    assert region.valid_to == D(2022, 11, 28)


@pytest.mark.django_db
def test_the_admin_adds_and_ends_through_the_services(cast, client):
    from fangkong.accounts.models import User

    boss = User.objects.create_superuser("root", password="x-very-secret-1")
    client.force_login(boss)
    response = client.post(reverse("admin:arrivals_riskregion_add"), {
        "code": HAIZHU, "level": "high", "valid_from": "2022-11-20", "valid_to": "",
        "source": "通告"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    region = RiskRegion.objects.get()
    assert region.name == "广东省广州市海珠区"
    assert AuditEvent.objects.filter(action="risk_region.add", actor=boss).exists()

    bad = client.post(reverse("admin:arrivals_riskregion_add"), {
        "code": "440000", "level": "high", "valid_from": "2022-11-20", "source": "通告"})
    assert bad.status_code == 200 and RiskRegion.objects.count() == 1

    client.post(reverse("admin:arrivals_riskregion_change", args=[region.pk]),
                {"valid_to": "2022-11-30"})
    region.refresh_from_db()
    assert region.valid_to == D(2022, 11, 30)
    assert AuditEvent.objects.filter(action="risk_region.end", actor=boss).exists()
    assert client.post(reverse("admin:arrivals_riskregion_delete", args=[region.pk]),
                       {"post": "yes"}).status_code == 403
    assert RiskRegion.objects.count() == 1
