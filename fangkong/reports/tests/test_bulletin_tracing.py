"""The bulletin's contacts: traced, still under control (through the phase that follows
centralised isolation), released, become cases; as of each day, scoped, and a past day's
figures unchanged by what happens later."""

import copy
import datetime
import io

import docx
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from fangkong.cases.services import outbreak_create
from fangkong.cases.tests.util import at, report
from fangkong.control import services as control
from fangkong.control.models import OrderKind, OrderStatus, Result
from fangkong.reports.bulletin import bulletin, tracing_section
from fangkong.reports.docx import bulletin_docx
from fangkong.reports.text import bulletin_paragraphs
from fangkong.tracing import services
from fangkong.tracing.models import Category, Contact, Setting
from fangkong.tracing.tests.util import team

pytestmark = pytest.mark.django_db

NOV = {d: datetime.date(2022, 11, d) for d in range(9, 31)}
KEYS = ("contacts_traced", "new_contacts_traced", "contacts_under_control", "contacts_released",
        "contacts_became_cases")


def figures(user, o, day):
    b = bulletin(user, NOV[day], o.outbreak)
    return {key: b[key] for key in KEYS}


def confirm(user, contact, when):
    with time_machine.travel(when, tick=False):
        return services.contact_confirm(acting_user=user, contact=contact)


def record(user, case, person, when, category=Category.CLOSE):
    with time_machine.travel(when, tick=False):
        return services.contact_record(acting_user=user, case=case, person=person,
                                       category=category, setting=Setting.WORKPLACE,
                                       last_exposure_at=at(13, 19))


def pass_tests(order, last_day):
    for test in order.tests.filter(day__lte=last_day):
        with time_machine.travel(at(test.day.day, 9, test.day.month), tick=False):
            control.control_test_record(acting_user=None, order=order, day=test.day,
                                        result=Result.NEGATIVE)


def release(order, day):
    pass_tests(order, NOV[day])
    with time_machine.travel(at(day, 12), tick=False):
        return control.control_order_release(acting_user=None, order=order)


@pytest.fixture
def traced(outbreak):
    """zhang (文远社区) reported on the 14th. Her household member li is confirmed a close
    contact that afternoon; on the 15th the tracer records zhao (新建社区) and wang as close
    contacts and liu (应县) as a general contact, who is not counted."""
    c = outbreak.cast
    team(c)
    case = report(outbreak, c.zhang, "confirmed", day=14)
    li = confirm(c.liudiao, Contact.objects.get(case=case, person=c.li), at(14, 16))
    zhao = record(c.liudiao, case, c.zhao, at(15, 9))
    wang = record(c.liudiao, case, c.wang, at(15, 9))
    record(c.liudiao, case, c.liu, at(15, 9), category=Category.GENERAL)
    outbreak.contacts = {"li": li, "zhao": zhao, "wang": wang}
    return outbreak


def test_contacts_as_of_two_days(traced):
    admin = traced.cast.admin
    assert figures(admin, traced, 13) == dict.fromkeys(KEYS, 0)
    assert figures(admin, traced, 14) == {
        "contacts_traced": 1, "new_contacts_traced": 1, "contacts_under_control": 1,
        "contacts_released": 0, "contacts_became_cases": 0}
    assert figures(admin, traced, 15) == {
        "contacts_traced": 3, "new_contacts_traced": 2, "contacts_under_control": 3,
        "contacts_released": 0, "contacts_became_cases": 0}


def test_a_close_contact_of_two_cases_is_one_person(traced):
    """zhao met two cases: recorded as li's close contact too on the 16th, zhao is still one
    person traced, and not a new one that day."""
    c = traced.cast
    second = report(traced, c.li, "confirmed", day=16, hour=8)
    record(c.liudiao, second, c.zhao, at(16, 9))
    assert Contact.objects.filter(person=c.zhao, status="confirmed").count() == 2
    day16 = figures(c.admin, traced, 16)
    assert (day16["contacts_traced"], day16["new_contacts_traced"]) == (3, 0)
    assert day16["contacts_under_control"] == 2      # li became a case: zhao and wang held
    assert day16["contacts_became_cases"] == 1


def test_the_figures_are_the_confirmed_close_contacts_on_record(traced):
    c = traced.cast
    on_record = Contact.objects.filter(case__outbreak=traced.outbreak, status="confirmed",
                                       category__in=["close", "secondary"])
    assert {x.person for x in on_record} == {c.li, c.zhao, c.wang}
    assert all(x.control_order.status == OrderStatus.ACTIVE for x in on_record)
    assert figures(c.admin, traced, 20)["contacts_traced"] == on_record.count()
    proposed = Contact.objects.filter(case__outbreak=traced.outbreak, status="proposed")
    assert not proposed.exists()  # li was the only proposal, and she is confirmed


def test_home_isolation_after_centralised_isolation_is_still_under_control(traced):
    admin = traced.cast.admin
    home = release(traced.contacts["li"].control_order, 18)
    assert (home.kind, home.predecessor) == (OrderKind.HOME_ISOLATION,
                                             traced.contacts["li"].control_order)
    assert figures(admin, traced, 19)["contacts_under_control"] == 3
    release(home, 21)
    after = figures(admin, traced, 21)
    assert (after["contacts_under_control"], after["contacts_released"]) == (2, 1)


def test_a_past_day_is_unchanged_by_a_later_release(traced):
    admin = traced.cast.admin
    home = release(traced.contacts["li"].control_order, 18)
    before = {day: figures(admin, traced, day) for day in (15, 18, 20)}
    release(home, 21)
    assert {day: figures(admin, traced, day) for day in (15, 18, 20)} == before
    assert figures(admin, traced, 21)["contacts_released"] == 1


def test_a_contact_found_positive_under_control_counts_as_become_a_case(traced):
    admin, wang = traced.cast.admin, traced.contacts["wang"]
    order = wang.control_order
    test_day = order.tests.filter(day__gt=NOV[15]).order_by("day").first().day
    with time_machine.travel(at(test_day.day, 12), tick=False):
        case = control.control_test_record(acting_user=None, order=order, day=test_day,
                                           result=Result.POSITIVE)
    wang.refresh_from_db()
    assert wang.became_case == case
    before = figures(admin, traced, test_day.day - 1)
    on_day = figures(admin, traced, test_day.day)
    assert (before["contacts_under_control"], before["contacts_became_cases"]) == (3, 0)
    assert on_day == {"contacts_traced": 3, "new_contacts_traced": 0,
                      "contacts_under_control": 2, "contacts_released": 0,
                      "contacts_became_cases": 1}


def test_a_community_worker_counts_only_their_communitys_contacts(traced):
    c = traced.cast
    assert figures(c.wangge2, traced, 15)["contacts_traced"] == 1   # zhao lives in 新建社区
    assert figures(c.yingxianqu, traced, 15)["contacts_traced"] == 0  # liu is a general contact
    assert figures(c.liudiao, traced, 15)["contacts_traced"] == 3     # their team's case
    assert figures(c.noscope, traced, 15) == dict.fromkeys(KEYS, 0)
    # liu (应县) becomes a close contact of li's case on the 16th: 应县 counts liu alone
    record(c.liudiao, report(traced, c.li, "confirmed", day=16, hour=8), c.liu, at(16, 9))
    assert figures(c.yingxianqu, traced, 16)["contacts_traced"] == 1
    assert figures(c.wangge2, traced, 16)["contacts_traced"] == 1


def test_secondary_contacts_are_counted_and_named_before_the_20_measures(outbreak):
    c = outbreak.cast
    october = outbreak_create(acting_user=c.admin, code="sz-2022-10", name="十月疫情",
                              start_date=datetime.date(2022, 11, 1),
                              places=[c.shuocheng, c.yingxian])
    o = type(outbreak)(outbreak=october, cast=c)
    with time_machine.travel(at(9, 12), tick=False):
        case = report(o, c.zhang, "confirmed", day=9)
        close = services.contact_confirm(acting_user=c.admin,
                                         contact=Contact.objects.get(case=case, person=c.li))
    with time_machine.travel(at(10, 12), tick=False):
        services.contact_record(acting_user=c.admin, case=case, person=c.zhao,
                                category=Category.SECONDARY, setting=Setting.WORKPLACE,
                                last_exposure_at=at(9, 8), via=close)
    b = bulletin(c.admin, NOV[10], october)
    assert (b["contacts_traced"], b["secondary_contacts_traced"],
            b["contacts_under_control"]) == (2, 1, 2)
    assert ("截至11月10日24时，本轮疫情累计追踪密切接触者和次密切接触者2人（其中次密切接触者1人），"
            "当日新增1人。尚在隔离管控中2人，已解除隔离管控0人。") in bulletin_paragraphs(b)


def test_the_section_is_one_query(traced, django_assert_num_queries):
    with django_assert_num_queries(1):
        tracing_section(traced.cast.admin, traced.outbreak, NOV[20])


# --- words, page and document ------------------------------------------------------------

CONTACTS15 = ("截至11月15日24时，本轮疫情累计追踪密切接触者3人，当日新增2人。"
              "尚在隔离管控中3人，已解除隔离管控0人。")


def test_the_contacts_paragraph_on_the_page_and_in_the_document(traced, login):
    client = login(traced.cast.admin)
    body = client.get(reverse("reports:bulletin"), {"date": "2022-11-15"}).content.decode()
    assert CONTACTS15 in body
    assert 'id="bulletin-contacts"' in body
    word = client.get(reverse("reports:bulletin_download", args=["docx"]),
                      {"date": "2022-11-15"})
    assert CONTACTS15 in [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]


def test_the_page_shows_each_contact_figure_with_its_label(traced, login):
    body = login(traced.cast.admin).get(reverse("reports:bulletin"),
                                        {"date": "2022-11-15"}).content.decode()
    section = body[body.index('id="bulletin-contacts"'):]
    with translation.override("zh-hans"):   # the page speaks the default language
        for value, label in ((3, "Close and secondary contacts traced"),
                             (2, "Contacts traced on the day"),
                             (3, "Contacts still under control"),
                             (0, "Contacts released from control")):
            assert f"<b>{value}</b><span>{translation.gettext(label)}</span>" in section
        assert translation.gettext("Contacts who became cases") not in section   # none yet


@pytest.fixture
def words():
    """Hand-written figures: the section's words alone."""
    return {"as_of": "2022-11-28", "new": {"confirmed": 0, "reclassified": 0, "asymptomatic": 0,
                                           "in_control": 0, "community": 0, "discharged": 0,
                                           "released": 0, "deaths": 0, "by_district": {}},
            "cumulative": {"confirmed": 0, "asymptomatic": 0, "by_district": {}},
            "discharged": 0, "released": 0, "in_hospital": 0, "under_observation": 0,
            "deaths": 0, "contacts_traced": 5210, "new_contacts_traced": 0,
            "secondary_contacts_traced": 0, "contacts_under_control": 3120,
            "contacts_released": 1987, "contacts_became_cases": 103}


def test_the_contacts_paragraph_in_the_official_style(words):
    assert bulletin_paragraphs(words)[-1] == (
        "截至11月28日24时，本轮疫情累计追踪密切接触者5210人，当日无新增。"
        "尚在隔离管控中3120人，已解除隔离管控1987人，已转为阳性感染者103人。")


def test_no_contacts_no_paragraph(words):
    quiet = copy.deepcopy(words)
    quiet.update(dict.fromkeys(KEYS, 0), secondary_contacts_traced=0)
    assert len(bulletin_paragraphs(quiet)) == 2
    assert "密切接触者" not in "".join(bulletin_paragraphs(quiet))
    document = docx.Document(io.BytesIO(bulletin_docx({**words, "outbreak_name": "朔州",
                                                       "outbreak_start": "2022-11-13",
                                                       "scope": "朔州市"})))
    assert bulletin_paragraphs(words)[-1] in [p.text for p in document.paragraphs]
