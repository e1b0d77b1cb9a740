"""Writes to the place tree and venues."""

import secrets

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fangkong.audit.services import audit_record
from fangkong.places.models import LEVEL_RANK, PATH_STEP, Level, Place, Venue, path_segment


class PlaceError(ValueError):
    pass


def next_child_path(parent: Place | None) -> str:
    prefix = parent.path if parent else ""
    siblings = Place.objects.filter(parent=parent) if parent else Place.objects.filter(parent=None)
    last = siblings.aggregate(last=Max("path"))["last"]
    ordinal = int(last[-PATH_STEP:]) + 1 if last else 1
    return prefix + path_segment(ordinal)


@transaction.atomic
def place_create(*, acting_user, parent: Place | None, level: str, code: str, name: str,
                 rural: bool = False) -> Place:
    if parent is None and level != Level.CITY:
        raise PlaceError(_("Only a city may stand at the top of the tree."))
    if parent is not None and LEVEL_RANK[level] <= LEVEL_RANK[parent.level]:
        raise PlaceError(_("A %(child)s cannot stand under a %(parent)s.") % {
            "child": Level(level).label, "parent": Level(parent.level).label})
    if parent is not None:
        Place.objects.select_for_update().filter(pk=parent.pk).first()
    place = Place.objects.create(
        parent=parent, level=level, code=code, name=name, rural=rural,
        path=next_child_path(parent), created_by=acting_user, updated_by=acting_user,
    )
    audit_record(actor=acting_user, action="place.create", target=place, scope_place=place,
                 changes={"name": [None, name], "level": [None, level]})
    return place


def new_venue_code() -> str:
    return "V" + secrets.token_hex(5).upper()


@transaction.atomic
def venue_create(*, acting_user, place: Place, name: str, kind: str, address: str = "") -> Venue:
    venue = Venue.objects.create(
        place=place, name=name, kind=kind, address=address, code=new_venue_code(),
        created_by=acting_user, updated_by=acting_user,
    )
    audit_record(actor=acting_user, action="venue.create", target=venue, scope_place=place,
                 changes={"name": [None, name], "kind": [None, kind]})
    return venue
