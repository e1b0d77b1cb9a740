"""Pieces shared by the routers: place references, paging, scoped look-ups by UUID, times."""

import datetime
import uuid
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import AfterValidator, Field, PlainSerializer
from pydantic_core import PydanticCustomError

from fangkong.core.access import get_for_user
from fangkong.places.models import Place


def _aware(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(value):
        raise PydanticCustomError("naive_datetime", _(
            "Give the time with its offset from UTC, e.g. 2022-11-20T10:00:00+08:00."))
    return value


# Times in: ISO 8601 with an offset (a naive time is refused, not guessed). Times out: local.
AwareTime = Annotated[datetime.datetime, AfterValidator(_aware)]
LocalTime = Annotated[datetime.datetime,
                      PlainSerializer(timezone.localtime, return_type=datetime.datetime)]

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class PlaceRef(Schema):
    uuid: uuid.UUID
    level: str
    code: str
    name: str


def place_ref(place: Place) -> dict:
    return {"uuid": place.uuid, "level": place.level, "code": place.code, "name": place.name}


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


PagingQuery = Query[Paging]


def page_of(queryset, paging: Paging) -> dict:
    """One page of an ordered, already scoped queryset, with the total count."""
    items = list(queryset[paging.offset:paging.offset + paging.limit])
    return {"count": queryset.count(), "limit": paging.limit, "offset": paging.offset,
            "items": items}


def place_for(user, public_id) -> Place:
    """A place inside the user's scope, else 404 (missing and not yours look alike)."""
    return get_for_user(user, Place.objects, public_id)
