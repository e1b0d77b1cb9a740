"""Cases through the API: the register and a case's timeline scoped to the caller, reports
and clinical events through the same services as the pages, refusals answered 403, bad
input 422 naming the field with nothing written, and the discharge rule's refusal reaching
the caller until a permitted, audited override."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.audit.models import AuditEvent
from fangkong.cases.models import Case, CaseEvent, CaseTest, Classification, FacilityStay, Route
from fangkong.cases.services import case_admit, case_report, case_test_record

TZ = ZoneInfo("Asia/Shanghai")


def at(day, hour=10, minute=0):
    return datetime.datetime(2022, 11, day, hour, minute, tzinfo=TZ)


def iso(day, hour=10, minute=0):
    return at(day, hour, minute).isoformat()


@pytest.fixture
def world(outbreak):
    """张伟 confirmed (朔城区, in hospital); 李娜 (朔城区) and 刘洋 (应县) asymptomatic."""
    c, o = outbreak.cast, outbreak.outbreak
    w = SimpleNamespace(cast=c, o=outbreak)
    w.zhang = case_report(acting_user=c.admin, person=c.zhang, outbreak=o,
                          classification=Classification.CONFIRMED, clinical_type="mild",
                          reported_at=at(14), sample_date=datetime.date(2022, 11, 13),
                          route=Route.COMMUNITY_SCREENING)
    w.li = case_report(acting_user=c.admin, person=c.li, outbreak=o,
                       classification=Classification.ASYMPTOMATIC, reported_at=at(15),
                       route=Route.HOME_CONTROL)
    w.liu = case_report(acting_user=c.admin, person=c.liu, outbreak=o,
                        classification=Classification.ASYMPTOMATIC, reported_at=at(16),
                        route=Route.CENTRALISED_ISOLATION)
    case_admit(acting_user=c.admin, case=w.zhang, facility=outbreak.hospital, at=at(14, 12))
    return w


def bearer(cast, user, role, scope):
    _, secret = token_create(acting_user=cast.admin, user=user, name="HIS", role=role,
                             scope=scope)
    return {"Authorization": f"Bearer {secret}"}


def yingxian_token(cast):
    return bearer(cast, cast.yingxianqu, Role.DISTRICT, cast.yingxian)


def post(client, url, body, **kwargs):
    return client.post(f"/api/v1{url}", body, content_type="application/json", **kwargs)


def numbers(response):
    return [item["person"]["name"] for item in response.json()["items"]]


# --- reading ------------------------------------------------------------------------------

def test_register_lists_the_cases_of_the_callers_area(world, login):
    response = login(world.cast.quxian).get("/api/v1/cases")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and numbers(response) == ["李娜", "张伟"]
    zhang = body["items"][1]
    assert zhang["uuid"] == str(world.zhang.uuid) and zhang["number"] == world.zhang.number
    assert zhang["person"] == {"uuid": str(world.cast.zhang.uuid), "name": "张伟"}
    assert zhang["district"]["name"] == "朔城区"
    assert zhang["facility"]["name"] == "朔州市人民医院"
    assert zhang["classification"] == zhang["initial_classification"] == "confirmed"
    assert zhang["clinical_type"] == "mild" and zhang["route"] == "community_screening"
    assert zhang["in_control"] is False and zhang["imported"] is False
    assert zhang["reported_at"] == "2022-11-14T10:00:00+08:00"
    assert zhang["sample_date"] == "2022-11-13" and zhang["outcome_at"] is None


def test_register_shows_no_identifiers(world, login):
    text = login(world.cast.admin).get("/api/v1/cases").content.decode()
    assert world.cast.zhang.id_number not in text and world.cast.zhang.phone not in text
    assert "id_number" not in text and "phone" not in text


FILTERS = [
    ("classification=asymptomatic", ["刘洋", "李娜"]),
    ("classification=confirmed", ["张伟"]),
    ("status=open", ["刘洋", "李娜", "张伟"]),
    ("status=discharged", []),
    ("outbreak=sz-2022-11", ["刘洋", "李娜", "张伟"]),
    ("reported_from=2022-11-15", ["刘洋", "李娜"]),
    ("reported_to=2022-11-15", ["李娜", "张伟"]),
    ("reported_from=2022-11-15&reported_to=2022-11-15", ["李娜"]),
    ("bucket=new_asymptomatic&as_of=2022-11-16", ["刘洋"]),
    ("bucket=in_hospital&as_of=2022-11-16", ["张伟"]),
    ("bucket=new_in_control&as_of=2022-11-15", ["李娜"]),
    ("q=刘", ["刘洋"]),
]


@pytest.mark.parametrize("query, expected", FILTERS)
def test_register_filters(world, login, query, expected):
    response = login(world.cast.admin).get(f"/api/v1/cases?{query}")
    assert response.status_code == 200, response.content
    assert numbers(response) == expected


def test_register_filters_by_district(world, login):
    client = login(world.cast.admin)
    response = client.get(f"/api/v1/cases?district={world.cast.yingxian.uuid}")
    assert numbers(response) == ["刘洋"]
    # A district outside the caller's area is not found, like any object out of scope.
    client = login(world.cast.quxian)
    response = client.get(f"/api/v1/cases?district={world.cast.yingxian.uuid}")
    assert response.status_code == 404


BAD_FILTERS = [
    ("bucket=confirmed", "as_of"),
    ("bucket=everything&as_of=2022-11-16", "bucket"),
    ("outbreak=nowhere", "outbreak"),
    ("classification=mild", "classification"),
    ("status=cured", "status"),
    ("reported_from=2022-11-31", "reported_from"),
    ("district=not-a-uuid", "district"),
    ("limit=1000", "limit"),
]


@pytest.mark.parametrize("query, field", BAD_FILTERS)
def test_register_refuses_bad_filters_naming_the_field(world, login, query, field):
    response = login(world.cast.admin).get(f"/api/v1/cases?{query}")
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"] and response.json()["detail"]


def test_register_uses_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    c = world.cast
    for person in (c.wang, c.zhao):
        case = case_report(acting_user=c.admin, person=person, outbreak=world.o.outbreak,
                           classification=Classification.ASYMPTOMATIC, reported_at=at(17),
                           route=Route.HIGH_RISK_AREA)
        case_admit(acting_user=c.admin, case=case, facility=world.o.fangcang, at=at(17, 12))
    client = login(c.admin)
    # session, user, the user's area, the page, the count: the same for five cases as for one.
    with django_assert_num_queries(5):
        response = client.get("/api/v1/cases")
    assert response.json()["count"] == 5


def test_register_pages(world, login):
    client = login(world.cast.admin)
    first = client.get("/api/v1/cases?limit=2").json()
    rest = client.get("/api/v1/cases?limit=2&offset=2").json()
    assert first["count"] == rest["count"] == 3
    assert len(first["items"]) == 2 and len(rest["items"]) == 1


def test_detail_shows_the_timeline_and_tests(world, login):
    c = world.cast
    case_test_record(acting_user=c.admin, case=world.zhang, sampled_at=at(20, 8),
                     ct_n=36, ct_orf1ab=None)
    response = login(c.quxian).get(f"/api/v1/cases/{world.zhang.uuid}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == world.zhang.number
    assert [e["kind"] for e in body["events"]] == ["reported", "admitted", "test"]
    admitted = body["events"][1]
    assert admitted["at"] == "2022-11-14T12:00:00+08:00"
    assert admitted["facility"]["name"] == "朔州市人民医院"
    assert admitted["actor"] == "zhihui" and admitted["detail"]["to"] == "朔州市人民医院"
    assert body["tests"] == [{"sampled_at": "2022-11-20T08:00:00+08:00", "ct_n": 36.0,
                              "ct_orf1ab": None}]


def test_detail_of_an_unknown_case_is_not_found(world, login):
    response = login(world.cast.admin).get("/api/v1/cases/5b0e1b8e-0000-4000-8000-000000000000")
    assert response.status_code == 404


# --- scope and refusals -------------------------------------------------------------------

def test_a_yingxian_district_token_cannot_read_or_touch_a_shuocheng_case(world, client):
    headers = yingxian_token(world.cast)
    assert client.get(f"/api/v1/cases/{world.zhang.uuid}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/cases/{world.liu.uuid}", headers=headers).status_code == 200
    assert numbers(client.get("/api/v1/cases", headers=headers)) == ["刘洋"]
    response = post(client, f"/cases/{world.li.uuid}/reclassify",
                    {"at": iso(18), "clinical_type": "mild"}, headers=headers)
    assert response.status_code == 404
    world.li.refresh_from_db()
    assert world.li.classification == Classification.ASYMPTOMATIC


def test_a_hospital_sees_the_cases_its_facilities_hold(world, login):
    response = login(world.cast.yiyuan).get("/api/v1/cases")
    assert numbers(response) == ["张伟"]


READS = ["/api/v1/cases", "/api/v1/facilities"]


@pytest.mark.parametrize("who", ["jumin", "ducha", "louzhang", "caiyang"])
@pytest.mark.parametrize("url", READS)
def test_reads_are_refused_without_the_permission(world, login, who, url):
    assert login(getattr(world.cast, who)).get(url).status_code == 403


def test_a_case_is_refused_to_a_resident_even_their_own(world, login):
    response = login(world.cast.jumin).get(f"/api/v1/cases/{world.zhang.uuid}")
    assert response.status_code == 403


def test_a_token_with_a_role_lacking_the_permission_is_refused(world, client):
    c = world.cast
    headers = bearer(c, c.jumin, Role.SAMPLER, c.wenyuan)
    assert client.get("/api/v1/cases", headers=headers).status_code == 403
    response = post(client, f"/cases/{world.li.uuid}/release", {"at": iso(20)}, headers=headers)
    assert response.status_code == 403


WRITES = [
    ("wangge", "/cases", {}),
    ("jumin", "/cases", {}),
    ("liudiao", "/cases/{li}/reclassify", {"at": iso(18), "clinical_type": "mild"}),
    ("jiedao", "/cases/{li}/admit", {"at": iso(18), "facility": "{fangcang}"}),
    ("wangge", "/cases/{li}/tests", {"sampled_at": iso(18), "ct_n": 36}),
    ("wangge", "/cases/{zhang}/discharge", {"at": iso(21), "override_reason": "x"}),
    ("ducha", "/cases/{li}/release", {"at": iso(21)}),
    ("jumin", "/cases/{zhang}/death", {"at": iso(21), "reason": "x"}),
]


@pytest.mark.parametrize("who, url, body", WRITES)
def test_writes_are_refused_without_the_permission(world, login, who, url, body):
    events, cases = CaseEvent.objects.count(), Case.objects.count()
    url = url.format(li=world.li.uuid, zhang=world.zhang.uuid)
    body = body or report_body(world)
    body = {k: v.format(fangcang=world.o.fangcang.uuid) if isinstance(v, str) else v
            for k, v in body.items()}
    response = post(login(getattr(world.cast, who)), url, body)
    assert response.status_code == 403, response.content
    assert response.json()["detail"]
    assert CaseEvent.objects.count() == events and Case.objects.count() == cases


def test_anonymous_callers_are_refused(world, client):
    assert client.get("/api/v1/cases").status_code == 401
    assert post(client, "/cases", {}).status_code == 401


# --- reporting ----------------------------------------------------------------------------

def report_body(world, **changes):
    return {"person": str(world.cast.wang.uuid), "outbreak": "sz-2022-11",
            "classification": "confirmed", "clinical_type": "moderate",
            "reported_at": "2022-11-17T09:30:00+08:00", "sample_date": "2022-11-16",
            "onset_date": "2022-11-15", "route": "high_risk_area", **changes}


def test_report_creates_a_case_with_derived_facts(world, login):
    response = post(login(world.cast.quxian), "/cases", report_body(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["name"] == "王芳" and body["district"]["name"] == "朔城区"
    assert body["in_control"] is True and body["classification"] == "confirmed"
    assert body["reported_at"] == "2022-11-17T09:30:00+08:00"
    case = Case.objects.get(uuid=body["uuid"])
    assert case.number == body["number"] and case.created_by == world.cast.quxian
    assert AuditEvent.objects.filter(action="case.report", target_uuid=case.uuid).exists()


def test_report_accepts_any_offset(world, login):
    body = report_body(world, reported_at="2022-11-17T01:30:00Z")
    response = post(login(world.cast.quxian), "/cases", body)
    assert response.status_code == 201
    assert response.json()["reported_at"] == "2022-11-17T09:30:00+08:00"


BAD_REPORTS = [
    ({"reported_at": "2022-11-17T09:30:00"}, "reported_at"),
    ({"reported_at": "2022-11-17"}, "reported_at"),
    ({"reported_at": "2031-01-01T00:00:00+08:00"}, "reported_at"),
    ({"reported_at": "2022-11-10T09:00:00+08:00"}, "reported_at"),
    ({"clinical_type": ""}, "clinical_type"),
    ({"clinical_type": "light"}, "clinical_type"),
    ({"classification": "suspected"}, "classification"),
    ({"route": "rumour"}, "route"),
    ({"sample_date": "2022-11-18"}, "sample_date"),
    ({"outbreak": "nowhere"}, "outbreak"),
    ({"person": "5b0e1b8e-0000-4000-8000-000000000000"}, "person"),
    ({"person": "{liu}"}, "person"),
    ({"person": "{zhang}"}, "person"),
]


@pytest.mark.parametrize("changes, field", BAD_REPORTS)
def test_report_refuses_bad_input_naming_the_field(world, login, changes, field):
    changes = {k: v.format(liu=world.cast.liu.uuid, zhang=world.cast.zhang.uuid)
               for k, v in changes.items()}
    count, events = Case.objects.count(), CaseEvent.objects.count()
    response = post(login(world.cast.quxian), "/cases", report_body(world, **changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"] and response.json()["detail"]
    assert Case.objects.count() == count and CaseEvent.objects.count() == events


def test_a_naive_time_is_refused_with_a_clear_message(world, login):
    response = post(login(world.cast.quxian), "/cases",
                    report_body(world, reported_at="2022-11-17T09:30:00"),
                    headers={"Accept-Language": "en"})
    assert response.json()["errors"]["reported_at"] == [
        "Give the time with its offset from UTC, e.g. 2022-11-20T10:00:00+08:00."]


# --- clinical course ----------------------------------------------------------------------

def test_reclassify_then_change_the_clinical_type(world, login):
    client = login(world.cast.quxian)
    response = post(client, f"/cases/{world.li.uuid}/reclassify",
                    {"at": iso(18), "clinical_type": "mild", "reason": "CT shows pneumonia"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["classification"] == "confirmed"
    assert body["initial_classification"] == "asymptomatic"
    assert body["reclassified_at"] == "2022-11-18T10:00:00+08:00"
    response = post(client, f"/cases/{world.li.uuid}/clinical-type",
                    {"at": iso(19), "clinical_type": "severe"})
    assert response.status_code == 200 and response.json()["clinical_type"] == "severe"
    kinds = list(CaseEvent.objects.filter(case=world.li).values_list("kind", flat=True))
    assert kinds == ["reported", "reclassified", "clinical_type"]


def test_reclassifying_a_confirmed_case_is_refused_with_the_reason(world, login):
    response = post(login(world.cast.quxian), f"/cases/{world.zhang.uuid}/reclassify",
                    {"at": iso(18), "clinical_type": "mild"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Only an asymptomatic infection can be reclassified."


def test_an_event_before_the_last_one_is_refused(world, login):
    response = post(login(world.cast.quxian), f"/cases/{world.zhang.uuid}/clinical-type",
                    {"at": iso(14, 11), "clinical_type": "severe"})
    assert response.status_code == 422 and "at" in response.json()["errors"]
    world.zhang.refresh_from_db()
    assert world.zhang.clinical_type == "mild"


def test_admit_then_transfer(world, login):
    client = login(world.cast.quxian)
    response = post(client, f"/cases/{world.li.uuid}/admit",
                    {"at": iso(15, 14), "facility": str(world.o.fangcang.uuid)})
    assert response.status_code == 200 and response.json()["facility"]["name"] == "市大医院方舱医院"
    response = post(client, f"/cases/{world.li.uuid}/admit",
                    {"at": iso(16, 9), "facility": str(world.o.hospital.uuid),
                     "reason": "worse"})
    assert response.status_code == 200 and response.json()["facility"]["name"] == "朔州市人民医院"
    kinds = list(CaseEvent.objects.filter(case=world.li).values_list("kind", flat=True))
    assert kinds == ["reported", "admitted", "transferred"]


def test_admit_refuses_a_facility_outside_the_area(world, login):
    response = post(login(world.cast.quxian), f"/cases/{world.li.uuid}/admit",
                    {"at": iso(15, 14), "facility": str(world.o.yingxian_point.uuid)})
    assert response.status_code == 422 and "facility" in response.json()["errors"]
    assert not FacilityStay.objects.filter(case=world.li).exists()


def test_record_a_test(world, login):
    response = post(login(world.cast.quxian), f"/cases/{world.zhang.uuid}/tests",
                    {"sampled_at": iso(20, 8), "ct_n": "36.5", "ct_orf1ab": 37})
    assert response.status_code == 201, response.content
    assert response.json() == {"sampled_at": "2022-11-20T08:00:00+08:00", "ct_n": 36.5,
                               "ct_orf1ab": 37.0}
    assert CaseTest.objects.filter(case=world.zhang).count() == 1


@pytest.mark.parametrize("body, field", [
    ({"ct_n": 60}, "ct_n"),
    ({"ct_n": "35.25"}, "ct_n"),
    ({"ct_orf1ab": "high"}, "ct_orf1ab"),
    ({"sampled_at": "2022-11-20T08:00:00"}, "sampled_at"),
])
def test_record_a_test_refuses_bad_values(world, login, body, field):
    body = {"sampled_at": iso(20, 8), **body}
    response = post(login(world.cast.quxian), f"/cases/{world.zhang.uuid}/tests", body)
    assert response.status_code == 422 and field in response.json()["errors"]
    assert not CaseTest.objects.filter(case=world.zhang).exists()


def test_discharge_is_refused_with_the_rule_then_allowed_by_an_audited_override(world, login):
    c = world.cast
    case_test_record(acting_user=c.admin, case=world.zhang, sampled_at=at(20, 8),
                     ct_n=36, ct_orf1ab=37)
    url = f"/cases/{world.zhang.uuid}/discharge"
    en = {"Accept-Language": "en"}

    response = post(login(c.quxian), url, {"at": iso(21)}, headers=en)
    assert response.status_code == 422
    assert response.json()["detail"] == ("Only 1 passing test(s) in a row; the rule needs 2.")

    # A district may not override the rule; nothing changes.
    response = post(login(c.quxian), url, {"at": iso(21), "override_reason": "bed needed"})
    assert response.status_code == 403
    world.zhang.refresh_from_db()
    assert world.zhang.is_open and world.zhang.facility == world.o.hospital

    response = post(login(c.admin), url, {"at": iso(21), "override_reason": "expert panel"},
                    headers=en)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "discharged" and response.json()["facility"] is None
    assert response.json()["outcome_at"] == "2022-11-21T10:00:00+08:00"
    audit = AuditEvent.objects.get(action="case.discharged", target_uuid=world.zhang.uuid)
    assert audit.actor == c.admin
    assert audit.reason == ("Override of the test rule (Only 1 passing test(s) in a row; the "
                            "rule needs 2.): expert panel")
    assert CaseEvent.objects.get(case=world.zhang, kind="discharged").reason == audit.reason


def test_discharge_without_any_test_explains_what_is_missing(world, login):
    response = post(login(world.cast.admin), f"/cases/{world.zhang.uuid}/discharge",
                    {"at": iso(21)}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "__all__": ["No test towards discharge is recorded; the rule needs 2."]}


def test_discharge_follows_the_rule_without_override(world, login):
    c = world.cast
    for day in (19, 20):
        case_test_record(acting_user=c.admin, case=world.zhang, sampled_at=at(day, 8),
                         ct_n=36, ct_orf1ab=38)
    response = post(login(c.quxian), f"/cases/{world.zhang.uuid}/discharge", {"at": iso(21)})
    assert response.status_code == 200 and response.json()["outcome"] == "discharged"
    assert AuditEvent.objects.get(action="case.discharged",
                                  target_uuid=world.zhang.uuid).reason == ""


def test_release_an_asymptomatic_infection(world, login):
    c = world.cast
    client = login(c.quxian)
    for day in (18, 19):
        response = post(client, f"/cases/{world.li.uuid}/tests",
                        {"sampled_at": iso(day, 8), "ct_n": 38, "ct_orf1ab": 39})
        assert response.status_code == 201
    response = post(client, f"/cases/{world.li.uuid}/discharge", {"at": iso(20)})
    assert response.status_code == 422
    response = post(client, f"/cases/{world.li.uuid}/release", {"at": iso(20)})
    assert response.status_code == 200 and response.json()["outcome"] == "released"


def test_a_death_needs_the_recorded_cause_and_closes_the_case(world, login):
    client = login(world.cast.quxian)
    url = f"/cases/{world.zhang.uuid}/death"
    response = post(client, url, {"at": iso(22), "reason": " "})
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    response = post(client, url, {"at": iso(22), "reason": "respiratory failure"})
    assert response.status_code == 200 and response.json()["outcome"] == "died"
    response = post(client, f"/cases/{world.zhang.uuid}/admit",
                    {"at": iso(23), "facility": str(world.o.fangcang.uuid)})
    assert response.status_code == 422 and response.json()["detail"]


def test_a_naive_time_on_an_action_is_refused_before_the_rule_is_read(world, login):
    response = post(login(world.cast.admin), f"/cases/{world.zhang.uuid}/discharge",
                    {"at": "2022-11-21T10:00:00", "override_reason": "x"})
    assert response.status_code == 422 and "at" in response.json()["errors"]
    world.zhang.refresh_from_db()
    assert world.zhang.is_open


# --- facilities ---------------------------------------------------------------------------

def occupancy(response):
    return {f["name"]: (f["beds"], f["occupied"]) for f in response.json()["items"]}


def test_facilities_with_occupancy_on_a_day(world, login):
    client = login(world.cast.admin)
    response = client.get("/api/v1/facilities?date=2022-11-14")
    assert response.status_code == 200 and response.json()["as_of"] == "2022-11-14"
    assert occupancy(response) == {"朔州市人民医院": (3, 1), "市大医院方舱医院": (5, 0),
                                   "应县隔离点": (4, 0)}
    assert occupancy(client.get("/api/v1/facilities?date=2022-11-13"))["朔州市人民医院"] == (3, 0)
    item = response.json()["items"][0]
    assert item["kind"] == "designated_hospital" and item["place"]["name"] == "朔城区"


def test_facilities_are_scoped(world, client):
    response = client.get("/api/v1/facilities?date=2022-11-14", headers=yingxian_token(world.cast))
    assert occupancy(response) == {"应县隔离点": (4, 0)}


def test_facilities_use_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.cast.admin)
    # session, user, the user's area, facilities, occupancy
    with django_assert_num_queries(5):
        client.get("/api/v1/facilities?date=2022-11-14")


def test_facilities_refuse_a_bad_date(world, login):
    response = login(world.cast.admin).get("/api/v1/facilities?date=2022-02-30")
    assert response.status_code == 422 and "date" in response.json()["errors"]


# --- documentation ------------------------------------------------------------------------

PATHS = ["/api/v1/cases", "/api/v1/cases/{public_id}", "/api/v1/cases/{public_id}/reclassify",
         "/api/v1/cases/{public_id}/clinical-type", "/api/v1/cases/{public_id}/admit",
         "/api/v1/cases/{public_id}/tests", "/api/v1/cases/{public_id}/discharge",
         "/api/v1/cases/{public_id}/release", "/api/v1/cases/{public_id}/death",
         "/api/v1/facilities"]


def test_openapi_schema_lists_the_case_paths(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(PATHS) <= set(schema["paths"])
    assert schema["paths"]["/api/v1/cases"]["post"]["operationId"] == "cases_report"
    params = {p["name"] for p in schema["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert {"outbreak", "district", "classification", "status", "reported_from", "reported_to",
            "bucket", "as_of", "q", "limit", "offset"} <= params
