"""API: cases, their timelines and clinical events, and facilities (`/api/v1/cases`,
`/api/v1/facilities`), through the same selectors and services as the pages.

Times are ISO 8601 with an offset, in and out (answers are in the local time zone); a time
without an offset is refused, since it would name no instant.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from fangkong.accounts.roles import Perm
from fangkong.api.common import AwareTime, LocalTime, PagingQuery, PlaceRef, page_of, place_for
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.cases import selectors, services
from fangkong.cases.models import (
    Case,
    Classification,
    ClinicalType,
    EventKind,
    FacilityKind,
    Outcome,
    Route,
)
from fangkong.core.access import get_for_user
from fangkong.people.selectors import people_for_user

router = Router(tags=["cases"])


Ct = Annotated[Decimal, Field(max_digits=4, decimal_places=1)]

# One Literal per choice (not `Enum | Literal[""]`): a union would name its branch, not the
# field, in a 422 answer.
BucketChoice = Literal[tuple(["", *selectors.BUCKETS])]
StatusChoice = Literal[tuple(["", "open", *(value for value in Outcome.values if value)])]
ClassificationChoice = Literal[tuple(["", *Classification.values])]
ClinicalTypeChoice = Literal[tuple(["", *ClinicalType.values])]


class NamedRef(Schema):
    uuid: uuid.UUID
    name: str


class CaseOut(Schema):
    uuid: uuid.UUID
    number: str
    person: NamedRef
    classification: Classification
    initial_classification: Classification
    clinical_type: ClinicalTypeChoice
    route: Route
    in_control: bool
    imported: bool
    district: NamedRef
    reported_at: LocalTime
    sample_date: datetime.date | None
    onset_date: datetime.date | None
    reclassified_at: LocalTime | None
    outcome: Outcome
    outcome_at: LocalTime | None
    facility: NamedRef | None


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


class EventOut(Schema):
    kind: EventKind
    at: LocalTime
    facility: NamedRef | None
    detail: dict
    reason: str
    actor: str

    @staticmethod
    def resolve_actor(event):
        return event.actor.username if event.actor else ""


class CaseTestOut(Schema):
    sampled_at: LocalTime
    ct_n: float | None = Field(description="Ct of the N gene; null means not detected")
    ct_orf1ab: float | None = Field(description="Ct of the ORF1ab gene; null means not detected")


class CaseDetail(CaseOut):
    events: list[EventOut]
    tests: list[CaseTestOut]

    @staticmethod
    def resolve_events(case):
        return list(selectors.timeline(case))

    @staticmethod
    def resolve_tests(case):
        return list(case.tests.all())


class CaseFilters(Schema):
    outbreak: str = Field("", description="Outbreak code")
    district: uuid.UUID | None = Field(None, description="A district's uuid")
    classification: ClassificationChoice = ""
    status: StatusChoice = ""
    reported_from: datetime.date | None = None
    reported_to: datetime.date | None = None
    bucket: BucketChoice = Field(
        "", description="A bulletin figure: the cases it counts as of `as_of`")
    as_of: datetime.date | None = None
    q: str = Field("", description="Part of a case number or a name")


class CaseIn(Schema):
    model_config = ConfigDict(use_enum_values=True)

    person: uuid.UUID
    outbreak: str = Field(description="Outbreak code")
    classification: Classification
    clinical_type: ClinicalTypeChoice = ""
    reported_at: AwareTime
    sample_date: datetime.date | None = None
    onset_date: datetime.date | None = None
    route: Route
    imported: bool = False


class ReclassifyIn(Schema):
    model_config = ConfigDict(use_enum_values=True)

    at: AwareTime
    clinical_type: ClinicalType
    onset_date: datetime.date | None = None
    reason: str = ""


class ClinicalTypeIn(Schema):
    model_config = ConfigDict(use_enum_values=True)

    at: AwareTime
    clinical_type: ClinicalType
    reason: str = ""


class AdmitIn(Schema):
    at: AwareTime
    facility: uuid.UUID
    reason: str = ""


class CaseTestIn(Schema):
    sampled_at: AwareTime
    ct_n: Ct | None = None
    ct_orf1ab: Ct | None = None


class EndIn(Schema):
    at: AwareTime
    override_reason: str = Field(
        "", description="Written reason to end the case against the test rule "
                        "(needs the override permission; audited)")


class DeathIn(Schema):
    at: AwareTime
    reason: str


class FacilityOut(Schema):
    uuid: uuid.UUID
    name: str
    kind: FacilityKind
    place: PlaceRef
    beds: int
    occupied: int


class FacilityList(Schema):
    as_of: datetime.date
    items: list[FacilityOut]


def _case(user, public_id) -> Case:
    """A case the user may see, else 404 (missing and out of scope look alike)."""
    return get_for_user(user, Case.objects.select_related("person", "district", "facility"),
                        public_id)


def _outbreak(code: str):
    outbreak = selectors.outbreak_on(timezone.localdate(), code) if code else None
    if code and outbreak is None:
        raise ValidationError({"outbreak": _("No outbreak has this code.")})
    return outbreak


def _person(user, public_id):
    person = people_for_user(user).filter(uuid=public_id).select_related("household").first()
    if person is None:
        raise ValidationError({"person": _("Choose a person in your area.")})
    return person


def _facility(user, public_id):
    facility = selectors.facilities_for_user(user).filter(uuid=public_id).first()
    if facility is None:
        raise ValidationError({"facility": _("Choose a facility in your area.")})
    return facility


@router.get("/cases", response={200: CasePage, **REFUSALS, **INVALID}, operation_id="cases_list",
            summary="The case register, filtered; `bucket` + `as_of` list a bulletin figure")
def case_list(request, paging: PagingQuery, filters: Query[CaseFilters]):
    user = request.auth
    require(user, Perm.VIEW_CASES)
    if filters.bucket and not filters.as_of:
        raise ValidationError({"as_of": _("Give the day the figure is counted on.")})
    cases = selectors.register(
        user, outbreak=_outbreak(filters.outbreak),
        district=place_for(user, filters.district) if filters.district else None,
        classification=filters.classification, status=filters.status,
        reported_from=filters.reported_from, reported_to=filters.reported_to,
        bucket=filters.bucket, as_of=filters.as_of, query=filters.q.strip())
    return page_of(cases, paging)


@router.get("/cases/{uuid:public_id}", response={200: CaseDetail, **REFUSALS},
            operation_id="cases_detail", summary="One case with its timeline and tests")
def case_detail(request, public_id: uuid.UUID):
    user = request.auth
    require(user, Perm.VIEW_CASES)
    return _case(user, public_id)


@router.post("/cases", response={201: CaseOut, **REFUSALS, **INVALID},
             operation_id="cases_report", summary="Report a case")
def case_report(request, payload: CaseIn):
    user = request.auth
    require(user, Perm.REPORT_CASES)
    fields = payload.model_dump(exclude={"person", "outbreak"})
    outbreak = _outbreak(payload.outbreak)
    case = services.case_report(acting_user=user, person=_person(user, payload.person),
                                outbreak=outbreak, **fields)
    return Status(201, case)


@router.post("/cases/{uuid:public_id}/reclassify",
             response={200: CaseOut, **REFUSALS, **INVALID}, operation_id="cases_reclassify",
             summary="Reclassify an asymptomatic infection as confirmed (counted on `at`)")
def case_reclassify(request, public_id: uuid.UUID, payload: ReclassifyIn):
    user = request.auth
    require(user, Perm.MANAGE_CASES)
    return services.case_reclassify(acting_user=user, case=_case(user, public_id),
                                    **payload.model_dump())


@router.post("/cases/{uuid:public_id}/clinical-type",
             response={200: CaseOut, **REFUSALS, **INVALID}, operation_id="cases_clinical_type",
             summary="Change the clinical type of a confirmed case")
def case_clinical_type(request, public_id: uuid.UUID, payload: ClinicalTypeIn):
    user = request.auth
    require(user, Perm.MANAGE_CASES)
    return services.case_change_clinical_type(acting_user=user, case=_case(user, public_id),
                                              **payload.model_dump())


@router.post("/cases/{uuid:public_id}/admit", response={200: CaseOut, **REFUSALS, **INVALID},
             operation_id="cases_admit",
             summary="Admit to a facility, or transfer if the case is already in one")
def case_admit(request, public_id: uuid.UUID, payload: AdmitIn):
    user = request.auth
    require(user, Perm.MANAGE_CASES)
    case = _case(user, public_id)
    return services.case_admit(acting_user=user, case=case,
                               facility=_facility(user, payload.facility), at=payload.at,
                               reason=payload.reason)


@router.post("/cases/{uuid:public_id}/tests", response={201: CaseTestOut, **REFUSALS, **INVALID},
             operation_id="cases_test", summary="Record a test towards discharge or release")
def case_test(request, public_id: uuid.UUID, payload: CaseTestIn):
    user = request.auth
    require(user, Perm.MANAGE_CASES)
    test = services.case_test_record(acting_user=user, case=_case(user, public_id),
                                     **payload.model_dump())
    return Status(201, test)


def _end(request, public_id, payload: EndIn, service):
    user = request.auth
    require(user, Perm.MANAGE_CASES)
    if payload.override_reason.strip():
        require(user, Perm.OVERRIDE_DISCHARGE)
    return service(acting_user=user, case=_case(user, public_id), at=payload.at,
                   override_reason=payload.override_reason)


@router.post("/cases/{uuid:public_id}/discharge",
             response={200: CaseOut, **REFUSALS, **INVALID}, operation_id="cases_discharge",
             summary="Discharge a confirmed case (the test rule, or an override with a reason)")
def case_discharge(request, public_id: uuid.UUID, payload: EndIn):
    return _end(request, public_id, payload, services.case_discharge)


@router.post("/cases/{uuid:public_id}/release", response={200: CaseOut, **REFUSALS, **INVALID},
             operation_id="cases_release",
             summary="Release an asymptomatic infection from medical observation")
def case_release(request, public_id: uuid.UUID, payload: EndIn):
    return _end(request, public_id, payload, services.case_release)


@router.post("/cases/{uuid:public_id}/death", response={200: CaseOut, **REFUSALS, **INVALID},
             operation_id="cases_death", summary="Record the death of a confirmed case")
def case_death(request, public_id: uuid.UUID, payload: DeathIn):
    user = request.auth
    require(user, Perm.MANAGE_CASES)
    return services.case_die(acting_user=user, case=_case(user, public_id),
                             at=payload.at, reason=payload.reason)


@router.get("/facilities", response={200: FacilityList, **REFUSALS, **INVALID},
            operation_id="facilities_list",
            summary="Facilities in the caller's area with beds occupied at 24:00 on `date`")
def facility_list(request, date: datetime.date | None = None):
    user = request.auth
    require(user, Perm.VIEW_CASES)
    day = date or timezone.localdate()
    facilities = list(selectors.facilities_for_user(user).select_related("place"))
    occupied = selectors.occupancy(facilities, day)
    return {"as_of": day, "items": [
        {"uuid": f.uuid, "name": f.name, "kind": f.kind, "place": f.place, "beds": f.beds,
         "occupied": occupied.get(f.pk, 0)} for f in facilities]}
