"""Contacts: household proposals, confirming a close contact puts them under control,
secondary contacts only under a profile that traces them, and contact → case → link."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fangkong.cases.services import outbreak_create
from fangkong.cases.tests.util import at, report
from fangkong.control.models import Basis, OrderKind, OrderStatus
from fangkong.tracing import services
from fangkong.tracing.models import (
    Category,
    Contact,
    ContactSource,
    ContactStatus,
    Setting,
)
from fangkong.tracing.tests.util import team


@pytest.fixture
def case(outbreak):
    team(outbreak.cast)
    return report(outbreak, outbreak.cast.zhang, "confirmed", day=14)


def test_household_members_are_proposed_as_close_contacts(outbreak, case):
    c = outbreak.cast
    proposed = Contact.objects.filter(case=case)
    assert {(x.person, x.category, x.setting, x.status, x.source) for x in proposed} == {
        (c.li, Category.CLOSE, Setting.HOUSEHOLD, ContactStatus.PROPOSED, ContactSource.HOUSEHOLD)}
    assert proposed.get().last_exposure_at == at(14)   # until the case was isolated


def test_proposing_again_adds_no_second_contact(case):
    assert services.investigation_propose(acting_user=None, investigation=case.investigation
                                          ) == {"stays": 0, "household": 0, "companions": 0,
                                                "exposure_sites": 0}
    assert Contact.objects.filter(case=case).count() == 1


def test_confirming_a_close_contact_puts_them_under_the_profiles_control(outbreak, case):
    c = outbreak.cast
    contact = Contact.objects.get(case=case, person=c.li)
    with time_machine.travel(at(14, 16), tick=False):
        contact = services.contact_confirm(acting_user=c.liudiao, contact=contact)
    order = contact.control_order
    assert (contact.status, contact.controlled_at) == (ContactStatus.CONFIRMED, at(14, 16))
    # the 20 measures: 5 days of centralised isolation, then 3 of home isolation
    assert (order.person, order.basis, order.basis_case, order.status) == (
        c.li, Basis.CONTACT, case, OrderStatus.ACTIVE)
    assert (order.kind, order.starts_on, order.ends_on) == (
        OrderKind.CENTRALISED_ISOLATION, datetime.date(2022, 11, 14), datetime.date(2022, 11, 18))
    assert [p["kind"] for p in order.follow_on] == [OrderKind.HOME_ISOLATION]


def test_a_tracer_may_confirm_a_contact_living_outside_their_district(outbreak, case):
    c = outbreak.cast
    with time_machine.travel(at(14, 16), tick=False):
        contact = services.contact_record(
            acting_user=c.liudiao, case=case, person=c.liu, category=Category.CLOSE,
            setting=Setting.WORKPLACE, last_exposure_at=at(13, 9))
    assert contact.control_order.person == c.liu     # 应县, outside 朔城区
    assert contact.control_order.place == c.village_home


def test_a_dismissed_proposal_needs_a_reason_and_then_stays_dismissed(outbreak, case):
    contact = Contact.objects.get(case=case)
    with pytest.raises(ValidationError) as refused:
        services.contact_dismiss(acting_user=outbreak.cast.liudiao, contact=contact, reason=" ")
    assert "reason" in refused.value.error_dict
    contact.refresh_from_db()
    assert contact.status == ContactStatus.PROPOSED
    services.contact_dismiss(acting_user=outbreak.cast.liudiao, contact=contact,
                             reason="案发期间在外地出差")
    with pytest.raises(ValidationError):
        services.contact_confirm(acting_user=outbreak.cast.liudiao, contact=contact)


def test_a_contact_who_becomes_a_case_makes_a_transmission_link(outbreak, case):
    c = outbreak.cast
    contact = Contact.objects.get(case=case, person=c.li)
    with time_machine.travel(at(14, 16), tick=False):
        services.contact_confirm(acting_user=c.liudiao, contact=contact)
    second = report(outbreak, c.li, "asymptomatic", day=16, route="centralised_isolation")
    contact.refresh_from_db()
    assert contact.became_case == second
    assert second.investigation.status == "assigned"


def test_a_contact_recorded_after_the_person_became_a_case_is_a_link_at_once(outbreak, case):
    c = outbreak.cast
    later = report(outbreak, c.zhao, "asymptomatic", day=15)
    with time_machine.travel(at(15, 16), tick=False):
        contact = services.contact_record(
            acting_user=c.admin, case=case, person=c.zhao, category=Category.CLOSE,
            setting=Setting.GATHERING, last_exposure_at=at(13, 19))
    assert (contact.became_case, contact.control_order) == (later, None)


@pytest.fixture
def october(outbreak):
    """An outbreak begun before the 20 measures, so that edition 9 is in force at first."""
    c = outbreak.cast
    o = outbreak_create(acting_user=c.admin, code="sz-2022-10", name="十月疫情",
                        start_date=datetime.date(2022, 11, 1), places=[c.shuocheng, c.yingxian])
    with time_machine.travel(at(9, 12), tick=False):
        case = report(type(outbreak)(outbreak=o, cast=c), c.zhang, "confirmed", day=9)
        close = services.contact_confirm(acting_user=c.admin,
                                         contact=Contact.objects.get(case=case, person=c.li))
    return case, close


def test_secondary_contacts_are_traced_under_edition_9(outbreak, october):
    c = outbreak.cast
    case, close = october
    with time_machine.travel(at(10, 12), tick=False):
        secondary = services.contact_record(
            acting_user=c.admin, case=case, person=c.zhao, category=Category.SECONDARY,
            setting=Setting.WORKPLACE, last_exposure_at=at(9, 8), via=close)
    assert secondary.control_order.plan_basis == "secondary-contact"


def test_secondary_contacts_are_refused_from_11_november_2022(outbreak, october):
    c = outbreak.cast
    case, close = october
    with time_machine.travel(at(11, 9), tick=False), pytest.raises(ValidationError) as refused:
        services.contact_record(
            acting_user=c.admin, case=case, person=c.zhao, category=Category.SECONDARY,
            setting=Setting.WORKPLACE, last_exposure_at=at(9, 8), via=close)
    assert refused.value.error_dict["category"][0].code == "secondary_not_allowed"
    assert not Contact.objects.filter(person=c.zhao).exists()


def test_a_secondary_contact_names_the_close_contact_it_came_through(outbreak, october):
    c = outbreak.cast
    case, _ = october
    with time_machine.travel(at(10, 12), tick=False), pytest.raises(ValidationError) as refused:
        services.contact_record(
            acting_user=c.admin, case=case, person=c.zhao, category=Category.SECONDARY,
            setting=Setting.WORKPLACE, last_exposure_at=at(9, 8))
    assert "via" in refused.value.error_dict


def test_bad_contacts_are_refused_with_the_field_named(outbreak, case):
    c = outbreak.cast
    cases = [
        ({"person": c.zhang}, "person"),                               # the case itself
        ({"person": c.li}, "person"),                                  # already a contact
        ({"category": "cousin"}, "category"),
        ({"setting": "moon"}, "setting"),
        ({"last_exposure_at": at(15, 9)}, "last_exposure_at"),         # after "now"
    ]
    for change, field in cases:
        values = {"person": c.zhao, "category": Category.CLOSE, "setting": Setting.WORKPLACE,
                  "last_exposure_at": at(13), **change}
        with pytest.raises(ValidationError) as refused, \
                time_machine.travel(at(15, 8), tick=False):
            services.contact_record(acting_user=c.admin, case=case, **values)
        assert field in refused.value.error_dict, change
    assert Contact.objects.filter(case=case).count() == 1


def test_a_household_member_who_is_a_case_already_is_not_proposed(outbreak):
    """li was reported first: zhang's investigation does not make her zhang's close contact
    (confirming her would have put a case under contact isolation)."""
    c = outbreak.cast
    earlier = report(outbreak, c.li, day=13)
    case = report(outbreak, c.zhang, day=14)
    assert not Contact.objects.filter(case=case).exists()
    assert list(Contact.objects.filter(case=earlier).values_list("person", flat=True)) == [
        c.zhang.pk]
