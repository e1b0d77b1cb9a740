"""Control pages: the register, an order and its actions, placing a person under control
(with the plan's phases previewed), the approvals awaiting the health side, the ledgers."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fangkong.accounts.roles import Perm, can
from fangkong.cases.models import Case
from fangkong.control import services
from fangkong.control.forms import (
    LedgerFilterForm,
    OrderForm,
    PreviewForm,
    RegisterFilterForm,
    action_form,
)
from fangkong.control.ledgers import (
    CHECKS_A_DAY,
    LEDGERS,
    basis_text,
    communities_for_user,
    ledger_export,
    ledger_rows,
    order_register,
)
from fangkong.control.models import (
    Colour,
    ControlOrder,
    OrderEventKind,
    OrderStatus,
    Result,
    Symptom,
)
from fangkong.control.selectors import colour_of, orders_for_user, release_refusal
from fangkong.core.access import get_for_user, require_perm
from fangkong.people.picker import pick_person
from fangkong.places.selectors import place_labels
from fangkong.protocol.validation import PlanRefused, basis_label, kind_label, plan_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SERVICES = {
    "test": services.control_test_record,
    "check": services.health_check_record,
    "release": services.control_order_release,
    "cancel": services.control_order_cancel,
    "approve": services.control_order_approve,
}
TITLES = {
    "test": gettext_lazy("Record a test result"),
    "check": gettext_lazy("Record a health check"),
    "release": gettext_lazy("Release"),
    "cancel": gettext_lazy("Cancel the order"),
    "approve": gettext_lazy("Approve"),
}
DONE = {
    "test": gettext_lazy("Test result recorded."),
    "check": gettext_lazy("Health check recorded."),
    "release": gettext_lazy("Released from control."),
    "cancel": gettext_lazy("Order cancelled."),
    "approve": gettext_lazy("Order approved: it applies from now on."),
}


def require_any(*perms):
    """View decorator: the user's role holds one of `perms`, else 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(can(request.user, perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _attach_errors(form, error, *, hidden=()):
    """A service's field errors on the form's fields; others (and `hidden`) above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            visible = (field in form.fields and field not in hidden
                       and not form.fields[field].widget.is_hidden)
            form.add_error(field if visible else None, errors)
    else:
        form.add_error(None, error)


def _by_uuid(items, value):
    return {str(item.uuid): item for item in items}.get(value) if value else None


# --- the register -------------------------------------------------------------------------

def _register_rows(orders):
    return [{"order": o, "colour": colour_of(o), "basis": basis_text(o)} for o in orders]


@login_required
@require_perm(Perm.VIEW_CONTROL)
def register(request):
    user = request.user
    communities = list(communities_for_user(user))
    form = RegisterFilterForm(request.GET, communities=communities)
    if not form.is_valid():
        return render(request, "control/register.html", {"form": form}, status=400)
    f = form.cleaned_data
    orders = order_register(user, kind=f["kind"], status=f["status"], basis=f["basis"],
                            community=_by_uuid(communities, f["community"]), day=f["day"],
                            query=f["q"].strip())
    page = Paginator(orders, settings.FANGKONG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "control/register.html", {
        "form": form, "page": page, "rows": _register_rows(page.object_list),
        "can_manage": can(user, Perm.MANAGE_CONTROL),
        "can_approve": can(user, Perm.APPROVE_CONTROL)})


# --- the order page -----------------------------------------------------------------------

def _order(user, public_id):
    return get_for_user(user, ControlOrder.objects.select_related(
        "person", "place", "profile", "basis_case", "approved_by", "created_by",
        "predecessor"), public_id)


def _available(user, order) -> list[str]:
    """The actions the page offers; the services check them again when they run."""
    if order.status == OrderStatus.PENDING:
        return [action for action, perm in (("approve", Perm.APPROVE_CONTROL),
                                            ("cancel", Perm.MANAGE_CONTROL)) if can(user, perm)]
    if order.status == OrderStatus.ACTIVE and can(user, Perm.MANAGE_CONTROL):
        return ["test", "check", "release", "cancel"]
    return []


def _event_details(event) -> list[str]:
    d = event.detail
    if event.kind == OrderEventKind.TEST:
        return [f"{d.get('day', '')} · {dict(Result.choices).get(d.get('result'), '')}"]
    if event.kind == OrderEventKind.CREATED and d.get("plan"):
        return [str(basis_label(d["plan"]))]
    if event.kind == OrderEventKind.CREATED and d.get("after"):
        return [_("Next phase of the plan")]
    return []


def _phases(follow_on):
    return [{**phase, "kind_label": kind_label(phase["kind"])} for phase in follow_on]


def _checks(order):
    labels = dict(Symptom.choices)
    return [{"check": c, "symptoms": [labels.get(s, s) for s in c.symptoms]}
            for c in order.checks.select_related("recorded_by")]


def _forewarnings(user, order, actions) -> dict:
    """What the services would refuse, shown before the user tries."""
    notes = {}
    if "release" in actions:
        notes["release"] = release_refusal(order, timezone.localdate())
    if "approve" in actions and order.created_by_id == user.pk:
        notes["approve"] = _("You placed this order: a second person must approve it.")
    return notes


def _order_context(request, order, bound_action="", bound_form=None):
    user = request.user
    names = _available(user, order)
    actions = [{"name": a, "title": TITLES[a],
                "form": bound_form if a == bound_action else action_form(a, order)}
               for a in names]
    colour = colour_of(order)
    return {
        "order": order, "actions": actions, "notes": _forewarnings(user, order, names),
        "colour": colour, "colour_label": Colour(colour).label,
        "plan_label": basis_label(order.plan_basis) if order.plan_basis else "",
        "address": place_labels([order.place], below=user.scope)[order.place_id],
        "can_view_person": can(user, Perm.VIEW_PEOPLE),
        "can_view_cases": can(user, Perm.VIEW_CASES),
        "follow_on": _phases(order.follow_on),
        "tests": order.tests.select_related("recorded_by"),
        "checks": _checks(order),
        "timeline": [{"event": e, "details": _event_details(e)}
                     for e in order.events.select_related("actor")],
        "successors": orders_for_user(user).filter(predecessor=order),
    }


@login_required
@require_any(Perm.VIEW_CONTROL, Perm.APPROVE_CONTROL)
def detail(request, public_id):
    order = _order(request.user, public_id)
    return render(request, "control/detail.html", _order_context(request, order))


def _success(request, action, order, result):
    """Where a done action leads: a positive test to the new case, a release with a next
    phase to that phase's order, anything else back to the order."""
    if isinstance(result, Case):
        messages.success(request, _("Positive result recorded: the order is escalated and case "
                                    "%(number)s is reported.") % {"number": result.number})
        if can(request.user, Perm.VIEW_CASES) and Case.objects.accessible_to(
                request.user).filter(pk=result.pk).exists():
            return redirect("cases:detail", public_id=result.uuid)
        return redirect("control:detail", public_id=order.uuid)
    if isinstance(result, ControlOrder) and result.pk != order.pk:
        messages.success(request, _("Released. The next phase of the plan, %(kind)s, runs "
                                    "from %(start)s to %(end)s.") % {
            "kind": result.get_kind_display(), "start": result.starts_on.isoformat(),
            "end": result.ends_on.isoformat()})
        return redirect("control:detail", public_id=result.uuid)
    messages.success(request, DONE[action])
    return redirect("control:detail", public_id=order.uuid)


@login_required
@require_POST
def act(request, public_id, action):
    if action not in SERVICES:
        raise Http404
    perm = Perm.APPROVE_CONTROL if action == "approve" else Perm.MANAGE_CONTROL
    if not can(request.user, perm):
        raise PermissionDenied
    order = _order(request.user, public_id)
    if action not in _available(request.user, order):
        messages.error(request, _("This action does not apply to this order now."))
        return redirect("control:detail", public_id=order.uuid)
    form = action_form(action, order, request.POST)
    if form.is_valid():
        try:
            result = SERVICES[action](acting_user=request.user, order=order, **form.cleaned_data)
        except ValidationError as error:
            _attach_errors(form, error)
        except PermissionError:
            raise PermissionDenied from None
        else:
            return _success(request, action, order, result)
    return render(request, "control/detail.html",
                  _order_context(request, order, action, form), status=400)


# --- placing a person under control -------------------------------------------------------

def _preview(plan_basis, starts_on) -> dict:
    """The phases the rules in force on `starts_on` give for a plan basis, or the refusal."""
    if not plan_basis or starts_on is None:
        return {}
    try:
        phases = plan_for(plan_basis, starts_on)
    except PlanRefused as refusal:
        return {"refusal": str(refusal)}
    return {"phases": [{"phase": p, "kind_label": kind_label(p.kind)} for p in phases],
            "rule": phases[0].rule, "profile": phases[0].profile_name}


@login_required
@require_GET
@require_perm(Perm.MANAGE_CONTROL)
def preview(request):
    return render(request, "control/_plan_preview.html", {"preview": _bound_preview(request.GET)})


def _basis_case(user, form):
    number = form.cleaned_data["basis_case"].strip()
    if not number:
        return None
    case = Case.objects.accessible_to(user).filter(number=number).first()
    if case is None:
        form.add_error("basis_case", _("No case with this number in your area."))
    return case


def _place(request, form, person):
    """Call the service with the form's values; None (with the errors on the form) if refused."""
    if person is None:
        form.add_error(None, _("Choose the person first."))
        return None
    case = _basis_case(request.user, form)
    if form.errors:
        return None
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("person", "basis_case")}
    if data["plan_basis"]:  # the plan gives the kind, dates and tests
        for name in OrderForm.NO_PLAN_FIELDS:
            data.pop(name)
    try:
        return services.control_order_create(acting_user=request.user, person=person,
                                             basis_case=case, **data)
    except ValidationError as error:
        _attach_errors(form, error, hidden=OrderForm.NO_PLAN_FIELDS if data["plan_basis"] else ())
    except PermissionError:
        raise PermissionDenied from None
    return None


def _placed_message(order):
    if order.status == OrderStatus.PENDING:
        return _("The order for %(name)s awaits the approval of a second person from the "
                 "health side.") % {"name": order.person.name}
    return _("%(name)s is under %(kind)s until %(end)s.") % {
        "name": order.person.name, "kind": order.get_kind_display(),
        "end": order.ends_on.isoformat()}


@login_required
@require_perm(Perm.MANAGE_CONTROL)
def create(request):
    picked = pick_person(request, "control:create")
    if picked.redirect_to:
        return picked.redirect_to
    person = picked.person
    form = OrderForm(request.POST or None, initial={"person": person.uuid if person else ""})
    if request.method == "POST" and form.is_valid():
        order = _place(request, form, person)
        if order is not None:
            messages.success(request, _placed_message(order))
            return redirect("control:detail", public_id=order.uuid)
    return render(request, "control/create.html", {
        "form": form, **picked.context(request.user),
        "preview": _bound_preview(request.POST) if form.is_bound else {},
    }, status=400 if form.is_bound else 200)


def _bound_preview(data):
    """The preview of the plan as typed, whatever else the form refused."""
    form = PreviewForm(data)
    cleaned = form.cleaned_data if form.is_valid() else {}
    return _preview(cleaned.get("plan_basis"), cleaned.get("starts_on"))


# --- approvals ----------------------------------------------------------------------------

@login_required
@require_perm(Perm.APPROVE_CONTROL)
def approvals(request):
    orders = (orders_for_user(request.user).filter(status=OrderStatus.PENDING)
              .select_related("created_by", "basis_case").order_by("created_at", "id"))
    return render(request, "control/approvals.html", {
        "rows": [{"order": o, "basis": basis_text(o), "own": o.created_by_id == request.user.pk}
                 for o in orders]})


# --- the ledgers --------------------------------------------------------------------------

def _ledger_request(request, slug):
    if slug not in LEDGERS:
        raise Http404
    communities = list(communities_for_user(request.user))
    data = request.GET.copy()  # the day picker shows the day the ledger is for
    data.setdefault("day", timezone.localdate().isoformat())
    form = LedgerFilterForm(data, communities=communities)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    community = _by_uuid(communities, data.get("community"))
    day = data.get("day") or timezone.localdate()
    return form, valid, community, day


@login_required
@require_perm(Perm.VIEW_CONTROL)
def ledger_page(request, slug):
    form, valid, community, day = _ledger_request(request, slug)
    kind, title = LEDGERS[slug]
    rows = ledger_rows(request.user, kind, day, community=community) if valid else []
    return render(request, "control/ledger.html", {
        "form": form, "slug": slug, "title": title, "day": day, "community": community,
        "rows": rows, "valid": valid, "checks_a_day": CHECKS_A_DAY, "day_iso": day.isoformat(),
        "can_unmask": can(request.user, Perm.REVEAL_PII)}, status=200 if valid else 400)


def _filename(slug, community, user, day):
    area = community or user.scope
    code = area.code if area is not None else "none"
    return f"ledger-{slug}-{code}-{day.isoformat()}.xlsx"


@login_required
@require_perm(Perm.VIEW_CONTROL)
def ledger_download(request, slug):
    form, valid, community, day = _ledger_request(request, slug)
    if not valid:
        return render(request, "control/ledger.html", {
            "form": form, "slug": slug, "title": LEDGERS[slug][1], "day": day, "rows": [],
            "valid": False}, status=400)
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not can(request.user, Perm.REVEAL_PII):
        raise PermissionDenied
    _rows, data = ledger_export(acting_user=request.user, kind=LEDGERS[slug][0], day=day,
                                community=community, masked=not unmasked)
    response = HttpResponse(data, content_type=XLSX)
    filename = _filename(slug, community, request.user, day)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
