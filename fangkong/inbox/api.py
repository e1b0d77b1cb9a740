"""API: the inbox of the caller's area (`/api/v1/inbox`) and closing an item, through the same
selector and service as the page."""

import datetime
import uuid
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field, PlainSerializer, StringConstraints

from fangkong.api.common import PagingQuery, PlaceRef, page_of
from fangkong.api.errors import INVALID, REFUSALS
from fangkong.core.access import get_for_user
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.selectors import inbox_for_user
from fangkong.inbox.services import work_item_close
from fangkong.inbox.views import (
    OUTCOME_MAX,
    OUTCOME_REQUIRED,
    kind_counts,
    order_uuid,
    refuse_residents,
)

router = Router(tags=["inbox"])

KindChoice = Literal[tuple(["", *ItemKind.values])]
LocalTime = Annotated[datetime.datetime,
                      PlainSerializer(timezone.localtime, return_type=datetime.datetime)]


class NamedRef(Schema):
    uuid: uuid.UUID
    name: str


class ItemOut(Schema):
    uuid: uuid.UUID
    kind: ItemKind
    kind_label: str
    title: str
    due_on: datetime.date
    place: PlaceRef
    person: NamedRef | None
    order: uuid.UUID | None = Field(description="The control order the item is about, if any")
    done_at: LocalTime | None
    done_by: str
    outcome: str

    @staticmethod
    def resolve_kind_label(item):
        return item.get_kind_display()

    @staticmethod
    def resolve_order(item):
        return order_uuid(item)

    @staticmethod
    def resolve_done_by(item):
        return item.done_by.username if item.done_by_id else ""


class InboxPage(Schema):
    count: int
    limit: int
    offset: int
    counts: dict[str, int] = Field(description="Open items of the caller's area per kind")
    items: list[ItemOut]


class InboxFilters(Schema):
    kind: KindChoice = Field("", description="Only items of this kind")


class CloseIn(Schema):
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, max_length=OUTCOME_MAX)]


def _caller(request):
    user = request.auth
    refuse_residents(user)
    return user


@router.get("/inbox", response={200: InboxPage, **REFUSALS, **INVALID}, operation_id="inbox_list",
            summary="Open work items of the caller's area, oldest due first")
def inbox_list(request, paging: PagingQuery, filters: Query[InboxFilters]):
    user = _caller(request)
    page = page_of(inbox_for_user(user, kind=filters.kind).select_related("done_by"), paging)
    page["counts"] = {c["kind"]: c["count"] for c in kind_counts(user) if c["kind"]}
    return page


@router.post("/inbox/{uuid:public_id}/close", response={200: ItemOut, **REFUSALS, **INVALID},
             operation_id="inbox_close", summary="Close a work item, saying what was done")
def inbox_close(request, public_id: uuid.UUID, payload: CloseIn):
    user = _caller(request)
    item = get_for_user(user, WorkItem.objects.select_related("place", "person"), public_id)
    if item.done_at is not None:
        raise ValidationError(_("This item was closed already."), code="closed")
    if not payload.outcome:
        raise ValidationError({"outcome": OUTCOME_REQUIRED})
    return work_item_close(acting_user=user, item=item, outcome=payload.outcome)
