"""Calling residents down by unit (分楼栋分单元): which group goes to which site, when.

Pure planning, no database. Each group (a unit, or a group of a village's households) goes
to the nearest site that still has time before the round ends, nearest meaning the longest
shared stretch of place path (same compound, then community, then street); among equally
near sites, the one free earliest. A site takes `per_hour` people an hour, so a group of n
people holds it for n / per_hour hours, rounded up to `STEP_MINUTES`: the sum of the groups
given to a site in any hour never exceeds what it can sample in that hour.
"""

import datetime
import math
from dataclasses import dataclass

STEP_MINUTES = 5


@dataclass(frozen=True)
class Group:
    key: object          # the caller's handle (a place id)
    label: str
    path: str            # the path of the unit or village
    path_from: str       # first and last household paths in the group
    path_to: str
    people: int


@dataclass(frozen=True)
class SiteClock:
    key: object
    path: str
    per_hour: int


@dataclass(frozen=True)
class Planned:
    group: Group
    site: object
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def _shared(a: str, b: str, step: int) -> int:
    n = 0
    while n + step <= min(len(a), len(b)) and a[n:n + step] == b[n:n + step]:
        n += step
    return n


def duration(people: int, per_hour: int) -> datetime.timedelta:
    minutes = math.ceil(people * 60 / per_hour / STEP_MINUTES) * STEP_MINUTES
    return datetime.timedelta(minutes=max(minutes, STEP_MINUTES))


def plan(groups: list[Group], sites: list[SiteClock], free: dict,
         ends_at: datetime.datetime, step: int) -> tuple[list[Planned], list[Group]]:
    """(slots, groups left without a slot because every near site is full until the end).
    `free`: when each site is first free (the round's start, or after slots it holds)."""
    free = dict(free)
    planned, unplaced = [], []
    for group in sorted(groups, key=lambda g: g.path_from):
        if group.people == 0:
            continue
        choices = sorted(sites, key=lambda s: (-_shared(s.path, group.path, step),
                                               free[s.key], str(s.key)))
        for site in choices:
            end = free[site.key] + duration(group.people, site.per_hour)
            if end <= ends_at:
                planned.append(Planned(group, site.key, free[site.key], end))
                free[site.key] = end
                break
        else:
            unplaced.append(group)
    return planned, unplaced
