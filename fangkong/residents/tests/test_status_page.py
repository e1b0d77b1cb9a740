"""A resident's own status page: the code colour and why, each order with its basis in plain
words, dates, the rule behind them, tests and today's checks; self-reported health checks
landing on the order; nothing of anyone else's, and no staff page."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangkong.accounts.roles import Role
from fangkong.control import services as control
from fangkong.control.models import Basis, Colour, HealthCheck, OrderKind, Result
from fangkong.residents.tests.util import D, contact_order, manual_order, resident, zh

pytestmark = pytest.mark.django_db
STATUS = reverse("residents:status")
CHECK = reverse("residents:check")


@pytest.fixture
def li_order(outbreak, now):
    return contact_order(outbreak, outbreak.cast.li)


@pytest.fixture
def li(outbreak, login, now):
    """李娜 signed in (her account made as the sign-in makes it)."""
    return login(resident(outbreak.cast.li))


def body(response):
    return response.content.decode()


def order_section(page, order):
    start = page.index(f'id="order-{order.uuid}"')
    return page[start:page.index("</section>", start)]


def test_the_page_shows_the_order_its_basis_rule_dates_and_tests(outbreak, li_order, li):
    page = body(li.get(STATUS))
    assert 'data-colour="red"' in page and zh(Colour.RED.label) in page
    section = order_section(page, li_order)
    assert zh(OrderKind.CENTRALISED_ISOLATION.label) in section
    assert zh(Basis.CONTACT.label) in section
    assert "2022-11-20" in section and "2022-11-24" in section
    assert li_order.profile.name in section and li_order.rule in section
    for day in ("2022-11-20", "2022-11-21", "2022-11-22", "2022-11-24"):
        assert f'data-day="{day}"' in section
    assert 'class="negative" data-day="2022-11-20"' in section
    assert 'class="due today" data-day="2022-11-21"' in section
    assert zh(Result.NEGATIVE.label) in section


def test_a_contact_never_learns_who_the_case_was(outbreak, li_order, li):
    page = body(li.get(STATUS))
    assert "赵强" not in page and li_order.basis_case.number not in page


def test_a_manual_order_shows_its_reason_and_the_approvers_role_not_name(outbreak, li):
    cast = outbreak.cast
    order = manual_order(cast, cast.li, "同楼栋出现阳性，临时管控待核酸结果")
    section = order_section(body(li.get(STATUS)), order)
    assert "同楼栋出现阳性，临时管控待核酸结果" in section
    assert zh(Role.HOSPITAL.label) in section and zh(Basis.MANUAL.label) in section
    assert "yiyuan" not in section and "wangge" not in section


def test_a_pending_manual_order_shows_as_awaiting_approval(outbreak, li):
    cast = outbreak.cast
    order = control.control_order_create(
        acting_user=cast.wangge, person=cast.li, basis="manual", kind="temporary_control",
        starts_on=D(2022, 11, 21), ends_on=D(2022, 11, 23), reason="待核实")
    page = body(li.get(STATUS))
    assert 'data-colour="green"' in page  # not in force until a second person approves
    assert 'data-status="pending"' in order_section(page, order)
    assert 'id="health-check"' not in page


def test_orders_ended_in_the_last_30_days_are_listed(outbreak, li, now):
    cast = outbreak.cast

    def pool_order(start, end):
        return control.control_order_create(
            acting_user=cast.wangge, person=cast.li, basis="pool", basis_ref="混管 0001",
            kind="temporary_control", starts_on=start, ends_on=end)

    now.move_to(datetime.datetime(2022, 10, 12, 9, tzinfo=datetime.UTC))
    old = pool_order(D(2022, 10, 10), D(2022, 10, 12))
    control.control_order_cancel(acting_user=cast.wangge, order=old, reason="录入错误")
    now.move_to(datetime.datetime(2022, 11, 15, 2, tzinfo=datetime.UTC))
    recent = pool_order(D(2022, 11, 14), D(2022, 11, 16))
    control.control_order_cancel(acting_user=cast.wangge, order=recent, reason="复核阴性")
    now.move_to(datetime.datetime(2022, 11, 21, 2, tzinfo=datetime.UTC))
    page = body(li.get(STATUS))
    assert f'id="order-{recent.uuid}"' in page and f'id="order-{old.uuid}"' not in page
    assert 'data-colour="green"' in page


def test_a_self_reported_health_check_lands_on_the_order(outbreak, li_order, li):
    response = li.post(CHECK, {"order": str(li_order.uuid), "temperature": "37.6",
                               "symptoms": ["dry_cough", "fatigue"]})
    assert response.status_code == 302 and response["Location"] == STATUS
    check = HealthCheck.objects.get(order=li_order)
    assert (check.temperature, check.symptoms, check.by_self) == (
        Decimal("37.6"), ["dry_cough", "fatigue"], True)
    assert check.recorded_by.person == outbreak.cast.li
    section = order_section(body(li.get(STATUS)), li_order)
    assert "10:00 · 37.6 °C" in section


@pytest.mark.parametrize("temperature", ["45.0", "abc", ""])
def test_a_bad_temperature_is_explained_and_nothing_is_saved(outbreak, li_order, li,
                                                              temperature):
    response = li.post(CHECK, {"order": str(li_order.uuid), "temperature": temperature})
    assert response.status_code == 400
    assert response.context["check_form"].errors["temperature"]
    assert not HealthCheck.objects.exists()


def test_a_check_on_someone_elses_order_is_refused(outbreak, li_order, login, now):
    own = contact_order(outbreak, outbreak.cast.zhang, case=li_order.basis_case)
    zhang = login(outbreak.cast.jumin)
    response = zhang.post(CHECK, {"order": str(li_order.uuid), "temperature": "36.5"})
    assert response.status_code == 400 and response.context["check_form"].errors["order"]
    assert not HealthCheck.objects.exists()
    assert zhang.post(CHECK, {"order": str(own.uuid), "temperature": "36.5"}).status_code == 302
    assert HealthCheck.objects.get().order == own


def test_with_nothing_in_force_there_is_nothing_to_report(cast, login, now):
    zhang = login(cast.jumin)
    assert 'id="health-check"' not in body(zhang.get(STATUS))
    assert zhang.post(CHECK, {"temperature": "36.5"})["Location"] == STATUS
    assert not HealthCheck.objects.exists()


def test_a_resident_cannot_open_another_persons_order(outbreak, li_order, login, now):
    zhang = login(outbreak.cast.jumin)
    url = reverse("residents:appeal", args=[li_order.uuid])
    assert zhang.get(url).status_code == 404
    assert zhang.post(url, {"message": "我要申诉"}).status_code == 404
    assert zhang.get(reverse("residents:appeal", args=[uuid.uuid4()])).status_code == 404
    assert "李娜" not in body(zhang.get(STATUS))


@pytest.mark.parametrize("name", ["residents:appeals", "cases:register", "people:registry",
                                  "places:overview"])
def test_a_resident_is_refused_staff_pages(cast, login, name):
    assert login(cast.jumin).get(reverse(name)).status_code == 403


def test_a_resident_is_refused_answering_appeals(cast, login):
    url = reverse("residents:appeal_answer", args=[uuid.uuid4()])
    assert login(cast.jumin).get(url).status_code == 403


def test_staff_are_refused_the_residents_page_and_visitors_sent_to_sign_in(cast, login, client):
    assert client.get(STATUS)["Location"].startswith(reverse("residents:sign_in"))
    staff = login(cast.wangge)
    assert staff.get(STATUS).status_code == 403
    assert staff.post(CHECK, {}).status_code == 403


def test_the_page_costs_the_same_queries_however_many_orders(outbreak, li, now):
    cast = outbreak.cast
    order = contact_order(outbreak, cast.li)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert li.get(STATUS).status_code == 200
        return len(queries)

    few = count()
    control.health_check_record(acting_user=cast.wangge, order=order,
                                taken_at=datetime.datetime(2022, 11, 21, 1, tzinfo=datetime.UTC),
                                temperature=Decimal("36.6"))
    manual_order(cast, cast.li, "同楼栋出现阳性")
    li.post(reverse("residents:appeal", args=[order.uuid]), {"message": "我已经转运"})
    assert count() == few
