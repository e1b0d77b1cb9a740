"""The pages district and command staff run tracing from: teams with their members and
workload, setting a team up and changing it, giving waiting investigations to teams by hand
or round-robin, and the tracing dashboard. Staff see only their area; a tracer sees the teams
but changes nothing; a role without tracing gets 403; a refused form keeps what was typed."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from fangkong.accounts.roles import Role
from fangkong.accounts.services import user_create
from fangkong.cases.tests.util import at, report
from fangkong.core.cast import PASSWORD
from fangkong.tracing import services
from fangkong.tracing.models import Investigation, Status, Team
from fangkong.tracing.tests.util import team

TEAMS = reverse("tracing:teams")
UNASSIGNED = reverse("tracing:unassigned")
ROUND_ROBIN = reverse("tracing:assign_round_robin")
DASHBOARD = reverse("tracing:dashboard")


def zh(message, **params):
    with translation.override("zh-hans"):
        text = str(translation.gettext(message))
    return text % params if params else text


def zh_plural(singular, plural, count, **params):
    with translation.override("zh-hans"):
        return str(translation.ngettext(singular, plural, count)) % {"count": count, **params}


def body_of(response):
    return response.content.decode()


def row(body, attr, value) -> str:
    """The table row carrying `attr="value"`."""
    match = re.search(rf'<tr [^>]*{attr}="{re.escape(str(value))}".*?</tr>', body, re.S)
    assert match, f"no row {attr}={value}"
    return match.group(0)


def field(body, name) -> str:
    """The form field `name` with its label, input and errors."""
    return re.search(rf'id="field-{name}".*?(?=id="field-|</form>)', body, re.S).group(0)


def count_in(row_html, name) -> str:
    return re.search(rf'data-count="{name}">(?:<span class="tag">)?(\d+)', row_html).group(1)


def tracer(c, username, scope):
    return user_create(acting_user=None, username=username, password=PASSWORD,
                       role=Role.TRACER, scope=scope)


def complete(investigation, user):
    for status in (Status.IN_PROGRESS, Status.CORE_DONE, Status.COMPLETED):
        investigation = services.investigation_advance(acting_user=user,
                                                       investigation=investigation,
                                                       status=status)
    return investigation


# --- the teams page -----------------------------------------------------------------------

def test_district_staff_see_each_team_with_members_and_workload(outbreak, login):
    c = outbreak.cast
    first = team(c, "追阳一队", c.liudiao)
    for person, day in ((c.zhang, 13), (c.wang, 14), (c.zhao, 15)):
        report(outbreak, person, day=day)
    complete(Investigation.objects.get(case__person=c.zhao), c.admin)

    body = body_of(login(c.quxian).get(TEAMS))
    mine = row(body, "data-team", first.uuid)
    assert "追阳一队" in mine and str(c.liudiao) in mine
    assert (count_in(mine, "open"), count_in(mine, "overdue"),
            count_in(mine, "completed")) == ("2", "2", "1")
    assert 'id="team-form"' in body


def test_the_teams_page_reads_many_teams_in_a_few_queries(cast, login,
                                                          django_assert_max_num_queries):
    others = [tracer(cast, f"tracer{n}", cast.beicheng) for n in range(3)]
    for n in range(8):
        team(cast, f"第{n}队", cast.liudiao, *others)
    client = login(cast.quxian)
    with django_assert_max_num_queries(9):  # 8 with eight teams: none per team
        body = body_of(client.get(TEAMS))
    assert body.count("data-team=") == 8


def test_district_staff_set_up_a_team_of_tracers_in_their_area(cast, login):
    client = login(cast.quxian)
    form = body_of(client.get(TEAMS))
    assert str(cast.beicheng.uuid) in form and str(cast.yingxian.uuid) not in form
    assert str(cast.liudiao.uuid) in form

    response = client.post(TEAMS, {"name": "北城追阳队", "place": str(cast.beicheng.uuid),
                                   "members": [str(cast.liudiao.uuid)]}, follow=True)
    new = Team.objects.get(name="北城追阳队")
    assert response.redirect_chain[-1][0] == reverse("tracing:team",
                                                     kwargs={"public_id": new.uuid})
    assert (new.place, list(new.members.all()), new.active) == (cast.beicheng, [cast.liudiao],
                                                                True)
    assert zh("Team %(name)s is set up.", name="北城追阳队") in body_of(response)


def test_a_taken_team_name_is_refused_and_the_form_keeps_what_was_typed(cast, login):
    team(cast, "追阳一队", cast.liudiao)
    response = login(cast.quxian).post(TEAMS, {
        "name": "追阳一队", "place": str(cast.shuocheng.uuid),
        "members": [str(cast.liudiao.uuid)]})
    assert response.status_code == 400
    body = body_of(response)
    assert escape(zh("A team of this name exists in this area.")) in field(body, "name")
    assert 'value="追阳一队"' in body
    assert re.search(rf'value="{cast.liudiao.uuid}"[^>]*checked', body)
    assert Team.objects.count() == 1


def test_a_tracer_working_in_another_district_cannot_join(cast, login):
    far = tracer(cast, "yingxian_liudiao", cast.yingxian)
    response = login(cast.admin).post(TEAMS, {
        "name": "追阳二队", "place": str(cast.shuocheng.uuid), "members": [str(far.uuid)]})
    assert response.status_code == 400
    assert escape(zh("%(user)s works outside this team's area.",
                     user="yingxian_liudiao")) in field(body_of(response), "members")
    assert not Team.objects.exists()


def test_an_area_outside_the_users_is_refused(cast, login):
    response = login(cast.quxian).post(TEAMS, {"name": "越界队",
                                               "place": str(cast.yingxian.uuid)})
    assert response.status_code == 400
    assert escape(zh("This area is unknown or outside yours.")) in body_of(response)
    assert not Team.objects.exists()


def test_a_tracer_sees_the_teams_but_sets_none_up(cast, login):
    team(cast, "追阳一队", cast.liudiao)
    client = login(cast.liudiao)
    body = body_of(client.get(TEAMS))
    assert "追阳一队" in body and 'id="team-form"' not in body
    response = client.post(TEAMS, {"name": "自封队", "place": str(cast.shuocheng.uuid)})
    assert response.status_code == 403
    assert Team.objects.count() == 1


@pytest.mark.parametrize("who", ["louzhang", "ducha", "caiyang", "jumin"])
def test_roles_without_tracing_get_403_on_every_page(cast, login, who):
    mine = team(cast, "追阳一队", cast.liudiao)
    client = login(getattr(cast, who))
    for url in (TEAMS, reverse("tracing:team", kwargs={"public_id": mine.uuid}), UNASSIGNED,
                DASHBOARD, reverse("tracing:clusters")):
        assert client.get(url).status_code == 403, url


def test_another_districts_team_is_not_found(cast, login):
    theirs = team(cast, "应县追阳队", tracer(cast, "yx", cast.yingxian), place=cast.yingxian)
    client = login(cast.quxian)
    assert client.get(reverse("tracing:team", kwargs={"public_id": theirs.uuid})
                      ).status_code == 404
    body = body_of(client.get(TEAMS))
    assert "应县追阳队" not in body


# --- one team -----------------------------------------------------------------------------

def test_district_staff_change_members_and_stop_a_teams_intake(outbreak, login):
    c = outbreak.cast
    mine = team(c, "追阳一队", c.liudiao)
    newcomer = tracer(c, "liudiao2", c.beicheng)
    report(outbreak, c.zhang, day=14)
    url = reverse("tracing:team", kwargs={"public_id": mine.uuid})
    client = login(c.quxian)
    body = body_of(client.get(url))
    assert 'data-member="liudiao"' in body and 'id="team-form"' in body
    assert row(body, "data-status", "assigned")

    response = client.post(url, {"members": [str(newcomer.uuid)]}, follow=True)
    mine.refresh_from_db()
    assert (list(mine.members.all()), mine.active) == ([newcomer], False)
    body = body_of(response)
    assert 'data-member="liudiao2"' in body and 'data-member="liudiao"' not in body
    assert zh("Team %(name)s is saved.", name="追阳一队") in body


def test_a_teams_open_investigations_come_before_its_completed_ones(outbreak, login):
    c = outbreak.cast
    mine = team(c, "追阳一队", c.liudiao)
    done = complete(report(outbreak, c.zhang, day=13).investigation, c.admin)
    waiting = report(outbreak, c.zhao, day=14).investigation
    body = body_of(login(c.quxian).get(reverse("tracing:team",
                                                kwargs={"public_id": mine.uuid})))
    listed = re.findall(r'<tr data-investigation="([^"]+)"', body)
    assert listed == [str(waiting.uuid), str(done.uuid)]


def test_a_tracer_opens_a_team_but_cannot_change_it(cast, login):
    mine = team(cast, "追阳一队", cast.liudiao)
    url = reverse("tracing:team", kwargs={"public_id": mine.uuid})
    client = login(cast.liudiao)
    assert 'id="team-form"' not in body_of(client.get(url))
    assert client.post(url, {"members": []}).status_code == 403
    assert list(mine.members.all()) == [cast.liudiao]


def test_a_tracer_sees_only_their_own_teams_investigations(outbreak, login):
    c = outbreak.cast
    other = tracer(c, "liudiao2", c.shuocheng)
    theirs = team(c, "追阳二队", other)
    case = report(outbreak, c.zhang, day=14)
    assert case.investigation.team == theirs
    url = reverse("tracing:team", kwargs={"public_id": theirs.uuid})
    body = body_of(login(c.liudiao).get(url))
    assert case.number not in body and "张伟" not in body
    assert 'id="no-investigations"' in body


# --- assignment ---------------------------------------------------------------------------

@pytest.fixture
def waiting(outbreak):
    """Two cases of 朔城区 reported before any team existed: both await a team."""
    c = outbreak.cast
    cases = [report(outbreak, c.zhang, day=13), report(outbreak, c.zhao, day=14)]
    return [Investigation.objects.get(case=case) for case in cases]


def assign_url(investigation):
    return reverse("tracing:assign", kwargs={"public_id": investigation.uuid})


def test_district_staff_give_a_waiting_case_to_a_team(outbreak, waiting, login):
    c = outbreak.cast
    mine = team(c, "追阳一队", c.liudiao)
    client = login(c.quxian)
    body = body_of(client.get(UNASSIGNED))
    first = row(body, "data-investigation", waiting[0].uuid)
    assert f'value="{mine.uuid}"' in first and 'data-overdue="1"' in first

    response = client.post(assign_url(waiting[0]), {"team": str(mine.uuid)}, follow=True)
    waiting[0].refresh_from_db()
    assert (waiting[0].team, waiting[0].status) == (mine, Status.ASSIGNED)
    body = body_of(response)
    assert zh("Case %(case)s is assigned to %(team)s.", case=waiting[0].case.number,
              team="追阳一队") in body
    assert f'data-investigation="{waiting[0].uuid}"' not in body
    assert f'data-investigation="{waiting[1].uuid}"' in body


def test_the_waiting_list_reads_many_cases_in_a_few_queries(outbreak, login,
                                                           django_assert_max_num_queries):
    c = outbreak.cast
    for person in (c.zhang, c.li, c.wang, c.zhao):
        report(outbreak, person, day=14)
    team(c, "追阳一队", c.liudiao)
    team(c, "追阳二队", c.liudiao)
    client = login(c.quxian)
    with django_assert_max_num_queries(8):  # 7 with four cases and two teams
        body = body_of(client.get(UNASSIGNED))
    assert body.count("<tr data-investigation=") == 4
    assert "开发区小区 1号楼 1单元 101" in body


def test_a_tracer_may_not_assign(outbreak, waiting, login):
    mine = team(outbreak.cast, "追阳一队", outbreak.cast.liudiao)
    client = login(outbreak.cast.liudiao)
    assert client.get(UNASSIGNED).status_code == 403
    assert client.post(assign_url(waiting[0]), {"team": str(mine.uuid)}).status_code == 403
    assert client.post(ROUND_ROBIN).status_code == 403
    waiting[0].refresh_from_db()
    assert waiting[0].status == Status.UNASSIGNED


def test_a_team_not_covering_the_case_or_not_taking_cases_is_refused(outbreak, waiting, login):
    c = outbreak.cast
    far = team(c, "应县追阳队", tracer(c, "yx", c.yingxian), place=c.yingxian)
    resting = team(c, "休整队", c.liudiao)
    services.team_update(acting_user=c.admin, team=resting, members=[c.liudiao], active=False)
    client = login(c.admin)
    assert f'value="{far.uuid}"' not in body_of(client.get(UNASSIGNED))

    body = body_of(client.post(assign_url(waiting[0]), {"team": str(far.uuid)}, follow=True))
    assert escape(zh("This team is unknown, outside your area or does not cover the case's "
                     "home.")) in body
    body = body_of(client.post(assign_url(waiting[0]), {"team": str(resting.uuid)},
                               follow=True))
    assert escape(zh("This team takes no new cases.")) in body
    waiting[0].refresh_from_db()
    assert (waiting[0].status, waiting[0].team) == (Status.UNASSIGNED, None)


def test_another_districts_investigation_is_not_found(outbreak, login):
    c = outbreak.cast
    theirs = Investigation.objects.get(case=report(outbreak, c.liu, day=14))
    mine = team(c, "追阳一队", c.liudiao)
    response = login(c.quxian).post(assign_url(theirs), {"team": str(mine.uuid)})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.team is None


def test_round_robin_gives_two_waiting_cases_to_two_teams_in_turn(outbreak, waiting, login):
    c = outbreak.cast
    one = team(c, "追阳一队", c.liudiao)
    two = team(c, "追阳二队", c.liudiao)
    response = login(c.quxian).post(ROUND_ROBIN, follow=True)
    for investigation in waiting:
        investigation.refresh_from_db()
    assert {i.team for i in waiting} == {one, two}
    assert all(i.status == Status.ASSIGNED for i in waiting)
    body = body_of(response)
    assert escape(zh_plural("%(count)d investigation was assigned round-robin.",
                            "%(count)d investigations were assigned round-robin.", 2)) in body
    assert 'id="none-waiting"' in body


def test_round_robin_says_how_many_no_team_covers(outbreak, waiting, login):
    c = outbreak.cast
    report(outbreak, c.liu, day=14)  # 应县 has no team
    team(c, "追阳一队", c.liudiao)
    body = body_of(login(c.admin).post(ROUND_ROBIN, follow=True))
    assert escape(zh_plural("%(count)d investigation was assigned round-robin.",
                            "%(count)d investigations were assigned round-robin.", 2)) in body
    assert escape(zh_plural(
        "%(count)d investigation still awaits a team: no active team covers the case's home.",
        "%(count)d investigations still await a team: no active team covers the cases' homes.",
        1)) in body
    assert body.count("data-investigation=") == 1


# --- the tracing dashboard ----------------------------------------------------------------

@pytest.fixture
def traced(outbreak):
    """On 14 Nov at 16:00: 张伟's case (13th, 09:00) is past its 24-hour clock; 王芳's (14th,
    10:00) is not, and its close contact 赵强 went under control six hours after the report;
    张伟's household member 李娜 is proposed. 刘洋 of 应县 is a case too."""
    c = outbreak.cast
    team(c, "追阳一队", c.liudiao)
    with time_machine.travel(at(14, 16), tick=False):
        late = report(outbreak, c.zhang, day=13, hour=9)
        fresh = report(outbreak, c.wang, day=14, hour=10)
        report(outbreak, c.liu, day=14, hour=8)
        services.contact_record(acting_user=c.admin, case=fresh, person=c.zhao,
                                category="close", setting="workplace",
                                last_exposure_at=at(14, 8))
    return late, fresh


def figure(body, name) -> str:
    return re.search(rf'data-figure="{name}"><b>([^<]+)</b>', body).group(1)


def test_the_dashboard_shows_what_waits_oldest_clock_first(outbreak, traced, login):
    late, fresh = traced
    with time_machine.travel(at(14, 16), tick=False):
        body = body_of(login(outbreak.cast.quxian).get(DASHBOARD))
    assert figure(body, "not_started") == "2"
    assert figure(body, "overdue") == "1"
    assert figure(body, "proposed") == "1"
    assert figure(body, "uncontrolled") == "0"
    assert figure(body, "median_hours_to_control") == "6.0"
    listed = re.findall(r'<tr data-investigation="[^"]+" data-case="([^"]+)"', body)
    assert listed == [late.number, fresh.number]
    assert 'data-overdue="1"' in row(body, "data-case", late.number)
    assert 'data-overdue' not in row(body, "data-case", fresh.number)
    assert f'{reverse("tracing:contacts")}?uncontrolled=1' in body
    assert "追阳一队" in row(body, "data-team", Team.objects.get().uuid)


def test_the_dashboard_of_another_district_shows_nothing_of_this_one(outbreak, traced, login):
    late, fresh = traced
    body = body_of(login(outbreak.cast.yingxianqu).get(DASHBOARD))
    assert figure(body, "not_started") == "1"  # 刘洋's
    assert late.number not in body and fresh.number not in body
    assert not any(name in body for name in ("张伟", "王芳", "赵强", "李娜", "追阳一队"))
    assert figure(body, "median_hours_to_control") == "—"


def test_the_dashboard_reads_many_cases_in_a_few_queries(outbreak, login,
                                                         django_assert_max_num_queries):
    c = outbreak.cast
    team(c, "追阳一队", c.liudiao)
    for person in (c.zhang, c.li, c.wang, c.zhao):
        report(outbreak, person, day=14)
    client = login(c.quxian)
    with django_assert_max_num_queries(11):  # 10 with four cases: none per case
        body = body_of(client.get(DASHBOARD))
    assert body.count("data-case=") == 4
