"""API for residents (`/api/v1/me/...`): sign-in by phone and one-time code (public), then,
for the signed-in resident's session, their status, health checks and appeals — through the
same services and selectors as the pages.

The sign-in ends in a login session (cookie) and a fresh CSRF cookie; the other operations
take that session (with the CSRF header) and refuse anyone but a resident (403).
"""

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from fangkong.accounts.roles import Perm, Role, can
from fangkong.api.errors import INVALID, REFUSALS, ErrorOut
from fangkong.control.models import ControlOrder, Symptom
from fangkong.control.services import health_check_record
from fangkong.core.access import get_for_user
from fangkong.residents import selectors, services, session

router = Router(tags=["residents"])


class OtpRequestIn(Schema):
    phone: str = Field(max_length=32)


class OtpAnswerOut(Schema):
    detail: str


class OtpVerifyIn(Schema):
    phone: str = Field(max_length=32)
    code: str = Field(max_length=12)
    person: uuid.UUID | None = Field(None, description="who signs in, when a family shares "
                                                       "the number")


class OtpChooseIn(Schema):
    person: uuid.UUID


class OtpChoice(Schema):
    uuid: uuid.UUID
    name: str


class ResidentSignInOut(Schema):
    signed_in: bool
    name: str = ""
    choices: list[OtpChoice] = Field(default_factory=list, description="when several people "
                                  "use the number: choose one with /me/otp/choose")


class ResidentTestOut(Schema):
    day: datetime.date
    result: str
    result_label: str


class ResidentCheckOut(Schema):
    taken_at: datetime.datetime
    temperature: Decimal
    symptoms: list[str]
    by_self: bool


class ResidentAppealOut(Schema):
    uuid: uuid.UUID
    message: str
    created_at: datetime.datetime
    answer: str
    answered_at: datetime.datetime | None


class ResidentOrderOut(Schema):
    uuid: uuid.UUID
    kind: str
    kind_label: str
    status: str
    status_label: str
    colour: str
    in_force: bool
    basis: str
    basis_label: str
    reason: str = Field(description="the written reason of a manual decision")
    approved_by_role: str = Field(description="the approver's role, for a manual decision")
    starts_on: datetime.date
    ends_on: datetime.date = Field(description="the planned last day")
    profile: str
    rule: str
    tests: list[ResidentTestOut]
    checks_today: list[ResidentCheckOut]
    appeals: list[ResidentAppealOut]


class ResidentStatusOut(Schema):
    name: str
    day: datetime.date
    colour: str
    colour_label: str
    orders: list[ResidentOrderOut]
    past_orders: list[ResidentOrderOut]


class ResidentCheckIn(Schema):
    order: uuid.UUID
    temperature: Decimal = Field(max_digits=3, decimal_places=1)
    symptoms: list[str] = Field(default_factory=list,
                                description="any of: " + ", ".join(Symptom.values))


class ResidentAppealIn(Schema):
    order: uuid.UUID
    message: str = Field(max_length=services.MESSAGE_MAX_LENGTH)


def _signed_in(request, person) -> dict:
    user = services.resident_sign_in(person=person)
    session.log_in(request, user)
    return {"signed_in": True, "name": person.name}


@router.post("/me/otp/request", auth=None, response={202: OtpAnswerOut, 429: ErrorOut, **INVALID},
             operation_id="resident_otp_request",
             summary="Ask for a one-time code (the same answer whether or not the number is "
                     "on record)")
def otp_request(request, body: OtpRequestIn):
    try:
        services.otp_request(phone=body.phone, ip=request.META.get("REMOTE_ADDR"))
    except services.TooManyRequests as refusal:
        return Status(429, {"detail": str(refusal)})
    return Status(202, {"detail": str(services.CODE_SENT)})


@router.post("/me/otp/verify", auth=None, response={200: ResidentSignInOut, **INVALID},
             operation_id="resident_otp_verify",
             summary="Check the code; signs in (a session cookie), or lists the people who "
                     "share the number")
def otp_verify(request, body: OtpVerifyIn):
    verified = services.otp_verify(phone=body.phone, code=body.code)
    if body.person is not None:
        return _signed_in(request, services.person_choose(phone=verified.phone,
                                                          public_id=body.person))
    if len(verified.people) == 1:
        return _signed_in(request, verified.people[0])
    session.remember_verified(request, verified.phone)
    return {"signed_in": False, "choices": [{"uuid": p.uuid, "name": p.name}
                                            for p in verified.people]}


@router.post("/me/otp/choose", auth=None, response={200: ResidentSignInOut, **INVALID},
             operation_id="resident_otp_choose",
             summary="Sign in as one of the people who share a number just verified")
def otp_choose(request, body: OtpChooseIn):
    phone = session.verified_phone(request)
    if not phone:
        raise ValidationError({"person": _("Your code check has expired: ask for a new "
                                           "code.")})
    return _signed_in(request, services.person_choose(phone=phone, public_id=body.person))


def _resident(request):
    user = request.auth
    if getattr(user, "role", None) != Role.RESIDENT or not user.person_id or not can(
            user, Perm.VIEW_SELF):
        raise PermissionDenied
    return user


def _order_out(view) -> dict:
    order = view.order
    return {
        "uuid": order.uuid, "kind": order.kind, "kind_label": view.kind_label,
        "status": order.status, "status_label": view.status_label, "colour": view.colour,
        "in_force": view.in_force, "basis": order.basis, "basis_label": view.basis_label,
        "reason": view.manual_reason, "approved_by_role": view.approver_role,
        "starts_on": order.starts_on, "ends_on": order.ends_on,
        "profile": view.profile_name, "rule": order.rule,
        "tests": [{"day": t.day, "result": t.result, "result_label": t.result_label}
                  for t in view.tests],
        "checks_today": [{"taken_at": timezone.localtime(c.taken_at),
                          "temperature": c.temperature, "symptoms": c.symptoms,
                          "by_self": c.by_self} for c in view.checks_today],
        "appeals": [{"uuid": a.uuid, "message": a.message,
                     "created_at": timezone.localtime(a.created_at), "answer": a.answer,
                     "answered_at": timezone.localtime(a.answered_at) if a.answered_at
                     else None} for a in view.appeals],
    }


@router.get("/me/status", response={200: ResidentStatusOut, **REFUSALS},
            operation_id="resident_status",
            summary="The signed-in resident's code colour, orders, tests, checks and appeals")
def status(request):
    user = _resident(request)
    today = timezone.localdate()
    found = selectors.resident_status(user.person, today)
    return {"name": user.person.name, "day": today, "colour": found.colour,
            "colour_label": found.colour_label,
            "orders": [_order_out(v) for v in found.current],
            "past_orders": [_order_out(v) for v in found.past]}


@router.post("/me/checks", response={201: ResidentCheckOut, **REFUSALS, **INVALID},
             operation_id="resident_check_create",
             summary="Report a health check (now) on one of the resident's orders")
def check_create(request, body: ResidentCheckIn):
    user = _resident(request)
    order = get_for_user(user, ControlOrder.objects, body.order)
    check = health_check_record(acting_user=user, order=order, taken_at=timezone.now(),
                                temperature=body.temperature, symptoms=body.symptoms,
                                by_self=True)
    return Status(201, {"taken_at": timezone.localtime(check.taken_at),
                        "temperature": check.temperature, "symptoms": check.symptoms,
                        "by_self": check.by_self})


@router.post("/me/appeals", response={201: ResidentAppealOut, **REFUSALS, **INVALID},
             operation_id="resident_appeal_create",
             summary="Appeal one of the resident's orders; the community answers")
def appeal_create(request, body: ResidentAppealIn):
    user = _resident(request)
    order = get_for_user(user, ControlOrder.objects, body.order)
    appeal = services.appeal_submit(acting_user=user, order=order, message=body.message)
    return Status(201, {"uuid": appeal.uuid, "message": appeal.message,
                        "created_at": timezone.localtime(appeal.created_at), "answer": "",
                        "answered_at": None})
