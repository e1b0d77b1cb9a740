"""API: residents (`/api/v1/people`), through the same selectors and services as the pages.

Identifiers are masked in every answer; `reveal` returns one unmasked value and is audited.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from fangkong.accounts.roles import Perm
from fangkong.api.common import PagingQuery, PlaceRef, page_of, place_for
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.audit.selectors import history_of
from fangkong.core.access import get_for_user
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.people import services
from fangkong.people.models import IdType, Person, Residency, Sex, SpecialTag, WorkerRole
from fangkong.people.selectors import is_over_80, people_for_user, search_people
from fangkong.places.models import Level, Place

router = Router(tags=["people"])

READ_PERMS = (Perm.VIEW_PEOPLE, Perm.VIEW_SELF)


class PersonOut(Schema):
    uuid: uuid.UUID
    name: str
    id_type: str
    id_number: str
    sex: str
    birth_date: datetime.date
    phone: str
    residency: str
    worker_role: str
    household: PlaceRef
    tags: list[str]
    over_80: bool

    @staticmethod
    def resolve_id_number(person):
        return mask_id_number(person.id_number)

    @staticmethod
    def resolve_phone(person):
        return mask_phone(person.phone)

    @staticmethod
    def resolve_tags(person):
        return sorted(t.tag for t in person.tags.all())

    @staticmethod
    def resolve_over_80(person):
        return is_over_80(person, timezone.localdate())


class PersonPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PersonOut]


class PersonFields(Schema):
    model_config = ConfigDict(use_enum_values=True)

    name: str | None = None
    id_type: IdType | None = None
    id_number: str | None = None
    sex: Sex | None = None
    birth_date: datetime.date | None = None
    phone: str | None = None
    household: uuid.UUID | None = None
    residency: Residency | None = None
    worker_role: WorkerRole | Literal[""] | None = None
    tags: list[SpecialTag] | None = None
    reason: str = ""


class PersonIn(PersonFields):
    name: str
    id_type: IdType = IdType.MAINLAND
    id_number: str
    household: uuid.UUID


class PersonPatch(PersonFields):
    """Only the fields sent are changed; null means unchanged (send "" to clear a phone)."""


class RevealIn(Schema):
    field: Literal["id_number", "phone"]


class RevealOut(Schema):
    field: str
    value: str


class EventOut(Schema):
    created_at: datetime.datetime
    actor: str
    action: str
    changes: dict
    reason: str
    via: str

    @staticmethod
    def resolve_actor(event):
        return event.actor_name


def _person(user, public_id) -> Person:
    """A person the user may see, else 404 (missing and out of scope look alike)."""
    return get_for_user(user, people_for_user(user).select_related("household"), public_id)


def _household(user, public_id) -> Place:
    household = (Place.objects.accessible_to(user)
                 .filter(uuid=public_id, level=Level.HOUSEHOLD).first())
    if household is None:
        raise ValidationError({"household": _("Choose a household in your area.")})
    return household


def _changes(user, payload: PersonFields) -> dict:
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "household" in changes:
        changes["household"] = _household(user, changes["household"])
    return changes


@router.get("/people", response={200: PersonPage, **REFUSALS}, operation_id="people_search",
            summary="Search residents by name, full ID number or phone")
def person_search(request, paging: PagingQuery, q: str = "", place: uuid.UUID | None = None):
    user = request.auth
    require(user, *READ_PERMS)
    people = search_people(user, q).select_related("household").prefetch_related("tags")
    if place is not None:
        people = people.filter(household__path__startswith=place_for(user, place).path)
    return page_of(people, paging)


@router.get("/people/{uuid:public_id}", response={200: PersonOut, **REFUSALS},
            operation_id="people_detail", summary="One resident, identifiers masked")
def person_detail(request, public_id: uuid.UUID):
    user = request.auth
    require(user, *READ_PERMS)
    return _person(user, public_id)


@router.post("/people", response={201: PersonOut, **REFUSALS, **INVALID},
             operation_id="people_create", summary="Register a resident")
def person_create(request, payload: PersonIn):
    user = request.auth
    require(user, Perm.EDIT_PEOPLE)
    person = services.person_create(acting_user=user, **_changes(user, payload))
    return Status(201, person)


@router.patch("/people/{uuid:public_id}", response={200: PersonOut, **REFUSALS, **INVALID},
              operation_id="people_update", summary="Change some fields of a resident")
def person_update(request, public_id: uuid.UUID, payload: PersonPatch):
    user = request.auth
    require(user, Perm.EDIT_PEOPLE)
    person = _person(user, public_id)
    return services.person_update(acting_user=user, person=person, **_changes(user, payload))


@router.post("/people/{uuid:public_id}/reveal", response={200: RevealOut, **REFUSALS, **INVALID},
             operation_id="people_reveal", summary="Show one unmasked identifier (audited)")
def person_reveal(request, public_id: uuid.UUID, payload: RevealIn, response: HttpResponse):
    user = request.auth
    require(user, Perm.REVEAL_PII)
    person = _person(user, public_id)
    value = services.person_reveal(acting_user=user, person=person, field=payload.field)
    response["Cache-Control"] = "no-store"
    return {"field": payload.field, "value": value}


@router.get("/people/{uuid:public_id}/history", response={200: list[EventOut], **REFUSALS},
            operation_id="people_history", summary="Audit trail of one resident")
def person_history(request, public_id: uuid.UUID):
    user = request.auth
    require(user, Perm.VIEW_PEOPLE)
    return history_of(_person(user, public_id))
