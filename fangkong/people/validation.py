"""Checks of a person's identifiers, with messages that name the field and the fault."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangkong.lib import idnumber, phone
from fangkong.people.models import IdType


def id_number_message(code: str, number: str) -> str:
    messages = {
        "legacy_15": _("15-digit ID numbers are no longer accepted: enter the 18-character "
                       "number."),
        "length": _("A resident ID number has 18 characters."),
        "format": _("A resident ID number is 17 digits followed by a digit or X."),
        "checksum": _("The check character does not match: check the number for a typo."),
        "birth_date": _("The birth date in the ID number is not a real date or lies in the "
                        "future."),
        "region": _("The region code %(code)s does not exist in GB/T 2260.") % {
            "code": number[:6]},
    }
    return messages[code]


@dataclass
class Identity:
    id_type: str
    id_number: str
    birth_date: datetime.date
    sex: str


def clean_identity(*, id_type: str, id_number: str, birth_date: datetime.date | None,
                   sex: str | None, today: datetime.date) -> Identity:
    """Normalise the ID; for mainland numbers derive birth date and sex and check given ones."""
    number = (id_number or "").strip().replace(" ", "").upper()
    if not number:
        raise ValidationError({"id_number": _("Enter the ID number.")}, code="required")
    if id_type != IdType.MAINLAND:
        errors = {}
        if birth_date is None:
            errors["birth_date"] = _("Enter the birth date.")
        elif birth_date > today:
            errors["birth_date"] = _("The birth date lies in the future.")
        if not sex:
            errors["sex"] = _("Choose the sex.")
        if errors:
            raise ValidationError(errors)
        return Identity(id_type, number, birth_date, sex)
    try:
        facts = idnumber.parse(number, today)
    except idnumber.IdNumberError as error:
        raise ValidationError({"id_number": id_number_message(error.code, number)},
                              code=error.code) from None
    errors = {}
    if birth_date and birth_date != facts.birth_date:
        errors["birth_date"] = _("The birth date does not match the ID number (%(date)s).") % {
            "date": facts.birth_date.isoformat()}
    if sex and sex != facts.sex:
        errors["sex"] = _("The sex does not match the ID number.")
    if errors:
        raise ValidationError(errors, code="mismatch")
    return Identity(id_type, facts.number, facts.birth_date, facts.sex)


def clean_phone(raw: str) -> str:
    if not (raw or "").strip():
        return ""
    try:
        return phone.normalise(raw)
    except phone.PhoneError:
        raise ValidationError({"phone": _("Enter an 11-digit mainland mobile number.")},
                              code="phone") from None
