"""Reads of people. Every list starts from `people_for_user`, which scopes to the actor."""

import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.audit.selectors import history_of
from fangkong.core.bulk import in_filters
from fangkong.lib import phone as phones
from fangkong.people.models import OVER_80_AGE, IdType, Person, PersonTag, SpecialTag


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def active_people() -> QuerySet:
    return Person.objects.active()


def people_for_user(user) -> QuerySet:
    return Person.objects.active().accessible_to(user)


def special_population(people: QuerySet, today: datetime.date) -> QuerySet:
    """People with a recorded special-population tag, or aged 80 or over today."""
    tagged = Exists(PersonTag.objects.filter(person=OuterRef("pk")))
    return people.filter(tagged | Q(birth_date__lte=years_before(today, OVER_80_AGE)))


def search_people(user, query: str) -> QuerySet:
    """Search by name, full ID number or phone within the user's scope."""
    people = people_for_user(user)
    query = (query or "").strip()
    if not query:
        return people.order_by("household__path", "name")
    compact = query.replace(" ", "").upper()
    conditions = Q(name__contains=query) | Q(id_number=compact)
    try:
        conditions |= Q(phone=phones.normalise(query))
    except phones.PhoneError:
        pass
    return people.filter(conditions).order_by("household__path", "name")


def household_members(user, person: Person) -> QuerySet:
    return (people_for_user(user).filter(household_id=person.household_id)
            .exclude(pk=person.pk).order_by("birth_date"))


def tags_of(person: Person) -> list[str]:
    return sorted(person.tags.values_list("tag", flat=True))


def is_over_80(person: Person, today: datetime.date) -> bool:
    return person.birth_date <= years_before(today, OVER_80_AGE)


def _field_display(field_name: str, value):
    """A translated label and a readable value for one audited field of a person."""
    if field_name == "tags":
        return _("special population"), "、".join(
            str(SpecialTag(t).label) for t in value or []) if value else value
    try:
        field = Person._meta.get_field(field_name)
    except FieldDoesNotExist:
        return field_name, value
    if field.choices and value is not None:
        value = dict(field.flatchoices).get(value, value)
    return field.verbose_name, value


def history_rows(person: Person) -> list[dict]:
    """The person's audit trail with each change as (label, old, new) for display."""
    rows = []
    for event in history_of(person):
        changes = []
        for name, (old, new) in event.changes.items():
            label, old_display = _field_display(name, old)
            _label, new_display = _field_display(name, new)
            changes.append((label, old_display, new_display))
        rows.append({"event": event, "changes": changes})
    return rows


def find_by_id_number(user, id_number: str) -> Person | None:
    """A person in the user's area with exactly this ID number (any ID type)."""
    number = (id_number or "").strip().replace(" ", "").upper()
    return people_for_user(user).filter(id_number=number).first() if number else None


def ids_by_number(numbers: list[str]) -> dict[str, tuple[int, int]]:
    """{ID number: (person id, household id)} of the registered, unmerged mainland ID
    numbers, as ids, in one array on PostgreSQL. For the batch paths of gates and sampling
    terminals, which match thousands of scanned numbers city-wide (a person is checked in
    or sampled wherever they are); they show no more of the person than the id."""
    found = {}
    for where in in_filters("id_number", numbers):
        found.update((number, (pk, household)) for number, pk, household in
                     Person.objects.active().filter(where, id_type=IdType.MAINLAND)
                     .values_list("id_number", "id", "household_id"))
    return found
