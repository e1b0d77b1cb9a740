"""Matching rows to registered people, and what would change for each.

A row is matched by (ID type, ID number). Optional cells left empty keep what is recorded,
so a partial sheet (say, names and addresses only) never wipes phones or tags.
"""

from dataclasses import dataclass, field

from django.db.models import F

from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.people.importing.places import Node
from fangkong.people.importing.rows import RowData
from fangkong.people.models import Person, PersonTag, Residency

LOOKUP_CHUNK = 500
OPTIONAL_FIELDS = ("phone", "residency", "worker_role")


@dataclass(slots=True)
class Existing:
    person: Person
    household_path: str
    household_name: str
    tags: set[str] = field(default_factory=set)


def load_existing(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Existing]:
    """Everyone already registered with these IDs, inside the importer's area or not: rows
    for people registered elsewhere must be refused (without naming them), not duplicated."""
    wanted = set(keys)
    numbers = sorted({number for _type, number in wanted})
    found = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        # The household's path and name as annotations, not a joined Place instance per
        # person: building those took half of a re-import's lookup time.
        people = (Person.objects.filter(id_number__in=numbers[start:start + LOOKUP_CHUNK])
                  .annotate(import_household_path=F("household__path"),
                            import_household_name=F("household__name")))
        for person in people:
            key = (person.id_type, person.id_number)
            if key in wanted:
                found[key] = Existing(person, person.import_household_path,
                                      person.import_household_name)
    _load_tags(found)
    return found


def _load_tags(found: dict) -> None:
    by_pk = {existing.person.pk: existing for existing in found.values()}
    pks = sorted(by_pk)
    for start in range(0, len(pks), LOOKUP_CHUNK):
        tags = PersonTag.objects.filter(person_id__in=pks[start:start + LOOKUP_CHUNK])
        for person_id, tag in tags.values_list("person_id", "tag"):
            by_pk[person_id].tags.add(tag)


def audited_values(person: Person, household_name: str, tags) -> dict:
    """The audit view of a person, as `people.services` records it: identifiers masked."""
    return {
        "name": person.name, "id_type": person.id_type,
        "id_number": mask_id_number(person.id_number), "sex": person.sex,
        "birth_date": person.birth_date, "phone": mask_phone(person.phone),
        "household": household_name, "residency": person.residency,
        "worker_role": person.worker_role, "tags": sorted(tags),
    }


def new_person(row: RowData, household: Node, acting_user, now) -> Person:
    identity = row.identity
    return Person(
        name=row.name, id_type=identity.id_type, id_number=identity.id_number,
        birth_date=identity.birth_date, sex=identity.sex, phone=row.phone or "",
        household_id=household.id, residency=row.residency or Residency.RESIDENT,
        worker_role=row.worker_role or "", created_by=acting_user, updated_by=acting_user,
        created_at=now, updated_at=now,
    )


def wanted_values(row: RowData, household: Node) -> dict:
    """The fields this row sets; optional ones only when the cell was filled."""
    values = {"name": row.name, "sex": row.identity.sex, "birth_date": row.identity.birth_date,
              "household": household}
    values.update({name: getattr(row, name) for name in OPTIONAL_FIELDS
                   if getattr(row, name) is not None})
    return values


def apply_row(existing: Existing, row: RowData, household: Node) -> tuple[list[str], dict]:
    """Set the row's values on the person; return the changed fields ("tags" among them when
    the tags change) and the masked old → new diff. The household id is set by the caller
    once a planned household has been written."""
    person = existing.person
    before = audited_values(person, existing.household_name, existing.tags)
    changed = []
    for name, value in wanted_values(row, household).items():
        if name == "household":
            if value.id is None or value.id != person.household_id:
                changed.append("household")
            continue
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    tags = set(row.tags) if row.tags is not None else existing.tags
    if tags != existing.tags:
        changed.append("tags")
    after = audited_values(person, household.name, tags)
    return changed, {k: [before[k], after[k]] for k in after if before[k] != after[k]}
