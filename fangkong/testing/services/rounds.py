"""Writes to rounds, sites, the call-down schedule and exemptions."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm, Role
from fangkong.audit.services import audit_record
from fangkong.people.models import Person
from fangkong.places.models import PATH_STEP, Level, Place, Venue
from fangkong.protocol.selectors import ProfileMissing, profile_on
from fangkong.testing import schedule
from fangkong.testing.models import (
    Exemption,
    ExemptReason,
    RiskLevel,
    RoundPlace,
    RoundStatus,
    Sample,
    SamplingSite,
    Slot,
    TestRound,
)
from fangkong.testing.services.common import (
    HOUSEHOLD_TUBE_SIZE,
    VILLAGE_GROUP_PEOPLE,
    _field_error,
    _in_scope,
    _local_day,
    _require,
    _user,
)

# --- rounds -------------------------------------------------------------------------------

def pooling(profile, risk_level: str) -> tuple[int, bool]:
    """(swabs per tube, one tube per household) for a risk level under a profile."""
    rules = profile.values.get("pooling", {})
    if risk_level not in rules:
        raise _field_error("risk_level", _("The profile %(profile)s has no pooling rule for "
                                           "%(level)s.") % {"profile": profile.name,
                                                            "level": RiskLevel(risk_level).label},
                           "no_rule")
    value = rules[risk_level]
    if value == "household":
        return HOUSEHOLD_TUBE_SIZE, True
    if value == "single":
        return 1, False
    return int(value), False


@transaction.atomic
def round_create(*, acting_user, number: int, name: str, starts_at: datetime.datetime,
                 ends_at: datetime.datetime, places: list[tuple[Place, str]]) -> TestRound:
    """A round over places, each with its risk level; the profile in force on the first day
    gives each place's pooling rule."""
    _require(acting_user, Perm.PLAN_TESTING)
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the round a name.")
    if number < 1:
        errors["number"] = _("A round number is 1 or more.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The round must end after it starts.")
    if not places:
        errors["places"] = _("Choose at least one place.")
    paths = sorted(p.path for p, _level in places)
    if any(b.startswith(a) for a, b in zip(paths, paths[1:], strict=False)):
        errors["places"] = _("A place lies inside another chosen place; choose each area once.")
    if any(not _in_scope(acting_user, p) for p, _level in places):
        errors["places"] = _("A chosen place lies outside your area.")
    if errors:
        raise ValidationError(errors, code="invalid")
    try:
        profile = profile_on(_local_day(starts_at))
    except ProfileMissing:
        raise _field_error("starts_at", _("No protocol profile is in force on that day."),
                           "no_profile") from None
    levels = profile.values.get("risk_levels", [])
    for _place, level in places:
        if level not in levels:
            raise _field_error("places", _("The profile %(profile)s knows no %(level)s.")
                               % {"profile": profile.name, "level": level}, "choice")
    test_round = TestRound.objects.create(number=number, name=name.strip(), starts_at=starts_at,
                                          ends_at=ends_at, profile=profile,
                                          created_by=_user(acting_user))
    for place, level in places:
        size, per_household = pooling(profile, level)
        RoundPlace.objects.create(round=test_round, place=place, risk_level=level,
                                  pool_size=size, per_household=per_household)
    audit_record(actor=acting_user, action="testing.round_create", target=test_round,
                 scope_place=places[0][0] if len(places) == 1 else None,
                 changes={"places": (None, [p.name for p, _level in places]),
                          "profile": (None, profile.code)})
    return test_round


@transaction.atomic
def round_set_status(*, acting_user, test_round: TestRound, status: str) -> TestRound:
    _require(acting_user, Perm.PLAN_TESTING)
    if status not in RoundStatus.values:
        raise _field_error("status", _("Choose one of the listed values."), "choice")
    test_round = TestRound.objects.select_for_update().get(pk=test_round.pk)
    if any(not _in_scope(acting_user, rp.place)
           for rp in test_round.round_places.select_related("place")):
        raise PermissionError("the round reaches beyond the user's area")
    old = test_round.status
    test_round.status = status
    test_round.save(update_fields=["status", "updated_at"])
    audit_record(actor=acting_user, action="testing.round_status", target=test_round,
                 changes={"status": (old, status)})
    return test_round


def round_place_of(test_round: TestRound, place: Place) -> RoundPlace | None:
    """The most specific of the round's places that holds `place`."""
    paths = [place.path[:end] for end in range(PATH_STEP, len(place.path) + 1, PATH_STEP)]
    return (RoundPlace.objects.filter(round=test_round, place__path__in=paths)
            .select_related("place").order_by("-place__path").first())


# --- sites and schedule -------------------------------------------------------------------

@transaction.atomic
def site_create(*, acting_user, venue: Venue, points: int, per_point_hour: int) -> SamplingSite:
    _require(acting_user, Perm.PLAN_TESTING)
    if not _in_scope(acting_user, venue.place):
        raise PermissionError("venue outside scope")
    if points < 1 or per_point_hour < 1:
        raise _field_error("points", _("A site needs at least one point taking at least one "
                                       "person an hour."), "capacity")
    if SamplingSite.objects.filter(venue=venue).exists():
        raise _field_error("venue", _("This venue is already a sampling site."), "duplicate")
    site = SamplingSite.objects.create(venue=venue, points=points, per_point_hour=per_point_hour,
                                       created_by=_user(acting_user))
    audit_record(actor=acting_user, action="testing.site_create", target=site,
                 scope_place=venue.place,
                 changes={"points": (None, points), "per_point_hour": (None, per_point_hour)})
    return site


@transaction.atomic
def site_assign(*, acting_user, site: SamplingSite, samplers: list[User]) -> SamplingSite:
    """The samplers who work at a site (and so see its tubes)."""
    _require(acting_user, Perm.PLAN_TESTING)
    if acting_user is not None and not SamplingSite.objects.accessible_to(acting_user).filter(
            pk=site.pk).exists():
        raise PermissionError("site outside scope")
    wrong = [u.username for u in samplers if u.role != Role.SAMPLER]
    if wrong:
        raise _field_error("samplers", _("Not a sampler: %(names)s")
                           % {"names": ", ".join(wrong)}, "role")
    old = sorted(site.samplers.values_list("username", flat=True))
    site.samplers.set(samplers)
    audit_record(actor=acting_user, action="testing.site_assign", target=site,
                 scope_place=site.venue.place,
                 changes={"samplers": (old, sorted(u.username for u in samplers))})
    return site


def _groups(test_round: TestRound, place: Place) -> list[schedule.Group]:
    """The round's people under `place` as call-down groups: one per unit (or building
    without units); a village's households in runs of about VILLAGE_GROUP_PEOPLE people."""
    from fangkong.testing.selectors import round_people

    rows = (round_people(test_round).filter(household__path__startswith=place.path)
            .values_list("household__parent_id", "household__path")
            .order_by("household__path"))
    by_parent: dict[int, list[str]] = defaultdict(list)
    for parent_id, path in rows:
        by_parent[parent_id].append(path)
    parents = Place.objects.in_bulk(list(by_parent))
    labels = _labels(list(parents.values()))
    groups = []
    for parent_id, paths in by_parent.items():
        parent = parents[parent_id]
        if parent.level in (Level.UNIT, Level.BUILDING):
            groups.append(schedule.Group(parent_id, labels[parent_id], parent.path, paths[0],
                                         paths[-1], len(paths)))
        else:
            groups += _village_groups(parent, paths)
    return groups


def _village_groups(village: Place, paths: list[str]) -> list[schedule.Group]:
    """A village's households (paths in order, one per person) in runs of about
    VILLAGE_GROUP_PEOPLE people, never splitting a household."""
    counts: dict[str, int] = defaultdict(int)
    for path in paths:
        counts[path] += 1
    groups, run = [], []
    households = list(counts)
    for index, household in enumerate(households):
        run.append(household)
        last = index == len(households) - 1
        if last or sum(counts[h] for h in run) >= VILLAGE_GROUP_PEOPLE:
            groups.append(schedule.Group(
                village.pk, _("%(place)s group %(n)s") % {"place": village.name,
                                                          "n": len(groups) + 1},
                village.path, run[0], run[-1], sum(counts[h] for h in run)))
            run = []
    return groups


def _labels(places: list[Place]) -> dict[int, str]:
    """Readable names of units and buildings below their community, in one query per
    community."""
    from fangkong.places.selectors import place_labels

    by_community: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        by_community[place.path[:4 * PATH_STEP]].append(place)
    communities = {p.path: p for p in Place.objects.filter(path__in=list(by_community))}
    labels = {}
    for path, members in by_community.items():
        labels.update(place_labels(members, below=communities.get(path)))
    return labels


@dataclass
class ScheduleReport:
    slots: list[Slot]
    unplaced: list[schedule.Group]


@transaction.atomic
def schedule_build(*, acting_user, test_round: TestRound, place: Place) -> ScheduleReport:
    """Give every unit (or village group) under `place` a time at a nearby site; replaces the
    place's earlier slots in this round. Sites are the active ones of the place's street."""
    _require(acting_user, Perm.PLAN_TESTING)
    if not _in_scope(acting_user, place):
        raise PermissionError("place outside scope")
    if test_round.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."), code="closed")
    street = place.path[:3 * PATH_STEP]
    sites = list(SamplingSite.objects.filter(active=True, venue__place__path__startswith=street)
                 .select_related("venue__place"))
    if not sites:
        raise _field_error("place", _("No sampling site is in use in this street; add one "
                                      "first."), "no_site")
    Slot.objects.filter(round=test_round, place__path__startswith=place.path).delete()
    busy = defaultdict(lambda: test_round.starts_at)
    for site_id, last in (Slot.objects.filter(round=test_round, site__in=sites)
                          .values_list("site_id", "ends_at")):
        busy[site_id] = max(busy[site_id], last)
    clocks = [schedule.SiteClock(s.pk, s.venue.place.path, s.per_hour) for s in sites]
    planned, unplaced = schedule.plan(_groups(test_round, place), clocks,
                                      {c.key: busy[c.key] for c in clocks},
                                      test_round.ends_at, PATH_STEP)
    slots = Slot.objects.bulk_create([
        Slot(round=test_round, site_id=p.site, place_id=p.group.key, label=p.group.label,
             path_from=p.group.path_from, path_to=p.group.path_to, people=p.group.people,
             starts_at=p.starts_at, ends_at=p.ends_at) for p in planned])
    audit_record(actor=acting_user, action="testing.schedule", target=test_round,
                 scope_place=place, changes={"slots": (None, len(slots)),
                                             "unplaced": (None, len(unplaced))})
    return ScheduleReport(slots, unplaced)


# --- exemptions ---------------------------------------------------------------------------

@transaction.atomic
def exemption_record(*, acting_user, test_round: TestRound, person: Person, reason: str,
                     note: str = "") -> Exemption:
    _require(acting_user, Perm.PLAN_TESTING)
    if reason not in ExemptReason.values:
        raise _field_error("reason", _("Choose one of the listed values."), "choice")
    if acting_user is not None and not Person.objects.accessible_to(acting_user).filter(
            pk=person.pk).exists():
        raise PermissionError("person outside scope")
    if round_place_of(test_round, person.household) is None:
        raise _field_error("person", _("This person does not live in the round's places."),
                           "outside_round")
    if Sample.objects.filter(round=test_round, person=person, retest=False).exists():
        raise _field_error("person", _("This person has already been sampled in this round."),
                           "sampled")
    if Exemption.objects.filter(round=test_round, person=person).exists():
        raise _field_error("person", _("This person is already exempted from this round."),
                           "duplicate")
    exemption = Exemption.objects.create(round=test_round, person=person, reason=reason,
                                         note=note.strip(), created_by=_user(acting_user))
    audit_record(actor=acting_user, action="testing.exempt", target=person,
                 scope_place=person.household, reason=note,
                 changes={f"round {test_round.number}": (None, reason)})
    return exemption


@transaction.atomic
def exemption_remove(*, acting_user, exemption: Exemption, reason: str) -> None:
    _require(acting_user, Perm.PLAN_TESTING)
    if not Exemption.objects.accessible_to(acting_user).filter(pk=exemption.pk).exists():
        raise PermissionError("exemption outside scope")
    if not reason.strip():
        raise _field_error("reason", _("Say why the exemption is withdrawn."), "reason")
    audit_record(actor=acting_user, action="testing.exempt_remove", target=exemption.person,
                 scope_place=exemption.person.household, reason=reason,
                 changes={f"round {exemption.round.number}": (exemption.reason, None)})
    exemption.delete()
