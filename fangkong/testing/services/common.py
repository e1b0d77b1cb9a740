"""What the testing services share: permission and scope checks, errors."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import can
from fangkong.places.models import Place

BARCODE = re.compile(r"^[A-Za-z0-9-]{4,40}$")
HOUSEHOLD_TUBE_SIZE = 10  # 1户1管: a household's swabs in one tube, up to this many
VILLAGE_GROUP_PEOPLE = 150  # a village's households are called down in groups of about this


def _require(acting_user, perm: str) -> None:
    if acting_user is not None and not can(acting_user, perm):
        raise PermissionError(perm)


def _field_error(field_name: str, message: str, code: str) -> ValidationError:
    return ValidationError({field_name: ValidationError(message, code=code)})


def _user(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


def _local_day(at: datetime.datetime) -> datetime.date:
    return timezone.localtime(at).date()


def _in_scope(acting_user, place: Place) -> bool:
    path = getattr(acting_user, "scope_path", None)
    return acting_user is None or bool(path and place.path.startswith(path))


def _check_barcode(barcode: str) -> str:
    barcode = (barcode or "").strip()
    if not BARCODE.match(barcode):
        raise _field_error("barcode", _("A barcode is 4 to 40 letters, digits or hyphens."),
                           "barcode")
    return barcode
