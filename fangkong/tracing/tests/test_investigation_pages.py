"""The investigation pages a tracer works on: the list with its clocks, one investigation
with its window, trajectory, contacts, exposure sites and timeline, and its actions (next
step, stays, reading check-ins again, notifying an exposure site). A tracer sees only their
teams' investigations; a refused form keeps what was typed and says why next to the input."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils.html import escape

from fangkong.accounts.roles import Role
from fangkong.accounts.services import user_create
from fangkong.cases.tests.util import at, report
from fangkong.core.cast import PASSWORD
from fangkong.tracing import services
from fangkong.tracing.models import (
    Contact,
    ExposureSite,
    Investigation,
    Status,
    Stay,
    StaySource,
)
from fangkong.tracing.tests.util import body_of, flash, profile_with, team, venue, visit, zh

MIN = datetime.timedelta(minutes=1)


@pytest.fixture
def w(outbreak):
    """追阳一队 (liudiao) works 张伟's case, reported 14 Nov 2022; his wife 李娜 is proposed as
    a household contact."""
    c = outbreak.cast
    w = SimpleNamespace(cast=c, o=outbreak)
    w.team = team(c, "追阳一队", c.liudiao)
    w.case = report(outbreak, c.zhang, "asymptomatic", day=14)
    w.investigation = Investigation.objects.get(case=w.case)
    return w


@pytest.fixture
def other(w):
    """A second team with another tracer, given 赵强's case (round-robin: its turn)."""
    c = w.cast
    w.liudiao2 = user_create(acting_user=None, username="liudiao2", password=PASSWORD,
                             role=Role.TRACER, scope=c.shuocheng)
    w.team2 = team(c, "追阳二队", w.liudiao2)
    w.other_case = report(w.o, c.zhao, "asymptomatic", day=15)
    w.other = Investigation.objects.get(case=w.other_case)
    assert w.other.team == w.team2
    return w


def detail(client, investigation):
    return client.get(reverse("tracing:investigation", args=[investigation.uuid]))


def post(client, name, investigation, data):
    return client.post(reverse(f"tracing:{name}", args=[investigation.uuid]), data)


def fresh(investigation):
    return Investigation.objects.get(pk=investigation.pk)


# --- the list -----------------------------------------------------------------------------

def test_the_list_shows_case_person_team_clock_and_contacts(w, login):
    response = login(w.cast.liudiao).get(reverse("tracing:investigations"))
    assert response.status_code == 200
    body = body_of(response)
    row = body.split(f'data-investigation="{w.investigation.uuid}"')[1].split("</tr>")[0]
    assert w.case.number in row and "张伟" in row and "追阳一队" in row
    assert 'class="clock late"' in row  # due 15 Nov 2022, long past
    assert "2022-11-15 10:00" in row  # reported 14 Nov 10:00, core information in 24 h
    contacts = row.split('class="num"')[-1].split(">", 1)[1].split("</td>")[0]
    assert re.sub(r"<[^>]+>", "", contacts).split() == ["1"]  # 李娜


def test_anonymous_visitors_are_sent_to_log_in(w, client):
    for url in (reverse("tracing:investigations"), reverse("tracing:contacts"),
                reverse("tracing:investigation", args=[w.investigation.uuid])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_filters_by_status_and_overdue(w, login):
    client = login(w.cast.liudiao)
    url = reverse("tracing:investigations")
    assert w.case.number in body_of(client.get(url, {"status": "overdue"}))
    assert w.case.number in body_of(client.get(url, {"status": "assigned"}))
    assert w.case.number not in body_of(client.get(url, {"status": "completed"}))
    assert client.get(url, {"status": "nonsense"}).status_code == 400


def test_a_tracer_sees_only_their_teams_investigations(other, login):
    w = other
    client = login(w.cast.liudiao)
    body = body_of(client.get(reverse("tracing:investigations")))
    assert w.case.number in body and w.other_case.number not in body
    assert detail(client, w.investigation).status_code == 200
    assert detail(client, w.other).status_code == 404
    assert post(client, "investigation_advance", w.other,
                {"status": Status.IN_PROGRESS}).status_code == 404
    assert fresh(w.other).status == Status.ASSIGNED
    assert detail(login(w.liudiao2), w.other).status_code == 200


def test_the_list_query_count_does_not_grow_with_the_rows(w, login,
                                                         django_assert_max_num_queries):
    client = login(w.cast.liudiao)
    client.get(reverse("tracing:investigations"))
    with django_assert_max_num_queries(6):
        client.get(reverse("tracing:investigations"))
    for person, day in ((w.cast.wang, 15), (w.cast.zhao, 16)):
        report(w.o, person, "asymptomatic", day=day)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("tracing:investigations"))
    assert body_of(response).count("data-investigation=") == 3


# --- one investigation --------------------------------------------------------------------

def test_the_page_shows_case_window_trajectory_contacts_and_timeline(w, login):
    response = detail(login(w.cast.liudiao), w.investigation)
    assert response.status_code == 200
    body = body_of(response)
    assert reverse("cases:detail", args=[w.case.uuid]) in body
    assert w.cast.zhang.id_number not in body and w.cast.zhang.phone not in body
    window = body.split('id="window"')[1].split("</dd>")[0]
    assert "2022-11-10 00:00 – 2022-11-14 10:00" in window  # 4 days before sampling
    stays = body.split('id="stay-list"')[1].split("</table>")[0]
    assert 'data-source="household"' in stays and "101" in stays
    proposed = body.split('id="contacts-proposed"')[1].split("</section>")[0]
    assert "李娜" in proposed and zh("Confirm") in proposed
    assert 'data-kind="opened"' in body and 'data-kind="assigned"' in body


def test_the_page_query_count_does_not_grow_with_the_contacts(w, login,
                                                               django_assert_max_num_queries):
    client = login(w.cast.liudiao)
    detail(client, w.investigation)
    with django_assert_max_num_queries(14):
        detail(client, w.investigation)
    for person in (w.cast.wang, w.cast.zhao, w.cast.liu):
        services.contact_record(acting_user=w.cast.admin, case=w.case, person=person,
                                category="close", setting="gathering",
                                last_exposure_at=at(13, 19))
    with django_assert_max_num_queries(14):
        response = detail(client, w.investigation)
    assert body_of(response).count('class="card contact"') == 4


def test_a_community_worker_sees_their_communitys_investigations_only(other, login):
    w = other
    client = login(w.cast.wangge)
    assert detail(client, w.investigation).status_code == 200
    assert detail(client, w.other).status_code == 404  # 赵强 lives in 新建社区
    body = body_of(client.get(reverse("tracing:investigations")))
    assert w.case.number in body and w.other_case.number not in body


def test_a_community_worker_sees_the_page_without_actions(w, login):
    response = detail(login(w.cast.wangge), w.investigation)
    assert response.status_code == 200
    body = body_of(response)
    assert "李娜" in body
    assert 'id="next-step"' not in body and 'id="stay-add"' not in body
    assert 'class="stack confirm"' not in body
    refused = post(login(w.cast.wangge), "investigation_advance", w.investigation,
                   {"status": Status.IN_PROGRESS})
    assert refused.status_code == 403


def test_the_investigation_is_worked_step_by_step(w, login):
    client = login(w.cast.liudiao)
    assert post(client, "investigation_advance", w.investigation,
                {"status": Status.IN_PROGRESS}).status_code == 302
    assert post(client, "investigation_advance", w.investigation,
                {"status": Status.CORE_DONE, "summary": "核心信息已报"}).status_code == 302
    investigation = fresh(w.investigation)
    assert investigation.status == Status.CORE_DONE and investigation.summary == "核心信息已报"
    body = body_of(detail(client, w.investigation))
    assert "核心信息已报" in body
    assert 'class="clock late"' not in body.split('id="clock"')[1].split("</dd>")[0]
    assert post(client, "investigation_advance", w.investigation,
                {"status": Status.COMPLETED}).status_code == 302
    body = body_of(detail(client, w.investigation))
    assert 'id="next-step"' not in body and 'id="stay-add"' not in body
    assert 'id="propose"' not in body  # the trajectory of a completed investigation stays
    assert 'class="stack confirm"' in body  # a contact left proposed can still be settled


def test_a_double_tap_on_a_step_shows_the_step_the_investigation_is_at(w, login):
    client = login(w.cast.liudiao)
    post(client, "investigation_advance", w.investigation, {"status": Status.IN_PROGRESS})
    response = post(client, "investigation_advance", w.investigation,
                    {"status": Status.IN_PROGRESS, "summary": "已电话联系"})
    assert response.status_code == 400
    form = body_of(response).split('id="next-step"')[1].split("</form>")[0]
    assert escape(zh("An investigation that is %(now)s cannot become %(next)s.",
                     now=zh("In progress"), next=zh("In progress"))) in form
    assert 'value="core_done"' in form and "已电话联系" in form
    assert zh("Core information done") in form
    assert fresh(w.investigation).status == Status.IN_PROGRESS


def test_a_step_out_of_order_is_refused_on_the_form(w, login):
    response = post(login(w.cast.liudiao), "investigation_advance", w.investigation,
                    {"status": Status.COMPLETED, "summary": "跳过"})
    assert response.status_code == 400
    form = body_of(response).split('id="next-step"')[1].split("</form>")[0]
    assert escape(zh("An investigation that is %(now)s cannot become %(next)s.",
                     now=zh("Assigned"), next=zh("Completed"))) in form
    assert "跳过" in form
    assert fresh(w.investigation).status == Status.ASSIGNED


def test_a_stay_at_a_venue_is_added_by_its_code(w, login):
    shop = venue(w.cast)
    response = post(login(w.cast.liudiao), "stay_add", w.investigation, {
        "stay-venue_code": shop.code.lower(), "stay-started_at": "2022-11-12T10:00",
        "stay-ended_at": "2022-11-12T10:40"})
    assert response.status_code == 302
    stay = Stay.objects.get(investigation=w.investigation, source=StaySource.INTERVIEW)
    assert (stay.venue, stay.started_at, stay.ended_at) == (shop, at(12, 10),
                                                           at(12, 10) + 40 * MIN)


def test_an_unknown_venue_code_keeps_what_was_typed(w, login):
    response = post(login(w.cast.liudiao), "stay_add", w.investigation, {
        "stay-venue_code": "V-NOPE", "stay-note": "朋友家", "stay-started_at": "2022-11-12T10:00",
        "stay-ended_at": "2022-11-12T10:40"})
    assert response.status_code == 400
    form = body_of(response).split('id="stay-add"')[1].split("</details>")[0]
    field = form.split('id="field-venue_code"')[1].split("</div>")[0]
    assert escape(zh("No venue has this code: check it on the poster.")) in field
    assert 'value="V-NOPE"' in form and 'value="朋友家"' in form
    assert 'value="2022-11-12T10:40"' in form
    assert not Stay.objects.filter(source=StaySource.INTERVIEW).exists()


def test_a_stay_ending_before_it_begins_is_refused_next_to_the_end(w, login):
    response = post(login(w.cast.liudiao), "stay_add", w.investigation, {
        "stay-note": "朋友家", "stay-started_at": "2022-11-12T10:00",
        "stay-ended_at": "2022-11-12T09:00"})
    assert response.status_code == 400
    field = body_of(response).split('id="field-ended_at"')[1].split("</div>")[0]
    assert escape(zh("A stay ends after it begins.")) in field


def test_a_stay_is_removed_only_with_a_reason(w, login):
    client = login(w.cast.liudiao)
    stay = w.investigation.stays.get()
    refused = post(client, "stay_remove", w.investigation, {"stay": stay.pk, "reason": ""})
    assert refused.status_code == 400
    assert escape(zh("Say why the stay is removed.")) in body_of(refused)
    assert Stay.objects.filter(pk=stay.pk).exists()
    done = post(client, "stay_remove", w.investigation, {"stay": stay.pk, "reason": "住院中"})
    assert done.status_code == 302
    assert not Stay.objects.filter(pk=stay.pk).exists()
    again = post(client, "stay_remove", w.investigation, {"stay": stay.pk, "reason": "住院中"})
    assert again.status_code == 302
    assert zh("This stay is no longer in the trajectory.") in flash(again)


def test_another_investigations_stay_cannot_be_removed(other, login):
    w = other
    stay = w.other.stays.get()
    client = login(w.cast.liudiao)
    post(client, "stay_remove", w.investigation, {"stay": stay.pk, "reason": "x"})
    assert post(client, "stay_remove", w.other, {"stay": stay.pk, "reason": "x"}
                ).status_code == 404
    assert Stay.objects.filter(pk=stay.pk).exists()


def test_reading_check_ins_again_proposes_late_uploads(w, login):
    shop = venue(w.cast)
    visit(shop, w.cast.zhang, at(12, 10), 30)   # uploaded by the gate after the report
    visit(shop, w.cast.zhao, at(12, 10), 30)
    response = post(login(w.cast.liudiao), "investigation_propose", w.investigation, {})
    assert response.status_code == 302
    assert zh("Check-ins read again: %(stays)s new stays, %(household)s household members, "
              "%(companions)s companions, %(sites)s exposure sites.",
              stays=1, household=0, companions=1, sites=0) in flash(response)
    companion = Contact.objects.get(case=w.case, person=w.cast.zhao)
    assert companion.overlap_minutes == 30
    body = body_of(detail(login(w.cast.liudiao), w.investigation))
    assert "赵强" in body.split('id="contacts-proposed"')[1].split("</section>")[0]


def test_an_exposure_site_is_listed_and_notified_once(outbreak, login):
    c = outbreak.cast
    team(c, "追阳一队", c.liudiao)
    profile_with(c, datetime.date(2022, 11, 12), exposure_site_min_visitors=2)
    shop = venue(c)
    for person in (c.zhang, c.zhao, c.liu):
        visit(shop, person, at(12, 10), 30)
    case = report(outbreak, c.zhang, "asymptomatic", day=14)
    site = ExposureSite.objects.get(case=case)
    client = login(c.liudiao)
    body = body_of(detail(client, case.investigation))
    row = body.split(f'data-site="{site.uuid}"')[1].split("</tr>")[0]
    assert "开发区超市" in row and zh("Record the group notice") in row
    listed = body_of(client.get(reverse("tracing:exposure_sites")))
    assert "开发区超市" in listed and case.number in listed
    response = client.post(reverse("tracing:exposure_site_notify", args=[site.uuid]),
                           {"back": "investigation"})
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("tracing:investigation", args=[case.investigation.uuid]))
    assert ExposureSite.objects.get(pk=site.pk).notified_by == c.liudiao
    again = client.post(reverse("tracing:exposure_site_notify", args=[site.uuid]))
    assert zh("The visitors were notified already.") in flash(again)
    assert zh("Record the group notice") not in body_of(
        client.get(reverse("tracing:exposure_sites")))
