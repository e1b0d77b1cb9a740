"""Who sees which investigations and contacts: a tracer only their teams' cases and those
cases' contacts; staff by area, of the contact's home or of the case's."""

import pytest

from fangkong.accounts.services import user_create
from fangkong.cases.models import Case
from fangkong.cases.tests.util import report
from fangkong.core.cast import PASSWORD
from fangkong.tracing import selectors
from fangkong.tracing.models import Contact
from fangkong.tracing.tests.util import team


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
