"""API of samplers and sampling terminals under `/api/v1/testing/`: open a tube, add people
one by one, close it, read it back; upload many bindings at once (a retried upload changes
nothing); the door-to-door single retests and their tubes.

The same services as the sampler's page. A site, tube or retest outside the caller's scope
answers 404 like a missing one; a role without the permission 403; bad input 422 naming the
field.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fangkong.accounts.roles import Perm
from fangkong.api.common import AwareTime, LocalTime, PagingQuery, page_of
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.core.access import get_for_user
from fangkong.lib.masking import mask_phone
from fangkong.people.models import Person
from fangkong.places.selectors import place_labels
from fangkong.testing import selectors, services
from fangkong.testing.models import (
    Retest,
    RetestStatus,
    Sample,
    SamplingSite,
    Tube,
    TubeKind,
    TubeStatus,
)

router = Router()

# Bindings in one upload; a terminal splits a longer day. 40,000 bindings are about 4 MB of
# JSON, under the 5 MB request body Django accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).
MAX_BATCH = 40_000


class NamedRef(Schema):
    uuid: uuid.UUID
    name: str


class TubeMemberOut(Schema):
    person: NamedRef
    sampled_at: LocalTime


class SamplingTubeOut(Schema):
    uuid: uuid.UUID
    barcode: str
    round: uuid.UUID
    site: uuid.UUID | None
    kind: TubeKind
    status: TubeStatus
    capacity: int = Field(description="Swabs the tube takes: its pooling rule")
    size: int = Field(description="Swabs in the tube now")
    per_household: bool = Field(description="One household's swabs only (high-risk areas)")
    opened_at: LocalTime
    closed_at: LocalTime | None
    members: list[TubeMemberOut]


class TubeOpenIn(Schema):
    round: uuid.UUID
    site: uuid.UUID = Field(description="A sampling site you are assigned to")
    barcode: str = Field(description="4 to 40 letters, digits or hyphens, never used before")


class SampleIn(Schema):
    id_number: str = Field("", description="The person's mainland ID number, or …")
    person: uuid.UUID | None = Field(None, description="… the uuid of a person in your area")
    sampled_at: AwareTime | None = Field(None, description="Default: now")


class SampleOut(Schema):
    person: NamedRef
    sampled_at: LocalTime
    tube: SamplingTubeOut


class BindingIn(Schema):
    tube: str = Field(description="Barcode; a new one opens a tube at the site")
    id_number: str
    sampled_at: datetime.datetime | None = Field(
        None, description="With its offset from UTC; a binding without one is refused alone")


class BindBatchIn(Schema):
    round: uuid.UUID
    site: uuid.UUID
    bindings: list[BindingIn] = Field(json_schema_extra={"maxItems": MAX_BATCH})


class BindingRefusalOut(Schema):
    index: int = Field(description="Position of the binding in the upload, from 0")
    field: str
    code: str = Field(description="sampled, unknown, used, closed, full, household, barcode, "
                                  "required, naive, future, early")
    message: str


class BindReportOut(Schema):
    accepted: int
    unchanged: int = Field(description="Bindings already recorded: a retried upload")
    refused: list[BindingRefusalOut]
    tubes_closed: int


class RetestOut(Schema):
    uuid: uuid.UUID
    person: NamedRef
    phone: str = Field(description="Masked")
    address: str
    pool: str = Field(description="Barcode of the positive pool")
    status: RetestStatus
    tube: str = Field(description="Barcode of the single tube once sampled")


class RetestPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RetestOut]


class RetestFilters(Schema):
    status: RetestStatus = RetestStatus.DUE


class RetestSampleIn(Schema):
    barcode: str
    sampled_at: AwareTime | None = Field(None, description="Default: now")


# --- look-ups -----------------------------------------------------------------------------

def _site(user, public_id) -> SamplingSite:
    return get_for_user(user, SamplingSite.objects.select_related("venue__place"), public_id)


def _round(user, public_id):
    test_round = selectors.rounds_for_user(user).filter(uuid=public_id).first()
    if test_round is None:
        raise Http404
    return test_round


def _tube(user, barcode) -> Tube:
    tube = (selectors.tubes_for_user(user).filter(barcode=barcode)
            .select_related("round", "site").first())
    if tube is None:
        raise Http404
    return tube


def _tube_out(user, tube) -> dict:
    samples = (Sample.objects.accessible_to(user).filter(tube=tube).select_related("person")
               .order_by("sampled_at", "id"))
    return {"uuid": tube.uuid, "barcode": tube.barcode, "round": tube.round.uuid,
            "site": tube.site.uuid if tube.site_id else None, "kind": tube.kind,
            "status": tube.status, "capacity": tube.capacity, "size": tube.size,
            "per_household": tube.per_household, "opened_at": tube.opened_at,
            "closed_at": tube.closed_at,
            "members": [{"person": s.person, "sampled_at": s.sampled_at} for s in samples]}


def _person(user, payload: SampleIn) -> Person:
    if bool(payload.id_number.strip()) == (payload.person is not None):
        raise ValidationError({"id_number": _("Give the ID number or the person's uuid.")})
    if payload.person is not None:
        person = Person.objects.active().accessible_to(user).filter(uuid=payload.person).first()
        if person is None:
            raise ValidationError({"person": _("Choose a person in your area.")})
        return person
    person = selectors.person_by_id_number(payload.id_number)
    if person is None:
        raise ValidationError({"id_number": _("Unknown person: register them as a visitor "
                                              "first.")})
    return person


def _retest_out(retests: list[Retest], user) -> list[dict]:
    labels = place_labels([r.person.household for r in retests], below=user.scope)
    return [{"uuid": r.uuid, "person": r.person, "phone": mask_phone(r.person.phone),
             "address": labels[r.person.household_id], "pool": r.pool.barcode,
             "status": r.status, "tube": r.tube.barcode if r.tube_id else ""} for r in retests]


# --- tubes --------------------------------------------------------------------------------

@router.post("/tubes", response={201: SamplingTubeOut, **REFUSALS, **INVALID},
             operation_id="testing_tubes_open",
             summary="Open a tube at your site; the round's pooling rule gives its size")
def tube_open(request, payload: TubeOpenIn):
    user = request.auth
    require(user, Perm.SAMPLE)
    tube = services.tube_open(acting_user=user, test_round=_round(user, payload.round),
                              site=_site(user, payload.site), barcode=payload.barcode)
    return Status(201, _tube_out(user, _tube(user, tube.barcode)))


@router.get("/tubes/{barcode}", response={200: SamplingTubeOut, **REFUSALS},
            operation_id="testing_tubes_detail",
            summary="A tube of your site (or laboratory, or area) and who is in it")
def tube_detail(request, barcode: str):
    user = request.auth
    require(user, Perm.SAMPLE, Perm.VIEW_TESTING, Perm.REPORT_RESULTS)
    return _tube_out(user, _tube(user, barcode))


@router.post("/tubes/{barcode}/samples", response={201: SampleOut, **REFUSALS, **INVALID},
             operation_id="testing_tubes_sample",
             summary="Add a person to an open tube; it closes itself when full")
def tube_sample(request, barcode: str, payload: SampleIn):
    user = request.auth
    require(user, Perm.SAMPLE)
    tube = _tube(user, barcode)
    sample = services.sample_add(acting_user=user, tube=tube, person=_person(user, payload),
                                 at=payload.sampled_at)
    return Status(201, {"person": sample.person, "sampled_at": sample.sampled_at,
                        "tube": _tube_out(user, _tube(user, barcode))})


@router.post("/tubes/{barcode}/close", response={200: SamplingTubeOut, **REFUSALS, **INVALID},
             operation_id="testing_tubes_close", summary="Close a tube before it is full")
def tube_close(request, barcode: str):
    user = request.auth
    require(user, Perm.SAMPLE)
    services.tube_close(acting_user=user, tube=_tube(user, barcode))
    return _tube_out(user, _tube(user, barcode))


@router.post("/bindings", response={200: BindReportOut, **REFUSALS, **INVALID},
             operation_id="testing_bindings_upload",
             summary=f"A terminal's bindings, up to {MAX_BATCH:,} at once: each accepted, "
                     "unchanged (a retry) or refused with its reason")
def bindings_upload(request, payload: BindBatchIn):
    user = request.auth
    require(user, Perm.SAMPLE)
    if len(payload.bindings) > MAX_BATCH:
        raise ValidationError({"bindings": _("At most %(n)s bindings in one upload: split "
                                             "it.") % {"n": MAX_BATCH}})
    report = services.bind_batch(
        acting_user=user, test_round=_round(user, payload.round),
        site=_site(user, payload.site),
        bindings=[services.Binding(b.tube, b.id_number, b.sampled_at)
                  for b in payload.bindings])
    return report


# --- retests ------------------------------------------------------------------------------

@router.get("/retests", response={200: RetestPage, **REFUSALS, **INVALID},
            operation_id="testing_retests_list",
            summary="Single retests in your area (default: due), by building and unit")
def retest_list(request, paging: PagingQuery, filters: Query[RetestFilters]):
    user = request.auth
    require(user, Perm.SAMPLE)
    retests = (selectors.retests_for_user(user).filter(status=filters.status)
               .order_by("person__household__path", "person__name", "id"))
    page = page_of(retests, paging)
    return {**page, "items": _retest_out(page["items"], user)}


@router.post("/retests/{uuid:public_id}/sample",
             response={200: RetestOut, **REFUSALS, **INVALID},
             operation_id="testing_retests_sample",
             summary="The single tube taken door to door from a member of a positive pool")
def retest_sample(request, public_id: uuid.UUID, payload: RetestSampleIn):
    user = request.auth
    require(user, Perm.SAMPLE)
    retest = get_for_user(user, Retest.objects, public_id)
    services.retest_sample(acting_user=user, retest=retest, barcode=payload.barcode,
                           at=payload.sampled_at)
    retest = selectors.retests_for_user(user).get(pk=retest.pk)
    return _retest_out([retest], user)[0]
