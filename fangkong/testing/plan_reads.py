"""Reads of the organisers' pages and API, scoped to the acting user: the round a user may
open, the untested and exempt as rows (with slots, masked phones: an unmasked list is
audited), the places a schedule can be built for, the samplers a user may assign."""

from bisect import bisect_right

from django.db.models import Q
from django.http import Http404

from fangkong.accounts.roles import Perm, Role, can
from fangkong.accounts.selectors import accounts_in_scope
from fangkong.audit.services import audit_record
from fangkong.lib.masking import mask_phone
from fangkong.people.models import Person
from fangkong.places.models import Level, Place
from fangkong.places.selectors import place_labels
from fangkong.testing import selectors
from fangkong.testing.models import (
    Exemption,
    ExemptReason,
    Slot,
    TestRound,
)

SCHEDULE_LEVELS = (Level.SUBDISTRICT, Level.COMMUNITY)


def round_for(user, public_id) -> TestRound:
    """A round over (part of) the user's area, else 404."""
    found = (selectors.rounds_for_user(user).select_related("profile")
             .filter(uuid=public_id).first())
    if found is None:
        raise Http404
    return found


def owns(user, round_places) -> bool:
    """Only a user whose area holds all of a round's places opens or closes it."""
    path = getattr(user, "scope_path", None)
    return bool(path) and all(rp.place.path.startswith(path) for rp in round_places)


def slot_finder(slots):
    """A look-up of the slot (if any) whose household range holds a household path; slots
    are read once for a whole list instead of once a person."""
    slots = sorted(slots, key=lambda s: s.path_from)
    starts = [s.path_from for s in slots]

    def find(path):
        at = bisect_right(starts, path) - 1
        return slots[at] if at >= 0 and slots[at].path_to >= path else None

    return find


def slots_near(user, test_round, place):
    """The round's slots whose households overlap the place ('~' sorts after every digit)."""
    return (Slot.objects.accessible_to(user)
            .filter(round=test_round, path_from__lte=place.path + "~", path_to__gte=place.path)
            .select_related("site__venue"))


def person_rows(user, test_round, place, people) -> list[dict]:
    """The untested as the chase list shows them: unit, household, phone (masked unless the
    role may see it: then the view is audited) and the slot they were called to."""
    people = list(people)
    labels = place_labels([p.household.parent for p in people], below=place)
    find = slot_finder(slots_near(user, test_round, place)) if people else None
    reveal = can(user, Perm.REVEAL_PII)
    rows = [{"person": p, "group": labels[p.household.parent_id],
             "address": p.household.name,
             "phone": p.phone if reveal else mask_phone(p.phone),
             "slot": find(p.household.path)} for p in people]
    if reveal and any(p.phone for p in people):
        audit_record(actor=user, action="testing.untested_view", target=test_round,
                     scope_place=place, changes={"people": (None, len(people)),
                                                 "masked": (None, False)})
    return rows


def untested_people(user, test_round, place, exempt=None):
    return (selectors.untested(test_round, place, exempt).accessible_to(user)
            .select_related("household__parent"))


def exempt_rows(user, test_round, place, reasons=None) -> list[dict]:
    """Everyone exempt under the place: recorded exemptions (with their note) and the
    automatic ones (an open case, centralised isolation). `reasons`: the place's exempt, if
    already read (`Coverage.exempt`); the people are scoped to the user below either way."""
    if reasons is None:
        people = (selectors.round_people(test_round)
                  .filter(household__path__startswith=place.path).accessible_to(user))
        reasons = selectors.exempt_people(test_round, people)
    if not reasons:
        return []
    found = list(Person.objects.accessible_to(user).filter(pk__in=list(reasons))
                 .select_related("household").order_by("household__path", "name"))
    recorded = {e.person_id: e for e in Exemption.objects.accessible_to(user)
                .filter(round=test_round, person_id__in=list(reasons))}
    labels = place_labels([p.household for p in found], below=place)
    return [{"person": p, "address": labels[p.household_id],
             "reason": reasons[p.pk], "reason_label": ExemptReason(reasons[p.pk]).label,
             "exemption": recorded.get(p.pk)} for p in found]


def schedule_places(user, round_places):
    """Streets and communities in the user's area that hold or lie in the round's places."""
    where = Q()
    for rp in round_places:
        where |= Q(path__startswith=rp.place.path) | Q(path__in=rp.place.ancestor_paths())
    if not round_places:
        return Place.objects.none()
    return (Place.objects.accessible_to(user).filter(where, level__in=SCHEDULE_LEVELS)
            .order_by("path"))


def samplers_for(user):
    return accounts_in_scope(user).filter(role=Role.SAMPLER).select_related("scope")


def samplers_to_keep(site, candidates, chosen) -> list:
    """The chosen samplers, plus those already at the site whom this user cannot see (so a
    community's edit never drops a sampler assigned from above)."""
    visible = {u.pk for u in candidates}
    return chosen + [u for u in site.samplers.all() if u.pk not in visible]
