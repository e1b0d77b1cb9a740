"""API: control orders and a person's status (`/api/v1/control/orders`,
`/api/v1/people/{uuid}/status`), through the same selectors and services as the pages.

A resident's token reads only the resident's own status; every other answer is scoped to
the caller's area, and an order outside it answers 404 like a missing one.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fangkong.accounts.roles import Perm
from fangkong.api.common import AwareTime, LocalTime, PagingQuery, page_of
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.cases.models import Case
from fangkong.control import services
from fangkong.control.ledgers import communities_for_user, order_register
from fangkong.control.models import (
    Basis,
    Colour,
    ControlOrder,
    OrderEventKind,
    OrderKind,
    OrderStatus,
    Symptom,
)
from fangkong.control.selectors import colour_of, due_tests, status_of
from fangkong.core.access import get_for_user
from fangkong.people.models import Person
from fangkong.protocol.plans import BASES

router = Router(tags=["control"])

KindChoice = Literal[tuple(["", *OrderKind.values])]
StatusChoice = Literal[tuple(["", *OrderStatus.values])]
BasisChoice = Literal[tuple(["", *Basis.values])]
PlanChoice = Literal[tuple(["", *BASES])]
ResultChoice = Literal["negative", "positive", "missed"]


class NamedRef(Schema):
    uuid: uuid.UUID
    name: str


class CaseRef(Schema):
    uuid: uuid.UUID
    number: str


class OrderOut(Schema):
    uuid: uuid.UUID
    person: NamedRef
    kind: OrderKind
    colour: Colour
    status: OrderStatus
    basis: Basis
    plan_basis: str
    basis_case: CaseRef | None
    basis_ref: str
    reason: str
    profile: str = Field(description="Code of the protocol profile that gave the dates")
    rule: str
    starts_on: datetime.date
    ends_on: datetime.date = Field(description="The planned last day, inclusive")
    test_days: list[datetime.date]
    approved_by: str
    approved_at: LocalTime | None
    predecessor: uuid.UUID | None

    @staticmethod
    def resolve_colour(order):
        return colour_of(order)

    @staticmethod
    def resolve_profile(order):
        return order.profile.code if order.profile_id else ""

    @staticmethod
    def resolve_approved_by(order):
        return order.approved_by.username if order.approved_by_id else ""

    @staticmethod
    def resolve_predecessor(order):
        return order.predecessor.uuid if order.predecessor_id else None


class OrderPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrderOut]


class TestOut(Schema):
    day: datetime.date
    result: str = Field(description="'' not yet taken, negative, positive or missed")
    recorded_at: LocalTime | None


class CheckOut(Schema):
    taken_at: LocalTime
    temperature: Decimal
    symptoms: list[Symptom]
    by_self: bool


class OrderEventOut(Schema):
    kind: OrderEventKind
    at: LocalTime
    detail: dict
    reason: str
    actor: str

    @staticmethod
    def resolve_actor(event):
        return event.actor.username if event.actor else ""


class PhaseOut(Schema):
    kind: str
    days: int
    starts_on: datetime.date
    ends_on: datetime.date
    test_days: list[datetime.date]
    rule: str


class OrderDetail(OrderOut):
    follow_on: list[PhaseOut]
    tests: list[TestOut]
    checks: list[CheckOut]
    events: list[OrderEventOut]
    successors: list[uuid.UUID]

    @staticmethod
    def resolve_tests(order):
        return list(order.tests.all())

    @staticmethod
    def resolve_checks(order):
        return list(order.checks.all())

    @staticmethod
    def resolve_events(order):
        return list(order.events.select_related("actor"))

    @staticmethod
    def resolve_successors(order):
        return list(order.successors.values_list("uuid", flat=True))


class OrderFilters(Schema):
    kind: KindChoice = ""
    status: StatusChoice = ""
    basis: BasisChoice = ""
    community: uuid.UUID | None = Field(None, description="A community's uuid in your area")
    date: datetime.date | None = Field(None, description="Only orders in force on this day")
    q: str = Field("", description="Part of a name")


class OrderIn(Schema):
    person: uuid.UUID
    basis: Basis
    starts_on: datetime.date = Field(description="Day 1 of the order")
    plan_basis: PlanChoice = Field(
        "", description="A plan of the rules in force; it gives the kind, dates and tests")
    kind: KindChoice = Field("", description="Without a plan (pool, manual): the kind")
    ends_on: datetime.date | None = Field(None, description="Without a plan: the last day")
    test_days: list[datetime.date] = Field([], description="Without a plan: the test days")
    basis_case: str = Field("", description="Number of the case behind the order")
    basis_ref: str = Field("", description="Otherwise the pool, arrival, area or document")
    reason: str = Field("", description="Required for a manual order")


class NoteIn(Schema):
    reason: str = ""


class CancelIn(Schema):
    reason: str


class TestIn(Schema):
    day: datetime.date
    result: ResultChoice


class TestResultOut(Schema):
    day: datetime.date
    result: str
    order_status: OrderStatus
    case: CaseRef | None = Field(None, description="The case a positive result reported")


class CheckIn(Schema):
    taken_at: AwareTime
    temperature: Annotated[Decimal, Field(max_digits=3, decimal_places=1)]
    symptoms: list[Symptom] = []


class ReleaseOut(Schema):
    released: OrderOut
    next: OrderOut | None = Field(None, description="The plan's next phase, now in force")


class StatusOrderOut(Schema):
    uuid: uuid.UUID
    kind: OrderKind
    colour: Colour
    basis: Basis
    basis_case: str
    basis_ref: str
    since: datetime.date
    until: datetime.date
    rule: str
    due_tests: list[datetime.date]


class PersonStatusOut(Schema):
    person: NamedRef
    date: datetime.date
    colour: Colour
    colour_label: str
    orders: list[StatusOrderOut]


def _orders():
    return ControlOrder.objects.select_related(
        "person", "profile", "basis_case", "approved_by", "predecessor")


def _order(user, public_id) -> ControlOrder:
    return get_for_user(user, _orders(), public_id)


def _community(user, public_id):
    community = communities_for_user(user).filter(uuid=public_id).first()
    if community is None:
        raise ValidationError({"community": _("This community is unknown or outside your "
                                              "area.")})
    return community


@router.get("/control/orders", response={200: OrderPage, **REFUSALS, **INVALID},
            operation_id="control_orders_list",
            summary="Control orders in the caller's area, filtered")
def order_list(request, paging: PagingQuery, filters: Query[OrderFilters]):
    user = request.auth
    require(user, Perm.VIEW_CONTROL)
    orders = order_register(
        user, kind=filters.kind, status=filters.status, basis=filters.basis,
        community=_community(user, filters.community) if filters.community else None,
        day=filters.date, query=filters.q.strip()).select_related("approved_by", "predecessor")
    return page_of(orders, paging)


@router.get("/control/orders/{uuid:public_id}", response={200: OrderDetail, **REFUSALS},
            operation_id="control_orders_detail",
            summary="One order with its tests, health checks, timeline and next phases")
def order_detail(request, public_id: uuid.UUID):
    user = request.auth
    require(user, Perm.VIEW_CONTROL, Perm.APPROVE_CONTROL)
    return _order(user, public_id)


def _person(user, public_id):
    person = (Person.objects.active().accessible_to(user).filter(uuid=public_id)
              .select_related("household").first())
    if person is None:
        raise ValidationError({"person": _("Choose a person in your area.")})
    return person


def _case(user, number):
    if not number.strip():
        return None
    case = Case.objects.accessible_to(user).filter(number=number.strip()).first()
    if case is None:
        raise ValidationError({"basis_case": _("No case with this number in your area.")})
    return case


@router.post("/control/orders", response={201: OrderOut, **REFUSALS, **INVALID},
             operation_id="control_orders_create",
             summary="Place a person under control (a manual order awaits a second approver)")
def order_create(request, payload: OrderIn):
    user = request.auth
    require(user, Perm.MANAGE_CONTROL)
    fields = payload.model_dump(exclude={"person", "basis_case"})
    if payload.plan_basis:
        for name in ("kind", "ends_on", "test_days"):
            fields.pop(name)
    order = services.control_order_create(
        acting_user=user, person=_person(user, payload.person),
        basis_case=_case(user, payload.basis_case), **fields)
    return Status(201, _order(user, order.uuid))


@router.post("/control/orders/{uuid:public_id}/approve",
             response={200: OrderOut, **REFUSALS, **INVALID}, operation_id="control_orders_approve",
             summary="Approve a manual order (a second person from the health side)")
def order_approve(request, public_id: uuid.UUID, payload: NoteIn):
    user = request.auth
    require(user, Perm.APPROVE_CONTROL)
    order = services.control_order_approve(acting_user=user, order=_order(user, public_id),
                                           reason=payload.reason)
    return _order(user, order.uuid)


@router.post("/control/orders/{uuid:public_id}/release",
             response={200: ReleaseOut, **REFUSALS, **INVALID},
             operation_id="control_orders_release",
             summary="Release today; refused with the rule when early or the exit test is "
                     "not negative")
def order_release(request, public_id: uuid.UUID, payload: NoteIn):
    user = request.auth
    require(user, Perm.MANAGE_CONTROL)
    order = _order(user, public_id)
    follower = services.control_order_release(acting_user=user, order=order,
                                               reason=payload.reason)
    return {"released": _order(user, order.uuid),
            "next": _order(user, follower.uuid) if follower else None}


@router.post("/control/orders/{uuid:public_id}/cancel",
             response={200: OrderOut, **REFUSALS, **INVALID}, operation_id="control_orders_cancel",
             summary="Cancel an order given in error, with a reason")
def order_cancel(request, public_id: uuid.UUID, payload: CancelIn):
    user = request.auth
    require(user, Perm.MANAGE_CONTROL)
    order = services.control_order_cancel(acting_user=user, order=_order(user, public_id),
                                          reason=payload.reason)
    return _order(user, order.uuid)


@router.post("/control/orders/{uuid:public_id}/tests",
             response={200: TestResultOut, **REFUSALS, **INVALID},
             operation_id="control_orders_test",
             summary="Record the result of a scheduled test; a positive reports a case")
def order_test(request, public_id: uuid.UUID, payload: TestIn):
    user = request.auth
    require(user, Perm.MANAGE_CONTROL)
    order = _order(user, public_id)
    outcome = services.control_test_record(acting_user=user, order=order, day=payload.day,
                                           result=payload.result)
    order.refresh_from_db(fields=["status"])
    return {"day": payload.day, "result": payload.result, "order_status": order.status,
            "case": outcome if isinstance(outcome, Case) else None}


@router.post("/control/orders/{uuid:public_id}/checks",
             response={201: CheckOut, **REFUSALS, **INVALID},
             operation_id="control_orders_check",
             summary="Record a health check: temperature and symptoms")
def order_check(request, public_id: uuid.UUID, payload: CheckIn):
    user = request.auth
    require(user, Perm.MANAGE_CONTROL)
    check = services.health_check_record(
        acting_user=user, order=_order(user, public_id), taken_at=payload.taken_at,
        temperature=payload.temperature, symptoms=[str(s.value) for s in payload.symptoms])
    return Status(201, check)


def _status_order(order, day):
    return {"uuid": order.uuid, "kind": order.kind, "colour": colour_of(order),
            "basis": order.basis,
            "basis_case": order.basis_case.number if order.basis_case_id else "",
            "basis_ref": order.basis_ref, "since": order.starts_on, "until": order.ends_on,
            "rule": order.rule, "due_tests": [t.day for t in due_tests(order, day)]}


@router.get("/people/{uuid:public_id}/status",
            response={200: PersonStatusOut, **REFUSALS, **INVALID},
            operation_id="people_status",
            summary="A person's code colour on a day and the orders behind it (a resident: "
                    "only their own)")
def person_status(request, public_id: uuid.UUID, date: datetime.date | None = None):
    user = request.auth
    require(user, Perm.VIEW_CONTROL, Perm.VIEW_SELF)
    person = get_for_user(user, Person.objects.active(), public_id)
    day = date or timezone.localdate()
    status = status_of(person, day)
    return {"person": person, "date": day, "colour": status.colour,
            "colour_label": str(status.colour_label),
            "orders": [_status_order(o, day) for o in status.orders]}
