"""The protocol pages: the list of profiles and the one in force, a profile's plans and values
with the plan calculator, a new version copied from a profile (JSON kept on error, mistakes
named by their path), and the change of a profile only while it is not in force."""

import datetime
import html
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from fangkong.audit.models import AuditEvent
from fangkong.control.models import Colour, OrderKind
from fangkong.protocol.loading import shipped_profiles
from fangkong.protocol.models import KEYS, ProtocolProfile

SH = ZoneInfo("Asia/Shanghai")
SHIPPED = {row["code"]: row for row in shipped_profiles()}


@pytest.fixture
def today():
    """25 Nov 2022: the Shuozhou notice is in force, the 10 new measures are still to come."""
    with time_machine.travel(datetime.datetime(2022, 11, 25, 10, tzinfo=SH), tick=False):
        yield datetime.date(2022, 11, 25)


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def english(client):
    client.cookies["django_language"] = "en"
    return client


def profile(code) -> ProtocolProfile:
    return ProtocolProfile.objects.get(code=code)


def detail_url(code):
    return reverse("protocol:detail", args=[profile(code).uuid])


def row(body, code):
    return body.split(f'data-profile="{code}"')[1].split("</tr>")[0]


def textarea(body) -> str:
    inner = body.split('name="values"')[1].split(">", 1)[1].split("</textarea>")[0]
    return html.unescape(inner).strip("\n")


# --- the list ------------------------------------------------------------------------------

def test_the_list_shows_each_profile_its_day_source_and_the_one_in_force(cast, login, today):
    body = page(english(login(cast.wangge)), reverse("protocol:list"))
    order = [body.index(f'data-profile="{code}"') for code in (
        "covid19-10-new-measures", "shuozhou-2022-11-21", "covid19-20-measures", "covid19-ed9")]
    assert order == sorted(order)
    current = row(body, "shuozhou-2022-11-21")
    assert "朔州市新冠肺炎疫情防控通告（2022年11月21日）" in current and "2022-11-21" in current
    assert "In force today" in current and "3天3检" in current
    assert "Not yet in force" in row(body, "covid19-10-new-measures")
    assert "Superseded" in row(body, "covid19-ed9")
    assert body.count("In force today") == 1


def test_the_list_reads_in_a_fixed_number_of_queries(cast, login, django_assert_num_queries):
    client = login(cast.admin)
    client.get(reverse("protocol:list"))
    for n in range(3):
        ProtocolProfile.objects.create(code=f"extra-{n}", name=f"extra {n}",
                                       valid_from=datetime.date(2023, 1, 1 + n), values={})
    with django_assert_num_queries(3):  # session, user, profiles
        client.get(reverse("protocol:list"))


WHO = [("admin", 200), ("quxian", 200), ("wangge", 200), ("liudiao", 200),
       ("yiyuan", 403), ("louzhang", 403), ("caiyang", 403), ("jumin", 403)]


@pytest.mark.parametrize("who, status", WHO)
def test_who_may_read_the_rules(cast, login, who, status):
    client = login(getattr(cast, who))
    assert client.get(reverse("protocol:list")).status_code == status
    assert client.get(detail_url("covid19-ed9")).status_code == status


def test_an_unknown_profile_is_not_found(cast, login):
    url = reverse("protocol:detail", args=["0b1e6c55-9d77-4a4c-8c61-6f0a4b1f0e11"])
    assert login(cast.admin).get(url).status_code == 404


# --- one profile ---------------------------------------------------------------------------

def plan_section(body, basis):
    return body.split(f'id="plan-{basis}"')[1].split("</section>")[0]


def test_a_profile_shows_its_plans_as_tables_with_rules(cast, login):
    body = page(english(login(cast.wangge)), detail_url("covid19-ed9"))
    close = plan_section(body, "close-contact")
    assert "Close contact" in close and "Centralised isolation" in close
    assert "Home health monitoring" in close
    assert "1, 2, 3, 5, 7" in close and ">3<" in close and ">7<" in close
    assert "第九版：密切接触者“7天集中隔离+3天居家健康监测”" in close
    secondary = plan_section(body, "secondary-contact")
    assert "Home isolation" in secondary and "1, 4, 7" in secondary
    assert 'id="plan-arrival-low-risk"' not in body
    missing = body.split('id="no-plan"')[1].split("</p>")[0]
    assert "Arrival from a low-risk area" in missing and "High-risk post" in missing


def test_a_profile_shows_its_other_values_with_their_labels_in_chinese(cast, login):
    body = page(login(cast.wangge), detail_url("covid19-20-measures"))
    values = body.split('id="values"')[1].split("</dl>")[0]
    for key in ("contact_lookback_days", "pcr_cutoff_ct", "risk_area_lift_days"):
        assert zh(KEYS[key]) in values
    assert '<dd data-key="risk_area_lift_days">5</dd>' in values
    assert '<dd data-key="contact_lookback_days">4</dd>' in values
    colours = values.split('data-key="code_colours"')[1].split("</dd>")[0]
    assert f"{zh(OrderKind.HOME_ISOLATION.label)}: {zh(Colour.RED.label)}" in colours
    assert f"{zh(OrderKind.HOME_HEALTH_MONITORING.label)}: {zh(Colour.YELLOW.label)}" in colours
    levels = values.split('data-key="risk_levels"')[1].split("</dd>")[0]
    assert levels.count("<br>") == 1  # high and low only under the 20 measures


def result_rows(body):
    table = body.split('id="result"')[1].split("</table>")[0]
    return [r.split("</tr>")[0] for r in table.split('<tr class="phase">')[1:]]


def test_the_calculator_gives_the_phases_with_their_dates(cast, login):
    body = page(english(login(cast.wangge)), detail_url("covid19-20-measures"),
                basis="close-contact", start="2022-11-11")
    first, second = result_rows(body)
    assert "Centralised isolation" in first and "2022-11-11" in first and "2022-11-15" in first
    assert "11-11, 11-12, 11-13, 11-15" in first
    assert "Home isolation" in second and "2022-11-16" in second and "2022-11-18" in second
    assert "11-16, 11-18" in second
    assert "二十条第1条" in body.split('id="result"')[1]
    assert "not of this profile" not in body


def test_the_calculator_follows_the_rules_of_the_day_and_says_so(cast, login):
    body = page(english(login(cast.wangge)), detail_url("covid19-20-measures"),
                basis="close-contact", start="2022-11-10")
    first, second = result_rows(body)
    assert "2022-11-16" in first and "11-10, 11-11, 11-12, 11-14, 11-16" in first
    assert "2022-11-17" in second and "2022-11-19" in second
    assert "新型冠状病毒肺炎防控方案（第九版）, not of this profile" in body


def test_the_calculator_shows_the_refusal_where_there_is_no_plan(cast, login):
    body = page(login(cast.wangge), detail_url("covid19-20-measures"),
                basis="secondary-contact", start="2022-11-11")
    refusal = body.split('id="refusal"')[1].split("</ul>")[0]
    assert "2022-11-11" in refusal and "二十条优化措施" in refusal
    assert 'id="result"' not in body


def test_the_calculator_starts_on_the_profiles_day_and_explains_a_bad_date(cast, login):
    client = login(cast.wangge)
    blank = page(client, detail_url("shuozhou-2022-11-21"))
    assert 'value="2022-11-21"' in blank and 'id="result"' not in blank
    bad = page(client, detail_url("shuozhou-2022-11-21"), basis="close-contact",
               start="2022-11-31")
    field = bad.split('id="field-start"')[1].split("</div>")[0]
    assert "errorlist" in field and 'id="result"' not in bad
    assert "errorlist" in page(client, detail_url("shuozhou-2022-11-21"), basis="jail",
                               start="2022-11-21").split('id="field-basis"')[1]


def test_actions_offered_by_standing(cast, login, today):
    admin = login(cast.admin)
    current = page(admin, detail_url("shuozhou-2022-11-21"))
    assert reverse("protocol:new_version", args=[profile("shuozhou-2022-11-21").uuid]) in current
    assert reverse("protocol:edit", args=[profile("shuozhou-2022-11-21").uuid]) not in current
    future = page(admin, detail_url("covid19-10-new-measures"))
    assert reverse("protocol:edit", args=[profile("covid19-10-new-measures").uuid]) in future
    viewer = page(login(cast.wangge), detail_url("covid19-10-new-measures"))
    assert "new-version" not in viewer and "/edit/" not in viewer


# --- a new version -------------------------------------------------------------------------

def new_url(code="shuozhou-2022-11-21"):
    return reverse("protocol:new_version", args=[profile(code).uuid])


def form_data(**changes):
    values = SHIPPED["shuozhou-2022-11-21"]["values"]
    return {"code": "shuozhou-2022-12-01", "name": "朔州市通告（12月1日）",
            "valid_from": "2022-12-01", "source_doc": "朔州市通告（2022年12月1日）",
            "values": json.dumps(values, ensure_ascii=False, indent=2), **changes}


def test_the_new_version_form_copies_the_values_readably(cast, login, today):
    body = page(login(cast.admin), new_url())
    assert json.loads(textarea(body)) == SHIPPED["shuozhou-2022-11-21"]["values"]
    assert "3天3检" in textarea(body) and '\n  "plans": {' in textarea(body)
    assert 'value="2022-11-25"' in body  # in force from today by default


def test_a_new_version_is_saved_and_audited(cast, login, today):
    response = login(cast.admin).post(new_url(), form_data())
    created = ProtocolProfile.objects.get(code="shuozhou-2022-12-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("protocol:detail", args=[created.uuid])
    assert created.values == SHIPPED["shuozhou-2022-11-21"]["values"]
    assert AuditEvent.objects.get(action="protocol.create").changes["based_on"] == [
        None, "shuozhou-2022-11-21"]


def test_bad_json_is_explained_and_the_input_kept(cast, login, today):
    typed = '{\n  "plans": {\n    "close-contact": [\n  }\n}'
    response = english(login(cast.admin)).post(new_url(), form_data(values=typed))
    body = response.content.decode()
    assert response.status_code == 200
    field = body.split('id="field-values"')[1]
    assert "This is not valid JSON" in field and "line 4" in field
    assert textarea(body) == typed
    assert 'value="shuozhou-2022-12-01"' in body
    assert ProtocolProfile.objects.count() == 4


def test_value_mistakes_are_named_by_path_on_the_field_and_the_input_kept(cast, login, today):
    values = json.loads(form_data()["values"])
    values["plans"]["close-contact"]["phases"][1]["days"] = 0
    values["risk_levels"] = ["high", "severe"]
    typed = json.dumps(values, ensure_ascii=False, indent=2)
    response = english(login(cast.admin)).post(new_url(), form_data(values=typed,
                                                                     valid_from="2022-11-24"))
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    field = body.split('id="field-values"')[1].split("</form>")[0]
    assert "plans.close-contact.phases[1].days: must be at least 1" in field
    assert "risk_levels[1]: must be one of high, medium, low" in field
    valid_from = body.split('id="field-valid_from"')[1].split('id="field-')[0]
    assert "errorlist" in valid_from and "choose today (2022-11-25)" in valid_from
    assert json.loads(textarea(response.content.decode())) == values
    assert ProtocolProfile.objects.count() == 4


@pytest.mark.parametrize("typed, words", [
    ("[1, 2]", "one JSON object"), ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ("{" + " " * 100_000 + "}", "100000")])
def test_values_that_are_no_object_are_explained(cast, login, today, typed, words):
    response = english(login(cast.admin)).post(new_url(), form_data(values=typed))
    assert response.status_code == 200
    assert words in response.content.decode().split('id="field-values"')[1]
    assert ProtocolProfile.objects.count() == 4


@pytest.mark.parametrize("who", ["quxian", "wangge", "yiyuan"])
def test_only_the_command_centre_writes(cast, login, today, who):
    client = login(getattr(cast, who))
    assert client.get(new_url()).status_code == 403
    assert client.post(new_url(), form_data()).status_code == 403
    edit = reverse("protocol:edit", args=[profile("covid19-10-new-measures").uuid])
    assert client.post(edit, form_data()).status_code == 403
    assert ProtocolProfile.objects.count() == 4


# --- editing -------------------------------------------------------------------------------

def edit_url(code):
    return reverse("protocol:edit", args=[profile(code).uuid])


def test_a_future_profile_is_edited(cast, login, today):
    client = login(cast.admin)
    body = page(client, edit_url("covid19-10-new-measures"))
    assert 'name="code"' not in body
    version = body.split('name="version" value="')[1].split('"')[0]
    values = json.loads(textarea(body))
    values["plans"]["close-contact"]["phases"][0]["test_days"] = [3, 5]
    response = client.post(edit_url("covid19-10-new-measures"), {
        "name": "新十条（修订）", "valid_from": "2022-12-07", "source_doc": "新十条",
        "values": json.dumps(values, ensure_ascii=False), "version": version})
    assert response.status_code == 302
    saved = profile("covid19-10-new-measures")
    assert saved.name == "新十条（修订）"
    assert saved.values["plans"]["close-contact"]["phases"][0]["test_days"] == [3, 5]
    assert AuditEvent.objects.filter(action="protocol.update").count() == 1


def test_a_profile_in_force_is_not_edited_and_the_page_says_why(cast, login, today):
    client = english(login(cast.admin))
    response = client.get(edit_url("shuozhou-2022-11-21"))
    assert response.status_code == 302
    assert response["Location"] == detail_url("shuozhou-2022-11-21")
    body = client.get(response["Location"]).content.decode()
    assert "in force since 2022-11-21" in body and "create a new version" in body
    response = client.post(edit_url("covid19-ed9"), {
        "name": "x", "valid_from": "2022-12-20", "source_doc": "x", "values": "{}"})
    assert response.status_code == 302
    assert profile("covid19-ed9").name == SHIPPED["covid19-ed9"]["name"]


def test_a_stale_edit_is_refused_with_the_input_kept(cast, login, today):
    client = english(login(cast.admin))
    url = edit_url("covid19-10-new-measures")
    body = page(client, url)
    version = body.split('name="version" value="')[1].split('"')[0]
    with time_machine.travel(datetime.datetime(2022, 11, 25, 11, tzinfo=SH), tick=False):
        ProtocolProfile.objects.filter(code="covid19-10-new-measures").update(
            updated_at=datetime.datetime(2022, 11, 25, 11, tzinfo=SH))
    response = client.post(url, {"name": "我的修改", "valid_from": "2022-12-07",
                                 "source_doc": "新十条", "values": textarea(body),
                                 "version": version})
    assert response.status_code == 200
    assert "Someone else changed this profile" in response.content.decode()
    assert 'value="我的修改"' in response.content.decode()
    assert profile("covid19-10-new-measures").name == SHIPPED["covid19-10-new-measures"]["name"]
