"""Who sees which investigations and contacts: a tracer only their teams' cases and those
cases' contacts; staff by area, of the contact's home or of the case's."""

import pytest

from fangkong.accounts.services import user_create
from fangkong.cases.models import Case
from fangkong.cases.tests.util import at, report
from fangkong.core.cast import PASSWORD
from fangkong.tracing import selectors, services
from fangkong.tracing.models import (
    Category,
    Contact,
    ContactSource,
    ContactStatus,
    ExposureSite,
    Setting,
)
from fangkong.tracing.tests.util import team, venue


@pytest.fixture
def cases(outbreak):
    """zhang's case (文远社区) goes to liudiao's team, zhao's (新建社区) to another tracer's."""
    c = outbreak.cast
    c.liudiao2 = user_create(acting_user=None, username="liudiao2", password=PASSWORD,
                             role="tracer", scope=c.shuocheng)
    team(c, "追阳一队", c.liudiao)
    team(c, "追阳二队", c.liudiao2)
    mine = report(outbreak, c.zhang, day=14, hour=9)
    theirs = report(outbreak, c.wang, day=14, hour=10)      # 102: household of none else
    return mine, theirs


def test_a_tracer_sees_only_the_cases_and_contacts_of_their_teams(outbreak, cases):
    c = outbreak.cast
    mine, theirs = cases
    assert list(selectors.investigations_for(c.liudiao)) == [mine.investigation]
    assert list(Case.objects.accessible_to(c.liudiao)) == [mine]
    assert {x.person for x in selectors.contacts_for(c.liudiao)} == {c.li}
    assert list(selectors.investigations_for(c.liudiao2)) == [theirs.investigation]
    assert not selectors.contacts_for(c.liudiao2).exists()


def test_staff_see_contacts_living_in_their_area_or_of_their_cases(outbreak, cases):
    c = outbreak.cast
    mine, _ = cases
    assert selectors.contacts_for(c.wangge).count() == 1          # li lives in 文远社区
    assert not selectors.contacts_for(c.wangge2).exists()         # 新建社区
    assert not selectors.contacts_for(c.yingxianqu).exists()      # 应县
    assert not selectors.investigations_for(c.yingxianqu).exists()
    assert selectors.investigations_for(c.quxian).count() == 2


def test_a_user_without_a_place_sees_nothing(outbreak, cases):
    c = outbreak.cast
    assert not selectors.investigations_for(c.noscope).exists()
    assert not Contact.objects.accessible_to(c.noscope).exists()
    assert not selectors.investigations_for(c.jumin).exists()


def test_a_tracer_sees_and_notifies_only_their_teams_exposure_sites(outbreak, cases):
    c = outbreak.cast
    shop = venue(c)
    mine, theirs = (ExposureSite.objects.create(
        venue=shop, case=case, starts_at=at(12, 10), ends_at=at(12, 11), visitors=60)
        for case in cases)
    assert list(ExposureSite.objects.accessible_to(c.liudiao)) == [mine]
    assert list(ExposureSite.objects.accessible_to(c.liudiao2)) == [theirs]
    with pytest.raises(PermissionError):
        services.exposure_site_notify(acting_user=c.liudiao, site=theirs)
    theirs.refresh_from_db()
    assert theirs.notified_at is None
    assert set(ExposureSite.objects.accessible_to(c.quxian)) == {mine, theirs}


def test_a_district_sees_a_resident_contact_of_another_districts_case_but_cannot_decide(
        outbreak, cases):
    """liu lives in 应县 and is proposed as a contact of zhang's case, which 朔城区 traces:
    应县 sees the contact (its resident), only 朔城区's tracers confirm or dismiss it."""
    c = outbreak.cast
    mine, _ = cases
    contact = Contact.objects.create(
        case=mine, person=c.liu, place=c.liu.household, category=Category.CLOSE,
        setting=Setting.WORKPLACE, last_exposure_at=at(13, 18),
        status=ContactStatus.PROPOSED, source=ContactSource.INTERVIEW)
    assert list(selectors.contacts_for(c.yingxianqu)) == [contact]
    with pytest.raises(PermissionError):
        services.contact_dismiss(acting_user=c.yingxianqu, contact=contact, reason="不在场")
    with pytest.raises(PermissionError):
        services.contact_confirm(acting_user=c.yingxianqu, contact=contact)
    contact.refresh_from_db()
    assert contact.status == ContactStatus.PROPOSED
    services.contact_dismiss(acting_user=c.liudiao, contact=contact, reason="不在场")
