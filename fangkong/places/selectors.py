"""Reads of the place tree, always scoped to the acting user."""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Substr

from fangkong.places.models import PATH_STEP, Level, Place


def ancestors(place: Place, *, within: Place | None = None) -> list[Place]:
    """The chain from the top (or from `within`) down to the place's parent."""
    paths = place.ancestor_paths()
    if within is not None:
        paths = [p for p in paths if p.startswith(within.path)]
    return list(Place.objects.filter(path__in=paths).order_by("path"))


def breadcrumbs(user, place: Place) -> list[Place]:
    """Ancestors the user may open, then the place itself."""
    scope = getattr(user, "scope", None)
    return [*ancestors(place, within=scope), place]


@dataclass
class ChildSummary:
    place: Place
    residents: int = 0
    households: int = 0
    special: int = 0


def _counts_by_child(queryset, path_field: str, child_path_length: int) -> dict[str, int]:
    rows = (
        queryset.annotate(child_path=Substr(path_field, 1, child_path_length))
        .values("child_path")
        .annotate(n=Count("pk"))
    )
    return {row["child_path"]: row["n"] for row in rows}


def children_with_counts(place: Place, *, today) -> list[ChildSummary]:
    """Each child of the place with its residents, households and special-population counts.

    Three grouped queries for the whole list, whatever the number of children.
    """
    from fangkong.people.selectors import active_people, special_population

    length = len(place.path) + PATH_STEP
    children = list(place.children.order_by("path"))
    under = {"household__path__startswith": place.path}
    residents = _counts_by_child(active_people().filter(**under), "household__path", length)
    special = _counts_by_child(special_population(active_people().filter(**under), today),
                               "household__path", length)
    households = _counts_by_child(
        Place.objects.filter(path__startswith=place.path, level=Level.HOUSEHOLD), "path", length)
    return [
        ChildSummary(place=child, residents=residents.get(child.path, 0),
                     households=households.get(child.path, 0), special=special.get(child.path, 0))
        for child in children
    ]


def place_totals(place: Place, *, today) -> ChildSummary:
    from fangkong.people.selectors import active_people, special_population

    people = active_people().filter(household__path__startswith=place.path)
    return ChildSummary(
        place=place,
        residents=people.count(),
        households=Place.objects.filter(path__startswith=place.path, level=Level.HOUSEHOLD).count(),
        special=special_population(people, today).count(),
    )


def place_labels(places, *, below: Place | None) -> dict[int, str]:
    """Readable addresses ("开发区小区 1号楼 1单元 101") for many places in one query:
    the names of each place's ancestors below `below` (exclusive), then its own name."""
    places = list(places)
    floor = len(below.path) if below is not None else 0
    wanted = {p.path[:end] for p in places
              for end in range(floor + PATH_STEP, len(p.path), PATH_STEP)}
    names = dict(Place.objects.filter(path__in=wanted).values_list("path", "name"))
    labels = {}
    for place in places:
        parts = [names.get(place.path[:end], "")
                 for end in range(floor + PATH_STEP, len(place.path), PATH_STEP)]
        labels[place.pk] = " ".join([*filter(None, parts), place.name])
    return labels


HOUSEHOLD_CHOICE_LIMIT = 2000


def household_choices(user, under: Place) -> list[tuple[str, str]] | None:
    """(uuid, address) of the households under a place in the user's area; None when there
    are too many to choose from in one list (the user should narrow down to a building)."""
    households = (Place.objects.accessible_to(user)
                  .filter(path__startswith=under.path, level=Level.HOUSEHOLD).order_by("path"))
    chosen = list(households[:HOUSEHOLD_CHOICE_LIMIT + 1])
    if len(chosen) > HOUSEHOLD_CHOICE_LIMIT:
        return None
    labels = place_labels(chosen, below=under)
    return [(str(h.uuid), labels[h.pk]) for h in chosen]
