"""Pages to work investigations on, a tracer's phone first: the list of investigations with
their core-information clocks, one investigation (window, trajectory, contacts, exposure sites,
timeline) and its actions, recording a contact found in the interview, the contacts list
(community workers find there the contacts living in their community) and exposure sites.

Every action posts and redirects back to the page; a refused form answers 400 with the page
showing the refusal next to the input and what was typed still in it. Seeing needs
VIEW_TRACING, acting TRACE; objects outside the user's reach answer 404 like missing ones.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangkong.accounts.roles import Perm, can
from fangkong.cases.models import Case
from fangkong.control.models import ControlOrder
from fangkong.core.access import get_for_user, require_perm
from fangkong.people.models import IdType, Person
from fangkong.people.validation import clean_identity
from fangkong.places.models import Venue
from fangkong.places.selectors import place_labels
from fangkong.tracing import services
from fangkong.tracing.forms_investigations import (
    AdvanceForm,
    ConfirmForm,
    ContactFilterForm,
    ContactForm,
    DismissForm,
    InvestigationFilterForm,
    StayForm,
    StayRemoveForm,
)
from fangkong.tracing.models import (
    Category,
    Contact,
    ContactStatus,
    ExposureSite,
    Investigation,
    InvestigationEventKind,
    Status,
)
from fangkong.tracing.selectors import contacts_for, exposure_sites_for, investigations_for
from fangkong.tracing.window import infectious_window

NEXT_STEP = {
    Status.ASSIGNED: (Status.IN_PROGRESS, gettext_lazy("Start the investigation")),
    Status.IN_PROGRESS: (Status.CORE_DONE, gettext_lazy("Core information done")),
    Status.CORE_DONE: (Status.COMPLETED, gettext_lazy("Complete the investigation")),
}
GROUPS = (ContactStatus.PROPOSED, ContactStatus.CONFIRMED, ContactStatus.DISMISSED)


# --- shared -------------------------------------------------------------------------------

def _attach(form, error: ValidationError, field=None) -> None:
    """A service's refusal on the form: next to the input it names (or `field`), else above."""
    if field is not None or not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(field, message)
        return
    for name, errors in error.error_dict.items():
        shown = name in form.fields and not form.fields[name].widget.is_hidden
        form.add_error(name if shown else None, errors)


def _overtaken(request, error: ValidationError, back):
    """A refusal because someone moved first (the contact confirmed or dismissed meanwhile):
    the form it concerns is gone from the page, so the refusal is said above it."""
    if hasattr(error, "error_dict") and "status" in error.error_dict:
        messages.error(request, " ".join(error.messages))
        return back
    return None


def _page(request, rows):
    return Paginator(rows, settings.FANGKONG_PAGE_SIZE).get_page(request.GET.get("page"))


def _visible(model, user, ids) -> set:
    """Which of these rows the user may open: links to the others would only answer 404."""
    ids = {i for i in ids if i}
    if not ids:
        return set()
    return set(model.objects.accessible_to(user).filter(pk__in=ids)
               .values_list("pk", flat=True))


def _addresses(user, places) -> dict[int, str]:
    """Readable addresses, shortened below the user's area for places inside it."""
    scope, places = user.scope, list({p.pk: p for p in places}.values())
    inside = [p for p in places if scope is not None and p.path.startswith(scope.path)]
    outside = [p for p in places if p not in inside]
    labels = place_labels(inside, below=scope) if inside else {}
    if outside:
        labels.update(place_labels(outside, below=None))
    return labels


def clock(investigation: Investigation, now) -> dict:
    late = investigation.is_overdue(now)
    hours = int((now - investigation.core_due_at).total_seconds() // 3600) if late else 0
    return {"due": investigation.core_due_at, "overdue": late, "hours_late": hours,
            "done_at": investigation.core_done_at}


def _back_to(investigation, anchor=""):
    url = reverse("tracing:investigation", kwargs={"public_id": investigation.uuid})
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


# --- the list -----------------------------------------------------------------------------

def _filter_args(chosen: str) -> dict:
    if chosen == "overdue":
        return {"overdue": True}
    return {"status": "" if chosen == "all" else chosen}


@login_required
@require_GET
@require_perm(Perm.VIEW_TRACING)
def investigations(request):
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = InvestigationFilterForm(data)
    if not form.is_valid():
        return render(request, "tracing/investigations.html", {"form": form}, status=400)
    chosen = form.cleaned_data["status"] or "open"
    rows = investigations_for(request.user, **_filter_args(chosen)).order_by("core_due_at", "id")
    page = _page(request, rows)
    now = timezone.now()
    return render(request, "tracing/investigations.html", {
        "form": form, "chosen": chosen, "page": page,
        "rows": [{"investigation": i, "clock": clock(i, now)} for i in page.object_list]})


# --- one investigation --------------------------------------------------------------------

def _investigation(user, public_id):
    return get_for_user(user, Investigation.objects.select_related(
        "case", "case__person", "team", "place"), public_id, perm=Perm.VIEW_TRACING)


def _stays(user, investigation, bound, working):
    stays = list(investigation.stays.select_related("venue", "place"))
    labels = _addresses(user, [s.place for s in stays if s.place_id])
    return [{"stay": s, "where": s.venue.name if s.venue_id else labels.get(s.place_id, ""),
             "remove_form": (bound.get(("remove", s.pk)) or StayRemoveForm(
                 initial={"stay": s.pk}, auto_id=f"id_%s_stay{s.pk}")) if working else None}
            for s in stays]


def _contact_row(contact, bound, labels, links, can_trace):
    key = contact.uuid.hex
    row = {"contact": contact, "address": labels.get(contact.place_id, ""),
           "order_link": contact.control_order_id in links["orders"],
           "case_link": contact.became_case_id in links["cases"]}
    if can_trace and contact.status == ContactStatus.PROPOSED:
        row["confirm_form"] = bound.get(("confirm", contact.pk)) or ConfirmForm(
            initial={"category": contact.category, "setting": contact.setting},
            auto_id=f"id_%s_{key}")
        row["dismiss_form"] = bound.get(("dismiss", contact.pk)) or DismissForm(
            auto_id=f"id_%s_dismiss_{key}")
    return row


def _contact_groups(user, case, bound, can_trace):
    contacts = list(contacts_for(user, case=case).select_related("via__person"))
    labels = _addresses(user, [c.place for c in contacts])
    links = {"orders": _visible(ControlOrder, user, [c.control_order_id for c in contacts]),
             "cases": _visible(Case, user, [c.became_case_id for c in contacts])}
    groups = []
    for status in GROUPS:
        rows = [_contact_row(c, bound, labels, links, can_trace)
                for c in contacts if c.status == status]
        groups.append({"status": status, "label": ContactStatus(status).label, "rows": rows})
    return groups


def _event_details(event) -> list[str]:
    d = event.detail or {}
    if event.kind == InvestigationEventKind.ASSIGNED and d.get("team"):
        return [d["team"]]
    if event.kind == InvestigationEventKind.STAYS_PROPOSED:
        n = d.get("stays", 0)
        return [ngettext("%(n)s stay", "%(n)s stays", n) % {"n": n}]
    if event.kind == InvestigationEventKind.CONTACTS_PROPOSED:
        return [_("household members: %(household)s, companions: %(companions)s, exposure "
                  "sites: %(sites)s") % {"household": d.get("household", 0),
                                         "companions": d.get("companions", 0),
                                         "sites": d.get("exposure_sites", 0)}]
    if event.kind == InvestigationEventKind.STAY_REMOVED and d.get("stay"):
        return [d["stay"]]
    return []


def _next_step(investigation, bound, can_trace):
    step = NEXT_STEP.get(investigation.status)
    if step is None or not can_trace:
        return None
    return {"label": step[1],
            "form": bound.get("advance") or AdvanceForm(initial={"status": step[0]})}


def _context(request, investigation, bound=None) -> dict:
    user, bound = request.user, bound or {}
    case = investigation.case
    can_trace = can(user, Perm.TRACE)
    working = can_trace and investigation.is_open
    return {
        "investigation": investigation, "case": case, "window": infectious_window(case),
        "clock": clock(investigation, timezone.now()), "can_trace": can_trace,
        "working": working, "can_view_case": can(user, Perm.VIEW_CASES),
        "can_view_control": can(user, Perm.VIEW_CONTROL),
        "next_step": _next_step(investigation, bound, can_trace),
        "stays": _stays(user, investigation, bound, working),
        "stay_form": bound.get("stay") or StayForm(),
        "groups": _contact_groups(user, case, bound, can_trace),
        "sites": exposure_sites_for(user).filter(case=case),
        "timeline": [{"event": e, "details": _event_details(e)}
                     for e in investigation.events.select_related("actor")],
    }


def _detail(request, investigation, bound=None, status=200):
    return render(request, "tracing/investigation.html",
                  _context(request, investigation, bound), status=status)


@login_required
@require_GET
@require_perm(Perm.VIEW_TRACING)
def investigation(request, public_id):
    return _detail(request, _investigation(request.user, public_id))


@login_required
@require_POST
@require_perm(Perm.TRACE)
def investigation_advance(request, public_id):
    investigation = _investigation(request.user, public_id)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            investigation = services.investigation_advance(
                acting_user=request.user, investigation=investigation, **form.cleaned_data)
        except ValidationError as error:
            return _advance_refused(request, investigation, form, error)
        except PermissionError:
            raise PermissionDenied from None
        messages.success(request, _("The investigation is now: %(status)s.")
                         % {"status": investigation.get_status_display()})
        return _back_to(investigation)
    return _detail(request, investigation, {"advance": form}, status=400)


def _advance_refused(request, investigation, form, error):
    """The refusal above the step the investigation is really at now (a double tap, a team
    mate quicker), with the summary as typed."""
    step = NEXT_STEP.get(investigation.status)
    if step is None:
        messages.error(request, " ".join(error.messages))
        return _back_to(investigation)
    again = AdvanceForm({"status": step[0], "summary": form.data.get("summary", "")})
    again.is_valid()
    again.add_error(None, error.messages)
    return _detail(request, investigation, {"advance": again}, status=400)


def _venue(form):
    """The venue of the code on its poster, anywhere in the city: cases move about."""
    code = form.cleaned_data["venue_code"].strip().upper()
    if not code:
        return None
    venue = Venue.objects.filter(code=code).first()
    if venue is None:
        form.add_error("venue_code", _("No venue has this code: check it on the poster."))
    return venue


@login_required
@require_POST
@require_perm(Perm.TRACE)
def stay_add(request, public_id):
    investigation = _investigation(request.user, public_id)
    if not investigation.is_open:  # completed while the stay was typed: no form to show
        messages.error(request, _("This investigation is completed."))
        return _back_to(investigation)
    form = StayForm(request.POST)
    if form.is_valid() and _add_stay(request, investigation, form):
        messages.success(request, _("Stay added to the trajectory."))
        return _back_to(investigation, "stays")
    return _detail(request, investigation, {"stay": form}, status=400)


def _add_stay(request, investigation, form):
    """The service called with the form's values; None, with the refusal on the form."""
    venue = _venue(form)
    if form.errors:
        return None
    data = form.cleaned_data
    try:
        return services.stay_add(acting_user=request.user, investigation=investigation,
                                 venue=venue, note=data["note"], started_at=data["started_at"],
                                 ended_at=data["ended_at"])
    except ValidationError as error:
        _attach(form, error)
    except PermissionError:
        raise PermissionDenied from None
    return None


@login_required
@require_POST
@require_perm(Perm.TRACE)
def stay_remove(request, public_id):
    investigation = _investigation(request.user, public_id)
    if not investigation.is_open:
        messages.error(request, _("This investigation is completed."))
        return _back_to(investigation)
    stay_id = request.POST.get("stay", "")
    stay = investigation.stays.filter(pk=stay_id).first() if stay_id.isdigit() else None
    if stay is None:  # removed meanwhile (a double tap)
        messages.error(request, _("This stay is no longer in the trajectory."))
        return _back_to(investigation, "stays")
    form = StayRemoveForm(request.POST, auto_id=f"id_%s_stay{stay.pk}")
    if form.is_valid():
        try:
            services.stay_remove(acting_user=request.user, stay=stay,
                                 reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _attach(form, error, "reason")
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, _("Stay removed from the trajectory."))
            return _back_to(investigation, "stays")
    return _detail(request, investigation, {("remove", stay.pk): form}, status=400)


@login_required
@require_POST
@require_perm(Perm.TRACE)
def investigation_propose(request, public_id):
    """Read the case's check-ins and household again (check-ins uploaded late by a gate)."""
    investigation = _investigation(request.user, public_id)
    if not investigation.is_open:
        messages.error(request, _("This investigation is completed."))
        return _back_to(investigation)
    try:
        found = services.investigation_propose(acting_user=request.user,
                                               investigation=investigation)
    except PermissionError:
        raise PermissionDenied from None
    messages.success(request, _(
        "Check-ins read again: %(stays)s new stays, %(household)s household members, "
        "%(companions)s companions, %(sites)s exposure sites.") % {
        "stays": found["stays"], "household": found["household"], "companions": found["companions"],
        "sites": found["exposure_sites"]})
    return _back_to(investigation, "contacts")


# --- contacts of an investigation ---------------------------------------------------------

def _contact(user, public_id):
    """The contact and its case's investigation, both the user's to see."""
    contact = get_for_user(user, Contact.objects.select_related("case", "person"), public_id,
                           perm=Perm.VIEW_TRACING)
    investigation = (Investigation.objects.accessible_to(user)
                     .select_related("case", "case__person", "team", "place")
                     .filter(case_id=contact.case_id).first())
    if investigation is None:
        raise Http404
    return contact, investigation


def _confirmed_message(contact):
    params = {"name": contact.person.name, "category": contact.get_category_display()}
    order = contact.control_order
    if order is None:
        return _("%(name)s is confirmed as %(category)s.") % params
    return _("%(name)s is confirmed as %(category)s and under %(kind)s from %(day)s.") % {
        **params, "kind": order.get_kind_display(), "day": order.starts_on.isoformat()}


@login_required
@require_POST
@require_perm(Perm.TRACE)
def contact_confirm(request, public_id):
    contact, investigation = _contact(request.user, public_id)
    form = ConfirmForm(request.POST, auto_id=f"id_%s_{contact.uuid.hex}")
    if form.is_valid():
        try:
            contact = services.contact_confirm(acting_user=request.user, contact=contact,
                                               **form.cleaned_data)
        except ValidationError as error:
            overtaken = _overtaken(request, error, _back_to(investigation, "contacts"))
            if overtaken:
                return overtaken
            _attach(form, error)
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, _confirmed_message(contact))
            return _back_to(investigation, f"contact-{contact.uuid}")
    return _detail(request, investigation, {("confirm", contact.pk): form}, status=400)


@login_required
@require_POST
@require_perm(Perm.TRACE)
def contact_dismiss(request, public_id):
    contact, investigation = _contact(request.user, public_id)
    form = DismissForm(request.POST, auto_id=f"id_%s_dismiss_{contact.uuid.hex}")
    if form.is_valid():
        try:
            services.contact_dismiss(acting_user=request.user, contact=contact,
                                     reason=form.cleaned_data["reason"])
        except ValidationError as error:
            overtaken = _overtaken(request, error, _back_to(investigation, "contacts"))
            if overtaken:
                return overtaken
            _attach(form, error, "reason")
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, _("%(name)s is not a contact of this case.")
                             % {"name": contact.person.name})
            return _back_to(investigation, "contacts")
    return _detail(request, investigation, {("dismiss", contact.pk): form}, status=400)


def _person(form):
    """The person whose ID card the tracer was told, anywhere in the city: contacts often
    live outside the tracer's district."""
    try:
        identity = clean_identity(id_type=IdType.MAINLAND, id_number=form.cleaned_data[
            "id_number"], birth_date=None, sex=None, today=timezone.localdate())
    except ValidationError as error:
        _attach(form, error, "id_number")
        return None
    person = Person.objects.active().filter(id_type=IdType.MAINLAND,
                                            id_number=identity.id_number).first()
    if person is None:
        form.add_error("id_number", _("No one is registered with this ID number: check the "
                                      "number with the person."))
    return person


def _record(request, investigation, form, close_contacts):
    person = _person(form)
    data = form.cleaned_data
    via = {str(c.uuid): c for c in close_contacts}.get(data.get("via"))
    if person is None or form.errors:
        return None
    try:
        return services.contact_record(
            acting_user=request.user, case=investigation.case, person=person,
            category=data["category"], setting=data["setting"],
            last_exposure_at=data["last_exposure_at"], via=via, note=data["note"])
    except ValidationError as error:  # a refused person is the ID number typed
        about_person = hasattr(error, "error_dict") and "person" in error.error_dict
        _attach(form, error, "id_number" if about_person else None)
    except PermissionError:
        raise PermissionDenied from None
    return None


@login_required
@require_http_methods(["GET", "POST"])
@require_perm(Perm.TRACE)
def contact_add(request, public_id):
    investigation = _investigation(request.user, public_id)
    close = list(contacts_for(request.user, case=investigation.case,
                              status=ContactStatus.CONFIRMED, category=Category.CLOSE))
    form = ContactForm(request.POST or None, close_contacts=close)
    if request.method == "POST" and form.is_valid():
        contact = _record(request, investigation, form, close)
        if contact is not None:
            messages.success(request, _confirmed_message(contact))
            return _back_to(investigation, f"contact-{contact.uuid}")
    return render(request, "tracing/contact_add.html", {
        "investigation": investigation, "case": investigation.case, "form": form,
        "window": infectious_window(investigation.case)},
        status=400 if form.is_bound else 200)


# --- lists of contacts and exposure sites -------------------------------------------------

@login_required
@require_GET
@require_perm(Perm.VIEW_TRACING)
def contacts(request):
    user = request.user
    form = ContactFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "tracing/contacts.html", {"form": form}, status=400)
    page = _page(request, contacts_for(user, **form.cleaned_data))
    rows = list(page.object_list)
    labels = _addresses(user, [c.place for c in rows])
    investigations = dict(Investigation.objects.accessible_to(user).filter(
        case_id__in={c.case_id for c in rows}).values_list("case_id", "uuid"))
    orders = _visible(ControlOrder, user, [c.control_order_id for c in rows])
    return render(request, "tracing/contacts.html", {
        "form": form, "page": page, "can_view_control": can(user, Perm.VIEW_CONTROL),
        "rows": [{"contact": c, "address": labels.get(c.place_id, ""),
                  "investigation": investigations.get(c.case_id),
                  "order_link": c.control_order_id in orders} for c in rows]})


@login_required
@require_GET
@require_perm(Perm.VIEW_TRACING)
def exposure_sites(request):
    user = request.user
    page = _page(request, exposure_sites_for(user).order_by("-starts_at", "id"))
    rows = list(page.object_list)
    investigations = dict(Investigation.objects.accessible_to(user).filter(
        case_id__in={s.case_id for s in rows}).values_list("case_id", "uuid"))
    return render(request, "tracing/exposure_sites.html", {
        "page": page, "can_trace": can(user, Perm.TRACE),
        "rows": [{"site": s, "investigation": investigations.get(s.case_id)} for s in rows]})


@login_required
@require_POST
@require_perm(Perm.TRACE)
def exposure_site_notify(request, public_id):
    site = get_for_user(request.user, ExposureSite.objects.select_related("venue", "case"),
                        public_id, perm=Perm.VIEW_TRACING)
    try:
        services.exposure_site_notify(acting_user=request.user, site=site)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError:
        raise PermissionDenied from None
    else:
        messages.success(request, _("The %(n)s visitors of %(venue)s are recorded as notified.")
                         % {"n": site.visitors, "venue": site.venue.name})
    investigation = Investigation.objects.accessible_to(request.user).filter(
        case_id=site.case_id).first()
    if request.POST.get("back") == "investigation" and investigation is not None:
        return _back_to(investigation, "exposure-sites")
    return HttpResponseRedirect(reverse("tracing:exposure_sites"))
