"""API of the organisers' side of mass testing under `/api/v1/testing/`: rounds and their
status, coverage and the untested (应检未检), exemptions, sampling sites and their samplers,
and the call-down schedule — the same selectors and services as the pages.

A round, site, exemption or `?place=` outside the caller's area answers 404 like a missing
one; a place or person named in a body outside it, or any refused input, answers 422 naming
the field.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fangkong.accounts.roles import Perm
from fangkong.accounts.selectors import accounts_in_scope
from fangkong.api.common import AwareTime, LocalTime, PagingQuery, PlaceRef, page_of, place_for
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.core.access import get_for_user
from fangkong.people.models import Person
from fangkong.places.models import Place, Venue
from fangkong.places.selectors import place_labels
from fangkong.protocol.selectors import ProfileMissing
from fangkong.testing import selectors, services
from fangkong.testing.models import (
    Exemption,
    ExemptReason,
    RiskLevel,
    RoundStatus,
    SamplingSite,
    Slot,
)
from fangkong.testing.plan_reads import (
    exempt_rows,
    owns,
    person_rows,
    round_for,
    samplers_for,
    samplers_to_keep,
    untested_people,
)

router = Router()


# --- schemas ------------------------------------------------------------------------------

class NamedRef(Schema):
    uuid: uuid.UUID
    name: str


class ProfileRef(Schema):
    code: str
    name: str


class RoundOut(Schema):
    uuid: uuid.UUID
    number: int
    name: str
    status: RoundStatus
    starts_at: LocalTime
    ends_at: LocalTime
    profile: ProfileRef = Field(description="The protocol profile that gave the pooling rules")


class RoundPlaceOut(Schema):
    place: PlaceRef
    risk_level: RiskLevel
    pool_size: int = Field(description="Swabs per tube; 1 for single tubes")
    per_household: bool = Field(description="One tube per household")


class RoundDetail(RoundOut):
    places: list[RoundPlaceOut]

    @staticmethod
    def resolve_places(obj):
        return list(obj.round_places.select_related("place"))


class RoundPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RoundOut]


class RoundPlaceIn(Schema):
    place: uuid.UUID
    risk_level: RiskLevel


class RoundIn(Schema):
    number: int
    name: str
    starts_at: AwareTime
    ends_at: AwareTime
    places: list[RoundPlaceIn] = Field(description="Places in your area, each with its "
                                                   "risk level")


class StatusIn(Schema):
    status: RoundStatus


class FiguresOut(Schema):
    target: int = Field(description="People living in the round's places here")
    sampled: int
    results_back: int
    exempt: int
    untested: int = Field(description="target - sampled - exempt")
    share: float = Field(description="sampled / (target - exempt)")


class GroupOut(FiguresOut):
    place: PlaceRef
    label: str


class CoverageOut(Schema):
    round: uuid.UUID
    place: PlaceRef
    totals: FiguresOut
    groups: list[GroupOut] = Field(description="One row per unit (or village)")


class SlotBrief(Schema):
    starts_at: LocalTime
    ends_at: LocalTime
    site: str


class UntestedOut(Schema):
    uuid: uuid.UUID
    name: str
    phone: str = Field(description="Masked unless the caller's role may reveal phones")
    unit: str
    household: str
    slot: SlotBrief | None


class UntestedPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[UntestedOut]


class ExemptionIn(Schema):
    person: uuid.UUID
    reason: ExemptReason
    note: str = Field("", max_length=200)


class ExemptionOut(Schema):
    uuid: uuid.UUID
    round: uuid.UUID
    person: NamedRef
    reason: ExemptReason
    note: str
    created_at: LocalTime

    @staticmethod
    def resolve_round(obj):
        return obj.round.uuid


class ExemptOut(Schema):
    person: NamedRef
    household: str
    reason: ExemptReason
    exemption: uuid.UUID | None = Field(description="The recorded exemption; null when the "
                                                    "person is exempt as an open case or in "
                                                    "centralised isolation")


class WithdrawIn(Schema):
    reason: str


class WithdrawnOut(Schema):
    withdrawn: uuid.UUID


class VenueRef(Schema):
    uuid: uuid.UUID
    code: str
    name: str
    address: str


class SiteOut(Schema):
    uuid: uuid.UUID
    venue: VenueRef
    place: PlaceRef
    points: int
    per_point_hour: int
    per_hour: int
    active: bool
    samplers: list[str] = Field(description="User names")

    @staticmethod
    def resolve_place(obj):
        return obj.venue.place

    @staticmethod
    def resolve_samplers(obj):
        return sorted(u.username for u in obj.samplers.all())


class SitePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SiteOut]


class SiteIn(Schema):
    venue: uuid.UUID
    points: int
    per_point_hour: int


class SamplersIn(Schema):
    samplers: list[str] = Field(description="User names of the samplers who work at the site "
                                            "(replacing those you can see)")


class ScheduleIn(Schema):
    place: uuid.UUID = Field(description="A community or street (or any place) in your area")


class GroupLeft(Schema):
    label: str
    people: int


class ScheduleOut(Schema):
    slots: int
    people: int
    unplaced: list[GroupLeft] = Field(description="Groups left without a slot: the sites "
                                                  "are full until the round ends")


class SlotOut(Schema):
    site: NamedRef
    place: PlaceRef
    label: str
    people: int
    starts_at: LocalTime
    ends_at: LocalTime

    @staticmethod
    def resolve_site(obj):
        return {"uuid": obj.site.uuid, "name": obj.site.venue.name}


class SlotPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SlotOut]


class PlaceQuery(Schema):
    place: uuid.UUID | None = Field(None, description="A place in your area; by default "
                                                      "your whole area")


# --- look-ups -----------------------------------------------------------------------------

def _round(user, public_id):
    return round_for(user, public_id)


def _place_of(user, query: PlaceQuery) -> Place:
    if query.place is not None:
        return place_for(user, query.place)
    if user.scope is None:
        raise Http404
    return user.scope


def _body_place(user, public_id, field="place") -> Place:
    place = Place.objects.accessible_to(user).filter(uuid=public_id).first()
    if place is None:
        raise ValidationError({field: _("This place is unknown or outside your area.")})
    return place


def _round_places(user, items: list[RoundPlaceIn]) -> list[tuple]:
    found = {p.uuid: p for p in Place.objects.accessible_to(user)
             .filter(uuid__in=[i.place for i in items])}
    if any(i.place not in found for i in items):
        raise ValidationError({"places": _("A chosen place is unknown or outside your area.")})
    return [(found[i.place], i.risk_level.value) for i in items]


def _figures(f) -> dict:
    return {"target": f.target, "sampled": f.sampled, "results_back": f.results_back,
            "exempt": f.exempt, "untested": f.untested, "share": f.share}


def _sites(user):
    return selectors.sites_for_user(user).prefetch_related("samplers")


# --- rounds -------------------------------------------------------------------------------

@router.get("/rounds", response={200: RoundPage, **REFUSALS, **INVALID},
            operation_id="testing_rounds_list", summary="Test rounds over the caller's area")
def rounds_list(request, paging: PagingQuery):
    user = request.auth
    require(user, Perm.VIEW_TESTING)
    return page_of(selectors.rounds_for_user(user).select_related("profile"), paging)


@router.post("/rounds", response={201: RoundDetail, **REFUSALS, **INVALID},
             operation_id="testing_rounds_create",
             summary="Plan a round over places, each with its risk level (the profile in force "
                     "on the first day gives the pooling rules)")
def rounds_create(request, payload: RoundIn):
    user = request.auth
    require(user, Perm.PLAN_TESTING)
    try:
        test_round = services.round_create(
            acting_user=user, number=payload.number, name=payload.name,
            starts_at=payload.starts_at, ends_at=payload.ends_at,
            places=_round_places(user, payload.places))
    except ProfileMissing:
        raise ValidationError({"starts_at": _("No protocol profile is in force on this "
                                              "day.")}) from None
    return Status(201, _round(user, test_round.uuid))


@router.get("/rounds/{uuid:public_id}", response={200: RoundDetail, **REFUSALS},
            operation_id="testing_rounds_detail",
            summary="A round with its places and their pooling rules")
def rounds_detail(request, public_id: uuid.UUID):
    user = request.auth
    require(user, Perm.VIEW_TESTING)
    return _round(user, public_id)


@router.post("/rounds/{uuid:public_id}/status", response={200: RoundDetail, **REFUSALS,
                                                          **INVALID},
             operation_id="testing_rounds_status",
             summary="Open a round for sampling or close it (all its places in your area)")
def rounds_status(request, public_id: uuid.UUID, payload: StatusIn):
    user = request.auth
    require(user, Perm.PLAN_TESTING)
    test_round = _round(user, public_id)
    if not owns(user, test_round.round_places.select_related("place")):
        raise PermissionDenied  # the round reaches beyond the caller's area
    services.round_set_status(acting_user=user, test_round=test_round,
                              status=payload.status.value)
    return _round(user, public_id)


# --- coverage and the untested ------------------------------------------------------------

@router.get("/rounds/{uuid:public_id}/coverage", response={200: CoverageOut, **REFUSALS,
                                                           **INVALID},
            operation_id="testing_rounds_coverage",
            summary="Target, sampled, results back, exempt and untested for a place, and by "
                    "unit (or village) under it")
def rounds_coverage(request, public_id: uuid.UUID, query: Query[PlaceQuery]):
    user = request.auth
    require(user, Perm.VIEW_TESTING)
    test_round = _round(user, public_id)
    place = _place_of(user, query)
    found = selectors.coverage(test_round, place)
    labels = place_labels([g for g, _f in found.groups], below=place)
    return {"round": test_round.uuid, "place": place, "totals": _figures(found.total),
            "groups": [{"place": g, "label": labels[g.pk], **_figures(f)}
                       for g, f in found.groups]}


@router.get("/rounds/{uuid:public_id}/untested", response={200: UntestedPage, **REFUSALS,
                                                           **INVALID},
            operation_id="testing_rounds_untested",
            summary="应检未检: the people not yet sampled nor exempt, by building and unit")
def rounds_untested(request, public_id: uuid.UUID, paging: PagingQuery,
                    query: Query[PlaceQuery]):
    user = request.auth
    require(user, Perm.VIEW_TESTING)
    test_round = _round(user, public_id)
    place = _place_of(user, query)
    page = page_of(untested_people(user, test_round, place), paging)
    rows = person_rows(user, test_round, place, page["items"])
    page["items"] = [
        {"uuid": r["person"].uuid, "name": r["person"].name, "phone": r["phone"],
         "unit": r["group"], "household": r["address"],
         "slot": {"starts_at": r["slot"].starts_at, "ends_at": r["slot"].ends_at,
                  "site": r["slot"].site.venue.name} if r["slot"] else None}
        for r in rows]
    return page


# --- exemptions ---------------------------------------------------------------------------

@router.get("/rounds/{uuid:public_id}/exemptions", response={200: list[ExemptOut], **REFUSALS,
                                                             **INVALID},
            operation_id="testing_exemptions_list",
            summary="Everyone exempt under a place: recorded, and automatic (open case, "
                    "centralised isolation)")
def exemptions_list(request, public_id: uuid.UUID, query: Query[PlaceQuery]):
    user = request.auth
    require(user, Perm.VIEW_TESTING)
    test_round = _round(user, public_id)
    return [{"person": r["person"], "household": r["address"], "reason": r["reason"],
             "exemption": r["exemption"].uuid if r["exemption"] else None}
            for r in exempt_rows(user, test_round, _place_of(user, query))]


@router.post("/rounds/{uuid:public_id}/exemptions",
             response={201: ExemptionOut, **REFUSALS, **INVALID},
             operation_id="testing_exemptions_create",
             summary="Exempt a person from a round, with a reason (refused when already "
                     "sampled, outside the round, or exempt already)")
def exemptions_create(request, public_id: uuid.UUID, payload: ExemptionIn):
    user = request.auth
    require(user, Perm.PLAN_TESTING)
    test_round = _round(user, public_id)
    person = (Person.objects.active().accessible_to(user).filter(uuid=payload.person)
              .select_related("household").first())
    if person is None:
        raise ValidationError({"person": _("Choose a person in your area.")})
    exemption = services.exemption_record(acting_user=user, test_round=test_round,
                                          person=person, reason=payload.reason.value,
                                          note=payload.note)
    return Status(201, exemption)


@router.post("/rounds/{uuid:public_id}/exemptions/{uuid:exemption_id}/withdraw",
             response={200: WithdrawnOut, **REFUSALS, **INVALID},
             operation_id="testing_exemptions_withdraw",
             summary="Withdraw an exemption, saying why; the person counts as untested again")
def exemptions_withdraw(request, public_id: uuid.UUID, exemption_id: uuid.UUID,
                        payload: WithdrawIn):
    user = request.auth
    require(user, Perm.PLAN_TESTING)
    test_round = _round(user, public_id)
    exemption = get_for_user(user, Exemption.objects.filter(round=test_round)
                             .select_related("round", "person__household"), exemption_id)
    services.exemption_remove(acting_user=user, exemption=exemption, reason=payload.reason)
    return {"withdrawn": exemption_id}


# --- sites --------------------------------------------------------------------------------

@router.get("/sites", response={200: SitePage, **REFUSALS, **INVALID},
            operation_id="testing_sites_list",
            summary="Sampling sites in the caller's area (a sampler: their own)")
def sites_list(request, paging: PagingQuery):
    user = request.auth
    require(user, Perm.VIEW_TESTING, Perm.SAMPLE)
    return page_of(_sites(user), paging)


@router.post("/sites", response={201: SiteOut, **REFUSALS, **INVALID},
             operation_id="testing_sites_create",
             summary="Make a venue in your area a sampling site: points and people per point "
                     "per hour")
def sites_create(request, payload: SiteIn):
    user = request.auth
    require(user, Perm.PLAN_TESTING)
    venue = (Venue.objects.accessible_to(user).select_related("place")
             .filter(uuid=payload.venue).first())
    if venue is None:
        raise ValidationError({"venue": _("No venue with this code in your area.")})
    site = services.site_create(acting_user=user, venue=venue, points=payload.points,
                                per_point_hour=payload.per_point_hour)
    return Status(201, _sites(user).get(pk=site.pk))


@router.post("/sites/{uuid:public_id}/samplers", response={200: SiteOut, **REFUSALS,
                                                           **INVALID},
             operation_id="testing_sites_samplers",
             summary="The samplers who work at a site (and so see its tubes)")
def sites_samplers(request, public_id: uuid.UUID, payload: SamplersIn):
    user = request.auth
    require(user, Perm.PLAN_TESTING)
    site = get_for_user(user, SamplingSite.objects.select_related("venue__place"), public_id)
    names = set(payload.samplers)
    found = list(accounts_in_scope(user).filter(username__in=names))
    unknown = sorted(names - {u.username for u in found})
    if unknown:
        raise ValidationError({"samplers": _("Unknown or outside your area: %(names)s")
                               % {"names": ", ".join(unknown)}})
    services.site_assign(acting_user=user, site=site,
                         samplers=samplers_to_keep(site, list(samplers_for(user)), found))
    return _sites(user).get(pk=site.pk)


# --- the schedule -------------------------------------------------------------------------

@router.post("/rounds/{uuid:public_id}/schedule", response={200: ScheduleOut, **REFUSALS,
                                                            **INVALID},
             operation_id="testing_schedule_build",
             summary="Give every unit (or village group) under a place a time at a nearby "
                     "site; replaces the place's earlier slots")
def schedule_build(request, public_id: uuid.UUID, payload: ScheduleIn):
    user = request.auth
    require(user, Perm.PLAN_TESTING)
    test_round = _round(user, public_id)
    report = services.schedule_build(acting_user=user, test_round=test_round,
                                     place=_body_place(user, payload.place))
    return {"slots": len(report.slots), "people": sum(s.people for s in report.slots),
            "unplaced": [{"label": g.label, "people": g.people} for g in report.unplaced]}


@router.get("/rounds/{uuid:public_id}/slots", response={200: SlotPage, **REFUSALS, **INVALID},
            operation_id="testing_slots_list",
            summary="The call-down times under a place, in time order")
def slots_list(request, public_id: uuid.UUID, paging: PagingQuery, query: Query[PlaceQuery]):
    user = request.auth
    require(user, Perm.VIEW_TESTING)
    test_round = _round(user, public_id)
    place = _place_of(user, query)
    slots = (Slot.objects.accessible_to(user)
             .filter(round=test_round, place__path__startswith=place.path)
             .select_related("site__venue", "place").order_by("starts_at", "path_from"))
    return page_of(slots, paging)
