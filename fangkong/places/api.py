"""API: the place tree and venues, scoped to the caller (`/api/v1/places`, `/api/v1/venues`)."""

import uuid

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from fangkong.accounts.roles import Perm
from fangkong.api.common import PagingQuery, PlaceRef, page_of, place_for, place_ref
from fangkong.api.errors import REFUSALS, require
from fangkong.places.models import Place, Venue
from fangkong.places.selectors import ChildSummary, breadcrumbs, children_with_counts, place_totals

router = Router(tags=["places"])


class Counts(Schema):
    residents: int
    households: int
    special: int


class ChildOut(PlaceRef, Counts):
    pass


class PlaceOut(PlaceRef):
    totals: Counts
    breadcrumbs: list[PlaceRef]
    children: list[ChildOut]


class VenueOut(Schema):
    uuid: uuid.UUID
    name: str
    kind: str
    code: str
    address: str
    place: PlaceRef


class VenuePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VenueOut]


def _counts(summary: ChildSummary) -> dict:
    return {"residents": summary.residents, "households": summary.households,
            "special": summary.special}


def _child(summary: ChildSummary) -> dict:
    return {**place_ref(summary.place), **_counts(summary)}


def _place_answer(user, place: Place) -> dict:
    today = timezone.localdate()
    return {
        **place_ref(place),
        "totals": _counts(place_totals(place, today=today)),
        "breadcrumbs": breadcrumbs(user, place),
        "children": [_child(s) for s in children_with_counts(place, today=today)],
    }


@router.get("/places", response={200: PlaceOut, **REFUSALS}, operation_id="places_scope",
            summary="The caller's area with its children and their counts")
def scope_place(request):
    user = request.auth
    require(user, Perm.VIEW_PLACES)
    if not user.scope_path:
        raise Http404
    return _place_answer(user, user.scope)


@router.get("/places/{uuid:public_id}", response={200: PlaceOut, **REFUSALS},
            operation_id="places_detail", summary="One place: breadcrumbs, children, counts")
def place_detail(request, public_id: uuid.UUID):
    user = request.auth
    require(user, Perm.VIEW_PLACES)
    return _place_answer(user, place_for(user, public_id))


@router.get("/venues", response={200: VenuePage, **REFUSALS}, operation_id="venues_list",
            summary="Venues in the caller's area, optionally under one place")
def venue_list(request, paging: PagingQuery, place: uuid.UUID | None = None):
    user = request.auth
    require(user, Perm.VIEW_PLACES)
    venues = Venue.objects.accessible_to(user).select_related("place").order_by("code")
    if place is not None:
        venues = venues.filter(place__path__startswith=place_for(user, place).path)
    return page_of(venues, paging)
