"""Writes to control orders: one function per change, each audited with who, when and why.

No function here leaves a person under active control without a basis: plan-based orders
name their source (a case or a reference), manual ones need a written reason and become
active only when a second person with the health side's right approves them. The database
repeats these rules as constraints.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm, can
from fangkong.audit.models import AuditEvent
from fangkong.audit.services import audit_record, build_event
from fangkong.control.models import (
    Basis,
    ControlOrder,
    HealthCheck,
    OrderEvent,
    OrderEventKind,
    OrderKind,
    OrderStatus,
    Result,
    ScheduledTest,
    Symptom,
)
from fangkong.control.selectors import release_refusal
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.services import work_item_open
from fangkong.lib.localday import day_bounds
from fangkong.people.models import Person
from fangkong.protocol.plans import PlannedPhase
from fangkong.protocol.selectors import profile_on
from fangkong.protocol.validation import PlanRefused, plan_for

TESTING = "testing"  # a plan phase of tests only (3天3检): no control order


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require(acting_user, perm: str) -> None:
    if acting_user is not None and not can(acting_user, perm):
        raise PermissionError(perm)


def _user(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


def _check_person(acting_user, person: Person) -> None:
    if acting_user is not None and not Person.objects.accessible_to(acting_user).filter(
            pk=person.pk).exists():
        raise PermissionError("person outside scope")


def _event(order, kind, acting_user, *, reason="", detail=None, at=None) -> None:
    OrderEvent.objects.create(order=order, kind=kind, at=at or timezone.now(),
                              actor=_user(acting_user), reason=reason, detail=detail or {})


def _audit(acting_user, action: str, order: ControlOrder, *, changes=None, reason="") -> None:
    audit_record(actor=acting_user, action=action, target=order.person, scope_place=order.place,
                 changes=changes, reason=reason)


def _schedule_tests(order: ControlOrder) -> None:
    ScheduledTest.objects.bulk_create(
        [ScheduledTest(order=order, day=datetime.date.fromisoformat(day))
         for day in order.test_days])


def _phase_fields(phase: PlannedPhase) -> dict:
    return {"kind": phase.kind, "starts_on": phase.starts_on, "ends_on": phase.ends_on,
            "test_days": [d.isoformat() for d in phase.test_days], "rule": phase.rule}


def _planned(plan_basis: str, starts_on: datetime.date) -> tuple[dict, list[dict]]:
    try:
        phases = plan_for(plan_basis, starts_on)
    except PlanRefused as refusal:
        raise _field_error("plan_basis", str(refusal), "no_plan") from None
    if phases[0].kind == TESTING:
        raise _field_error("plan_basis", _("This plan asks for tests only, not for control."),
                           "testing_only")
    return _phase_fields(phases[0]), [p.as_dict() for p in phases[1:]]


def _check_basis(basis, basis_case, basis_ref, reason) -> None:
    if basis not in Basis.values:
        raise _field_error("basis", _("Choose one of the listed values."), "choice")
    if basis == Basis.MANUAL and not reason.strip():
        raise _field_error("reason", _("A manual order needs a written reason."), "reason")
    if basis != Basis.MANUAL and basis_case is None and not basis_ref.strip():
        raise _field_error("basis_ref", _("Name the case, pool, arrival or area behind this "
                                          "order."), "basis_missing")


def _check_no_active(person, kind) -> None:
    if ControlOrder.objects.filter(person=person, kind=kind,
                                   status=OrderStatus.ACTIVE).exists():
        raise _field_error("kind", _("This person is already under an active order of this "
                                     "kind."), "duplicate")


@transaction.atomic
def control_order_create(*, acting_user, person: Person, basis: str, starts_on: datetime.date,
                         plan_basis: str = "", kind: str = "",
                         ends_on: datetime.date | None = None, test_days=(),
                         basis_case=None, basis_ref: str = "", reason: str = "",
                         place=None, predecessor: ControlOrder | None = None,
                         by_rule: bool = False) -> ControlOrder:
    """Place a person under control. With `plan_basis` the profile in force on `starts_on`
    gives the kind, dates and tests; otherwise (pool, manual) `kind` and `ends_on` do.
    A manual order waits for a second approver (`control_order_approve`). `place`: the
    household where the person is held, when it is not their registered one (an arrival
    staying elsewhere). `by_rule`: the order follows from a rule applied by another service
    (a tracer confirming a close contact who lives in another district), so the user need
    not see the person's area; who acted is still recorded."""
    if not by_rule:
        _require(acting_user, Perm.MANAGE_CONTROL)
        _check_person(acting_user, person)
    _check_basis(basis, basis_case, basis_ref, reason)
    if plan_basis:
        fields, follow_on = _planned(plan_basis, starts_on)
    else:
        if kind not in OrderKind.values or ends_on is None or ends_on < starts_on:
            raise _field_error("ends_on", _("Give the kind and a last day on or after the "
                                            "first."), "dates")
        if any(not starts_on <= d <= ends_on for d in test_days):
            raise _field_error("test_days", _("Test days lie within the order's days."),
                               "test_days")
        fields = {"kind": kind, "starts_on": starts_on, "ends_on": ends_on,
                  "test_days": sorted({d.isoformat() for d in test_days}), "rule": ""}
        follow_on = []
    status = OrderStatus.PENDING if basis == Basis.MANUAL else OrderStatus.ACTIVE
    if status == OrderStatus.ACTIVE:
        _check_no_active(person, fields["kind"])
    order = ControlOrder.objects.create(
        person=person, place=place or person.household, status=status, basis=basis,
        plan_basis=plan_basis, basis_case=basis_case, basis_ref=basis_ref.strip(),
        reason=reason.strip(), profile=profile_on(starts_on) if plan_basis else None,
        follow_on=follow_on,
        predecessor=predecessor, created_by=_user(acting_user), **fields)
    _schedule_tests(order)
    _event(order, OrderEventKind.CREATED, acting_user, reason=order.reason,
           detail={"basis": basis, "plan": plan_basis, "status": status})
    _audit(acting_user, "control.create", order, reason=order.reason,
           changes={"status": (None, status), "kind": (None, order.kind),
                    "basis": (None, basis)})
    if status == OrderStatus.PENDING:
        work_item_open(kind=ItemKind.APPROVAL, place=order.place, person=person,
                       title=_("Approve the manual order for %(name)s") % {"name": person.name},
                       due_on=timezone.localdate(), key=f"approval:{order.uuid}")
    return order


def _close_items(acting_user, key: str, outcome: str) -> None:
    """The order's change settles the work it had opened (approval, release due)."""
    WorkItem.objects.open().filter(key=key).update(done_at=timezone.now(),
                                                   done_by=_user(acting_user), outcome=outcome)


def _locked(order: ControlOrder, acting_user) -> ControlOrder:
    locked = ControlOrder.objects.select_for_update(of=("self",)).select_related(
        "person", "place").get(pk=order.pk)
    if acting_user is not None and not ControlOrder.objects.accessible_to(acting_user).filter(
            pk=order.pk).exists():
        raise PermissionError("order outside scope")
    return locked


def _require_status(order: ControlOrder, *statuses) -> None:
    if order.status not in statuses:
        raise ValidationError(_("This order is %(status)s.")
                              % {"status": OrderStatus(order.status).label}, code="status")


@transaction.atomic
def control_order_approve(*, acting_user, order: ControlOrder, reason: str = "") -> ControlOrder:
    """The second person's approval that makes a manual order active."""
    _require(acting_user, Perm.APPROVE_CONTROL)
    order = _locked(order, acting_user)
    _require_status(order, OrderStatus.PENDING)
    if acting_user is None or acting_user.pk == order.created_by_id:
        raise ValidationError(_("A manual order needs a second person to approve it."),
                              code="same_person")
    _check_no_active(order.person, order.kind)
    order.status = OrderStatus.ACTIVE
    order.approved_by = acting_user
    order.approved_at = timezone.now()
    order.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _close_items(acting_user, f"approval:{order.uuid}", _("Approved"))
    _event(order, OrderEventKind.APPROVED, acting_user, reason=reason)
    _audit(acting_user, "control.approve", order, reason=reason,
           changes={"status": (OrderStatus.PENDING, OrderStatus.ACTIVE)})
    return order


def _chain(acting_user, order: ControlOrder) -> ControlOrder | None:
    """Start the next phase of the plan the day after this one ends."""
    if not order.follow_on:
        return None
    phase, rest = order.follow_on[0], order.follow_on[1:]
    _check_no_active(order.person, phase["kind"])
    follower = ControlOrder.objects.create(
        person=order.person, place=order.place, status=OrderStatus.ACTIVE, basis=order.basis,
        plan_basis=order.plan_basis, basis_case=order.basis_case, basis_ref=order.basis_ref,
        reason=order.reason, approved_by=order.approved_by, approved_at=order.approved_at,
        profile=order.profile, rule=phase["rule"], kind=phase["kind"],
        starts_on=datetime.date.fromisoformat(phase["starts_on"]),
        ends_on=datetime.date.fromisoformat(phase["ends_on"]), test_days=phase["test_days"],
        follow_on=rest, predecessor=order, created_by=_user(acting_user))
    _schedule_tests(follower)
    _event(follower, OrderEventKind.CREATED, acting_user, detail={"after": str(order.uuid)})
    _audit(acting_user, "control.create", follower, changes={
        "status": (None, OrderStatus.ACTIVE), "kind": (order.kind, follower.kind)})
    return follower


def _ended_at(day: datetime.date | None) -> datetime.datetime:
    """When an order ends: now, or, for a day already past (a late entry), the last second
    of that day, so the ledgers of the days after it no longer hold the person."""
    if day is None or day >= timezone.localdate():
        return timezone.now()
    return day_bounds(day, settings.TIME_ZONE)[1] - datetime.timedelta(seconds=1)


def _end(acting_user, order, status, reason, action, day=None) -> None:
    old = order.status
    order.status = status
    order.ended_at = _ended_at(day)
    order.end_reason = reason
    order.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
    _event(order, {OrderStatus.RELEASED: OrderEventKind.RELEASED,
                   OrderStatus.ESCALATED: OrderEventKind.ESCALATED,
                   OrderStatus.CANCELLED: OrderEventKind.CANCELLED}[status],
           acting_user, reason=reason)
    _audit(acting_user, action, order, reason=reason, changes={"status": (old, status)})


@transaction.atomic
def control_order_release(*, acting_user, order: ControlOrder, day: datetime.date | None = None,
                          reason: str = "") -> ControlOrder | None:
    """Release at the planned end once the exit test is negative; an early release is
    refused with the rule that blocks it. Returns the next phase's order, if the plan has one."""
    _require(acting_user, Perm.MANAGE_CONTROL)
    order = _locked(order, acting_user)
    _require_status(order, OrderStatus.ACTIVE)
    refusal = release_refusal(order, day or timezone.localdate())
    if refusal:
        raise ValidationError(refusal, code="early")
    # a release without a note still says why: the rule's conditions, as checked just now
    reason = reason.strip() or _("By the rule: the planned last day %(end)s is reached and "
                                 "no test is outstanding.") % {"end": order.ends_on.isoformat()}
    _end(acting_user, order, OrderStatus.RELEASED, reason, "control.release", day)
    _close_items(acting_user, f"release_due:{order.uuid}", _("Released"))
    return _chain(acting_user, order)


@transaction.atomic
def control_order_cancel(*, acting_user, order: ControlOrder, reason: str) -> ControlOrder:
    """An order given in error: ended with a written reason, no successor."""
    _require(acting_user, Perm.MANAGE_CONTROL)
    order = _locked(order, acting_user)
    _require_status(order, OrderStatus.PENDING, OrderStatus.ACTIVE)
    if not reason.strip():
        raise _field_error("reason", _("Say why the order is cancelled."), "reason")
    _end(acting_user, order, OrderStatus.CANCELLED, reason.strip(), "control.cancel")
    _close_items(acting_user, f"approval:{order.uuid}", _("Cancelled"))
    _close_items(acting_user, f"release_due:{order.uuid}", _("Cancelled"))
    return order


def _escalate(acting_user, order: ControlOrder, day: datetime.date, route: str = ""):
    """A positive test: the order ends as escalated and the person is reported as a case,
    found under control (unless `route` says otherwise), through the cases service."""
    from fangkong.cases.models import Classification, Route
    from fangkong.cases.selectors import outbreak_on
    from fangkong.cases.services import case_report

    outbreak = outbreak_on(day)
    if outbreak is None:
        raise ValidationError(_("No outbreak is on record for %(day)s: record one before "
                                "reporting the case.") % {"day": day.isoformat()},
                              code="no_outbreak")
    route = route or (Route.CENTRALISED_ISOLATION
                      if order.kind == OrderKind.CENTRALISED_ISOLATION else Route.HOME_CONTROL)
    _end(acting_user, order, OrderStatus.ESCALATED, _("Positive test on %(day)s")
         % {"day": day.isoformat()}, "control.escalate", day)
    return case_report(acting_user=acting_user, person=order.person, outbreak=outbreak,
                       classification=Classification.ASYMPTOMATIC, route=route,
                       reported_at=timezone.now(), sample_date=day, by_rule=True)


@transaction.atomic
def control_test_record(*, acting_user, order: ControlOrder, day: datetime.date, result: str):
    """The result of a scheduled test; a positive escalates the order to a case."""
    _require(acting_user, Perm.MANAGE_CONTROL)
    order = _locked(order, acting_user)
    _require_status(order, OrderStatus.ACTIVE)
    if result not in (Result.NEGATIVE, Result.POSITIVE, Result.MISSED):
        raise _field_error("result", _("Choose one of the listed values."), "choice")
    if day > timezone.localdate():
        raise _field_error("day", _("This day has not come yet."), "future")
    test = order.tests.filter(day=day).first()
    if test is None:
        raise _field_error("day", _("No test is scheduled for this order on that day."),
                           "not_scheduled")
    old = test.result
    test.result, test.recorded_at, test.recorded_by = result, timezone.now(), _user(acting_user)
    test.save(update_fields=["result", "recorded_at", "recorded_by"])
    _event(order, OrderEventKind.TEST, acting_user, detail={"day": day.isoformat(),
                                                            "result": result, "was": old})
    _audit(acting_user, "control.test", order, changes={f"test {day.isoformat()}": (old, result)})
    if result == Result.POSITIVE:
        return _escalate(acting_user, order, day)
    return test


FEVER_FROM = Decimal("37.3")


@transaction.atomic
def health_check_record(*, acting_user, order: ControlOrder, taken_at: datetime.datetime,
                        temperature: Decimal, symptoms=(), by_self: bool = False) -> HealthCheck:
    """A temperature and symptoms, from a community worker or (`by_self`) the person."""
    if by_self:
        if getattr(acting_user, "person_id", None) != order.person_id:
            raise PermissionError("only the person may report their own health check")
    else:
        _require(acting_user, Perm.MANAGE_CONTROL)
    order = _locked(order, acting_user)
    _require_status(order, OrderStatus.ACTIVE)
    if not Decimal("34.0") <= Decimal(temperature) <= Decimal("43.0"):
        raise _field_error("temperature", _("A body temperature lies between 34 and 43 °C."),
                           "temperature")
    unknown = set(symptoms) - set(Symptom.values)
    if unknown:
        raise _field_error("symptoms", _("Unknown symptom: %(names)s")
                           % {"names": ", ".join(sorted(unknown))}, "choice")
    if taken_at > timezone.now():
        raise _field_error("taken_at", _("This time lies in the future."), "future")
    return HealthCheck.objects.create(order=order, taken_at=taken_at, temperature=temperature,
                                      symptoms=sorted(set(symptoms)), by_self=by_self,
                                      recorded_by=_user(acting_user))


@transaction.atomic
def temporary_control_bulk(*, acting_user, people: list[Person], basis_ref: str,
                           starts_on: datetime.date, ends_on: datetime.date,
                           reason: str) -> dict[int, ControlOrder]:
    """临时管控 of many people at once on a positive pool (basis: the tube, `basis_ref`), in a
    few statements. People already under temporary control keep their order, which is
    returned for them. Returns {person id: order}."""
    if not basis_ref.strip() or not reason.strip() or ends_on < starts_on:
        raise _field_error("basis_ref", _("Name the pool behind this order."), "basis_missing")
    kind = OrderKind.TEMPORARY_CONTROL
    held = {o.person_id: o for o in ControlOrder.objects.filter(
        person__in=people, kind=kind, status=OrderStatus.ACTIVE)}
    actor = _user(acting_user)
    new = [ControlOrder(person=p, place=p.household, kind=kind, status=OrderStatus.ACTIVE,
                        basis=Basis.POOL, basis_ref=basis_ref, reason=reason,
                        starts_on=starts_on, ends_on=ends_on, created_by=actor)
           for p in people if p.pk not in held]
    ControlOrder.objects.bulk_create(new)
    if new and new[0].pk is None:  # a backend that does not return keys
        new = list(ControlOrder.objects.filter(basis_ref=basis_ref, kind=kind,
                                               status=OrderStatus.ACTIVE,
                                               person__in=[o.person for o in new]))
    now = timezone.now()
    OrderEvent.objects.bulk_create([
        OrderEvent(order=o, kind=OrderEventKind.CREATED, at=now, actor=actor, reason=reason,
                   detail={"basis": Basis.POOL, "pool": basis_ref}) for o in new])
    AuditEvent.objects.bulk_create([
        build_event(actor=acting_user, action="control.create", target=o.person,
                    scope_place=o.place, reason=reason,
                    changes={"status": (None, OrderStatus.ACTIVE), "kind": (None, kind),
                             "basis": (None, Basis.POOL)}) for o in new])
    return {**held, **{o.person_id: o for o in new}}


@transaction.atomic
def control_order_lift(*, acting_user, order: ControlOrder, reason: str) -> ControlOrder:
    """End a temporary control once what it waited for is known (a negative single retest):
    it has no planned end to wait for. Called by the rule that follows a laboratory's result,
    so the scope checked is the result's, not the order's."""
    order = _locked(order, None)
    _require_status(order, OrderStatus.ACTIVE)
    if order.kind != OrderKind.TEMPORARY_CONTROL:
        raise ValidationError(_("Only a temporary control is lifted by a negative retest."),
                              code="kind")
    if not reason.strip():
        raise _field_error("reason", _("Say why the control is lifted."), "reason")
    _end(acting_user, order, OrderStatus.RELEASED, reason.strip(), "control.lift")
    return order


@transaction.atomic
def control_order_escalate(*, acting_user, order: ControlOrder, day: datetime.date,
                           route: str):
    """A positive test of a person under this order outside its scheduled tests (a single
    retest of a positive pool): the order ends and a case is reported, found by `route`.
    Called by the rule that follows a laboratory's result, like `control_order_lift`."""
    order = _locked(order, None)
    _require_status(order, OrderStatus.ACTIVE)
    return _escalate(acting_user, order, day, route=route)
