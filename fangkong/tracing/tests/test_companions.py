"""Spatio-temporal companions: stays at the same venue overlapping a case's by at least the
profile's minimum; touching stays are not companions; a crowded stay makes an exposure site."""

import datetime
from typing import NamedTuple

import pytest

from fangkong.cases.tests.util import at, report
from fangkong.tracing.matching import Probe, companions
from fangkong.tracing.models import Category, CheckIn, Contact, ContactStatus, ExposureSite
from fangkong.tracing.tests.util import profile_with, venue, visit

MIN = datetime.timedelta(minutes=1)


@pytest.fixture
def shop(cast):
    return venue(cast)


def probe(shop, start, minutes):
    return Probe(1, shop.pk, start, start + minutes * MIN)


class Seen(NamedTuple):
    overlap: datetime.timedelta
    last_at: datetime.datetime


def seen(probes, overlap=10) -> dict[int, Seen]:
    """Each companion of the probes (one key) with its overlap and last exposure."""
    groups = companions(probes, min_overlap=overlap * MIN)
    assert len({g.key for g in groups}) == len(groups), "one group per key"
    return {person: Seen(shared, last) for g in groups for person, shared, last in g.rows()}


def companions_of(shop, start, minutes, overlap=10) -> dict[int, Seen]:
    return seen([probe(shop, start, minutes)], overlap)


def test_ten_minutes_of_overlap_make_a_companion_nine_do_not(cast, shop):
    start = at(12, 10)
    visit(shop, cast.li, start + 20 * MIN, 30)      # overlaps the last 10 minutes
    visit(shop, cast.zhao, start + 21 * MIN, 30)    # 9 minutes
    found = companions_of(shop, start, 30)
    assert set(found) == {cast.li.pk}
    assert found[cast.li.pk].overlap == 10 * MIN
    assert found[cast.li.pk].last_at == start + 30 * MIN


def test_touching_stays_share_no_time(cast, shop):
    start = at(12, 10)
    visit(shop, cast.li, start + 30 * MIN, 30)      # arrives as the case leaves
    visit(shop, cast.zhao, start - 30 * MIN, 30)    # leaves as the case arrives
    assert companions_of(shop, start, 30, overlap=1) == {}


def test_a_stay_inside_the_cases_counts_whole(cast, shop):
    start = at(12, 10)
    visit(shop, cast.li, start + 5 * MIN, 12)
    assert companions_of(shop, start, 60)[cast.li.pk].overlap == 12 * MIN


def test_another_venue_or_another_day_is_no_companion(cast, shop):
    other = venue(cast, "新建菜市场", place=cast.xinjian_compound, kind="market")
    start = at(12, 10)
    visit(other, cast.li, start, 60)
    visit(shop, cast.zhao, start - datetime.timedelta(days=1), 60)
    assert companions_of(shop, start, 60) == {}


def test_a_long_stay_is_stored_in_pieces_and_its_overlap_adds_up(cast, shop):
    """A worker's 5-hour shift is cut into pieces of the profile's longest stay (2 h); a
    visitor overlapping the cut by 6 minutes each side still shares 12 minutes."""
    start = at(12, 8)
    visit(shop, cast.li, start, 300)
    stored = (CheckIn.objects.filter(person=cast.li).order_by("checked_in_at")
              .values_list("checked_in_at", "left_at"))
    assert [(b - a) for a, b in stored] == [120 * MIN, 120 * MIN, 60 * MIN]
    cut = start + 120 * MIN
    assert companions_of(shop, cut - 6 * MIN, 12)[cast.li.pk].overlap == 12 * MIN


def test_a_stay_broken_in_two_sums_its_overlaps(cast, shop):
    """A case who stepped out for half an hour: the two parts of the stay are probes of one
    key, and a visitor who overlapped each by 6 minutes shared 12 with the case."""
    start = at(12, 10)
    visit(shop, cast.li, start + 24 * MIN, 42)       # 6 min of the first part, 6 of the second
    visit(shop, cast.zhao, start + 25 * MIN, 10)     # 5 minutes of the first part only
    parts = [Probe(7, shop.pk, start, start + 30 * MIN),
             Probe(7, shop.pk, start + 60 * MIN, start + 90 * MIN)]
    assert seen(parts) == {cast.li.pk: Seen(12 * MIN, start + 66 * MIN)}
    assert set(seen(parts, overlap=5)) == {cast.li.pk, cast.zhao.pk}


def test_an_investigation_proposes_companions_from_the_cases_check_ins(outbreak, shop):
    c = outbreak.cast
    visit(shop, c.zhang, at(12, 10), 30)
    visit(shop, c.zhao, at(12, 10) + 5 * MIN, 40)
    visit(shop, c.liu, at(12, 10) + 25 * MIN, 30)     # 5 minutes only
    case = report(outbreak, c.zhang, "asymptomatic", day=14)
    proposed = Contact.objects.filter(case=case, category=Category.COMPANION)
    assert [(x.person, x.status, x.venue, x.overlap_minutes) for x in proposed] == [
        (c.zhao, ContactStatus.PROPOSED, shop, 25)]
    assert case.investigation.stays.filter(venue=shop).count() == 1


def test_a_crowded_stay_marks_an_exposure_site_instead_of_listing_people(outbreak, shop):
    c = outbreak.cast
    profile_with(c, datetime.date(2022, 11, 12), exposure_site_min_visitors=2)
    visit(shop, c.zhang, at(12, 10), 30)
    visit(shop, c.zhao, at(12, 10), 30)
    visit(shop, c.liu, at(12, 10), 30)
    case = report(outbreak, c.zhang, "asymptomatic", day=14)
    site = ExposureSite.objects.get(case=case)
    assert (site.venue, site.visitors, site.starts_at) == (shop, 2, at(12, 10))
    assert not Contact.objects.filter(case=case, category=Category.COMPANION).exists()
