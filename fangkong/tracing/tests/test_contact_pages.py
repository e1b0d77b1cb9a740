"""Contacts worked through the pages: confirming a proposed contact puts a close contact under
control, dismissing needs a reason, a contact from the interview is named by ID number anywhere
in the city (an unknown number is refused, nothing typed is lost), secondary contacts are
refused under the rules in force, and the contacts list shows a community worker the contacts
living in their community, without phones."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from fangkong.audit.models import AuditEvent
from fangkong.cases.tests.util import at, report
from fangkong.control.models import Basis, ControlOrder
from fangkong.lib import idnumber
from fangkong.protocol.selectors import profile_on
from fangkong.tracing import services
from fangkong.tracing.models import Category, Contact, ContactStatus, Investigation, Setting
from fangkong.tracing.tests.util import body_of, flash, team, zh


@pytest.fixture
def w(outbreak):
    """追阳一队 (liudiao) works 张伟's case; 李娜, his wife, is proposed as a household
    contact."""
    c = outbreak.cast
    w = SimpleNamespace(cast=c, o=outbreak)
    w.team = team(c, "追阳一队", c.liudiao)
    w.case = report(outbreak, c.zhang, "asymptomatic", day=14)
    w.investigation = Investigation.objects.get(case=w.case)
    w.li = Contact.objects.get(case=w.case, person=c.li)
    return w


def fresh(contact):
    return Contact.objects.get(pk=contact.pk)


def act(client, name, contact, data):
    return client.post(reverse(f"tracing:{name}", args=[contact.uuid]), data)


def add(client, w, data):
    return client.post(reverse("tracing:contact_add", args=[w.investigation.uuid]), data)


def contact_card(body, contact):
    return body.split(f'id="contact-{contact.uuid}"')[1].split("</li>")[0]


def section(body, status):
    return body.split(f'id="contacts-{status}"')[1].split("</section>")[0]


# --- confirm and dismiss ------------------------------------------------------------------

def test_confirming_a_household_contact_puts_them_under_control(w, login):
    client = login(w.cast.liudiao)
    response = act(client, "contact_confirm", w.li,
                   {"category": Category.CLOSE, "setting": Setting.HOUSEHOLD})
    assert response.status_code == 302
    contact = fresh(w.li)
    assert contact.status == ContactStatus.CONFIRMED and contact.controlled_at is not None
    order = ControlOrder.objects.get(person=w.cast.li)
    assert (order.basis, order.basis_case, contact.control_order) == (Basis.CONTACT, w.case,
                                                                      order)
    assert any("李娜" in m for m in flash(response))
    body = body_of(client.get(response["Location"]))
    card = contact_card(section(body, "confirmed"), w.li)
    assert reverse("control:detail", args=[order.uuid]) in card
    assert 'class="stack confirm"' not in card


def test_a_second_tap_on_confirm_says_the_contact_is_confirmed_already(w, login):
    client = login(w.cast.liudiao)
    data = {"category": Category.CLOSE, "setting": Setting.HOUSEHOLD}
    act(client, "contact_confirm", w.li, data)
    again = act(client, "contact_confirm", w.li, data)
    assert again.status_code == 302
    assert zh("Only a proposed contact can be confirmed.") in flash(again)
    assert ControlOrder.objects.filter(person=w.cast.li).count() == 1


def test_a_contact_confirmed_in_another_category_needs_a_reason_and_maybe_no_control(w, login):
    """Proposed as a close contact, 李娜 was away all week: confirming her as a general
    contact spares her isolation, so the tracer must say why."""
    client = login(w.cast.liudiao)
    data = {"category": Category.GENERAL, "setting": Setting.HOUSEHOLD}
    refused = act(client, "contact_confirm", w.li, data)
    assert refused.status_code == 400
    assert escape(zh("Say why the category changes.")) in body_of(refused)
    assert fresh(w.li).status == ContactStatus.PROPOSED
    act(client, "contact_confirm", w.li, {**data, "reason": "整周出差在外"})
    contact = fresh(w.li)
    assert (contact.status, contact.category) == (ContactStatus.CONFIRMED, Category.GENERAL)
    assert not ControlOrder.objects.filter(person=w.cast.li).exists()
    assert AuditEvent.objects.get(action="tracing.contact_confirm").reason == "整周出差在外"


def test_dismissing_without_a_reason_keeps_the_contact_proposed(w, login):
    response = act(login(w.cast.liudiao), "contact_dismiss", w.li, {"reason": "  "})
    assert response.status_code == 400
    card = contact_card(section(body_of(response), "proposed"), w.li)
    dismiss = card.split('class="dismiss"')[1]
    assert " open" in dismiss.split(">")[0]
    assert escape(zh("Say why this is not a contact.")) in dismiss
    assert fresh(w.li).status == ContactStatus.PROPOSED


def test_dismissing_with_a_reason_lists_the_contact_as_dismissed(w, login):
    client = login(w.cast.liudiao)
    response = act(client, "contact_dismiss", w.li, {"reason": "外出务工，不在家"})
    assert response.status_code == 302
    assert fresh(w.li).status == ContactStatus.DISMISSED
    body = body_of(client.get(response["Location"]))
    assert "外出务工，不在家" in contact_card(section(body, "dismissed"), w.li)


def test_a_community_worker_cannot_confirm(w, login):
    response = act(login(w.cast.wangge), "contact_confirm", w.li,
                   {"category": Category.CLOSE, "setting": Setting.HOUSEHOLD})
    assert response.status_code == 403
    assert fresh(w.li).status == ContactStatus.PROPOSED


def test_a_tracer_cannot_confirm_another_teams_contact(w, login):
    team(w.cast, "追阳二队", w.cast.quxian)
    other_case = report(w.o, w.cast.wang, "asymptomatic", day=15)  # 追阳二队's turn
    assert other_case.investigation.team.name == "追阳二队"
    other = services.contact_record(
        acting_user=w.cast.admin, case=other_case, person=w.cast.zhao,
        category=Category.CLOSE, setting=Setting.WORKPLACE, last_exposure_at=at(14, 9))
    client = login(w.cast.liudiao)
    assert act(client, "contact_dismiss", other, {"reason": "x"}).status_code == 404
    assert act(client, "contact_confirm", other, {"category": "close",
                                                  "setting": "workplace"}).status_code == 404


# --- recording a contact from the interview -----------------------------------------------

def test_the_form_offers_the_cases_close_contacts_for_a_secondary_contact(w, login):
    client = login(w.cast.liudiao)
    url = reverse("tracing:contact_add", args=[w.investigation.uuid])
    assert f'value="{w.li.uuid}"' not in body_of(client.get(url))  # proposed, not confirmed
    act(client, "contact_confirm", w.li, {"category": Category.CLOSE,
                                          "setting": Setting.HOUSEHOLD})
    response = client.get(url)
    assert response.status_code == 200
    body = body_of(response)
    assert w.case.number in body and 'type="datetime-local"' in body
    assert f'<option value="{w.li.uuid}">李娜</option>' in body


def test_a_contact_living_in_another_district_is_recorded_by_id_number(w, login):
    client = login(w.cast.liudiao)
    response = add(client, w, {
        "id_number": w.cast.liu.id_number.lower(), "category": Category.CLOSE,
        "setting": Setting.WORKPLACE, "last_exposure_at": "2022-11-13T18:00", "note": "同事"})
    assert response.status_code == 302
    contact = Contact.objects.get(case=w.case, person=w.cast.liu)
    assert (contact.status, contact.setting, contact.last_exposure_at, contact.note) == (
        ContactStatus.CONFIRMED, Setting.WORKPLACE, at(13, 18), "同事")
    assert contact.control_order is not None  # 应县, outside the tracer's district
    body = body_of(client.get(response["Location"]))
    assert "刘洋" in section(body, "confirmed")


def test_an_unknown_id_number_is_refused_and_what_was_typed_stays(w, login):
    unknown = idnumber.make("140602", datetime.date(1975, 6, 1), 77)
    response = add(login(w.cast.liudiao), w, {
        "id_number": unknown, "category": Category.CLOSE, "setting": Setting.GATHERING,
        "last_exposure_at": "2022-11-13T18:00", "note": "聚餐"})
    assert response.status_code == 400
    body = body_of(response)
    field = body.split('id="field-id_number"')[1].split("</div>")[0]
    assert escape(zh("No one is registered with this ID number: check the number with the "
                     "person.")) in field
    assert f'value="{unknown}"' in field
    assert 'value="聚餐"' in body and 'value="2022-11-13T18:00"' in body
    assert '<option value="gathering" selected>' in body
    assert not Contact.objects.filter(case=w.case, source="interview").exists()


def test_a_known_contact_or_the_case_itself_is_refused_next_to_the_id_number(w, login):
    client = login(w.cast.liudiao)
    data = {"category": Category.CLOSE, "setting": Setting.HOUSEHOLD,
            "last_exposure_at": "2022-11-13T18:00"}
    for person, message in ((w.cast.li, "This person is already a contact of this case: "
                                        "change the existing contact."),
                            (w.cast.zhang, "A case is not its own contact.")):
        response = add(client, w, {**data, "id_number": person.id_number})
        assert response.status_code == 400
        field = body_of(response).split('id="field-id_number"')[1].split("</div>")[0]
        assert escape(zh(message)) in field
    assert Contact.objects.filter(case=w.case).count() == 1


def test_a_mistyped_id_number_says_what_is_wrong(w, login):
    typo = w.cast.liu.id_number[:-1] + ("0" if w.cast.liu.id_number[-1] != "0" else "1")
    response = add(login(w.cast.liudiao), w, {
        "id_number": typo, "category": Category.CLOSE, "setting": Setting.WORKPLACE,
        "last_exposure_at": "2022-11-13T18:00"})
    assert response.status_code == 400
    field = body_of(response).split('id="field-id_number"')[1].split("</div>")[0]
    assert escape(zh("The check character does not match: check the number for a typo.")) \
        in field


def test_a_secondary_contact_is_refused_under_the_rules_in_force(w, login):
    client = login(w.cast.liudiao)
    act(client, "contact_confirm", w.li, {"category": Category.CLOSE,
                                          "setting": Setting.HOUSEHOLD})
    response = add(client, w, {
        "id_number": w.cast.zhao.id_number, "category": Category.SECONDARY,
        "setting": Setting.WORKPLACE, "last_exposure_at": "2022-11-13T18:00",
        "via": str(w.li.uuid)})
    assert response.status_code == 400
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["category"]] == ["secondary_not_allowed"]
    profile = profile_on(timezone.localdate())  # today's rules: no secondary contacts either
    field = body_of(response).split('id="field-category"')[1].split("</div>")[0]
    assert escape(zh("Secondary contacts are not traced under %(profile)s, in force since "
                     "%(day)s.", profile=profile.name,
                     day=profile.valid_from.isoformat())) in field
    assert f'<option value="{w.li.uuid}" selected>' in body_of(response)
    assert not Contact.objects.filter(person=w.cast.zhao).exists()


def test_a_community_worker_cannot_record_contacts(w, login):
    url = reverse("tracing:contact_add", args=[w.investigation.uuid])
    assert login(w.cast.wangge).get(url).status_code == 403


# --- the contacts list --------------------------------------------------------------------

@pytest.fixture
def spread(outbreak):
    """赵强 (新建社区) is a case; his contacts are 张伟 (文远社区) and 刘洋 (应县)."""
    c = outbreak.cast
    s = SimpleNamespace(cast=c, o=outbreak)
    s.case = report(outbreak, c.zhao, "asymptomatic", day=14)
    s.zhang = services.contact_record(
        acting_user=c.admin, case=s.case, person=c.zhang, category=Category.CLOSE,
        setting=Setting.WORKPLACE, last_exposure_at=at(13, 18))
    s.liu = services.contact_record(
        acting_user=c.admin, case=s.case, person=c.liu, category=Category.GENERAL,
        setting=Setting.VENUE, last_exposure_at=at(13, 12))
    return s


def test_a_community_worker_sees_the_contacts_living_in_their_community(spread, login):
    response = login(spread.cast.wangge).get(reverse("tracing:contacts"))
    assert response.status_code == 200
    body = body_of(response)
    assert "张伟" in body and "刘洋" not in body
    row = body.split(f'data-contact="{spread.zhang.uuid}"')[1].split("</tr>")[0]
    assert spread.case.number in row and "1号楼" in row
    assert spread.cast.zhang.phone not in body and spread.cast.zhang.id_number not in body
    # 赵强's investigation is not theirs to open: the case number is not a link
    assert reverse("tracing:investigation", args=[spread.case.investigation.uuid]) not in body


def test_the_contacts_list_filters(spread, login):
    client = login(spread.cast.admin)
    url = reverse("tracing:contacts")
    assert body_of(client.get(url, {"category": "general"})).count("data-contact=") == 1
    assert body_of(client.get(url, {"status": "confirmed"})).count("data-contact=") == 2
    assert body_of(client.get(url, {"status": "proposed"})).count("data-contact=") == 0
    # 张伟 went under control when recorded; 刘洋 needs none
    assert body_of(client.get(url, {"uncontrolled": "on"})).count("data-contact=") == 0
    ControlOrder.objects.filter(pk=spread.zhang.control_order_id).update(status="cancelled")
    Contact.objects.filter(pk=spread.zhang.pk).update(controlled_at=None, control_order=None)
    uncontrolled = body_of(client.get(url, {"uncontrolled": "on"}))
    assert uncontrolled.count("data-contact=") == 1 and "张伟" in uncontrolled
    assert client.get(url, {"status": "nonsense"}).status_code == 400


def test_the_contacts_list_query_count_does_not_grow(spread, login,
                                                     django_assert_max_num_queries):
    client = login(spread.cast.admin)
    client.get(reverse("tracing:contacts"))
    with django_assert_max_num_queries(8):
        client.get(reverse("tracing:contacts"))
    case = report(spread.o, spread.cast.wang, "asymptomatic", day=15)
    for person in (spread.cast.li, spread.cast.zhao):
        services.contact_record(acting_user=spread.cast.admin, case=case, person=person,
                                category=Category.CLOSE, setting=Setting.GATHERING,
                                last_exposure_at=at(14, 20))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("tracing:contacts"))
    assert body_of(response).count("data-contact=") == 4   # 张伟, 刘洋, then 李娜, 赵强
