"""What the testing services share: permission and scope checks, errors, chunking."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db.models import F, Lookup, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import can
from fangkong.core.bulk import is_postgres
from fangkong.places.models import Place

BARCODE = re.compile(r"^[A-Za-z0-9-]{4,40}$")
CHUNK = 900  # ids per IN (...) list: under SQLite's variable limit
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


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _in_scope(acting_user, place: Place) -> bool:
    path = getattr(acting_user, "scope_path", None)
    return acting_user is None or bool(path and place.path.startswith(path))


def _check_barcode(barcode: str) -> str:
    barcode = (barcode or "").strip()
    if not BARCODE.match(barcode):
        raise _field_error("barcode", _("A barcode is 4 to 40 letters, digits or hyphens."),
                           "barcode")
    return barcode


class AnyOf(Lookup):
    """`field = ANY(%s)`: one array parameter however many values (PostgreSQL only)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def _in_filters(field_name: str, values: list) -> list:
    """Filters matching `field_name` against `values`: one `= ANY(array)` on PostgreSQL
    (an IN list of thousands costs more to build and parse than to run), IN lists of
    CHUNK values elsewhere."""
    if not values:
        return []
    if is_postgres():
        return [AnyOf(F(field_name), values)]
    return [Q(**{f"{field_name}__in": chunk}) for chunk in _chunks(values)]
