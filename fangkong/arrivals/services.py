"""Writes for arrivals: a traveller's registration (public, no user) and the list of risk
areas (the command centre).

`arrival_register` is the one path of the form and the API: it checks every field and
reports all faults at once, then in one transaction finds or creates the person, merges a
second registration of the same day into the first, decides the requirement from the rules
and the risk list in force on the arrival day, places a traveller from a high-risk area under
home isolation through the control service, and opens a work item for the destination
community. Its audit events carry no actor and the channel "public".
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm, can
from fangkong.arrivals import origins, selectors, wording
from fangkong.arrivals.models import (
    ArrivalRegistration,
    Requirement,
    RiskLevel,
    RiskRegion,
    Transport,
)
from fangkong.audit import context
from fangkong.audit.services import audit_record
from fangkong.control.models import Basis
from fangkong.control.services import control_order_create
from fangkong.inbox.models import ItemKind
from fangkong.inbox.services import work_item_open
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.people.models import IdType, Person, Residency
from fangkong.people.validation import Identity, clean_identity, clean_phone
from fangkong.places.models import Level, Place
from fangkong.protocol.selectors import ProfileMissing

PUBLIC = "public"
DAYS_BACK = 14  # a late registration is still useful to the community
DAYS_AHEAD = 30
NEEDS_NUMBER = (Transport.TRAIN, Transport.PLANE)


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@dataclass
class _Checked:
    name: str
    identity: Identity
    phone: str
    origin_code: str
    arrival_at: datetime.datetime
    day: datetime.date
    transport: str
    transport_number: str
    household: Place
    test_taken_at: datetime.datetime | None
    decision: selectors.Decision


class _Errors(dict):
    """Collects field errors so the traveller sees every fault in one answer."""

    def check(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationError as error:
            error.update_error_dict(self)
            return None


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise _error("name", _("Enter the name."), "required")
    if len(name) > 60:
        raise _error("name", _("Enter at most %(count)s characters.") % {"count": 60}, "length")
    return name


def _id_type(id_type: str) -> str:
    if id_type not in IdType.values:
        raise _error("id_type", _("Choose one of the listed values."), "choice")
    return id_type


def _phone(raw: str) -> str:
    if not (raw or "").strip():
        raise _error("phone", _("Enter the mobile phone number."), "required")
    return clean_phone(raw)


def _origin(code: str, year: int) -> str:
    code = (code or "").strip()
    if not origins.is_finest(code, year):
        raise _error("origin", _("Choose the province, city and county you are coming from."),
                     "origin")
    return code


def _arrival(arrival_at: datetime.datetime | None, now: datetime.datetime) -> datetime.date:
    if arrival_at is None:
        raise _error("arrival_at", _("Enter the arrival time."), "required")
    if timezone.is_naive(arrival_at):
        raise ValueError("arrival_at must be timezone-aware")
    day, today = timezone.localdate(arrival_at), timezone.localdate(now)
    if not (today - datetime.timedelta(days=DAYS_BACK) <= day
            <= today + datetime.timedelta(days=DAYS_AHEAD)):
        raise _error("arrival_at", _("Give an arrival between %(back)s days ago and %(ahead)s "
                                     "days from today.") % {"back": DAYS_BACK,
                                                            "ahead": DAYS_AHEAD}, "window")
    return day


def _transport(transport: str, number: str) -> str:
    if transport not in Transport.values:
        raise _error("transport", _("Choose one of the listed values."), "choice")
    number = (number or "").strip().upper()
    if transport in NEEDS_NUMBER and not number:
        raise _error("transport_number", _("Enter the train or flight number."), "required")
    if len(number) > 20:
        raise _error("transport_number", _("Enter at most %(count)s characters.")
                     % {"count": 20}, "length")
    return number


def _household(household: Place | None) -> Place:
    if household is None or household.level != Level.HOUSEHOLD:
        raise _error("household", _("Choose the household you are going to."), "household")
    return household


def _test_time(taken_at: datetime.datetime | None, now: datetime.datetime):
    if taken_at is not None and taken_at > now:
        raise _error("test_taken_at", _("This time lies in the future."), "future")
    return taken_at


def _decide(origin_code, day, household) -> selectors.Decision:
    try:
        return selectors.requirement_for(origin_code, day, selectors.city_of(household))
    except ProfileMissing:
        raise _error("arrival_at", _("No protocol profile is on record for %(day)s.")
                     % {"day": day.isoformat()}, "no_profile") from None


def arrival_check(*, name, id_type, id_number, birth_date, sex, phone, origin_code, arrival_at,
                  transport, transport_number, household, test_taken_at) -> _Checked:
    """Every fault of a registration at once (ValidationError by field), writing nothing.
    A form whose own parsing failed for some fields calls it to report the others too."""
    now = timezone.now()
    errors = _Errors()
    name = errors.check(_name, name)
    id_type = errors.check(_id_type, id_type)
    identity = errors.check(clean_identity, id_type=id_type, id_number=id_number,
                            birth_date=birth_date, sex=sex or None,
                            today=timezone.localdate(now)) if id_type else None
    phone = errors.check(_phone, phone)
    day = errors.check(_arrival, arrival_at, now)
    origin_code = errors.check(_origin, origin_code, (day or timezone.localdate(now)).year)
    transport_number = errors.check(_transport, transport, transport_number)
    household = errors.check(_household, household)
    test_taken_at = errors.check(_test_time, test_taken_at, now)
    decision = None
    if not errors:
        decision = errors.check(_decide, origin_code, day, household)
    if errors:
        raise ValidationError(errors)
    return _Checked(name, identity, phone, origin_code, arrival_at, day, transport,
                    transport_number, household, test_taken_at, decision)


# --- the person ---------------------------------------------------------------------------

def _on_record(identity: Identity) -> Person | None:
    person = Person.objects.filter(id_type=identity.id_type, id_number=identity.id_number).first()
    while person is not None and person.merged_into_id:
        person = person.merged_into
    return person


def _person(checked: _Checked) -> Person:
    """The person with this ID number, as they are on record (an arrival never moves anyone),
    or a new visitor living at the destination."""
    identity = checked.identity
    person = _on_record(identity)
    if person is not None:
        return person
    try:
        with transaction.atomic():
            person = Person.objects.create(
                name=checked.name, id_type=identity.id_type, id_number=identity.id_number,
                birth_date=identity.birth_date, sex=identity.sex, phone=checked.phone,
                household=checked.household, residency=Residency.VISITOR)
    except IntegrityError:  # created a moment ago by another request
        return _on_record(identity)
    audit_record(actor=None, action="person.create", target=person,
                 scope_place=checked.household, reason=_("Arrival registration"),
                 changes={"name": (None, person.name),
                          "id_number": (None, mask_id_number(person.id_number)),
                          "phone": (None, mask_phone(person.phone)),
                          "household": (None, checked.household.name),
                          "residency": (None, person.residency)})
    return person


# --- the registration ---------------------------------------------------------------------

def _fields(checked: _Checked, person: Person, ip) -> dict:
    return {"name": checked.name, "phone": checked.phone, "origin_code": checked.origin_code,
            "arrival_at": checked.arrival_at, "transport": checked.transport,
            "transport_number": checked.transport_number, "household": checked.household,
            "test_taken_at": checked.test_taken_at, "person": person, "ip": ip}


def _audited(registration: ArrivalRegistration) -> dict:
    return {"name": registration.name, "phone": mask_phone(registration.phone),
            "origin": registration.origin_code, "arrival_at": registration.arrival_at,
            "transport": registration.transport,
            "transport_number": registration.transport_number,
            "household": registration.household.name,
            "test_taken_at": registration.test_taken_at,
            "requirement": registration.requirement}


def _apply_decision(registration: ArrivalRegistration, decision: selectors.Decision) -> None:
    """Set the requirement, unless a control order already follows from this registration:
    a later registration of the day cannot lift isolation (the community can, with a reason)."""
    if registration.control_order_id:
        return
    registration.requirement = decision.requirement
    registration.phases = [phase.as_dict() for phase in decision.phases]
    registration.profile = decision.profile
    registration.local = decision.local


def _isolate(registration: ArrivalRegistration, decision: selectors.Decision) -> None:
    if registration.requirement != Requirement.HIGH_RISK_OUTFLOW or registration.control_order_id:
        return
    region = decision.region
    reason = _("Arrived from %(origin)s, listed as a high-risk area (%(source)s)") % {
        "origin": origins.full_name(registration.origin_code, registration.arrival_day.year),
        "source": region.source if region else ""}
    try:
        order = control_order_create(
            acting_user=None, person=registration.person, basis=Basis.ARRIVAL,
            starts_on=registration.arrival_day, plan_basis=Requirement.HIGH_RISK_OUTFLOW,
            basis_ref=f"arrival:{registration.uuid}", reason=reason,
            place=registration.household)
    except ValidationError as refusal:
        if "kind" not in getattr(refusal, "error_dict", {}):
            raise
        return  # already under an active order of this kind: the community sees the item
    registration.control_order = order
    registration.save(update_fields=["control_order", "updated_at"])


def _create(checked: _Checked, person: Person, ip) -> ArrivalRegistration:
    registration = ArrivalRegistration(
        id_type=checked.identity.id_type, id_number=checked.identity.id_number,
        arrival_day=checked.day, **_fields(checked, person, ip))
    _apply_decision(registration, checked.decision)
    with transaction.atomic():
        registration.save()
    audit_record(actor=None, action="arrival.register", target=registration,
                 scope_place=checked.household,
                 changes={k: (None, v) for k, v in _audited(registration).items()})
    return registration


def _merge(existing: ArrivalRegistration, checked: _Checked, person: Person,
           ip) -> ArrivalRegistration:
    before = _audited(existing)
    for key, value in _fields(checked, person, ip).items():
        setattr(existing, key, value)
    _apply_decision(existing, checked.decision)
    existing.updates += 1
    existing.save()
    after = _audited(existing)
    audit_record(actor=None, action="arrival.update", target=existing,
                 scope_place=checked.household,
                 changes={k: (before[k], v) for k, v in after.items() if before[k] != v},
                 reason=_("Registered again for the same arrival day"))
    return existing


def _same_day(checked: _Checked):
    return (ArrivalRegistration.objects.select_for_update()
            .filter(id_type=checked.identity.id_type, id_number=checked.identity.id_number,
                    arrival_day=checked.day).first())


def _work_item(registration: ArrivalRegistration) -> None:
    household = registration.household
    place = selectors.community_of(household) or household.parent or household
    title = wording.work_item_title(registration)
    item = work_item_open(kind=ItemKind.ARRIVAL, place=place, person=registration.person,
                          title=title, due_on=registration.arrival_day,
                          key=f"arrival:{registration.uuid}")
    changed = {"title": title, "place": place, "due_on": registration.arrival_day}
    if any(getattr(item, key) != value for key, value in changed.items()):
        for key, value in changed.items():
            setattr(item, key, value)
        item.save(update_fields=[*changed, "updated_at"])


@transaction.atomic
def arrival_register(*, name: str, id_number: str, phone: str, origin_code: str,
                     arrival_at: datetime.datetime | None, transport: str,
                     household: Place | None, id_type: str = IdType.MAINLAND,
                     birth_date: datetime.date | None = None, sex: str = "",
                     transport_number: str = "", test_taken_at: datetime.datetime | None = None,
                     ip: str | None = None) -> ArrivalRegistration:
    """Register an arrival from the public form or API (no user). Raises ValidationError
    with every faulty field; writes nothing then. A second registration for the same ID
    number and local arrival day updates the first (`updates` + 1) and returns it."""
    checked = arrival_check(name=name, id_type=id_type, id_number=id_number, birth_date=birth_date,
                            sex=sex, phone=phone, origin_code=origin_code,
                            arrival_at=arrival_at, transport=transport,
                            transport_number=transport_number, household=household,
                            test_taken_at=test_taken_at)
    origin = context.Origin(ip=ip or context.current().ip, via=PUBLIC)
    with context.bound(origin):
        person = _person(checked)
        existing = _same_day(checked)
        if existing is None:
            try:
                registration = _create(checked, person, origin.ip)
            except IntegrityError:  # the same traveller, a moment earlier, in another request
                registration = _merge(_same_day(checked), checked, person, origin.ip)
        else:
            registration = _merge(existing, checked, person, origin.ip)
        _isolate(registration, checked.decision)
        _work_item(registration)
    return registration


# --- the list of risk areas ---------------------------------------------------------------

def _require(acting_user) -> None:
    if acting_user is None or getattr(acting_user, "is_superuser", False):
        return
    if not can(acting_user, Perm.MANAGE_PROTOCOL):
        raise PermissionError(Perm.MANAGE_PROTOCOL)


def check_region(*, code: str, level: str, valid_from: datetime.date | None,
                 valid_to: datetime.date | None, source: str) -> None:
    """The faults of a new risk-list entry, field by field (the admin form uses it too)."""
    errors = {}
    code = (code or "").strip()
    year = valid_from.year if valid_from else None
    if origins.level_of(code) == origins.PROVINCE or not origins.name_of(code, year):
        errors["code"] = [_("Enter the six-digit code of a county or a city in force.")]
    if level not in RiskLevel.values:
        errors["level"] = [_("Choose one of the listed values.")]
    if valid_from is None:
        errors["valid_from"] = [_("Enter the first day it is listed.")]
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("The last day is before the first day.")]
    if not (source or "").strip():
        errors["source"] = [_("Name the notice that lists it.")]
    if not errors:
        clash = _overlapping(code, level, valid_from, valid_to)
        if clash is not None:
            errors["code"] = [_("%(name)s is already listed at this level from %(day)s.")
                              % {"name": clash.name, "day": clash.valid_from.isoformat()}]
    if errors:
        raise ValidationError(errors)


def check_end(region: RiskRegion, last_day: datetime.date | None) -> None:
    if last_day is None or last_day < region.valid_from:
        raise _error("valid_to", _("The last day is before the first day."), "dates")
    if region.valid_to is not None and region.valid_to <= last_day:
        raise _error("valid_to", _("This entry already ends on %(day)s.")
                     % {"day": region.valid_to.isoformat()}, "ended")


def _overlapping(code, level, valid_from, valid_to):
    regions = RiskRegion.objects.filter(code=code, level=level)
    regions = regions.filter(valid_to__isnull=True) | regions.filter(valid_to__gte=valid_from)
    if valid_to is not None:
        regions = regions.filter(valid_from__lte=valid_to)
    return regions.first()


@transaction.atomic
def risk_region_add(*, acting_user, code: str, level: str, valid_from: datetime.date,
                    source: str, valid_to: datetime.date | None = None) -> RiskRegion:
    """List a county or a city as a risk area from `valid_from` (to `valid_to`, if given)."""
    _require(acting_user)
    code = (code or "").strip()
    check_region(code=code, level=level, valid_from=valid_from, valid_to=valid_to,
                 source=source)
    region = RiskRegion.objects.create(
        code=code, name=origins.full_name(code, valid_from.year), level=level,
        valid_from=valid_from, valid_to=valid_to, source=source.strip(),
        created_by=acting_user if getattr(acting_user, "pk", None) else None)
    audit_record(actor=acting_user, action="risk_region.add", target=region,
                 changes={"code": (None, code), "level": (None, level),
                          "valid_from": (None, valid_from), "valid_to": (None, valid_to),
                          "source": (None, region.source)})
    return region


@transaction.atomic
def risk_region_end(*, acting_user, region: RiskRegion, last_day: datetime.date,
                    reason: str = "") -> RiskRegion:
    """Take an entry off the list after `last_day` (it stays on record for past days)."""
    _require(acting_user)
    region = RiskRegion.objects.select_for_update().get(pk=region.pk)
    check_end(region, last_day)
    old = region.valid_to
    region.valid_to = last_day
    region.updated_by = acting_user if getattr(acting_user, "pk", None) else None
    region.save(update_fields=["valid_to", "updated_by", "updated_at"])
    audit_record(actor=acting_user, action="risk_region.end", target=region,
                 changes={"valid_to": (old, last_day)}, reason=reason)
    return region
