"""Reads of people. Every list starts from `people_for_user`, which scopes to the actor."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from fangkong.lib import phone as phones
from fangkong.people.models import OVER_80_AGE, Person, PersonTag


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
