"""API: `POST /api/v1/arrivals`, the public registration (no credentials), mirroring the
form: 201 with the requirement, 422 with every faulty field, 429 over the hourly limit per
client address. Times are ISO 8601 with an offset."""

import datetime
import uuid
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from fangkong.api.common import AwareTime, LocalTime
from fangkong.api.errors import INVALID, ErrorOut
from fangkong.arrivals import ratelimit, selectors, services, wording
from fangkong.arrivals.models import Requirement, Transport
from fangkong.people.models import IdType, Sex

router = Router(tags=["arrivals"])

SexChoice = Literal[tuple(["", *Sex.values])]


class ArrivalIn(Schema):
    model_config = ConfigDict(use_enum_values=True)

    name: str = Field(max_length=60)
    id_type: IdType = IdType.MAINLAND
    id_number: str = Field(max_length=32)
    birth_date: datetime.date | None = Field(
        None, description="Needed for an ID other than a mainland resident ID card")
    sex: SexChoice = Field("", description="Needed for an ID other than a resident ID card")
    phone: str = Field(description="11-digit mainland mobile number")
    origin: str = Field(description="GB/T 2260 code of the county left (or of a city without "
                                    "counties, e.g. 441900 东莞市)")
    arrival_at: AwareTime
    transport: Transport
    transport_number: str = Field("", max_length=20,
                                  description="Train or flight number (required for those)")
    household: uuid.UUID = Field(description="The destination household's uuid")
    test_taken_at: AwareTime | None = Field(None, description="Last negative test, if any")


class PhaseOut(Schema):
    kind: str
    days: int
    starts_on: datetime.date
    ends_on: datetime.date
    test_days: list[datetime.date]
    rule: str
    profile: str
    profile_name: str


class ArrivalOut(Schema):
    uuid: uuid.UUID
    requirement: Requirement
    requirement_label: str
    summary: list[str] = Field(description="The requirement in plain words, one line a phase")
    phases: list[PhaseOut]
    profile: str | None = Field(description="Code of the protocol profile in force that day")
    local: bool = Field(description="Travel within the destination city")
    arrival_at: LocalTime
    updates: int = Field(description="Earlier registrations of the same day merged into this")
    control_order: uuid.UUID | None = Field(description="The home-isolation order, if any")


def _out(registration) -> dict:
    return {
        "uuid": registration.uuid, "requirement": registration.requirement,
        "requirement_label": str(Requirement(registration.requirement).label),
        "summary": [line["text"] for line in wording.requirement_lines(registration)],
        "phases": registration.phases,
        "profile": registration.profile.code if registration.profile_id else None,
        "local": registration.local, "arrival_at": registration.arrival_at,
        "updates": registration.updates,
        "control_order": registration.control_order.uuid if registration.control_order_id
        else None,
    }


@router.post("/arrivals", auth=None, response={201: ArrivalOut, 429: ErrorOut, **INVALID},
             operation_id="arrivals_register",
             summary="Register an arrival (public, no credentials; limited per address)")
def arrival_register(request, payload: ArrivalIn):
    ip = request.META.get("REMOTE_ADDR") or None
    if ratelimit.exhausted(ip):
        return Status(429, {"detail": _("Too many registrations from this address in the past "
                                        "hour; nothing was saved. Try again later.")})
    place = selectors.destination_place(payload.household)
    registration = services.arrival_register(
        name=payload.name, id_type=payload.id_type, id_number=payload.id_number,
        birth_date=payload.birth_date, sex=payload.sex, phone=payload.phone,
        origin_code=payload.origin, arrival_at=payload.arrival_at, transport=payload.transport,
        transport_number=payload.transport_number, household=place,
        test_taken_at=payload.test_taken_at, ip=ip)
    ratelimit.spend(ip)
    return Status(201, _out(registration))
