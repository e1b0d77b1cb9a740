"""One data row → the values to import, or the reasons it is refused.

Identity and phone go through the same checks as the forms (`people.validation`), so a
number refused on the registration page is refused in a spreadsheet with the same words.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangkong.people.importing import columns as cols
from fangkong.people.importing.columns import ColumnMap
from fangkong.people.importing.report import Rejection
from fangkong.people.models import IdType, Person
from fangkong.people.validation import Identity, clean_identity, clean_phone
from fangkong.places.models import Place

NAME_MAX = Person._meta.get_field("name").max_length
PLACE_NAME_MAX = Place._meta.get_field("name").max_length
AREA_FIELDS = ("district", "subdistrict", "community")
HOME_FIELDS = ("compound", "building", "unit", "household")


@dataclass(slots=True)
class RowData:
    """A row that passed the checks; None in an optional field means "keep what is there"."""

    number: int
    name: str
    identity: Identity
    phone: str | None
    residency: str | None
    worker_role: str | None
    tags: tuple[str, ...] | None
    area: tuple[str, str, str]
    home: tuple[str, str, str, str]

    @property
    def key(self) -> tuple[str, str]:
        return self.identity.id_type, self.identity.id_number


class RowErrors:
    """Collects a row's faults, each under the header the file gives its column."""

    def __init__(self, number: int, columns: ColumnMap):
        self.number, self.columns, self.items = number, columns, []

    def add(self, field: str, message: str) -> None:
        self.items.append(Rejection(self.number, self.columns.header(field), str(message)))

    def add_validation(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add(field, message)


def unknown_choice(field: str, text: str) -> str:
    return _('Unknown value "%(value)s": use one of %(choices)s.') % {
        "value": text, "choices": ", ".join(cols.accepted_labels(field))}


def _choice(cells, columns, errors, field) -> str | None:
    text = columns.value(cells, field)
    if not text:
        return None
    value = cols.choice_value(field, text)
    if value is None:
        errors.add(field, unknown_choice(field, text))
    return value


def _tags(cells, columns, errors) -> tuple[str, ...] | None:
    text = columns.value(cells, "tags")
    if not text:
        return None
    tags = set()
    for label in cols.split_tags(text):
        value = cols.choice_value("tags", label)
        if value:
            tags.add(value)
        elif label.strip().casefold() not in cols.ignored_tags():
            errors.add("tags", unknown_choice("tags", label))
    return tuple(sorted(tags))


def _birth_date(cells, columns, errors) -> datetime.date | None:
    text = columns.value(cells, "birth_date")
    if not text:
        return None
    try:
        return cols.parse_date(text)
    except ValueError:
        errors.add("birth_date", _("Write the date as YYYY-MM-DD, for example 1985-03-12."))
        return None


def _identity(cells, columns, errors, today) -> Identity | None:
    id_type = _choice(cells, columns, errors, "id_type")
    if columns.value(cells, "id_type") and id_type is None:
        return None
    birth_date = _birth_date(cells, columns, errors)
    sex = _choice(cells, columns, errors, "sex")
    try:
        return clean_identity(id_type=id_type or IdType.MAINLAND,
                              id_number=columns.value(cells, "id_number"),
                              birth_date=birth_date, sex=sex, today=today)
    except ValidationError as error:
        errors.add_validation(error)
        return None


def _phone(cells, columns, errors) -> str | None:
    text = columns.value(cells, "phone")
    if not text:
        return None
    try:
        return clean_phone(text)
    except ValidationError as error:
        errors.add_validation(error)
        return None


def _name(cells, columns, errors) -> str:
    name = columns.value(cells, "name")
    if not name:
        errors.add("name", _("Enter the name."))
    elif len(name) > NAME_MAX:
        errors.add("name", _("At most %(max)s characters.") % {"max": NAME_MAX})
    return name


def _places(cells, columns, errors, fields) -> tuple[str, ...]:
    names = tuple(columns.value(cells, field) for field in fields)
    for field, name in zip(fields, names, strict=True):
        if not name and cols.column(field).required:
            errors.add(field, _("Fill in this column."))
        elif len(name) > PLACE_NAME_MAX:
            errors.add(field, _("At most %(max)s characters.") % {"max": PLACE_NAME_MAX})
    return names


def parse_row(number: int, cells: list[str], columns: ColumnMap,
              today: datetime.date) -> tuple[RowData | None, list[Rejection]]:
    errors = RowErrors(number, columns)
    name = _name(cells, columns, errors)
    identity = _identity(cells, columns, errors, today)
    row = RowData(
        number=number, name=name, identity=identity, phone=_phone(cells, columns, errors),
        residency=_choice(cells, columns, errors, "residency"),
        worker_role=_choice(cells, columns, errors, "worker_role"),
        tags=_tags(cells, columns, errors),
        area=_places(cells, columns, errors, AREA_FIELDS),
        home=_places(cells, columns, errors, HOME_FIELDS),
    )
    if errors.items:
        return None, errors.items
    return row, []
