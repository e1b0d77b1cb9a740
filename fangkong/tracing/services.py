"""Writes of contact tracing. So far: recording venue check-ins.

A check-in comes three ways: a signed-in resident scanning the venue's code, anyone at the
venue typing their ID number and the phone the community has for them, and a venue's gate or
terminal uploading many at once. The same person at the same venue at the same minute is one
check-in, so a repeated scan or a retried upload changes nothing. A check-in is movement
data, not a change of anyone's status: a batch is audited as one event, a single scan not.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm, can
from fangkong.audit.services import audit_record
from fangkong.lib import phone as phones
from fangkong.people.models import IdType, Person
from fangkong.places.models import Venue
from fangkong.protocol.selectors import rule
from fangkong.tracing.models import CheckIn, Source

MAX_AGE = datetime.timedelta(days=14)   # older movements no longer matter for tracing
CLOCK_SLACK = datetime.timedelta(minutes=5)


def _field_error(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: ValidationError(message, code=code)})


def _minute(at: datetime.datetime) -> datetime.datetime:
    return at.replace(second=0, microsecond=0)


def _check_time(at: datetime.datetime, now: datetime.datetime) -> None:
    if timezone.is_naive(at):
        raise _field_error("checked_in_at", _("The time needs a time zone."), "naive")
    if at > now + CLOCK_SLACK:
        raise _field_error("checked_in_at", _("This time lies in the future."), "future")
    if at < now - MAX_AGE:
        raise _field_error("checked_in_at", _("A check-in older than 14 days is not taken."),
                           "old")


def _stay(at: datetime.datetime) -> datetime.timedelta:
    return datetime.timedelta(minutes=rule(timezone.localtime(at).date(),
                                           "checkin_stay_minutes"))


def _record(venue: Venue, person: Person, at: datetime.datetime, source: str,
            left_at: datetime.datetime | None = None) -> tuple[CheckIn, bool]:
    at = _minute(at)
    existing = CheckIn.objects.filter(venue=venue, person=person, checked_in_at=at).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return CheckIn.objects.create(venue=venue, person=person, checked_in_at=at,
                                          left_at=left_at or at + _stay(at),
                                          source=source), True
    except IntegrityError:  # the same scan, sent twice at once
        return CheckIn.objects.get(venue=venue, person=person, checked_in_at=at), False


def check_in_self(*, acting_user, venue: Venue, at: datetime.datetime | None = None):
    """A signed-in resident scans the venue's code. Returns (check-in, created)."""
    person_id = getattr(acting_user, "person_id", None)
    if not can(acting_user, Perm.VIEW_SELF) or person_id is None:
        raise PermissionError("only a signed-in resident checks themself in")
    now = timezone.now()
    at = at or now
    _check_time(at, now)
    return _record(venue, Person.objects.get(pk=person_id), at, Source.SCAN)


def find_by_id_and_phone(id_number: str, phone: str) -> Person:
    """The person with this ID number whose recorded phone is this phone; the same refusal
    whether the number is unknown or the phone differs, so the form reveals nobody."""
    number = (id_number or "").strip().replace(" ", "").upper()
    if not number:
        raise _field_error("id_number", _("Enter the ID number."), "required")
    try:
        wanted = phones.normalise(phone)
    except phones.PhoneError:
        raise _field_error("phone", _("Enter a valid mobile phone number."), "phone") from None
    person = (Person.objects.active().filter(id_type=IdType.MAINLAND, id_number=number)
              .first())
    if person is None or _phone(person) != wanted:
        raise ValidationError(_("No resident with this ID number and phone is registered: ask "
                                "the venue's staff or your community to register you."),
                              code="unknown")
    return person


def _phone(person: Person) -> str:
    try:
        return phones.normalise(person.phone)
    except phones.PhoneError:
        return ""


def check_in_by_id(*, venue: Venue, id_number: str, phone: str,
                   at: datetime.datetime | None = None):
    """Someone without an account checks in at the venue by ID number and phone."""
    now = timezone.now()
    at = at or now
    _check_time(at, now)
    return _record(venue, find_by_id_and_phone(id_number, phone), at, Source.FORM)


@dataclass
class Scan:
    venue_code: str
    id_number: str
    checked_in_at: datetime.datetime | None
    left_at: datetime.datetime | None = None


@dataclass
class ScanReport:
    accepted: int = 0
    unchanged: int = 0
    refused: list[dict] = field(default_factory=list)  # {"index", "field", "code", "message"}

    def refuse(self, index: int, name: str, code: str, message: str) -> None:
        self.refused.append({"index": index, "field": name, "code": code, "message": message})


def _write_scans(rows) -> int:
    """Write a batch's new check-ins in a few statements (those already recorded, and a
    scan repeated within the batch, are left out); returns how many were new."""
    if not rows:
        return 0
    stays: dict[datetime.date, datetime.timedelta] = {}
    fresh: dict[tuple, CheckIn] = {}
    for venue, person, scan in rows:
        at = _minute(scan.checked_in_at)
        day = timezone.localtime(at).date()
        if day not in stays:
            stays[day] = _stay(at)
        fresh.setdefault((venue.pk, person.pk, at), CheckIn(
            venue=venue, person=person, checked_in_at=at,
            left_at=scan.left_at or at + stays[day], source=Source.TERMINAL))
    times = [key[2] for key in fresh]
    recorded = set(CheckIn.objects.filter(
        venue_id__in={key[0] for key in fresh}, person_id__in={key[1] for key in fresh},
        checked_in_at__range=(min(times), max(times)))
        .values_list("venue_id", "person_id", "checked_in_at"))
    new = [c for key, c in fresh.items() if key not in recorded]
    CheckIn.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def check_in_batch(*, acting_user, scans: list[Scan]) -> ScanReport:
    """Check-ins from gates and terminals of venues in the user's area, one answer each:
    accepted, unchanged (already recorded: a retry) or refused with its reason."""
    if acting_user is not None and not can(acting_user, Perm.RECORD_CHECKINS):
        raise PermissionError(Perm.RECORD_CHECKINS)
    venues = Venue.objects.all() if acting_user is None else \
        Venue.objects.accessible_to(acting_user)
    venue_of = {v.code: v for v in venues.filter(code__in={s.venue_code for s in scans})}
    numbers = {(s.id_number or "").strip().upper() for s in scans}
    person_of = {p.id_number: p for p in Person.objects.active().filter(
        id_type=IdType.MAINLAND, id_number__in=numbers)}
    report, now, rows = ScanReport(), timezone.now(), []
    for index, scan in enumerate(scans):
        venue = venue_of.get(scan.venue_code)
        person = person_of.get((scan.id_number or "").strip().upper())
        try:
            if venue is None:
                raise _field_error("venue_code", _("Unknown venue code, or a venue outside "
                                                   "your area."), "venue")
            if person is None:
                raise _field_error("id_number", _("No resident with this ID number is "
                                                  "registered."), "unknown")
            if scan.checked_in_at is None:
                raise _field_error("checked_in_at", _("The time is missing."), "required")
            _check_time(scan.checked_in_at, now)
            if scan.left_at is not None and scan.left_at < scan.checked_in_at:
                raise _field_error("left_at", _("A stay ends after it begins."), "order")
        except ValidationError as error:
            (name, [problem]), = error.error_dict.items()
            report.refuse(index, name, problem.code, problem.messages[0])
            continue
        rows.append((venue, person, scan))
    report.accepted = _write_scans(rows)
    report.unchanged = len(rows) - report.accepted
    audit_record(actor=acting_user, action="tracing.checkin_batch", changes={
        "accepted": (None, report.accepted), "unchanged": (None, report.unchanged),
        "refused": (None, len(report.refused))})
    return report
