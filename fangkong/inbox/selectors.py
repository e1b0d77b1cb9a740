"""The inbox of the acting user: open items of their area, oldest due first."""

from django.db.models import QuerySet

from fangkong.inbox.models import WorkItem


def inbox_for_user(user, *, kind: str = "", include_done: bool = False) -> QuerySet:
    items = WorkItem.objects.accessible_to(user)
    if not include_done:
        items = items.open()
    if kind:
        items = items.filter(kind=kind)
    return items.select_related("place", "person")
