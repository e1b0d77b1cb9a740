"""Residents' self-service: sign-in with a phone and a one-time code, and appeals.

Sign-in: `otp_request` makes a code and sends it, `otp_verify` checks it, `person_choose`
picks one person of a family that shares the number, and `resident_sign_in` finds or makes
that person's account and audits the sign-in (the view then logs the account in).
No answer tells whether a number is on record: a number with no one behind it gets a code
too, which is never sent, so every later answer (wrong code, expired, too many tries) is the
same as for a known number.
"""

import datetime
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm, Role, can
from fangkong.accounts.services import user_create
from fangkong.audit.services import audit_record
from fangkong.control.models import Appeal, ControlOrder
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.services import work_item_close, work_item_open
from fangkong.people.models import Person
from fangkong.people.validation import clean_phone
from fangkong.places.models import Level, Place
from fangkong.residents.models import OneTimeCode
from fangkong.residents.selectors import people_with_phone

logger = logging.getLogger("fangkong.otp")

OTP_DIGITS = 6
OTP_LIFETIME = datetime.timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 5
PHONE_LIMIT = (1, 60)  # codes per phone, per seconds
IP_LIMIT = (10, 3600)  # codes asked for from one address, per seconds
MESSAGE_MAX_LENGTH = 2000
APPEAL_ANSWER_DAYS = 1

# The one answer to every accepted request, whether or not the number is on record.
CODE_SENT = gettext_lazy("If this number belongs to someone on record, a code has been sent "
                         "to it. It is valid for 5 minutes.")


class TooManyRequests(Exception):
    """A rate limit refused a request; the message says what to do."""


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# --- one-time codes -------------------------------------------------------------------------

def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _within_limit(key: str, limit: tuple[int, int]) -> bool:
    """Count one more request in a fixed window kept in the cache."""
    count, seconds = limit
    cache.add(key, 0, seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # the window ran out between add and incr
        cache.set(key, 1, seconds)
        used = 1
    return used <= count


def _clean(phone: str) -> str:
    cleaned = clean_phone(phone)
    if not cleaned:
        raise _field_error("phone", _("Enter your mobile number."), "required")
    return cleaned


def otp_send(phone: str, code: str) -> None:
    """Deliver a code. This deployment has no SMS gateway: the code goes to the console
    (an SMS sender would replace this one function)."""
    logger.warning("One-time code for %s: %s", phone, code)
    if settings.DEBUG:
        print(f"One-time code for {phone}: {code}")  # noqa: T201 - the demo's "SMS"


def otp_request(*, phone: str, ip: str | None) -> str:
    """Make a code for the number and send it if anyone on record uses the number.
    Returns the normalised number; refuses a bad number (ValidationError) or a request over
    the limits (TooManyRequests)."""
    phone = _clean(phone)
    if ip and not _within_limit(f"fangkong:otp:ip:{ip}", IP_LIMIT):
        raise TooManyRequests(_("Too many codes were asked for from this network: try again "
                                "in an hour."))
    if not _within_limit(f"fangkong:otp:phone:{phone}", PHONE_LIMIT):
        raise TooManyRequests(_("A code was sent to this number less than a minute ago: wait "
                                "a minute before asking for another."))
    code = f"{secrets.randbelow(10 ** OTP_DIGITS):0{OTP_DIGITS}d}"
    salt = secrets.token_hex(16)
    now = timezone.now()
    OneTimeCode.objects.create(phone=phone, salt=salt, code_hash=_hash(salt, code),
                               created_at=now, expires_at=now + OTP_LIFETIME, ip=ip or None)
    if people_with_phone(phone).exists():
        otp_send(phone, code)
    return phone


@dataclass
class Verified:
    phone: str
    people: list[Person]


def _refusal(otp: OneTimeCode | None, code: str, now: datetime.datetime) -> ValidationError | None:
    """Why `code` does not open `otp`, or None; each try is counted, right or wrong."""
    if otp is None or otp.used_at is not None or otp.expires_at <= now:
        return _field_error("code", _("This code has expired or was already used: ask for a "
                                      "new one."), "expired")
    counted = OneTimeCode.objects.filter(pk=otp.pk, attempts__lt=OTP_MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1)
    if not counted:
        return _field_error("code", _("Too many wrong codes: ask for a new one."), "attempts")
    if not hmac.compare_digest(otp.code_hash, _hash(otp.salt, code)):
        left = OTP_MAX_ATTEMPTS - otp.attempts - 1
        if left <= 0:
            return _field_error("code", _("Too many wrong codes: ask for a new one."),
                                "attempts")
        return _field_error("code", _("Wrong code. Tries left: %(left)s")
                            % {"left": left}, "wrong")
    if not OneTimeCode.objects.filter(pk=otp.pk, used_at__isnull=True).update(used_at=now):
        return _field_error("code", _("This code has expired or was already used: ask for a "
                                      "new one."), "expired")
    return None


def otp_verify(*, phone: str, code: str) -> Verified:
    """Check a code against the latest one made for the number: five tries, five minutes,
    once. Not atomic on purpose: a wrong try must stay counted when the refusal is raised.
    Returns the people who use the number (one, or a family to choose from)."""
    phone = _clean(phone)
    code = (code or "").strip()
    if not (len(code) == OTP_DIGITS and code.isdigit()):
        raise _field_error("code", _("Enter the 6-digit code."), "format")
    latest = OneTimeCode.objects.filter(phone=phone).order_by("-created_at", "-id").first()
    refusal = _refusal(latest, code, timezone.now())
    if refusal is not None:
        raise refusal
    people = list(people_with_phone(phone))
    if not people:  # a never-sent code guessed right: answer as for any spent code
        raise _field_error("code", _("This code has expired or was already used: ask for a "
                                     "new one."), "expired")
    return Verified(phone, people)


def person_choose(*, phone: str, public_id) -> Person:
    """One of the people who use a verified number; anyone else is refused."""
    chosen = next((p for p in people_with_phone(phone) if str(p.uuid) == str(public_id)), None)
    if chosen is None:
        raise _field_error("person", _("Choose one of the people listed."), "choice")
    return chosen


def _account(person: Person) -> User:
    accounts = list(User.objects.filter(person=person, role=Role.RESIDENT).order_by("id"))
    active = [account for account in accounts if account.is_active]
    if active:
        return active[0]
    if accounts:
        raise _field_error("person", _("This account is disabled: ask your community."),
                           "disabled")
    return user_create(acting_user=None, username=f"resident-{person.uuid.hex[:12]}",
                       password=None, role=Role.RESIDENT, person=person,
                       display_name=person.name)


@transaction.atomic
def resident_sign_in(*, person: Person) -> User:
    """The person's resident account (made at the first sign-in, with no usable password),
    with the sign-in audited. The caller logs it in."""
    user = _account(person)
    audit_record(actor=user, action="resident.sign_in", target=person,
                 scope_place=person.household, changes={"via": (None, "otp")})
    return user


# --- appeals --------------------------------------------------------------------------------

def _community_of(place: Place) -> Place:
    """The community (社区 / 村) a household lies in, which answers for its people."""
    community = Place.objects.filter(path__in=place.ancestor_paths(),
                                     level=Level.COMMUNITY).first()
    return community or place


def _text(field: str, value: str, required: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _field_error(field, required, "required")
    if len(value) > MESSAGE_MAX_LENGTH:
        raise _field_error(field, _("Keep it under %(limit)s characters.")
                           % {"limit": MESSAGE_MAX_LENGTH}, "length")
    return value


@transaction.atomic
def appeal_submit(*, acting_user, order: ControlOrder, message: str) -> Appeal:
    """A resident's appeal of their own order: it opens a work item for their community."""
    if getattr(acting_user, "role", None) != Role.RESIDENT:
        raise PermissionError("only the person may appeal their order")
    order = (ControlOrder.objects.accessible_to(acting_user).select_for_update(of=("self",))
             .select_related("person", "place").filter(pk=order.pk).first())
    if order is None:
        raise PermissionError("order outside scope")
    message = _text("message", message, _("Write what you want your community to know."))
    if order.appeals.filter(answered_at__isnull=True).exists():
        raise _field_error("message", _("Your earlier appeal of this order still awaits an "
                                        "answer."), "open_appeal")
    appeal = Appeal.objects.create(order=order, message=message, created_by=acting_user,
                                   updated_by=acting_user)
    work_item_open(kind=ItemKind.APPEAL, place=_community_of(order.place), person=order.person,
                   title=_("Appeal from %(name)s: %(kind)s") % {
                       "name": order.person.name, "kind": order.get_kind_display()},
                   due_on=timezone.localdate() + datetime.timedelta(days=APPEAL_ANSWER_DAYS),
                   key=f"appeal:{appeal.uuid}")
    audit_record(actor=acting_user, action="resident.appeal", target=order.person,
                 scope_place=order.place, changes={"appeal": (None, str(appeal.uuid))})
    return appeal


@transaction.atomic
def appeal_answer(*, acting_user, appeal: Appeal, answer: str) -> Appeal:
    """The community's answer, which the person sees on their page; closes the work item."""
    if not can(acting_user, Perm.MANAGE_CONTROL):
        raise PermissionError(Perm.MANAGE_CONTROL)
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    order = ControlOrder.objects.accessible_to(acting_user).select_related(
        "person", "place").filter(pk=appeal.order_id).first()
    if order is None:
        raise PermissionError("appeal outside scope")
    if appeal.answered_at is not None:
        raise _field_error("answer", _("This appeal has already been answered."), "answered")
    appeal.answer = _text("answer", answer, _("Write the answer."))
    appeal.answered_at = timezone.now()
    appeal.answered_by = acting_user
    appeal.updated_by = acting_user
    appeal.save(update_fields=["answer", "answered_at", "answered_by", "updated_by",
                               "updated_at"])
    item = WorkItem.objects.accessible_to(acting_user).open().filter(
        kind=ItemKind.APPEAL, key=f"appeal:{appeal.uuid}").first()
    if item is not None:
        work_item_close(acting_user=acting_user, item=item, outcome=appeal.answer)
    audit_record(actor=acting_user, action="resident.appeal_answer", target=order.person,
                 scope_place=order.place, changes={"appeal": (str(appeal.uuid), "answered")})
    return appeal
