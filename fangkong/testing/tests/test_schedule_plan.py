"""The call-down plan itself: nearest site first, never over a site's hourly capacity, and
groups that do not fit before the round ends are reported, not squeezed in."""

import datetime

from fangkong.testing.schedule import Group, SiteClock, duration, plan

START = datetime.datetime(2022, 11, 22, 8, 0, tzinfo=datetime.UTC)


def group(key, path, people):
    return Group(key, f"unit {key}", path, path + "00001", path + "00009", people)


def test_duration_rounds_up_to_five_minutes():
    assert duration(1, 60) == datetime.timedelta(minutes=5)
    assert duration(61, 60) == datetime.timedelta(minutes=65)


def test_each_group_goes_to_the_nearest_site_with_time():
    near = SiteClock("near", "0000100001", 60)     # same compound as unit a
    far = SiteClock("far", "0000100002", 60)
    slots, unplaced = plan([group("a", "000010000100001", 60),
                            group("b", "000010000200001", 30)], [near, far],
                           {"near": START, "far": START}, START + datetime.timedelta(hours=4),
                           5)
    assert [(s.group.key, s.site) for s in slots] == [("a", "near"), ("b", "far")]
    assert not unplaced


def test_a_busy_near_site_passes_the_group_on_and_capacity_holds():
    site = SiteClock("only", "00001", 100)
    groups = [group(k, f"00001000010000{k}", 100) for k in range(1, 6)]
    end = START + datetime.timedelta(hours=3)
    slots, unplaced = plan(groups, [site], {"only": START}, end, 5)
    assert len(slots) == 3 and [g.key for g in unplaced] == [4, 5]
    for first, second in zip(slots, slots[1:], strict=False):
        assert first.ends_at <= second.starts_at   # one group at a time: ≤ 100 an hour


def test_empty_groups_get_no_slot():
    slots, unplaced = plan([group("a", "00001", 0)], [SiteClock("s", "00001", 60)],
                           {"s": START}, START + datetime.timedelta(hours=1), 5)
    assert slots == [] and unplaced == []
