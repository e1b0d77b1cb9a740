"""Writes to protocol profiles: a new version of the rules, and changes to one not yet in force.

Rules already in force are never rewritten: past decisions (who was isolated, until when) were
taken under them and must stay explainable by them. So a new version takes effect today at
the earliest, and only a version whose day has not come may still be changed. Both writes
check the values (`validation.validate_values`) and are audited with old → new values.
"""

import datetime
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm, can
from fangkong.audit.services import audit_record
from fangkong.protocol.models import ProtocolProfile
from fangkong.protocol.validation import validate_values

EDITABLE = ("name", "valid_from", "source_doc", "values")
CODE_LENGTH = ProtocolProfile._meta.get_field("code").max_length
NAME_LENGTH = ProtocolProfile._meta.get_field("name").max_length
SOURCE_LENGTH = ProtocolProfile._meta.get_field("source_doc").max_length


def _require(acting_user, perm: str) -> None:
    if not can(acting_user, perm):
        raise PermissionError(perm)


IN_FORCE, FUTURE, SUPERSEDED = "in_force", "future", "superseded"


def statuses(profiles, today: datetime.date) -> dict[int, str]:
    """Each profile's standing on `today`: the one in force (per disease), a future one (still
    editable) or a superseded one."""
    in_force = {}
    for profile in sorted(profiles, key=lambda p: p.valid_from):
        if profile.valid_from <= today:
            in_force[profile.disease] = profile.pk
    return {p.pk: IN_FORCE if in_force.get(p.disease) == p.pk
            else FUTURE if p.valid_from > today else SUPERSEDED for p in profiles}


def profile_version(profile: ProtocolProfile) -> str:
    return profile.updated_at.isoformat()


def edit_refusal(profile: ProtocolProfile, today: datetime.date | None = None) -> str:
    """Why this profile may not be changed any more, or "" while it may."""
    today = today or timezone.localdate()
    if profile.valid_from > today:
        return ""
    return _("This profile has been in force since %(day)s. Decisions were taken under it, so "
             "it is not rewritten: create a new version that takes effect from today or later."
             ) % {"day": profile.valid_from.isoformat()}


def _dumped(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _check_text(errors: dict, field: str, value: str, limit: int, required: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = _("Keep it to %(limit)s characters.") % {"limit": limit}
    return value


def _check_fields(errors: dict, *, disease: str, name: str, valid_from, source_doc: str,
                  values, exclude_pk=None) -> dict:
    """The cleaned fields, or a ValidationError naming each bad one (with `errors` found
    before)."""
    today = timezone.localdate()
    name = _check_text(errors, "name", name, NAME_LENGTH, _("Give the profile a name."))
    source_doc = _check_text(errors, "source_doc", source_doc, SOURCE_LENGTH,
                             _("Name the document these rules come from."))
    if not isinstance(valid_from, datetime.date):
        errors["valid_from"] = _("Give the day these rules take effect.")
    elif valid_from < today:
        errors["valid_from"] = _(
            "Rules already in force are not rewritten, since past decisions were taken under "
            "them: choose today (%(today)s) or a later day.") % {"today": today.isoformat()}
    else:
        other = (ProtocolProfile.objects.filter(disease=disease, valid_from=valid_from)
                 .exclude(pk=exclude_pk).first())
        if other is not None:
            errors["valid_from"] = _("Another profile already takes effect on %(day)s: "
                                     "%(name)s.") % {"day": valid_from.isoformat(),
                                                     "name": other.name}
    problems = validate_values(values)
    if problems:
        errors["values"] = problems
    if errors:
        raise ValidationError(errors, code="invalid")
    return {"name": name, "valid_from": valid_from, "source_doc": source_doc, "values": values}


def _check_code(errors: dict, code: str) -> str:
    code = (code or "").strip()
    if not code or slugify(code) != code or len(code) > CODE_LENGTH:
        errors["code"] = _("Use lower-case letters, digits and hyphens, at most %(limit)s "
                           "characters.") % {"limit": CODE_LENGTH}
    elif ProtocolProfile.objects.filter(code=code).exists():
        errors["code"] = _("A profile with this code exists.")
    return code


def _saved(save):
    """Run a save; a clash with a concurrent save of the same day or code is a field error."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise ValidationError({"valid_from": _(
            "Another profile was saved for this day or with this code at the same time; "
            "reload and check.")}, code="duplicate") from None


@transaction.atomic
def profile_create(*, acting_user, based_on: ProtocolProfile | None, code: str, name: str,
                   valid_from: datetime.date, source_doc: str, values: dict,
                   disease: str | None = None) -> ProtocolProfile:
    """A new version of the rules; `based_on` (the profile it was copied from) gives the
    disease and is recorded in the audit trail."""
    _require(acting_user, Perm.MANAGE_PROTOCOL)
    disease = based_on.disease if based_on is not None else (disease or "covid-19")
    errors: dict = {}
    code = _check_code(errors, code)
    fields = _check_fields(errors, disease=disease, name=name, valid_from=valid_from,
                           source_doc=source_doc, values=values)
    profile = _saved(lambda: ProtocolProfile.objects.create(
        code=code, disease=disease, created_by=acting_user, updated_by=acting_user, **fields))
    changes = {"code": (None, code), "based_on": (None, based_on.code if based_on else None),
               "name": (None, fields["name"]), "valid_from": (None, valid_from),
               "source_doc": (None, fields["source_doc"])}
    changes.update(_values_diff(based_on.values if based_on else {}, values))
    audit_record(actor=acting_user, action="protocol.create", target=profile, changes=changes)
    return profile


@transaction.atomic
def profile_update(*, acting_user, profile: ProtocolProfile,
                   expected_version: str | None = None, reason: str = "",
                   **changes) -> ProtocolProfile:
    """Change a profile not yet in force (`changes` among name, valid_from, source_doc,
    values). A profile in force is refused with the reason; `expected_version` (from
    `profile_version` when the form was shown) refuses a save over a concurrent change."""
    _require(acting_user, Perm.MANAGE_PROTOCOL)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    profile = ProtocolProfile.objects.select_for_update().get(pk=profile.pk)
    refusal = edit_refusal(profile)
    if refusal:
        raise ValidationError(refusal, code="in_force")
    if expected_version and expected_version != profile_version(profile):
        raise ValidationError(_(
            "Someone else changed this profile while you were editing it. Reload the page to "
            "see their change, then make yours again."), code="stale")
    merged = {field: changes.get(field, getattr(profile, field)) for field in EDITABLE}
    fields = _check_fields({}, disease=profile.disease, exclude_pk=profile.pk, **merged)
    before = {field: getattr(profile, field) for field in EDITABLE}
    changed = [field for field in EDITABLE if fields[field] != before[field]]
    if not changed:
        return profile
    for field in changed:
        setattr(profile, field, fields[field])
    profile.updated_by = acting_user
    _saved(lambda: profile.save(update_fields=[*changed, "updated_by", "updated_at"]))
    audit_record(actor=acting_user, action="protocol.update", target=profile,
                 changes=_diff(before, fields), reason=reason)
    return profile


def _diff(before: dict, after: dict) -> dict:
    diff = {field: (before[field], after[field]) for field in ("name", "valid_from",
                                                               "source_doc")
            if before[field] != after[field]}
    diff.update(_values_diff(before["values"] or {}, after["values"]))
    return diff


def _values_diff(old: dict, new: dict) -> dict:
    """Old → new of each top-level value that differs, as JSON text (readable in the trail)."""
    return {f"values.{key}": (_dumped(old[key]) if key in old else None,
                              _dumped(new[key]) if key in new else None)
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}
