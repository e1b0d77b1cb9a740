"""The tracing API: investigations with their clock, window and trajectory; contacts by name
only; teams and assignment; dashboard, clusters and exposure sites — scoped to the caller (a
tracer: their teams' cases; outside: 404), refused input answered 422 naming the field."""

import datetime
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.cases.tests.util import at, report
from fangkong.tracing import services
from fangkong.tracing.models import (
    Category,
    Contact,
    ContactStatus,
    ExposureSite,
    Investigation,
    Status,
    Stay,
    Team,
)
from fangkong.tracing.tests.util import MINUTE, profile_with, team, venue, visit

API = "/api/v1/tracing"


@pytest.fixture
def t(outbreak):
    """张伟 reported on 14 Nov: the investigation goes to 追阳一队 (刘调), and 李娜 of his
    household is proposed as a close contact."""
    c = outbreak.cast
    crew = team(c)
    case = report(outbreak, c.zhang, day=14)
    return SimpleNamespace(c=c, o=outbreak, team=crew, case=case,
                           investigation=Investigation.objects.get(case=case))


def post(client, url, body=None, **kwargs):
    return client.post(url, body or {}, content_type="application/json", **kwargs)


def inv(investigation, tail=""):
    return f"{API}/investigations/{investigation.uuid}{tail}"


def errors(response):
    assert response.status_code == 422, response.content
    return response.json()["errors"]


def other_teams_case(t):
    """赵强's case, moved to 追阳二队, of which 刘调 is no member."""
    second = team(t.c, "追阳二队", t.c.quxian)
    case = report(t.o, t.c.zhao, day=15)
    services.investigation_assign(acting_user=t.c.admin, investigation=case.investigation,
                                  team=second)
    return case.investigation


# --- investigations -----------------------------------------------------------------------

def test_investigations_are_listed_with_their_clock(t, login, django_assert_max_num_queries):
    report(t.o, t.c.zhao, day=15)
    report(t.o, t.c.wang, day=15)
    client = login(t.c.liudiao)
    with django_assert_max_num_queries(6):
        listing = client.get(f"{API}/investigations").json()
    assert listing["count"] == 3
    first = listing["items"][0]
    assert (first["case"]["number"], first["person"], first["status"]) == (
        t.case.number, "张伟", "assigned")
    assert first["team"]["name"] == "追阳一队" and first["contact_count"] == 1
    assert first["core_due_at"] == "2022-11-15T10:00:00+08:00" and first["overdue"] is True
    by_team = client.get(f"{API}/investigations", {"team": str(t.team.uuid), "limit": 1})
    assert (by_team.json()["count"], len(by_team.json()["items"])) == (3, 1)


def test_an_investigation_shows_its_window_trajectory_and_contacts(t, login):
    detail = login(t.c.wangge).get(inv(t.investigation)).json()
    assert detail["window"] == {"starts_at": "2022-11-10T00:00:00+08:00",
                                "ends_at": "2022-11-14T10:00:00+08:00", "reference": "report",
                                "reference_day": "2022-11-14", "lookback_days": 4}
    assert [(s["source"], s["place"]["code"]) for s in detail["stays"]] == [("household", "101")]
    assert detail["contacts"] == {"total": 1, "proposed": 1, "confirmed": 0, "dismissed": 0,
                                  "uncontrolled": 0}


def test_an_investigation_moves_on_step_by_step(t, login):
    client = login(t.c.liudiao)
    started = post(client, inv(t.investigation, "/status"), {"status": "in_progress"})
    assert started.status_code == 200 and started.json()["started_at"]
    done = post(client, inv(t.investigation, "/status"),
                {"status": "core_done", "summary": "轨迹与密接已核清"})
    assert done.json()["status"] == "core_done" and done.json()["summary"] == "轨迹与密接已核清"
    assert done.json()["overdue"] is False
    overdue = client.get(f"{API}/investigations", {"overdue": "true"}).json()
    assert overdue["count"] == 0
    assert client.get(f"{API}/investigations", {"status": "core_done"}).json()["count"] == 1


def test_a_step_out_of_order_or_unknown_status_is_refused(t, login):
    client = login(t.c.liudiao)
    assert "status" in errors(post(client, inv(t.investigation, "/status"),
                                   {"status": "completed"}))
    assert "status" in errors(post(client, inv(t.investigation, "/status"),
                                   {"status": "finished"}))
    assert "status" in errors(client.get(f"{API}/investigations", {"status": "finished"}))
    t.investigation.refresh_from_db()
    assert t.investigation.status == Status.ASSIGNED


def test_a_tracer_sees_only_their_teams_investigations(t, login):
    theirs = other_teams_case(t)
    client = login(t.c.liudiao)
    listing = client.get(f"{API}/investigations").json()
    assert [i["uuid"] for i in listing["items"]] == [str(t.investigation.uuid)]
    assert client.get(inv(theirs)).status_code == 404
    assert post(client, inv(theirs, "/status"), {"status": "in_progress"}).status_code == 404
    assert post(client, inv(theirs, "/propose")).status_code == 404
    cases = {x["case"]["number"] for x in client.get(f"{API}/contacts").json()["items"]}
    assert cases == {t.case.number}
    assert login(t.c.quxian).get(inv(theirs)).status_code == 200


def test_a_tracers_token_is_scoped_like_their_session(t, client):
    theirs = other_teams_case(t)
    _, secret = token_create(acting_user=t.c.admin, user=t.c.liudiao, name="流调终端",
                             role=Role.TRACER, scope=t.c.shuocheng)
    headers = {"Authorization": f"Bearer {secret}"}
    listing = client.get(f"{API}/investigations", headers=headers).json()
    assert [i["uuid"] for i in listing["items"]] == [str(t.investigation.uuid)]
    assert client.get(inv(theirs), headers=headers).status_code == 404
    started = post(client, inv(t.investigation, "/status"), {"status": "in_progress"},
                   headers=headers)
    assert started.status_code == 200


def test_roles_without_the_permission_are_refused(t, login, client):
    assert client.get(f"{API}/investigations").status_code == 401
    assert login(t.c.louzhang).get(f"{API}/investigations").status_code == 403
    assert login(t.c.ducha).get(f"{API}/contacts").status_code == 403
    assert login(t.c.ducha).get(f"{API}/dashboard").status_code == 403
    assert login(t.c.jumin).get(inv(t.investigation)).status_code == 403
    viewer = login(t.c.wangge)  # may look, not trace
    assert post(viewer, inv(t.investigation, "/status"),
                {"status": "in_progress"}).status_code == 403
    contact = Contact.objects.get(case=t.case)
    assert post(viewer, f"{API}/contacts/{contact.uuid}/confirm").status_code == 403
    tracer = login(t.c.liudiao)  # traces, does not manage teams
    assert post(tracer, f"{API}/teams", {"name": "x", "place": str(t.c.shuocheng.uuid)}
                ).status_code == 403
    assert post(tracer, f"{API}/assign/round-robin").status_code == 403
    t.investigation.refresh_from_db()
    contact.refresh_from_db()
    assert (t.investigation.status, contact.status) == (Status.ASSIGNED, ContactStatus.PROPOSED)


def test_an_investigation_outside_the_callers_area_is_404(t, login):
    client = login(t.c.yingxianqu)
    assert client.get(f"{API}/investigations").json()["count"] == 0
    assert client.get(inv(t.investigation)).status_code == 404
    assert post(client, inv(t.investigation, "/assign"),
                {"team": str(t.team.uuid)}).status_code == 404


# --- the trajectory -----------------------------------------------------------------------

def test_stays_are_added_and_removed_with_a_reason(t, login):
    shop = venue(t.c)
    client = login(t.c.liudiao)
    added = post(client, inv(t.investigation, "/stays"), {
        "started_at": "2022-11-12T10:00:00+08:00", "ended_at": "2022-11-12T11:00:00+08:00",
        "venue_code": shop.code.lower(), "note": "买菜"})
    assert added.status_code == 201, added.json()
    stay = added.json()
    assert (stay["venue"]["name"], stay["source"], stay["note"]) == ("开发区超市", "interview",
                                                                     "买菜")
    url = inv(t.investigation, f"/stays/{stay['id']}")
    assert "reason" in errors(client.delete(url))
    assert Stay.objects.filter(pk=stay["id"]).exists()
    removed = client.delete(f"{url}?reason={quote('记错了日期')}")
    assert removed.status_code == 200 and removed.json() == {"removed": stay["id"]}
    assert not Stay.objects.filter(pk=stay["id"]).exists()
    assert client.delete(f"{url}?reason=x").status_code == 404


def test_a_bad_stay_is_refused_naming_the_field(t, login):
    client = login(t.c.liudiao)
    url = inv(t.investigation, "/stays")
    before = t.investigation.stays.count()
    assert "ended_at" in errors(post(client, url, {
        "started_at": "2022-11-12T10:00:00+08:00", "ended_at": "2022-11-12T09:00:00+08:00",
        "note": "公交"}))
    assert "venue_code" in errors(post(client, url, {
        "started_at": "2022-11-12T10:00:00+08:00", "ended_at": "2022-11-12T11:00:00+08:00",
        "venue_code": "NOPE"}))
    assert "note" in errors(post(client, url, {
        "started_at": "2022-11-12T10:00:00+08:00", "ended_at": "2022-11-12T11:00:00+08:00"}))
    assert "started_at" in errors(post(client, url, {
        "started_at": "2022-11-12T10:00:00", "ended_at": "2022-11-12T11:00:00+08:00",
        "note": "公交"}))
    assert t.investigation.stays.count() == before


def test_a_stay_of_another_investigation_is_404(t, login):
    theirs = other_teams_case(t)
    stay = theirs.stays.first()
    response = login(t.c.liudiao).delete(inv(t.investigation, f"/stays/{stay.pk}?reason=x"))
    assert response.status_code == 404
    assert Stay.objects.filter(pk=stay.pk).exists()


def test_proposing_reads_new_check_ins_once(t, login):
    shop = venue(t.c)
    visit(shop, t.c.zhang, at(12, 10), 30)
    visit(shop, t.c.zhao, at(12, 10) + 5 * MINUTE, 40)
    client = login(t.c.liudiao)
    proposed = post(client, inv(t.investigation, "/propose"))
    assert proposed.status_code == 200
    assert proposed.json() == {"stays": 1, "household": 0, "companions": 1, "exposure_sites": 0}
    again = post(client, inv(t.investigation, "/propose")).json()
    assert again == {"stays": 0, "household": 0, "companions": 0, "exposure_sites": 0}


def test_a_completed_investigation_is_not_read_again(t, login):
    client = login(t.c.liudiao)
    for step in ("in_progress", "core_done", "completed"):
        assert post(client, inv(t.investigation, "/status"), {"status": step}).status_code == 200
    visit(venue(t.c), t.c.zhang, at(12, 10), 30)
    refused = post(client, inv(t.investigation, "/propose"))
    assert refused.status_code == 422
    assert refused.json()["codes"] == {"investigation": ["completed"]}
    assert not t.investigation.stays.filter(venue__isnull=False).exists()


# --- contacts -----------------------------------------------------------------------------

def test_contacts_are_listed_by_name_never_by_id_number_or_phone(
        t, login, django_assert_max_num_queries):
    shop = venue(t.c)
    for person in (t.c.zhang, t.c.zhao, t.c.wang):
        visit(shop, person, at(12, 10), 30)
    services.investigation_propose(acting_user=None, investigation=t.investigation)
    client = login(t.c.quxian)
    with django_assert_max_num_queries(7):
        response = client.get(f"{API}/contacts", {"case": str(t.case.uuid)})
    body = response.json()
    assert body["count"] == 3
    for person in (t.c.zhang, t.c.li, t.c.zhao, t.c.wang):
        assert person.id_number not in response.content.decode()
        assert not person.phone or person.phone not in response.content.decode()
    li = next(x for x in body["items"] if x["name"] == "李娜")
    assert (li["category"], li["setting"], li["status"], li["source"]) == (
        "close", "household", "proposed", "household")
    assert li["household"] == "北城街道 文远社区 开发区小区 1号楼 1单元 101"  # below 朔城区
    assert li["control_order"] is None and li["became_case"] is None
    companions = client.get(f"{API}/contacts", {"category": "companion"}).json()
    assert {x["name"] for x in companions["items"]} == {"赵强", "王芳"}
    assert "category" in errors(client.get(f"{API}/contacts", {"category": "friend"}))


def test_a_recorded_close_contact_is_confirmed_and_put_under_control(t, login):
    response = post(login(t.c.liudiao), inv(t.investigation, "/contacts"), {
        "id_number": t.c.zhao.id_number.lower(), "category": "close", "setting": "workplace",
        "last_exposure_at": "2022-11-13T18:00:00+08:00", "note": "同一办公室"})
    assert response.status_code == 201, response.json()
    contact = response.json()
    assert (contact["name"], contact["status"], contact["source"]) == (
        "赵强", "confirmed", "interview")
    assert contact["control_order"] and contact["controlled_at"]
    assert contact["last_exposure_at"] == "2022-11-13T18:00:00+08:00"


def test_a_bad_contact_is_refused_naming_the_field(t, login):
    client = login(t.c.liudiao)
    url = inv(t.investigation, "/contacts")
    body = {"id_number": t.c.zhao.id_number, "category": "close", "setting": "workplace",
            "last_exposure_at": "2022-11-13T18:00:00+08:00"}
    assert "id_number" in errors(post(client, url, {**body, "id_number": "110101199003077777"}))
    assert "id_number" in errors(post(client, url, {**body, "id_number": t.c.li.id_number}))
    assert "id_number" in errors(post(client, url, {**body, "id_number": t.c.zhang.id_number}))
    assert "category" in errors(post(client, url, {**body, "category": "friend"}))
    assert "setting" in errors(post(client, url, {**body, "setting": "moon"}))
    assert "last_exposure_at" in errors(post(client, url, {**body,
                                                           "last_exposure_at": "2022-11-13"}))
    li = Contact.objects.get(case=t.case, person=t.c.li)
    assert "via" in errors(post(client, url, {**body, "via": str(li.uuid)}))
    assert not Contact.objects.filter(person=t.c.zhao).exists()


def test_a_secondary_contact_is_refused_under_the_20_measures(t, login):
    li = Contact.objects.get(case=t.case, person=t.c.li)
    response = post(login(t.c.liudiao), inv(t.investigation, "/contacts"), {
        "id_number": t.c.zhao.id_number, "category": "secondary", "setting": "workplace",
        "last_exposure_at": "2022-11-13T18:00:00+08:00", "via": str(li.uuid)})
    found = errors(response)
    assert list(found) == ["category"]
    assert "次密接" in found["category"][0]        # named in the caller's language
    assert response.json()["codes"] == {"category": ["secondary_not_allowed"]}
    assert not Contact.objects.filter(person=t.c.zhao).exists()


def test_a_proposed_contact_is_confirmed_and_goes_under_control(t, login):
    contact = Contact.objects.get(case=t.case, person=t.c.li)
    client = login(t.c.liudiao)
    confirmed = post(client, f"{API}/contacts/{contact.uuid}/confirm", {})
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["control_order"]
    assert "status" in errors(post(client, f"{API}/contacts/{contact.uuid}/dismiss",
                                   {"reason": "不在家"}))
    uncontrolled = client.get(f"{API}/contacts", {"uncontrolled": "true"}).json()
    assert uncontrolled["count"] == 0


def test_confirming_in_another_category_needs_a_reason(t, login):
    contact = Contact.objects.get(case=t.case, person=t.c.li)
    client = login(t.c.liudiao)
    url = f"{API}/contacts/{contact.uuid}/confirm"
    refused = post(client, url, {"category": "general"})
    assert refused.status_code == 422
    assert refused.json()["codes"] == {"reason": ["reason"]}
    contact.refresh_from_db()
    assert contact.status == ContactStatus.PROPOSED
    confirmed = post(client, url, {"category": "general", "reason": "整周出差在外"}).json()
    assert (confirmed["category"], confirmed["control_order"]) == ("general", None)


def test_a_proposed_contact_is_dismissed_with_a_reason(t, login):
    contact = Contact.objects.get(case=t.case, person=t.c.li)
    client = login(t.c.liudiao)
    url = f"{API}/contacts/{contact.uuid}/dismiss"
    assert "reason" in errors(post(client, url, {"reason": "  "}))
    contact.refresh_from_db()
    assert contact.status == ContactStatus.PROPOSED
    dismissed = post(client, url, {"reason": "病例报告前一周在外地出差"}).json()
    assert (dismissed["status"], dismissed["reason"]) == ("dismissed", "病例报告前一周在外地出差")


def test_a_contact_of_another_teams_case_is_404(t, login):
    theirs = other_teams_case(t)
    contact = services.contact_record(
        acting_user=t.c.admin, case=theirs.case, person=t.c.wang, category=Category.CLOSE,
        setting="workplace", last_exposure_at=at(14, 9))
    client = login(t.c.liudiao)
    assert post(client, f"{API}/contacts/{contact.uuid}/dismiss",
                {"reason": "x"}).status_code == 404
    assert client.get(f"{API}/contacts", {"case": str(theirs.case.uuid)}).status_code == 404
    listed = {x["uuid"] for x in client.get(f"{API}/contacts").json()["items"]}
    assert listed and str(contact.uuid) not in listed


# --- teams and assignment -----------------------------------------------------------------

def test_teams_are_listed_with_their_workload(t, login):
    teams = login(t.c.quxian).get(f"{API}/teams").json()
    assert [(x["name"], x["members"], x["open"], x["overdue"], x["completed"]) for x in teams] == [
        ("追阳一队", ["liudiao"], 1, 1, 0)]
    assert teams[0]["place"]["code"] == "140602"


def test_a_team_is_formed_and_an_investigation_given_to_it(t, login):
    client = login(t.c.quxian)
    made = post(client, f"{API}/teams", {"name": "追阳三队", "place": str(t.c.shuocheng.uuid),
                                         "members": ["liudiao", "jiedao"]})
    assert made.status_code == 201, made.json()
    assert made.json()["members"] == ["jiedao", "liudiao"] and made.json()["open"] == 0
    given = post(client, inv(t.investigation, "/assign"), {"team": made.json()["uuid"]})
    assert given.status_code == 200 and given.json()["team"]["name"] == "追阳三队"
    changed = post(client, f"{API}/teams/{t.team.uuid}", {"members": ["liudiao"],
                                                         "active": False})
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert "team" in errors(post(client, inv(t.investigation, "/assign"),
                                 {"team": str(t.team.uuid)}))


def test_a_bad_team_is_refused_naming_the_field(t, login):
    client = login(t.c.quxian)
    body = {"name": "追阳三队", "place": str(t.c.shuocheng.uuid), "members": ["liudiao"]}
    assert "members" in errors(post(client, f"{API}/teams", {**body, "members": ["nobody"]}))
    assert "members" in errors(post(client, f"{API}/teams", {**body, "members": ["wangge"]}))
    assert "place" in errors(post(client, f"{API}/teams", {**body,
                                                           "place": str(t.c.yingxian.uuid)}))
    assert "name" in errors(post(client, f"{API}/teams", {**body, "name": "追阳一队"}))
    assert "team" in errors(post(client, inv(t.investigation, "/assign"),
                                 {"team": "00000000-0000-0000-0000-000000000000"}))
    assert Team.objects.count() == 1


def test_cases_waiting_for_a_team_are_given_out_round_robin(outbreak, login):
    c = outbreak.cast
    waiting = report(outbreak, c.zhao, day=14).investigation
    assert waiting.status == Status.UNASSIGNED
    team(c)
    client = login(c.quxian)
    assert post(client, f"{API}/assign/round-robin").json() == {"assigned": 1}
    waiting.refresh_from_db()
    assert (waiting.status, waiting.team.name) == (Status.ASSIGNED, "追阳一队")
    assert post(client, f"{API}/assign/round-robin").json() == {"assigned": 0}


# --- dashboard, clusters, exposure sites --------------------------------------------------

def test_the_dashboard_counts_what_waits(t, login):
    services.contact_confirm(acting_user=t.c.admin,
                             contact=Contact.objects.get(case=t.case, person=t.c.li))
    board = login(t.c.liudiao).get(f"{API}/dashboard").json()
    assert (board["not_started"], board["overdue"], board["open"]) == (1, 1, 1)
    assert (board["proposed"], board["uncontrolled"], board["close"]) == (0, 0, 1)
    assert board["cases_fully_controlled"] == 1 and board["median_hours_to_control"] > 0


def test_a_contact_who_became_a_case_makes_a_cluster(t, login):
    second = report(t.o, t.c.li, day=16)
    client = login(t.c.quxian)
    clusters = client.get(f"{API}/clusters").json()
    assert clusters["count"] == 1
    cluster = clusters["items"][0]
    assert (cluster["key"], cluster["size"], cluster["generations"]) == (t.case.number, 2, 2)
    assert cluster["last"]["number"] == second.number
    chain = client.get(f"{API}/clusters/{quote(t.case.number)}").json()
    assert [(n["id"], n["generation"]) for n in chain["nodes"]] == [
        (str(t.case.uuid), 1), (str(second.uuid), 2)]
    assert chain["links"] == [{"source": str(t.case.uuid), "target": str(second.uuid)}]
    assert client.get(f"{API}/clusters/nope").status_code == 404
    assert login(t.c.yingxianqu).get(f"{API}/clusters").json()["count"] == 0


def test_an_exposure_sites_visitors_are_notified_once(outbreak, login):
    c = outbreak.cast
    profile_with(c, datetime.date(2022, 11, 12), exposure_site_min_visitors=2)
    shop = venue(c)
    for person in (c.zhang, c.zhao, c.liu):
        visit(shop, person, at(12, 10), 30)
    report(outbreak, c.zhang, day=14)
    client = login(c.quxian)
    sites = client.get(f"{API}/exposure-sites", {"pending": "true"}).json()
    assert sites["count"] == 1
    site = sites["items"][0]
    assert (site["venue"]["name"], site["visitors"], site["notified_at"]) == (
        "开发区超市", 2, None)
    url = f"{API}/exposure-sites/{site['uuid']}/notify"
    notified = post(client, url)
    assert notified.status_code == 200 and notified.json()["notified_by"] == "quxian"
    assert "site" in errors(post(client, url))
    assert client.get(f"{API}/exposure-sites", {"pending": "true"}).json()["count"] == 0
    assert ExposureSite.objects.get().notified_at is not None
    assert post(login(c.wangge), url).status_code == 403
    assert post(login(c.yingxianqu), url).status_code == 404


def test_the_openapi_schema_lists_the_tracing_operations(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    ops = {op["operationId"]: op for path in schema["paths"].values() for op in path.values()}
    ids = set(ops)
    assert {"tracing_investigations_list", "tracing_investigations_detail",
            "tracing_investigations_status", "tracing_stays_add", "tracing_stays_remove",
            "tracing_investigations_propose", "tracing_contacts_list",
            "tracing_contacts_record", "tracing_contacts_confirm", "tracing_contacts_dismiss",
            "tracing_teams_list", "tracing_teams_create", "tracing_teams_update",
            "tracing_investigations_assign", "tracing_investigations_round_robin",
            "tracing_dashboard", "tracing_clusters_list", "tracing_clusters_detail",
            "tracing_exposure_sites_list", "tracing_exposure_sites_notify"} <= ids

    def answer(op_id, status="200"):
        ref = ops[op_id]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]

    # each answer documented as itself, not as a same-named schema of another router
    assert "median_hours_to_control" in answer("tracing_dashboard")
    assert "headline" in answer(schema["paths"]["/api/v1/dashboard"]["get"]["operationId"])
    assert {"window", "stays", "contacts"} <= set(answer("tracing_investigations_detail"))
    contact = answer("tracing_contacts_record", "201")
    assert {"name", "household", "control_order"} <= set(contact)
    assert not {"id_number", "phone"} & set(contact)

