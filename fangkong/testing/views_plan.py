"""The organisers' pages of mass testing: rounds and their coverage drilled down the tree,
the untested (应检未检) and a printable chase list, exemptions, sampling sites and the
call-down schedule, printable per community and visible to building leaders.

Every page reads through `fangkong.testing.selectors` and the scoped querysets, and writes
through `fangkong.testing.services`; a round, place or object outside the user's area is
404, exactly like a missing one.
"""


from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm, can
from fangkong.core.access import get_for_user, require_perm
from fangkong.people.picker import pick_person
from fangkong.places.models import PATH_STEP, Level, Place, Venue
from fangkong.places.selectors import breadcrumbs, place_labels
from fangkong.protocol.selectors import ProfileMissing, profile_on
from fangkong.testing import selectors, services
from fangkong.testing.forms_plan import (
    ExemptionForm,
    RoundForm,
    SamplersForm,
    ScheduleForm,
    SiteForm,
    StatusForm,
    WithdrawForm,
)
from fangkong.testing.models import (
    Exemption,
    RiskLevel,
    RoundStatus,
    SamplingSite,
    Slot,
)
from fangkong.testing.plan_reads import (
    SCHEDULE_LEVELS,
    exempt_rows,
    owns,
    person_rows,
    round_for,
    samplers_for,
    samplers_to_keep,
    schedule_places,
    untested_people,
)

ROUND_LEVELS = (Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY)
PRINT_PAGE = 500  # rows a printed chase list or schedule holds before it pages
VENUE_HINTS = 200
UNPLACED_NAMED = 10
T = "testing/plan/"


# --- small helpers ------------------------------------------------------------------------

def _place(request) -> Place:
    """The `place` of the query string (404 outside the user's area), else the user's own."""
    public_id = request.GET.get("place")
    if public_id:
        return get_for_user(request.user, Place.objects, public_id)
    if request.user.scope is None:
        raise Http404
    return request.user.scope


def _attach_errors(form, error, rename=None):
    """A service's field errors on the form's visible fields (renamed first; a hidden field a
    rename aims at is one the page shows itself), others above the form."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        field = rename.get(field, field)
        known = field in form.fields and (not form.fields[field].widget.is_hidden
                                          or field in rename.values())
        form.add_error(field if known else None, errors)


def _with_place(url_name, test_round, place) -> str:
    return f"{reverse(url_name, kwargs={'public_id': test_round.uuid})}?place={place.uuid}"


def _crumbs(user, place):
    return breadcrumbs(user, place) if user.scope is not None else [place]


# --- rounds -------------------------------------------------------------------------------

@login_required
@require_perm(Perm.VIEW_TESTING)
def rounds(request):
    items = selectors.rounds_for_user(request.user).select_related("profile")
    page = Paginator(items, settings.FANGKONG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, T + "rounds.html", {
        "page": page, "can_plan": can(request.user, Perm.PLAN_TESTING)})


def _levels(data) -> list[str]:
    """The risk levels of the profile in force on the start day typed (else today)."""
    day = timezone.localdate()
    try:
        day = timezone.localdate(forms.DateTimeField().clean(data.get("starts_at")))
    except (ValidationError, AttributeError):
        pass
    try:
        known = profile_on(day).values.get("risk_levels") or RiskLevel.values
    except ProfileMissing:
        known = RiskLevel.values
    return [level for level in RiskLevel.values if level in known]


def _round_candidates(user):
    return Place.objects.accessible_to(user).filter(level__in=ROUND_LEVELS).order_by("path")


@login_required
@require_perm(Perm.PLAN_TESTING)
def round_create(request):
    data = request.POST if request.method == "POST" else None
    form = RoundForm(data, candidates=_round_candidates(request.user),
                     levels=_levels(data or {}))
    if data is not None and form.is_valid():
        f = form.cleaned_data
        try:
            test_round = services.round_create(
                acting_user=request.user, number=f["number"], name=f["name"],
                starts_at=f["starts_at"], ends_at=f["ends_at"], places=form.chosen())
        except ValidationError as error:
            _attach_errors(form, error, rename={"risk_level": "places"})
        except ProfileMissing:
            form.add_error("starts_at", _("No protocol profile is in force on this day."))
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, _("Round %(n)s is planned.") % {"n": test_round.number})
            return redirect("testing:round", public_id=test_round.uuid)
    return render(request, T + "round_form.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _children(place, tree):
    """The place's children that hold people of the round, with their figures."""
    depth = len(place.path) + PATH_STEP
    paths = [p for p in tree if len(p) == depth and p.startswith(place.path)]
    return [(child, tree[child.path])
            for child in Place.objects.filter(path__in=paths).order_by("path")]


def _round_context(request, test_round, place, schedule_form=None) -> dict:
    user = request.user
    round_places = list(test_round.round_places.select_related("place"))
    tree = selectors.coverage_tree(test_round, below=place)
    can_plan = can(user, Perm.PLAN_TESTING)
    plan_here = can_plan and test_round.status != RoundStatus.CLOSED
    if schedule_form is None and plan_here:
        schedule_form = ScheduleForm(places=schedule_places(user, round_places),
                                     initial={"place": str(place.uuid)})
    return {
        "round": test_round, "round_places": round_places, "place": place,
        "crumbs": _crumbs(user, place), "total": tree.get(place.path),
        "children": _children(place, tree),
        "can_plan": can_plan, "can_switch": can_plan and owns(user, round_places),
        "schedule_form": schedule_form if plan_here or schedule_form is not None else None,
    }


@login_required
@require_perm(Perm.VIEW_TESTING)
def round_detail(request, public_id):
    test_round = round_for(request.user, public_id)
    return render(request, T + "round.html",
                  _round_context(request, test_round, _place(request)))


STATUS_DONE = {
    RoundStatus.OPEN: _("Round %(n)s is open for sampling."),
    RoundStatus.CLOSED: _("Round %(n)s is closed."),
}


@login_required
@require_POST
@require_perm(Perm.PLAN_TESTING)
def round_status(request, public_id):
    test_round = round_for(request.user, public_id)
    if not owns(request.user, test_round.round_places.select_related("place")):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed values."))
        return redirect("testing:round", public_id=test_round.uuid)
    status = form.cleaned_data["status"]
    services.round_set_status(acting_user=request.user, test_round=test_round, status=status)
    messages.success(request, str(STATUS_DONE[status]) % {"n": test_round.number})
    return redirect("testing:round", public_id=test_round.uuid)


# --- coverage, the untested and the chase list ----------------------------------------------

@login_required
@require_perm(Perm.VIEW_TESTING)
def coverage(request, public_id):
    user = request.user
    test_round = round_for(user, public_id)
    place = _place(request)
    figures = selectors.coverage(test_round, place)
    labels = place_labels([group for group, _f in figures.groups], below=place)
    page = Paginator(untested_people(user, test_round, place, figures.exempt),
                     settings.FANGKONG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, T + "coverage.html", {
        "round": test_round, "place": place, "crumbs": _crumbs(user, place),
        "total": figures.total,
        "groups": [{"place": g, "label": labels[g.pk], "figures": f} for g, f in figures.groups],
        "page": page, "rows": person_rows(user, test_round, place, page.object_list),
        "exempt": exempt_rows(user, test_round, place, figures.exempt),
        "can_plan": can(user, Perm.PLAN_TESTING)})


@login_required
@require_perm(Perm.VIEW_TESTING)
def chase(request, public_id):
    user = request.user
    test_round = round_for(user, public_id)
    place = _place(request)
    page = Paginator(untested_people(user, test_round, place), PRINT_PAGE).get_page(
        request.GET.get("page"))
    return render(request, T + "chase.html", {
        "round": test_round, "place": place, "page": page,
        "rows": person_rows(user, test_round, place, page.object_list),
        "printed_at": timezone.localtime()})


# --- exemptions ---------------------------------------------------------------------------

@login_required
@require_perm(Perm.PLAN_TESTING)
def exemption_add(request, public_id):
    user = request.user
    test_round = round_for(user, public_id)
    picked = pick_person(request, request.path)
    if picked.redirect_to:
        return picked.redirect_to
    person = picked.person
    form = ExemptionForm(request.POST or None, initial={"person": person.uuid if person else ""})
    if request.method == "POST" and form.is_valid():
        if person is None:
            form.add_error(None, _("Choose the person first."))
        else:
            try:
                services.exemption_record(acting_user=user, test_round=test_round,
                                          person=person, reason=form.cleaned_data["reason"],
                                          note=form.cleaned_data["note"])
            except ValidationError as error:
                _attach_errors(form, error)
            except PermissionError:
                raise Http404 from None
            else:
                messages.success(request, _("%(name)s is exempted from round %(n)s.")
                                 % {"name": person.name, "n": test_round.number})
                return redirect(reverse("testing:coverage", kwargs={"public_id": test_round.uuid})
                                + "#exempt")
    return render(request, T + "exempt.html", {
        "round": test_round, "form": form, **picked.context(user)},
        status=400 if form.is_bound else 200)


@login_required
@require_perm(Perm.PLAN_TESTING)
def exemption_withdraw(request, public_id):
    user = request.user
    exemption = get_for_user(user, Exemption.objects.select_related(
        "round", "person__household", "created_by"), public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exemption_remove(acting_user=user, exemption=exemption,
                                      reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _attach_errors(form, error)
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("The exemption of %(name)s is withdrawn.")
                             % {"name": exemption.person.name})
            return redirect("testing:coverage", public_id=exemption.round.uuid)
    address = place_labels([exemption.person.household], below=user.scope)
    return render(request, T + "withdraw.html", {
        "exemption": exemption, "address": address[exemption.person.household_id],
        "form": form}, status=400 if form.is_bound else 200)


# --- sites --------------------------------------------------------------------------------

@login_required
@require_perm(Perm.VIEW_TESTING)
def sites(request):
    user = request.user
    items = list(selectors.sites_for_user(user).prefetch_related("samplers"))
    labels = place_labels([s.venue.place for s in items], below=user.scope)
    return render(request, T + "sites.html", {
        "rows": [{"site": s, "address": labels[s.venue.place_id]} for s in items],
        "can_plan": can(user, Perm.PLAN_TESTING)})


def _venue_hints(user):
    return (Venue.objects.accessible_to(user).filter(sampling_site__isnull=True)
            .order_by("place__path", "name")[:VENUE_HINTS])


@login_required
@require_perm(Perm.PLAN_TESTING)
def site_create(request):
    user = request.user
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data
        venue = (Venue.objects.accessible_to(user).select_related("place")
                 .filter(code=f["venue"].strip().upper()).first())
        if venue is None:
            form.add_error("venue", _("No venue with this code in your area."))
        else:
            try:
                site = services.site_create(acting_user=user, venue=venue, points=f["points"],
                                            per_point_hour=f["per_point_hour"])
            except ValidationError as error:
                _attach_errors(form, error)
            except PermissionError:
                form.add_error("venue", _("No venue with this code in your area."))
            else:
                messages.success(request, _("%(name)s is a sampling site now.")
                                 % {"name": venue.name})
                return redirect("testing:site", public_id=site.uuid)
    return render(request, T + "site_form.html", {"form": form, "venues": _venue_hints(user)},
                  status=400 if form.is_bound else 200)


def _site_page(request, site, form=None):
    user = request.user
    candidates = list(samplers_for(user))
    assigned = list(site.samplers.select_related("scope"))
    if form is None:
        visible = {u.pk for u in candidates}
        form = SamplersForm(samplers=candidates,
                            initial={"samplers": [str(u.uuid) for u in assigned
                                                  if u.pk in visible]})
    address = place_labels([site.venue.place], below=user.scope)[site.venue.place_id]
    return render(request, T + "site.html", {
        "site": site, "address": address, "assigned": assigned,
        "form": form if can(user, Perm.PLAN_TESTING) else None},
        status=400 if form.is_bound else 200)


def _site(user, public_id):
    return get_for_user(user, SamplingSite.objects.select_related("venue__place"), public_id)


@login_required
@require_perm(Perm.VIEW_TESTING)
def site_detail(request, public_id):
    return _site_page(request, _site(request.user, public_id))


@login_required
@require_POST
@require_perm(Perm.PLAN_TESTING)
def site_samplers(request, public_id):
    user = request.user
    site = _site(user, public_id)
    candidates = list(samplers_for(user))
    form = SamplersForm(request.POST, samplers=candidates)
    if form.is_valid():
        wanted = set(form.cleaned_data["samplers"])
        chosen = [u for u in candidates if str(u.uuid) in wanted]
        try:
            services.site_assign(acting_user=user, site=site,
                                 samplers=samplers_to_keep(site, candidates, chosen))
        except ValidationError as error:
            _attach_errors(form, error)
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("The samplers of %(site)s are saved.")
                             % {"site": site.venue.name})
            return redirect("testing:site", public_id=site.uuid)
    return _site_page(request, site, form)


# --- the schedule -------------------------------------------------------------------------

def _unplaced_message(unplaced) -> str:
    names = ", ".join(g.label for g in unplaced[:UNPLACED_NAMED])
    if len(unplaced) > UNPLACED_NAMED:
        names += " …"
    return _("%(n)s groups (%(people)s people) got no slot: the sites are full until the "
             "round ends. Add a site or sampling points, then make the schedule again: "
             "%(names)s") % {"n": len(unplaced), "people": sum(g.people for g in unplaced),
                             "names": names}


@login_required
@require_POST
@require_perm(Perm.PLAN_TESTING)
def schedule_build(request, public_id):
    user = request.user
    test_round = round_for(user, public_id)
    round_places = list(test_round.round_places.select_related("place"))
    form = ScheduleForm(request.POST, places=schedule_places(user, round_places))
    if form.is_valid():
        place = Place.objects.get(uuid=form.cleaned_data["place"])
        try:
            report = services.schedule_build(acting_user=user, test_round=test_round,
                                             place=place)
        except ValidationError as error:
            _attach_errors(form, error)
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("%(slots)s slots made for %(place)s.")
                             % {"slots": len(report.slots), "place": place.name})
            if report.unplaced:
                messages.error(request, _unplaced_message(report.unplaced))
            return redirect(_with_place("testing:schedule", test_round, place))
    place = _place(request)
    return render(request, T + "round.html",
                  _round_context(request, test_round, place, form), status=400)


@login_required
@require_perm(Perm.VIEW_TESTING)
def schedule(request, public_id):
    """The call-down times under a place, in time order; a building leader's own building
    only (the slots are scoped like everything else)."""
    user = request.user
    test_round = round_for(user, public_id)
    place = _place(request)
    slots = (Slot.objects.accessible_to(user)
             .filter(round=test_round, place__path__startswith=place.path)
             .select_related("site__venue").order_by("starts_at", "path_from"))
    page = Paginator(slots, PRINT_PAGE).get_page(request.GET.get("page"))
    can_build = (can(user, Perm.PLAN_TESTING) and place.level in SCHEDULE_LEVELS
                 and test_round.status != RoundStatus.CLOSED)
    return render(request, T + "schedule.html", {
        "round": test_round, "place": place, "page": page, "can_build": can_build,
        "printed_at": timezone.localtime()})
