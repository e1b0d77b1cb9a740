"""API: protocol profiles and the plans they give (`/api/v1/protocol/...`), through the same
services and plan engine as the pages and the `protocol` command.

Reading needs Perm.VIEW_CONTROL or Perm.MANAGE_PROTOCOL; creating a profile needs
Perm.MANAGE_PROTOCOL. A plan the rules in force do not provide is a 422 whose detail says why.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fangkong.accounts.roles import Perm
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.protocol import services
from fangkong.protocol.models import ProtocolProfile
from fangkong.protocol.plans import BASES
from fangkong.protocol.validation import PHASE_KINDS, PlanRefused, plan_for

router = Router(tags=["protocol"])

READ_PERMS = (Perm.VIEW_CONTROL, Perm.MANAGE_PROTOCOL)
BasisChoice = Literal[BASES]
Standing = Literal[services.IN_FORCE, services.FUTURE, services.SUPERSEDED]


class ProfileOut(Schema):
    uuid: uuid.UUID
    code: str
    name: str
    disease: str
    valid_from: datetime.date
    source_doc: str
    standing: Standing = Field(description="in force today, not yet in force, or superseded")


class ProfileDetail(ProfileOut):
    values: dict = Field(description="Every rule value, keyed as in the profile data; `plans` "
                                     "maps each basis to its rule and phases")


class ProfileIn(Schema):
    based_on: str | None = Field(None, description="Code of the profile this version is "
                                                   "copied from; its values are used when "
                                                   "`values` is left out")
    code: str
    name: str
    valid_from: datetime.date = Field(description="Today or later")
    source_doc: str
    values: dict | None = None


class PlanQuery(Schema):
    basis: BasisChoice
    start: datetime.date = Field(alias="from", description="Day 1 of the plan")
    disease: str = "covid-19"


class PhaseOut(Schema):
    kind: Literal[PHASE_KINDS]
    days: int
    starts_on: datetime.date
    ends_on: datetime.date = Field(description="The last day, inclusive")
    test_days: list[datetime.date]
    rule: str
    profile: str = Field(description="Code of the profile that gave this phase")
    profile_name: str


class PlanOut(Schema):
    basis: BasisChoice
    start: datetime.date = Field(serialization_alias="from")
    phases: list[PhaseOut]


def _out(profile: ProtocolProfile, standing: dict) -> dict:
    return {"uuid": profile.uuid, "code": profile.code, "name": profile.name,
            "disease": profile.disease, "valid_from": profile.valid_from,
            "source_doc": profile.source_doc, "values": profile.values,
            "standing": standing[profile.pk]}


def _standing(profile: ProtocolProfile) -> dict:
    same = list(ProtocolProfile.objects.filter(disease=profile.disease))
    return services.statuses(same, timezone.localdate())


@router.get("/protocol/profiles", response={200: list[ProfileOut], **REFUSALS},
            operation_id="protocol_profiles_list",
            summary="The protocol profiles with the day each took effect")
def profile_list(request):
    require(request.auth, *READ_PERMS)
    profiles = list(ProtocolProfile.objects.order_by("disease", "valid_from"))
    standing = services.statuses(profiles, timezone.localdate())
    return [_out(p, standing) for p in profiles]


@router.get("/protocol/profiles/{code}", response={200: ProfileDetail, **REFUSALS},
            operation_id="protocol_profiles_detail", summary="One profile with all its values")
def profile_detail(request, code: str):
    require(request.auth, *READ_PERMS)
    profile = ProtocolProfile.objects.filter(code=code).first()
    if profile is None:
        raise Http404
    return _out(profile, _standing(profile))


@router.get("/protocol/plan", response={200: PlanOut, **REFUSALS, **INVALID},
            operation_id="protocol_plan", by_alias=True,
            summary="What the rules in force on `from` give for a basis: the phases, or 422 "
                    "saying why there is no such plan")
def plan(request, query: Query[PlanQuery]):
    require(request.auth, *READ_PERMS)
    try:
        phases = plan_for(query.basis, query.start, query.disease)
    except PlanRefused as refusal:
        raise ValidationError({"basis": str(refusal)}) from None
    return {"basis": query.basis, "start": query.start,
            "phases": [phase.as_dict() for phase in phases]}


@router.post("/protocol/profiles", response={201: ProfileDetail, **REFUSALS, **INVALID},
             operation_id="protocol_profiles_create",
             summary="A new version of the rules, taking effect today or later")
def profile_create(request, payload: ProfileIn):
    user = request.auth
    require(user, Perm.MANAGE_PROTOCOL)
    based_on = None
    if payload.based_on:
        based_on = ProtocolProfile.objects.filter(code=payload.based_on).first()
        if based_on is None:
            raise ValidationError({"based_on": _("No profile has this code.")})
    if payload.values is None and based_on is None:
        raise ValidationError({"values": _("Give the values, or the profile to copy them from.")})
    values = payload.values if payload.values is not None else based_on.values
    profile = services.profile_create(
        acting_user=user, based_on=based_on, code=payload.code, name=payload.name,
        valid_from=payload.valid_from, source_doc=payload.source_doc, values=values)
    return Status(201, _out(profile, _standing(profile)))
