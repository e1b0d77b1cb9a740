"""A resident's own call-down time in a mass-testing round (planned or open) on their status
page: when and where to go, and their own sample's result — a pooled tube's positive told as
a call to stay home for a single retest, not as the person's own result."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fangkong.residents.tests.util import resident, zh
from fangkong.testing import services
from fangkong.testing.models import TubeResult
from fangkong.testing.tests.util import mass_testing, result, sample_pool

pytestmark = pytest.mark.django_db
STATUS = reverse("residents:status")


@pytest.fixture
def t(cast, outbreak):
    return mass_testing(cast)


def slot_section(client) -> str:
    page = client.get(STATUS).content.decode()
    if 'id="testing"' not in page:
        return ""
    start = page.index('id="testing"')
    return page[start:page.index("</section>", start)]


def test_the_resident_sees_their_time_and_site(t, login):
    c = t.cast
    client = login(resident(c.zhang))
    section = slot_section(client)
    assert f'data-round="{t.round.uuid}"' in section and 'class="slot"' in section
    assert t.venue.name not in section  # no schedule yet
    services.schedule_build(acting_user=c.wangge, test_round=t.round, place=c.wenyuan)
    section = slot_section(client)
    assert "11-22 07:00–07:05" in section and t.venue.name in section
    assert c.compound.name in section  # where the site is


def test_a_resident_sees_only_their_own_slot(t, login):
    c = t.cast
    services.schedule_build(acting_user=c.admin, test_round=t.round, place=c.beicheng)
    section = slot_section(login(resident(c.zhao)))
    assert t.venue2.name in section and t.venue.name not in section
    assert "张伟" not in section and "李娜" not in section
    assert slot_section(login(resident(c.liu))) == ""  # lives outside the round


def test_the_residents_own_sample_and_its_result(t, login):
    c = t.cast
    client = login(resident(c.zhang))
    sample_pool(t, "SZ9001", [c.zhang, c.li])
    assert zh(TubeResult.NONE.label) in slot_section(client)
    services.results_record(acting_user=c.jiance, lab=t.lab, via="api",
                            rows=[result("SZ9001")])
    section = slot_section(client)
    assert "11-22 09:00" in section and zh(TubeResult.NEGATIVE.label) in section


def test_a_positive_pool_is_told_as_a_retest_to_come(t, login):
    c = t.cast
    sample_pool(t, "SZ9002", [c.zhang, c.li])
    services.results_record(acting_user=c.jiance, lab=t.lab, via="api",
                            rows=[result("SZ9002", "positive", Decimal("28"), Decimal("29"))])
    section = slot_section(login(resident(c.zhang)))
    assert zh(TubeResult.POSITIVE.label) not in section
    assert zh("Your pooled tube needs a check: stay at home, you will be sampled again "
              "alone.") in section


def test_a_closed_round_is_no_longer_shown(t, login):
    services.round_set_status(acting_user=t.cast.admin, test_round=t.round, status="closed")
    assert slot_section(login(resident(t.cast.zhang))) == ""
