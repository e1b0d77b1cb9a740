"""The case page: facts, timeline, scope, and every action through its form."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from fangkong.audit.models import AuditEvent
from fangkong.cases import services
from fangkong.cases.models import Case, CaseTest, Classification, FacilityStay, Route
from fangkong.cases.rules import discharge_verdict

SH = ZoneInfo("Asia/Shanghai")


def at(day, hour=10, minute=0):
    return datetime.datetime(2022, 11, day, hour, minute, tzinfo=SH)


def local(day, hour=10, minute=0):
    """The value a datetime-local input sends."""
    return f"2022-11-{day:02d}T{hour:02d}:{minute:02d}"


def zh(message):
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


@pytest.fixture
def o(outbreak):
    """张伟 asymptomatic (文远社区), 李娜 confirmed (文远社区), 刘洋 confirmed (应县)."""
    c = outbreak.cast
    outbreak.zhang = services.case_report(
        acting_user=c.admin, person=c.zhang, outbreak=outbreak.outbreak,
        classification=Classification.ASYMPTOMATIC, reported_at=at(14),
        route=Route.COMMUNITY_SCREENING, sample_date=datetime.date(2022, 11, 13))
    outbreak.li = services.case_report(
        acting_user=c.admin, person=c.li, outbreak=outbreak.outbreak,
        classification=Classification.CONFIRMED, clinical_type="mild", reported_at=at(15),
        route=Route.CENTRALISED_ISOLATION)
    outbreak.liu = services.case_report(
        acting_user=c.admin, person=c.liu, outbreak=outbreak.outbreak,
        classification=Classification.CONFIRMED, clinical_type="moderate", reported_at=at(16),
        route=Route.FEVER_CLINIC)
    return outbreak


def page(client, case):
    return client.get(reverse("cases:detail", args=[case.uuid]))


def act(client, case, action, data):
    return client.post(reverse("cases:act", args=[case.uuid, action]), data)


def fresh(case):
    return Case.objects.get(pk=case.pk)


def section(body, action):
    return body.split(f'id="action-{action}"')[1].split("</details>")[0]


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the page and its scope ---------------------------------------------------------------

def test_case_page_shows_the_facts_the_timeline_and_a_link_to_the_person(o, login):
    body = page(login(o.cast.quxian), o.zhang).content.decode()
    assert o.zhang.number in body and "张伟" in body
    assert reverse("people:detail", args=[o.cast.zhang.uuid]) in body
    assert o.cast.zhang.id_number not in body
    assert "2022-11-14 10:00" in body and "2022-11-13" in body
    timeline = body.split('id="timeline"')[1]
    assert 'data-kind="reported"' in timeline and "指挥中心" in timeline  # who reported it


def test_actions_offered_follow_the_classification(o, login):
    client = login(o.cast.quxian)
    asymptomatic = page(client, o.zhang).content.decode()
    confirmed = page(client, o.li).content.decode()
    for action in ("reclassify", "admit", "test", "release"):
        assert f'id="action-{action}"' in asymptomatic
    for action in ("clinical_type", "discharge", "die"):
        assert f'id="action-{action}"' not in asymptomatic
    for action in ("clinical_type", "admit", "test", "discharge", "die"):
        assert f'id="action-{action}"' in confirmed
    assert 'id="action-reclassify"' not in confirmed


def test_action_times_default_to_now_in_beijing_time(o, login):
    body = page(login(o.cast.quxian), o.zhang).content.decode()
    now = timezone.localtime(timezone.now(), SH)
    reclassify = section(body, "reclassify")
    assert 'type="datetime-local"' in reclassify
    assert f'value="{now:%Y-%m-%dT%H}' in reclassify


def test_a_community_worker_sees_the_case_without_actions(o, login):
    response = page(login(o.cast.wangge), o.zhang)
    assert response.status_code == 200
    assert 'id="action-' not in response.content.decode()


@pytest.mark.parametrize("who, case, status", [
    ("yingxianqu", "zhang", 404), ("quxian", "liu", 404), ("wangge2", "zhang", 404),
    ("noscope", "zhang", 404), ("jumin", "zhang", 403), ("yingxianqu", "liu", 200),
    ("yiyuan", "zhang", 404),  # not in any of the hospital's facilities
])
def test_case_page_scope(o, login, who, case, status):
    response = page(login(getattr(o.cast, who)), getattr(o, case))
    assert response.status_code == status
    if status != 200:
        assert getattr(o, case).person.name not in response.content.decode()


def test_a_hospital_sees_and_treats_the_cases_it_holds_but_not_the_persons_record(o, login):
    services.case_admit(acting_user=o.cast.admin, case=o.li, facility=o.hospital, at=at(15, 12))
    body = page(login(o.cast.yiyuan), o.li).content.decode()
    assert "李娜" in body
    assert reverse("people:detail", args=[o.cast.li.uuid]) not in body
    assert 'name="override_reason"' in section(body, "discharge")


def test_acting_outside_the_area_or_without_the_right_is_refused(o, login):
    data = {"at": local(20), "clinical_type": "mild"}
    assert act(login(o.cast.yingxianqu), o.zhang, "reclassify", data).status_code == 404
    assert act(login(o.cast.wangge), o.zhang, "reclassify", data).status_code == 403
    assert act(login(o.cast.jumin), o.zhang, "reclassify", data).status_code == 403
    assert fresh(o.zhang).classification == Classification.ASYMPTOMATIC


def test_unknown_action_is_404_and_a_get_is_405(o, login):
    client = login(o.cast.quxian)
    assert act(client, o.zhang, "resurrect", {}).status_code == 404
    assert client.get(reverse("cases:act", args=[o.zhang.uuid, "reclassify"])).status_code == 405


# --- reclassification and clinical type ---------------------------------------------------

def test_reclassify_through_the_page(o, login):
    client = login(o.cast.quxian)
    response = act(client, o.zhang, "reclassify", {
        "at": local(20, 9, 30), "clinical_type": "moderate", "onset_date": "2022-11-19",
        "reason": "CT 示肺炎"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[o.zhang.uuid])
    case = fresh(o.zhang)
    assert case.classification == Classification.CONFIRMED
    assert case.clinical_type == "moderate"
    assert case.reclassified_at == at(20, 9, 30)
    assert case.onset_date == datetime.date(2022, 11, 19)
    assert zh("Reclassified as a confirmed case.") in flash(response)
    body = page(client, o.zhang).content.decode()
    timeline = body.split('id="timeline"')[1]
    assert 'data-kind="reclassified"' in timeline
    assert "2022-11-20 09:30" in timeline and "CT 示肺炎" in timeline and "quxian" in timeline
    assert AuditEvent.objects.filter(action="case.reclassify", actor=o.cast.quxian,
                                     reason="CT 示肺炎").count() == 1


def test_reclassify_errors_keep_what_was_typed(o, login):
    client = login(o.cast.quxian)
    response = act(client, o.zhang, "reclassify", {
        "at": local(20, 9, 30), "clinical_type": "", "onset_date": "2022-11-19",
        "reason": "CT 示肺炎，转确诊"})
    body = response.content.decode()
    assert response.status_code == 200
    form = section(body, "reclassify")
    assert "这个字段是必填项" in form  # Django's own message, in Chinese
    assert "CT 示肺炎，转确诊" in form and 'value="2022-11-20T09:30"' in form
    assert 'value="2022-11-19"' in form
    assert fresh(o.zhang).classification == Classification.ASYMPTOMATIC


def test_a_time_before_the_last_event_is_refused_next_to_the_field(o, login):
    response = act(login(o.cast.quxian), o.zhang, "reclassify", {
        "at": local(13, 8), "clinical_type": "mild"})
    form = section(response.content.decode(), "reclassify")
    field = form.split('id="field-at"')[1].split("</div>")[1]
    assert "errorlist" in field and "2022-11-14 10:00" in field
    assert 'value="2022-11-13T08:00"' in form
    assert fresh(o.zhang).classification == Classification.ASYMPTOMATIC


def test_a_future_time_and_a_garbled_time_are_refused(o, login):
    client = login(o.cast.quxian)
    future = timezone.localtime(timezone.now() + datetime.timedelta(days=2), SH)
    for value in (future.strftime("%Y-%m-%dT%H:%M"), "2022-11-31T10:00"):
        response = act(client, o.zhang, "reclassify", {"at": value, "clinical_type": "mild"})
        assert response.status_code == 200
        assert "errorlist" in section(response.content.decode(), "reclassify")
    assert fresh(o.zhang).classification == Classification.ASYMPTOMATIC


def test_an_action_that_no_longer_applies_is_refused_with_a_message(o, login):
    response = act(login(o.cast.quxian), o.li, "reclassify", {
        "at": local(20), "clinical_type": "mild"})
    assert response.status_code == 302
    assert zh("This action does not apply to this case now.") in flash(response)
    assert fresh(o.li).reclassified_at is None


def test_change_the_clinical_type(o, login):
    client = login(o.cast.quxian)
    same = act(client, o.li, "clinical_type", {"at": local(18), "clinical_type": "mild"})
    assert "errorlist" in section(same.content.decode(), "clinical_type")
    response = act(client, o.li, "clinical_type", {"at": local(18), "clinical_type": "severe",
                                                   "reason": "血氧下降"})
    assert response.status_code == 302
    assert fresh(o.li).clinical_type == "severe"
    timeline = page(client, o.li).content.decode().split('id="timeline"')[1]
    assert 'data-kind="clinical_type"' in timeline and "血氧下降" in timeline


# --- facilities and tests -----------------------------------------------------------------

def test_admit_then_transfer_with_facilities_of_the_whole_city(o, login):
    client = login(o.cast.quxian)
    admit = section(page(client, o.li).content.decode(), "admit")
    for facility in (o.hospital, o.fangcang, o.yingxian_point):  # 应县's too: same city
        assert str(facility.uuid) in admit
    response = act(client, o.li, "admit", {"facility": str(o.hospital.uuid), "at": local(15, 12)})
    assert response.status_code == 302
    response = act(client, o.li, "admit", {"facility": str(o.fangcang.uuid), "at": local(17),
                                           "reason": "轻症转方舱"})
    assert response.status_code == 302
    assert zh("Transfer recorded.") in flash(response)
    assert fresh(o.li).facility == o.fangcang
    stays = FacilityStay.objects.filter(case=o.li).order_by("admitted_at")
    assert [(s.facility, s.left_at) for s in stays] == [(o.hospital, at(17)), (o.fangcang, None)]
    body = page(client, o.li).content.decode()
    assert 'data-kind="transferred"' in body and "轻症转方舱" in body
    assert body.split('id="facility">')[1].startswith("市大医院方舱医院")


def test_admit_refuses_an_unknown_facility_and_the_same_facility(o, login):
    client = login(o.cast.quxian)
    unknown = act(client, o.li, "admit", {"facility": "a4e0a3f4-0000-4000-8000-000000000000",
                                          "at": local(15, 12)})
    assert "errorlist" in section(unknown.content.decode(), "admit")
    act(client, o.li, "admit", {"facility": str(o.hospital.uuid), "at": local(15, 12)})
    again = act(client, o.li, "admit", {"facility": str(o.hospital.uuid), "at": local(16)})
    field = section(again.content.decode(), "admit").split('id="field-facility"')[1]
    assert zh("The case is already in this facility.") in field.split('id="field-at"')[0]
    assert FacilityStay.objects.filter(case=o.li).count() == 1


def test_record_a_test_with_an_empty_ct_meaning_not_detected(o, login):
    client = login(o.cast.quxian)
    response = act(client, o.li, "test", {"sampled_at": local(22, 8), "ct_n": "36.5",
                                          "ct_orf1ab": ""})
    assert response.status_code == 302
    test = CaseTest.objects.get(case=o.li)
    assert test.ct_n == Decimal("36.5") and test.ct_orf1ab is None
    tests = page(client, o.li).content.decode().split('id="tests"')[1].split("</table>")[0]
    assert "36.5" in tests and zh("not detected") in tests


@pytest.mark.parametrize("ct, expected", [("60", "A Ct value lies between 0 and 50."),
                                          ("35.25", None), ("abc", None)])
def test_a_bad_ct_value_is_refused_and_kept(o, login, ct, expected):
    response = act(login(o.cast.quxian), o.li, "test", {"sampled_at": local(22, 8),
                                                        "ct_n": ct, "ct_orf1ab": "36"})
    form = section(response.content.decode(), "test")
    field = form.split('id="field-ct_n"')[1].split('id="field-ct_orf1ab"')[0]
    assert "errorlist" in field and f'value="{ct}"' in field
    if expected:
        assert zh(expected) in field
    assert not CaseTest.objects.filter(case=o.li).exists()


# --- discharge, release, death ------------------------------------------------------------

def record_tests(o, case, cts):
    for day, ct in cts:
        services.case_test_record(acting_user=o.cast.admin, case=case, sampled_at=at(day, 8),
                                  ct_n=Decimal(ct), ct_orf1ab=Decimal(ct))


def test_discharge_refused_by_the_rule_is_explained_and_the_case_stays_open(o, login):
    client = login(o.cast.quxian)
    record_tests(o, o.li, [(21, "36")])
    body = page(client, o.li).content.decode()
    verdict = discharge_verdict(fresh(o.li), timezone.now())
    assert not verdict.ok
    with translation.override("zh-hans"):
        message = discharge_verdict(fresh(o.li), timezone.now()).message
    discharge = section(body, "discharge")
    assert escape(message) in discharge.split("<button")[0]  # before the button
    assert 'name="override_reason"' not in discharge  # a district user cannot override
    response = act(client, o.li, "discharge", {"at": local(22), "override_reason": "我说行"})
    assert response.status_code == 200
    assert escape(message) in section(response.content.decode(), "discharge").split(
        'id="field-at"')[0].split('id="verdict"')[1].split("</div>", 1)[1]  # the form's error
    case = fresh(o.li)
    assert case.is_open and case.outcome_at is None
    assert not AuditEvent.objects.filter(action="case.discharged").exists()


def test_admin_discharges_against_the_rule_with_a_reason_and_it_is_audited(o, login):
    client = login(o.cast.admin)
    discharge = section(page(client, o.li).content.decode(), "discharge")
    assert 'name="override_reason"' in discharge
    refused = act(client, o.li, "discharge", {"at": local(22), "override_reason": "  "})
    assert refused.status_code == 200 and fresh(o.li).is_open
    response = act(client, o.li, "discharge", {"at": local(22),
                                               "override_reason": "专家组会诊同意出院"})
    assert response.status_code == 302
    case = fresh(o.li)
    assert case.outcome == "discharged" and case.outcome_at == at(22)
    event = AuditEvent.objects.get(action="case.discharged", target_uuid=o.li.uuid)
    assert event.actor == o.cast.admin and "专家组会诊同意出院" in event.reason
    body = page(client, o.li).content.decode()
    assert "专家组会诊同意出院" in body.split('id="timeline"')[1]
    assert 'id="action-' not in body  # a closed case offers nothing more


def test_discharge_that_meets_the_rule_says_so_and_passes(o, login):
    client = login(o.cast.quxian)
    record_tests(o, o.li, [(20, "36"), (21, "37")])
    discharge = section(page(client, o.li).content.decode(), "discharge")
    assert zh("The tests meet the rule: this will pass.") in discharge
    response = act(client, o.li, "discharge", {"at": local(22)})
    assert response.status_code == 302
    assert fresh(o.li).outcome == "discharged"
    assert fresh(o.li).facility is None


def test_release_an_asymptomatic_infection(o, login):
    client = login(o.cast.quxian)
    services.case_admit(acting_user=o.cast.admin, case=o.zhang, facility=o.fangcang,
                        at=at(14, 12))
    refused = act(client, o.zhang, "release", {"at": local(22)})
    assert refused.status_code == 200 and fresh(o.zhang).is_open
    record_tests(o, o.zhang, [(20, "38"), (21, "38")])
    response = act(client, o.zhang, "release", {"at": local(22)})
    assert response.status_code == 302
    case = fresh(o.zhang)
    assert case.outcome == "released" and case.facility is None
    assert FacilityStay.objects.get(case=o.zhang).left_at == at(22)


def test_record_a_death_needs_the_cause(o, login):
    client = login(o.cast.quxian)
    response = act(client, o.liu, "die", {"at": local(23)})
    assert response.status_code == 404  # 应县 is not quxian's
    client = login(o.cast.admin)
    missing = act(client, o.li, "die", {"at": local(23, 4, 15), "reason": ""})
    form = section(missing.content.decode(), "die")
    assert "这个字段是必填项" in form and 'value="2022-11-23T04:15"' in form
    assert fresh(o.li).is_open
    response = act(client, o.li, "die", {"at": local(23, 4, 15), "reason": "呼吸衰竭"})
    assert response.status_code == 302
    case = fresh(o.li)
    assert case.outcome == "died" and case.outcome_at == at(23, 4, 15)
    assert "呼吸衰竭" in page(client, o.li).content.decode().split('id="timeline"')[1]


def test_case_page_query_count_is_bounded(o, login, django_assert_max_num_queries):
    client = login(o.cast.quxian)
    services.case_admit(acting_user=o.cast.admin, case=o.li, facility=o.hospital, at=at(15, 12))
    record_tests(o, o.li, [(20, "36"), (21, "37")])
    page(client, o.li)
    with django_assert_max_num_queries(16):
        page(client, o.li)


# --- the report form ----------------------------------------------------------------------

def report_url(**params):
    from urllib.parse import urlencode

    return reverse("cases:report") + (f"?{urlencode(params)}" if params else "")


def report_data(who, **overrides):
    data = {"person": str(who.uuid), "outbreak": "sz-2022-11", "classification": "confirmed",
            "clinical_type": "mild", "reported_at": local(20, 16, 5), "sample_date": "2022-11-19",
            "onset_date": "2022-11-18", "route": "fever_clinic"}
    data.update(overrides)
    return data


def test_search_by_name_lists_people_of_the_area_with_masked_ids(outbreak, login):
    c = outbreak.cast
    body = login(c.quxian).get(report_url(q="张")).content.decode()
    assert "张伟" in body and f"?person={c.zhang.uuid}" in body
    assert c.zhang.id_number not in body and c.zhang.id_number[:6] in body
    assert 'id="report-form"' not in body  # nothing to fill in before the person is chosen
    other = login(c.quxian).get(report_url(q="刘洋")).content.decode()
    assert 'id="matches"' not in other and str(c.liu.uuid) not in other


def test_a_full_id_number_or_the_person_link_preselects_the_person(outbreak, login):
    c = outbreak.cast
    client = login(c.quxian)
    found = client.get(report_url(q=c.li.id_number))
    assert found.status_code == 302 and found["Location"] == report_url(person=c.li.uuid)
    for url in (report_url(q=c.li.id_number), report_url(person=c.li.uuid)):
        body = client.get(url, follow=True).content.decode()
        chosen = body.split('id="chosen"')[1].split("</div>")[0]
        assert "李娜" in chosen and c.li.id_number not in body
        assert f'value="{c.li.uuid}"' in body and 'id="report-form"' in body
        assert 'value="sz-2022-11" selected' in body  # the outbreak in force


def test_a_person_outside_the_area_cannot_be_preselected(outbreak, login):
    c = outbreak.cast
    assert login(c.quxian).get(report_url(person=c.liu.uuid)).status_code == 404
    assert login(c.quxian).get(report_url(person="garbage")).status_code == 404


def test_report_a_case_through_the_form(outbreak, login):
    c = outbreak.cast
    client = login(c.liudiao)  # a tracer reports too
    response = client.post(report_url(person=c.li.uuid), report_data(c.li, imported="on"))
    case = Case.objects.get(person=c.li)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.uuid])
    assert case.classification == "confirmed" and case.clinical_type == "mild"
    assert case.reported_at == at(20, 16, 5) and case.sample_date == datetime.date(2022, 11, 19)
    assert case.route == "fever_clinic" and not case.in_control and case.imported
    assert case.district == c.shuocheng and case.created_by == c.liudiao


@pytest.mark.parametrize("overrides, field, message", [
    ({"clinical_type": ""}, "clinical_type", "A confirmed case needs its clinical type."),
    ({"classification": "asymptomatic"}, "clinical_type",
     "An asymptomatic infection has no clinical type or onset."),
    ({"onset_date": "2022-11-21"}, "onset_date", "This date is after the report."),
    ({"reported_at": local(10)}, "reported_at", None),
    ({"route": ""}, "route", "这个字段是必填项。"),
    ({"sample_date": "2022-11-99"}, "sample_date", None),
])
def test_report_errors_are_shown_next_to_the_field_and_the_input_is_kept(
        outbreak, login, overrides, field, message):
    c = outbreak.cast
    data = report_data(c.li, **overrides)
    response = login(c.quxian).post(report_url(person=c.li.uuid), data)
    body = response.content.decode()
    assert response.status_code == 200
    block = body.split(f'id="field-{field}"')[1].split('<div class="field"')[0]
    assert "errorlist" in block
    if message:
        assert escape(zh(message)) in block
    form = body.split('id="report-form"')[1]
    assert f'value="{data["reported_at"]}"' in form
    assert f'value="{c.li.uuid}"' in form and "李娜" in body
    assert re.search(f'value="{data["classification"]}"[^>]*checked', form)
    assert re.search(f'value="{data["route"]}"[^>]*selected', form) or not data["route"]
    assert not Case.objects.filter(person=c.li).exists()


def test_reporting_a_person_twice_in_one_outbreak_is_refused(o, login):
    response = login(o.cast.quxian).post(report_url(), report_data(o.cast.zhang))
    body = response.content.decode()
    assert escape(zh("This person is already a case in this outbreak.")) in body
    assert Case.objects.filter(person=o.cast.zhang).count() == 1


def test_a_report_without_a_person_keeps_the_input(outbreak, login):
    response = login(outbreak.cast.quxian).post(report_url(), report_data(
        outbreak.cast.li, person=""))
    body = response.content.decode()
    assert escape(zh("Choose the person first.")) in body
    assert 'value="2022-11-19"' in body
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["wangge", "jumin", "yiyuan", "ducha"])
def test_users_who_may_not_report_are_refused(outbreak, login, who):
    client = login(getattr(outbreak.cast, who))
    assert client.get(report_url()).status_code == 403
    response = client.post(report_url(), report_data(outbreak.cast.zhang))
    assert response.status_code == 403
    assert not Case.objects.exists()
