"""Writes to people: one function per change, each audited in its own transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm, can
from fangkong.audit.services import audit_record
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.people.models import IdType, Person, PersonTag, Residency, SpecialTag, WorkerRole
from fangkong.people.validation import clean_identity, clean_phone
from fangkong.places.models import Level, Place

EDITABLE_FIELDS = ("name", "id_type", "id_number", "sex", "birth_date", "phone", "household",
                   "residency", "worker_role")


def local_today() -> datetime.date:
    return timezone.localdate()


def _require(acting_user, perm: str) -> None:
    if not can(acting_user, perm):
        raise PermissionError(perm)


def _check_household(acting_user, household: Place) -> None:
    path = acting_user.scope_path
    if not path or not household.path.startswith(path):
        raise ValidationError({"household": _("This place lies outside your area.")},
                              code="scope")
    if household.level != Level.HOUSEHOLD:
        raise ValidationError({"household": _("Choose a household, not a larger place.")},
                              code="level")


def _check_choices(values: dict) -> None:
    """Refuse values outside the enums, whichever way they arrived (page, API, import)."""
    allowed = {"residency": Residency.values, "worker_role": ["", *WorkerRole.values],
               "id_type": IdType.values}
    errors = {field: _("Choose one of the listed values.") for field, options in allowed.items()
              if field in values and values[field] not in options}
    unknown_tags = set(values.get("tags") or ()) - set(SpecialTag.values)
    if unknown_tags:
        errors["tags"] = _("Unknown special-population tag: %(tags)s") % {
            "tags": ", ".join(sorted(unknown_tags))}
    if errors:
        raise ValidationError(errors, code="choice")


def _check_version(person: Person, expected_version: str | None) -> None:
    """Two people editing one record: the later save is refused, not silently applied."""
    if expected_version and expected_version != person_version(person):
        raise ValidationError(
            _("Someone else changed this record while you were editing it. Reload the page "
              "to see their change, then make yours again."), code="stale")


def person_version(person: Person) -> str:
    return person.updated_at.isoformat()


def _check_unique(acting_user, id_type: str, id_number: str, exclude_pk=None) -> None:
    existing = Person.objects.filter(id_type=id_type, id_number=id_number).exclude(pk=exclude_pk)
    other = existing.first()
    if other is None:
        return
    if Person.objects.accessible_to(acting_user).filter(pk=other.pk).exists():
        message = _("This ID number is already registered to %(name)s.") % {"name": other.name}
    else:
        message = _("This ID number is already registered outside your area.")
    raise ValidationError({"id_number": message}, code="duplicate")


def _values(person: Person, tags: list[str]) -> dict:
    """The audited view of a person: identifiers masked, so the trail holds no raw PII."""
    values = {field: getattr(person, field) for field in EDITABLE_FIELDS}
    values["id_number"] = mask_id_number(person.id_number)
    values["phone"] = mask_phone(person.phone)
    values["household"] = person.household.name if person.household_id else None
    values["tags"] = sorted(tags)
    return values


def _set_tags(person: Person, tags) -> None:
    wanted = set(tags)
    current = set(person.tags.values_list("tag", flat=True))
    person.tags.filter(tag__in=current - wanted).delete()
    PersonTag.objects.bulk_create(
        [PersonTag(person=person, tag=tag) for tag in sorted(wanted - current)])


@transaction.atomic
def person_create(*, acting_user, name: str, id_number: str, household: Place,
                  id_type: str = "mainland", birth_date=None, sex: str = "", phone: str = "",
                  residency: str = "resident", worker_role: str = "", tags=(),
                  reason: str = "") -> Person:
    _require(acting_user, Perm.EDIT_PEOPLE)
    _check_choices({"id_type": id_type, "residency": residency, "worker_role": worker_role,
                    "tags": tags})
    identity = clean_identity(id_type=id_type, id_number=id_number, birth_date=birth_date,
                              sex=sex, today=local_today())
    phone = clean_phone(phone)
    if not (name or "").strip():
        raise ValidationError({"name": _("Enter the name.")}, code="required")
    _check_household(acting_user, household)
    _check_unique(acting_user, identity.id_type, identity.id_number)
    person = Person.objects.create(
        name=name.strip(), id_type=identity.id_type, id_number=identity.id_number,
        birth_date=identity.birth_date, sex=identity.sex, phone=phone, household=household,
        residency=residency, worker_role=worker_role, created_by=acting_user,
        updated_by=acting_user,
    )
    _set_tags(person, tags)
    audit_record(actor=acting_user, action="person.create", target=person, scope_place=household,
                 changes={k: [None, v] for k, v in _values(person, list(tags)).items() if v},
                 reason=reason)
    return person


@transaction.atomic
def person_update(*, acting_user, person: Person, reason: str = "",
                  expected_version: str | None = None, **changes) -> Person:
    """Change some fields of a person; `changes` may include `tags`. Records old → new.

    `expected_version` (from `person_version` when the form was shown) refuses a save over
    someone else's concurrent change."""
    _require(acting_user, Perm.EDIT_PEOPLE)
    _check_choices(changes)
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_version(person, expected_version)
    old_tags = sorted(person.tags.values_list("tag", flat=True))
    before = _values(person, old_tags)
    tags = changes.pop("tags", None)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {field: changes.get(field, getattr(person, field)) for field in EDITABLE_FIELDS}
    keep_given = merged["id_type"] != "mainland"
    identity = clean_identity(
        id_type=merged["id_type"], id_number=merged["id_number"],
        birth_date=merged["birth_date"] if keep_given or "birth_date" in changes else None,
        sex=merged["sex"] if keep_given or "sex" in changes else None, today=local_today())
    merged.update(id_number=identity.id_number, birth_date=identity.birth_date,
                  sex=identity.sex, phone=clean_phone(merged["phone"]))
    if not (merged["name"] or "").strip():
        raise ValidationError({"name": _("Enter the name.")}, code="required")
    if merged["household"].pk != person.household_id:
        _check_household(acting_user, merged["household"])
    _check_unique(acting_user, identity.id_type, identity.id_number, exclude_pk=person.pk)
    changed = [f for f in EDITABLE_FIELDS if merged[f] != getattr(person, f)]
    for field in changed:
        setattr(person, field, merged[field])
    if changed:
        person.updated_by = acting_user
        person.save(update_fields=[*changed, "updated_by", "updated_at"])
    if tags is not None:
        _set_tags(person, tags)
    after = _values(person, sorted(tags) if tags is not None else old_tags)
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if diff:
        audit_record(actor=acting_user, action="person.update", target=person,
                     scope_place=person.household, changes=diff, reason=reason)
    return person


@transaction.atomic
def person_reveal(*, acting_user, person: Person, field: str) -> str:
    """Return an unmasked identifier and record that this user saw it."""
    _require(acting_user, Perm.REVEAL_PII)
    if field not in ("id_number", "phone"):
        raise ValueError(field)
    audit_record(actor=acting_user, action="person.reveal", target=person,
                 scope_place=person.household, changes={}, reason=field)
    return getattr(person, field)


def _relink(survivor: Person, duplicate: Person) -> dict[str, int]:
    """Point everything that refers to the duplicate at the survivor instead."""
    moved = {}
    survivor_tags = set(survivor.tags.values_list("tag", flat=True))
    duplicate.tags.filter(tag__in=survivor_tags).delete()
    # include_hidden: relations without a reverse accessor (related_name="+", check-ins
    # among them) point at the person as much as the others do
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.is_relation) \
                or relation.remote_field.name == "merged_into" or relation.many_to_many:
            continue
        model, field = relation.related_model, relation.field.name
        count = model._default_manager.filter(**{field: duplicate}).update(**{field: survivor})
        if count:
            moved[f"{model._meta.label_lower}.{field}"] = count
    return moved


@transaction.atomic
def person_merge(*, acting_user, survivor: Person, duplicate: Person, reason: str) -> Person:
    """Merge two records of one person: the duplicate is kept, marked as merged."""
    _require(acting_user, Perm.MERGE_PEOPLE)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the merge.")}, code="required")
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged into itself."), code="same")
    if duplicate.merged_into_id or survivor.merged_into_id:
        raise ValidationError(_("One of these records has already been merged."), code="merged")
    moved = _relink(survivor, duplicate)
    Person.objects.filter(pk=duplicate.pk).update(merged_into=survivor, updated_by=acting_user,
                                                  updated_at=timezone.now())
    audit_record(actor=acting_user, action="person.merge", target=survivor,
                 scope_place=survivor.household,
                 changes={"merged_from": [None, str(duplicate.uuid)], **{
                     k: [0, v] for k, v in moved.items()}}, reason=reason)
    audit_record(actor=acting_user, action="person.merged_into", target=duplicate,
                 scope_place=duplicate.household,
                 changes={"merged_into": [None, str(survivor.uuid)]}, reason=reason)
    return survivor


def people_export_rows(*, acting_user, people, description: str = ""):
    """Masked rows for an export of the given (already scoped) people; audited."""
    _require(acting_user, Perm.EXPORT_PEOPLE)
    rows = [
        [p.name, p.get_id_type_display(), mask_id_number(p.id_number), p.get_sex_display(),
         p.birth_date.isoformat(), mask_phone(p.phone), p.household.name,
         p.get_residency_display()]
        for p in people.select_related("household")
    ]
    with transaction.atomic():
        audit_record(actor=acting_user, action="people.export", target=None,
                     scope_place=acting_user.scope, changes={"rows": [None, len(rows)]},
                     reason=description)
    return rows
