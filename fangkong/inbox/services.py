"""Opening and closing work items."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.services import audit_record
from fangkong.inbox.models import WorkItem


def work_item_open(*, kind: str, place, title: str, due_on: datetime.date, person=None,
                   key: str = "") -> WorkItem:
    """Open an item; with a `key`, the same event opens it only once."""
    if key:
        item, _ = WorkItem.objects.get_or_create(
            kind=kind, key=key, defaults={"place": place, "person": person, "title": title,
                                          "due_on": due_on})
        return item
    return WorkItem.objects.create(kind=kind, place=place, person=person, title=title,
                                   due_on=due_on)


@transaction.atomic
def work_item_close(*, acting_user, item: WorkItem, outcome: str) -> WorkItem:
    if not WorkItem.objects.accessible_to(acting_user).filter(pk=item.pk).exists():
        raise PermissionError("work item outside scope")
    item = WorkItem.objects.select_for_update().get(pk=item.pk)
    if item.done_at is not None:
        raise ValidationError(_("This item was closed already."), code="closed")
    if not outcome.strip():
        raise ValidationError({"outcome": ValidationError(_("Say what was done."),
                                                          code="required")})
    item.done_at = timezone.now()
    item.done_by = acting_user
    item.outcome = outcome
    item.save(update_fields=["done_at", "done_by", "outcome", "updated_at"])
    audit_record(actor=acting_user, action="work_item.close", target=item,
                 scope_place=item.place, reason=outcome)
    return item
