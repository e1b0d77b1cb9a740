"""The inbox page: the open work items of the user's area, by kind, each closed with what was
done. Closing works as a plain form post and, with htmx, in place (the row and the counts
are swapped)."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm, Role, can
from fangkong.core.access import get_for_user
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.selectors import inbox_for_user
from fangkong.inbox.services import work_item_close

# Kinds whose key is "<kind>:<control order uuid>[:<day>]" (control services and monitoring).
ORDER_KEYED = {ItemKind.MISSED_CHECK, ItemKind.MISSED_TEST, ItemKind.RELEASE_DUE,
               ItemKind.APPROVAL}
OUTCOME_MAX = 2000
OUTCOME_REQUIRED = gettext_lazy("Say what was done.")


class KindFilter(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All")), *ItemKind.choices])


class CloseForm(forms.Form):
    outcome = forms.CharField(label=gettext_lazy("What was done"), max_length=OUTCOME_MAX,
                              error_messages={"required": OUTCOME_REQUIRED},
                              widget=forms.Textarea(attrs={"rows": 2}))


def refuse_residents(user) -> None:
    """Residents have no inbox; staff see their area's items (none without an area)."""
    if user.role == Role.RESIDENT:
        raise PermissionDenied


def order_uuid(item: WorkItem) -> uuid.UUID | None:
    """The control order the item is about, when its key names one."""
    if item.kind not in ORDER_KEYED:
        return None
    parts = item.key.split(":")
    try:
        return uuid.UUID(parts[1]) if len(parts) > 1 else None
    except ValueError:
        return None


def _uuid_or_none(text: str):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def subject_url(user, item: WorkItem) -> str:
    """Where the item leads: its order's page, else its person's page, else nowhere."""
    appeal = _uuid_or_none(item.key.removeprefix("appeal:"))
    if item.kind == ItemKind.APPEAL and appeal and can(user, Perm.MANAGE_CONTROL):
        return reverse("residents:appeal_answer", args=[appeal])
    order = order_uuid(item)
    if order is not None and can(user, Perm.VIEW_CONTROL):
        return f"/control/{order}/"
    if item.person_id and can(user, Perm.VIEW_PEOPLE):
        return reverse("people:detail", kwargs={"public_id": item.person.uuid})
    return ""


def kind_counts(user) -> list[dict]:
    """Open items of the user's area per kind (one grouped query), "all" first."""
    rows = (WorkItem.objects.accessible_to(user).open().values("kind")
            .annotate(n=Count("pk")).order_by())
    counts = {row["kind"]: row["n"] for row in rows}
    return [{"kind": "", "label": _("All"), "count": sum(counts.values())},
            *[{"kind": kind, "label": label, "count": counts.get(kind, 0)}
              for kind, label in ItemKind.choices]]


def _row(user, item, form=None) -> dict:
    return {"item": item, "url": subject_url(user, item), "form": form or CloseForm(),
            "overdue": item.done_at is None and item.due_on < timezone.localdate()}


def _list_context(request, kind: str, bound_item=None, bound_form=None) -> dict:
    user = request.user
    page = Paginator(inbox_for_user(user, kind=kind), settings.FANGKONG_PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = [_row(user, item, bound_form if bound_item and item.pk == bound_item.pk else None)
            for item in page]
    return {"page": page, "rows": rows, "kind": kind, "counts": kind_counts(user)}


@login_required
def inbox(request):
    refuse_residents(request.user)
    filters = KindFilter(request.GET)
    if not filters.is_valid():
        return render(request, "inbox/list.html", {"filters": filters, "kind": "", "page": None,
                                                   "counts": kind_counts(request.user)},
                      status=400)
    context = _list_context(request, filters.cleaned_data["kind"])
    return render(request, "inbox/list.html", {"filters": filters, **context})


def _back(kind: str):
    url = reverse("inbox:list")
    return redirect(f"{url}?{urlencode({'kind': kind})}" if kind in ItemKind.values else url)


def _htmx_row(request, item, form=None):
    return render(request, "inbox/_close_response.html", {
        "row": _row(request.user, item, form), "counts": kind_counts(request.user),
        "kind": request.POST.get("kind", "")})


@login_required
@require_POST
def close(request, public_id):
    refuse_residents(request.user)
    item = get_for_user(request.user, WorkItem.objects.select_related(
        "place", "person", "done_by"), public_id)
    htmx = request.headers.get("HX-Request") == "true"
    form = CloseForm(request.POST)
    if item.done_at is not None:
        if htmx:
            return _htmx_row(request, item)
        messages.info(request, _("This item was closed already."))
        return _back(request.POST.get("kind", ""))
    if not form.is_valid():
        if htmx:  # htmx swaps only 2xx answers: the row comes back with the error in it
            return _htmx_row(request, item, form)
        filters = KindFilter({"kind": request.POST.get("kind", "")})
        kind = filters.cleaned_data["kind"] if filters.is_valid() else ""
        return render(request, "inbox/list.html", {
            "filters": filters, "refused": item, **_list_context(request, kind, item, form)},
            status=400)
    try:
        item = work_item_close(acting_user=request.user, item=item,
                               outcome=form.cleaned_data["outcome"])
    except PermissionError:
        raise Http404 from None
    if htmx:
        return _htmx_row(request, item)
    messages.success(request, _("Item closed: %(title)s") % {"title": item.title})
    return _back(request.POST.get("kind", ""))
