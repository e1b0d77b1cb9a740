"""The call-down schedule made from the organisers' page: every unit gets a time at the
nearest site with room, no site is ever over its hourly capacity, the groups that do not fit
before the round ends are reported (not squeezed in), and a village's households are called
down in groups."""

import datetime

import pytest
from django.urls import reverse

from fangkong.places.models import Level, Place
from fangkong.places.services import place_create, venue_create
from fangkong.testing import services
from fangkong.testing.models import Slot
from fangkong.testing.tests.util import at, mass_testing
from fangkong.testing.tests.util_plan import body, flash, person, rows, units

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def t(cast, outbreak):
    """The round over 文远社区 and 新建社区, and 12 more units of 10 people in 开发区小区."""
    t = mass_testing(cast)
    t.units = units(cast, cast.compound, buildings=4, units_each=3, households_each=5,
                    people_each=2)
    return t


def build(client, test_round, place):
    return client.post(reverse("testing:schedule_build", kwargs={"public_id": test_round.uuid}),
                       {"place": str(place.uuid)})


def short_round(t, minutes):
    """A second round over 文远社区 alone, open for `minutes` from 08:00 on the 23rd."""
    return services.round_create(acting_user=t.cast.wangge, number=2, name="第2轮",
                                 starts_at=at(23, 8), places=[(t.cast.wenyuan, "low")],
                                 ends_at=at(23, 8) + datetime.timedelta(minutes=minutes))


def load(slots, site, start, end) -> float:
    """People a site takes between start and end: each slot's people spread evenly over it."""
    total = 0.0
    for slot in slots:
        if slot.site_id != site.pk:
            continue
        overlap = min(end, slot.ends_at) - max(start, slot.starts_at)
        if overlap > datetime.timedelta(0):
            total += slot.people * (overlap / (slot.ends_at - slot.starts_at))
    return total


def assert_within_capacity(slots, sites):
    for site in sites:
        mine = sorted((s for s in slots if s.site_id == site.pk), key=lambda s: s.starts_at)
        for before, after in zip(mine, mine[1:], strict=False):
            assert before.ends_at <= after.starts_at, (before, after)
        for slot in mine:
            for start in (slot.starts_at, slot.ends_at - HOUR):
                assert load(mine, site, start, start + HOUR) <= site.per_hour + 1e-9


def test_no_site_is_ever_over_its_hourly_capacity(t, login):
    c = t.cast
    site3 = services.site_create(acting_user=c.wangge, points=1, per_point_hour=20,
                                 venue=venue_create(acting_user=None, place=c.building2,
                                                    name="2号楼前", kind="other"))
    client = login(c.admin)
    assert build(client, t.round, c.beicheng).status_code == 302
    slots = list(Slot.objects.filter(round=t.round))
    assert sum(s.people for s in slots) == 3 + 120 + 1
    assert all(t.round.starts_at <= s.starts_at < s.ends_at <= t.round.ends_at for s in slots)
    assert_within_capacity(slots, [t.site, t.site2, site3])


def test_each_unit_goes_to_the_nearest_site(t, login):
    c = t.cast
    build(login(c.admin), t.round, c.beicheng)
    sites = {s.place.path: s.site_id for s in Slot.objects.select_related("place")}
    for unit in [c.unit1, *t.units]:
        assert sites[unit.path] == t.site.pk, unit      # the square of 开发区小区
    assert sites[c.xinjian_unit.path] == t.site2.pk     # 新建小区's own site
    first = Slot.objects.get(place=c.unit1)
    assert (first.starts_at, first.path_from, first.path_to) == (
        at(22, 7), c.h101.path, c.h102.path)


def test_groups_that_do_not_fit_before_the_round_ends_are_reported(t, login):
    c = t.cast
    test_round = short_round(t, 30)
    response = build(login(c.wangge), test_round, c.wenyuan)
    slots = list(Slot.objects.filter(round=test_round))
    placed = {s.place_id for s in slots}
    assert all(s.ends_at <= test_round.ends_at for s in slots)
    assert_within_capacity(slots, [t.site, t.site2])
    left = [u for u in [c.unit1, *t.units] if u.pk not in placed]
    assert left and len(placed) + len(left) == 13
    said = " ".join(flash(response))
    assert str(len(left)) in said and left[0].parent.name in said
    page = body(login(c.wangge).get(response["Location"]))
    assert len(rows(page, "slots")) == len(slots)


def test_a_new_schedule_replaces_the_places_earlier_one(t, login):
    c = t.cast
    client = login(c.wangge)
    build(client, t.round, c.wenyuan)
    count = Slot.objects.filter(round=t.round).count()
    build(client, t.round, c.wenyuan)
    assert Slot.objects.filter(round=t.round).count() == count == 13


def test_a_villages_households_are_called_down_in_groups(cast, outbreak, login):
    c = cast
    homes = [Place.objects.get(pk=c.village_home.pk)]
    for n in range(40):
        home = place_create(acting_user=None, parent=c.village, level=Level.HOUSEHOLD,
                            code=f"{n + 20}", name=f"{n + 20}号")
        homes.append(home)
        for k in range(5):
            person(c, f"村民{n}{k}", home)
    site = services.site_create(acting_user=c.admin, points=2, per_point_hour=60,
                                venue=venue_create(acting_user=None, place=c.village,
                                                   name="东关村村委会", kind="other"))
    village_round = services.round_create(acting_user=c.admin, number=3, name="应县第3轮",
                                          starts_at=at(23, 7), ends_at=at(23, 19),
                                          places=[(c.village, "low")])
    build(login(c.yingxianqu), village_round, c.jincheng)
    slots = list(Slot.objects.filter(round=village_round).order_by("path_from"))
    assert len(slots) == 2 and {s.place_id for s in slots} == {c.village.pk}
    assert sum(s.people for s in slots) == 201 and all(s.site_id == site.pk for s in slots)
    assert slots[0].people >= 150 and slots[0].path_to < slots[1].path_from
    paths = sorted(h.path for h in homes)
    assert (slots[0].path_from, slots[1].path_to) == (paths[0], paths[-1])
    assert slots[0].label != slots[1].label
    assert_within_capacity(slots, [site])
