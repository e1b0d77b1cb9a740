"""The home-isolation and home-health-monitoring ledgers: who is on them on a day, in a
community of the user's area, masked; and their .xlsx, masked unless asked by someone allowed
to see identifiers, every export audited."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from fangkong.accounts import roles
from fangkong.accounts.roles import Perm, Role
from fangkong.audit.models import AuditEvent
from fangkong.control import services
from fangkong.lib.masking import mask_id_number, mask_phone

D = datetime.date
SH = ZoneInfo("Asia/Shanghai")


def zh(message):
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


def at(day, hour, minute=0):
    return datetime.datetime(2022, 11, day, hour, minute, tzinfo=SH)


def outflow(cast, person, day, user=None):
    return services.control_order_create(
        acting_user=user or cast.admin, person=person, basis="risk_area_outflow",
        basis_ref="平鲁区高风险区", plan_basis="high-risk-outflow", starts_on=D(2022, 11, day))


@pytest.fixture
def w(cast):
    """Home isolation: 王芳 (文远社区) from 21 Nov, 赵强 (新建社区) from 20 Nov, 刘洋 (应县)
    from 20 Nov. Home health monitoring: 李娜 (文远社区) from 21 Nov. 张伟 is in centralised
    isolation, on neither ledger."""
    w = SimpleNamespace(cast=cast)
    w.wang = outflow(cast, cast.wang, 21)
    w.zhao = outflow(cast, cast.zhao, 20)
    w.liu = outflow(cast, cast.liu, 20)
    w.li = services.control_order_create(
        acting_user=cast.admin, person=cast.li, basis="high_risk_post", basis_ref="隔离酒店闭环",
        plan_basis="high-risk-post", starts_on=D(2022, 11, 21))
    w.zhang = services.control_order_create(
        acting_user=cast.admin, person=cast.zhang, basis="contact", basis_ref="流调 1119-2",
        plan_basis="close-contact", starts_on=D(2022, 11, 20))
    services.control_test_record(acting_user=cast.wangge, order=w.wang, day=D(2022, 11, 21),
                                 result="negative")
    for when in (at(21, 20), at(22, 0, 30), at(22, 20)):  # 00:30 Beijing is still the 22nd
        services.health_check_record(acting_user=cast.wangge, order=w.wang, taken_at=when,
                                     temperature=Decimal("36.4"))
    return w


def ledger(client, slug="home-isolation", **params):
    return client.get(f"/control/ledgers/{slug}/", params)


def xlsx(client, slug="home-isolation", **params):
    return client.get(f"/control/ledgers/{slug}/xlsx/", params)


def names(response):
    body = response.content.decode()
    return [n for n in ("张伟", "李娜", "王芳", "赵强", "刘洋") if f'data-person="{n}"' in body]


def row_of(response, name):
    return response.content.decode().split(f'data-person="{name}"')[1].split("</tr>")[0]


def sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


# --- the page -----------------------------------------------------------------------------

def test_home_isolation_ledger_on_a_day(w, login):
    response = ledger(login(w.cast.wangge), day="2022-11-22")
    assert response.status_code == 200
    assert names(response) == ["王芳"]
    row = row_of(response, "王芳")
    assert mask_id_number(w.cast.wang.id_number) in row
    assert w.cast.wang.id_number not in response.content.decode()
    assert "开发区小区 2号楼 1单元 201" not in row and "1号楼 1单元 102" in row
    assert "平鲁区高风险区" in row and "2022-11-21" in row and "2022-11-27" in row
    tests = row.split('class="tests"')[1].split("</td>")[0]
    assert "11-21" in tests and zh("Negative") in tests and "11-23" not in tests
    assert ">2/2<" in row  # two checks on the 22nd, Beijing time


def test_a_ledger_follows_the_day(w, login):
    client = login(w.cast.wangge)
    assert names(ledger(client, day="2022-11-20")) == []  # 王芳 starts on the 21st
    assert ">1/2<" in row_of(ledger(client, day="2022-11-21"), "王芳")


def test_home_monitoring_ledger(w, login):
    response = ledger(login(w.cast.wangge), "home-monitoring", day="2022-11-22")
    assert names(response) == ["李娜"]
    row = row_of(response, "李娜")
    assert mask_phone(w.cast.li.phone) in row and w.cast.li.phone not in row
    assert ">0/2<" in row


def test_a_ledger_shows_the_next_phase_once_it_starts(w, login):
    for day in w.zhang.test_days:
        services.control_test_record(acting_user=w.cast.admin, order=w.zhang,
                                     day=D.fromisoformat(day), result="negative")
    services.control_order_release(acting_user=w.cast.admin, order=w.zhang, day=D(2022, 11, 24))
    client = login(w.cast.wangge)
    assert "张伟" not in names(ledger(client, day="2022-11-24"))
    assert "张伟" in names(ledger(client, day="2022-11-25"))


def test_the_community_filter_stays_in_the_users_area(w, login):
    client = login(w.cast.jiedao)
    assert names(ledger(client, day="2022-11-22")) == ["王芳", "赵强"]
    assert names(ledger(client, day="2022-11-22", community=str(w.cast.xinjian.uuid))) == [
        "赵强"]
    refused = ledger(login(w.cast.wangge), day="2022-11-22", community=str(w.cast.xinjian.uuid))
    assert refused.status_code == 400 and names(refused) == []
    assert zh("This community is unknown or outside your area.") in refused.content.decode()


def test_the_day_defaults_to_today(w, login, time_machine):
    time_machine.move_to(at(22, 9))
    response = ledger(login(w.cast.wangge))
    assert names(response) == ["王芳"] and 'value="2022-11-22"' in response.content.decode()
    assert "day=2022-11-22" in response.content.decode().split('id="download"')[0]


def test_a_bad_day_is_refused(w, login):
    response = ledger(login(w.cast.wangge), day="2022-13-01")
    assert response.status_code == 400 and names(response) == []


@pytest.mark.parametrize("who, status, expected", [
    ("wangge2", 200, ["赵强"]), ("yingxianqu", 200, ["刘洋"]), ("noscope", 200, []),
    ("jumin", 403, []), ("yiyuan", 403, []), ("louzhang", 403, []),
])
def test_ledger_scope(w, login, who, status, expected):
    response = ledger(login(getattr(w.cast, who)), day="2022-11-22")
    assert response.status_code == status and names(response) == expected


def test_the_ledgers_urls(w, login):
    assert reverse("control:ledger", kwargs={"slug": "home-monitoring"}) == (
        "/control/ledgers/home-monitoring/")
    assert reverse("control:ledger_xlsx", kwargs={"slug": "home-isolation"}) == (
        "/control/ledgers/home-isolation/xlsx/")


def test_an_unknown_ledger_is_404(w, login):
    assert ledger(login(w.cast.wangge), "special-population").status_code == 404
    assert xlsx(login(w.cast.wangge), "special-population").status_code == 404


def test_ledger_query_count_does_not_grow_with_the_rows(w, login, django_assert_num_queries):
    client = login(w.cast.admin)
    ledger(client, day="2022-11-22")
    # session, user, scope, communities, orders, their tests, addresses
    with django_assert_num_queries(7):
        ledger(client, day="2022-11-22")
    services.control_order_create(
        acting_user=w.cast.admin, person=w.cast.zhang, basis="pool", basis_ref="混管 7",
        kind="home_isolation", starts_on=D(2022, 11, 22), ends_on=D(2022, 11, 24),
        test_days=[D(2022, 11, 22)])
    with django_assert_num_queries(7):
        response = ledger(client, day="2022-11-22")
    assert len(names(response)) == 4


# --- the .xlsx ----------------------------------------------------------------------------

def test_the_xlsx_is_masked_named_and_audited(w, login):
    response = xlsx(login(w.cast.wangge), day="2022-11-22")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        'attachment; filename="ledger-home-isolation-140602001001-2022-11-22.xlsx"')
    rows = sheet(response)
    assert rows[0] == [zh(h) for h in ("Name", "ID number", "Phone", "Address", "Basis",
                                       "Since", "Planned last day", "Tests so far",
                                       "Health checks on the day")]
    assert len(rows) == 2
    name, id_number, phone, address, basis, since, until, tests, checks = rows[1]
    assert (name, id_number, phone) == ("王芳", mask_id_number(w.cast.wang.id_number), None)
    assert address.endswith("1号楼 1单元 102") and "平鲁区高风险区" in basis
    assert since.date() == D(2022, 11, 21) and until.date() == D(2022, 11, 27)
    assert tests == f"11-21 {zh('Negative')}" and checks == 2
    event = AuditEvent.objects.get(action="control.ledger_export")
    assert (event.actor, event.scope_place) == (w.cast.wangge, w.cast.wenyuan)
    assert event.changes == {"rows": [None, 1], "masked": [None, True]}


def test_the_xlsx_of_a_community_and_the_monitoring_ledger(w, login):
    response = xlsx(login(w.cast.jiedao), "home-monitoring", day="2022-11-22",
                    community=str(w.cast.wenyuan.uuid))
    assert 'filename="ledger-home-monitoring-140602001001-2022-11-22.xlsx"' in response[
        "Content-Disposition"]
    rows = sheet(response)
    assert [r[0] for r in rows[1:]] == ["李娜"] and rows[1][2] == mask_phone(w.cast.li.phone)
    assert AuditEvent.objects.get(action="control.ledger_export").scope_place == w.cast.wenyuan


def test_unmasked_xlsx_for_someone_allowed_to_reveal_is_audited_as_such(w, login):
    response = xlsx(login(w.cast.wangge), day="2022-11-22", unmasked="1")
    assert sheet(response)[1][1] == w.cast.wang.id_number
    event = AuditEvent.objects.get(action="control.ledger_export")
    assert event.changes["masked"] == [None, False]


def test_unmasked_xlsx_is_refused_without_the_right_to_reveal(w, login, monkeypatch):
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, Role.COMMUNITY_WORKER,
                        roles.ROLE_PERMISSIONS[Role.COMMUNITY_WORKER] - {Perm.REVEAL_PII})
    client = login(w.cast.wangge)
    assert xlsx(client, day="2022-11-22", unmasked="1").status_code == 403
    assert 'id="download-unmasked"' not in ledger(client, day="2022-11-22").content.decode()
    assert not AuditEvent.objects.filter(action="control.ledger_export").exists()
    assert xlsx(client, day="2022-11-22").status_code == 200


def test_a_bad_day_writes_no_xlsx_and_no_audit(w, login):
    assert xlsx(login(w.cast.wangge), day="yesterday").status_code == 400
    assert not AuditEvent.objects.filter(action="control.ledger_export").exists()


def test_an_empty_xlsx_for_someone_without_an_area(w, login):
    response = xlsx(login(w.cast.noscope), day="2022-11-22")
    assert response.status_code == 200 and len(sheet(response)) == 1
    assert "ledger-home-isolation-none-2022-11-22.xlsx" in response["Content-Disposition"]


def test_residents_get_no_xlsx(w, login):
    assert xlsx(login(w.cast.jumin), day="2022-11-22").status_code == 403
    assert not AuditEvent.objects.filter(action="control.ledger_export").exists()
