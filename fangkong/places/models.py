"""The place tree (city › district › subdistrict › community › compound › building › unit ›
household) and venues.

The tree is one table with a materialised `path`: each node appends a fixed-width segment
(its ordinal among its siblings) to its parent's path, so a subtree is a path prefix and the
children of a node are the paths one segment longer — both on SQLite and PostgreSQL.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import BaseModel

PATH_STEP = 5


def path_segment(ordinal: int) -> str:
    return f"{ordinal:0{PATH_STEP}d}"


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMUNITY = "community", _("Community")
    COMPOUND = "compound", _("Compound")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit")
    HOUSEHOLD = "household", _("Household")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


class PlaceQuerySet(models.QuerySet):
    def accessible_to(self, user):
        """Places in the acting user's subtree; nothing for a user with no scope."""
        path = getattr(user, "scope_path", None)
        if not path:
            return self.none()
        return self.filter(path__startswith=path)

    def subtree(self, place):
        return self.filter(path__startswith=place.path)


class Place(BaseModel):
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("parent"),
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    rural = models.BooleanField(_("rural"), default=False)
    path = models.CharField(max_length=PATH_STEP * 10, unique=True, editable=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "code"], name="place_code_unique_in_parent"),
        ]
        indexes = [
            models.Index(fields=["path"], name="place_path_prefix",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "path"], name="place_level_path"),
        ]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_STEP

    def ancestor_paths(self) -> list[str]:
        return [self.path[:end] for end in range(PATH_STEP, len(self.path), PATH_STEP)]

    def contains(self, other: "Place") -> bool:
        return other.path.startswith(self.path)


class VenueKind(models.TextChoices):
    SUPERMARKET = "supermarket", _("Supermarket")
    PHARMACY = "pharmacy", _("Pharmacy")
    CLINIC = "clinic", _("Clinic")
    MARKET = "market", _("Market")
    SCHOOL = "school", _("School")
    OFFICE = "office", _("Office")
    RESTAURANT = "restaurant", _("Restaurant")
    BUS_ROUTE = "bus_route", _("Bus route")
    OTHER = "other", _("Other")


class VenueQuerySet(models.QuerySet):
    def accessible_to(self, user):
        path = getattr(user, "scope_path", None)
        if not path:
            return self.none()
        return self.filter(place__path__startswith=path)


class Venue(BaseModel):
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="venues",
                              verbose_name=_("place"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=VenueKind.choices)
    code = models.CharField(_("venue code"), max_length=16, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["code"]

    def __str__(self):
        return self.name
