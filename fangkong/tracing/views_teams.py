"""Pages for running contact tracing: teams and their workload, giving investigations to
teams (by hand or round-robin), the tracing dashboard, and clusters with their transmission
chains.

Reads go through `fangkong.tracing.selectors` and `fangkong.tracing.chains`, writes through
`fangkong.tracing.services`; a team, investigation or cluster outside the user's area is
404, exactly like a missing one.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm, Role, can
from fangkong.cases.models import Classification
from fangkong.core.access import get_for_user, require_perm
from fangkong.places.models import Level, Place
from fangkong.places.selectors import place_labels
from fangkong.tracing import chains, selectors, services
from fangkong.tracing.forms_teams import AssignForm, TeamCreateForm, TeamUpdateForm
from fangkong.tracing.models import Investigation, Status, Team

T = "tracing/"
TEAM_LEVELS = (Level.DISTRICT, Level.SUBDISTRICT)
CHAIN_ROWS = 100  # cases per page of a cluster's table
BIG_GRAPH = 200  # above this many cases the chain view drops labels and animation


# --- small helpers ------------------------------------------------------------------------

def _attach(form, error: ValidationError) -> None:
    """A service's field errors on the form's fields, others above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _page(request, rows, size: int | None = None):
    return Paginator(rows, size or settings.FANGKONG_PAGE_SIZE).get_page(request.GET.get("page"))


def _rows(investigations, now) -> list[dict]:
    return [{"investigation": i, "overdue": i.is_overdue(now)} for i in investigations]


def _team_places(user):
    return Place.objects.accessible_to(user).filter(level__in=TEAM_LEVELS).order_by("path")


def _tracers(user, also=()):
    """The tracers working in the user's area, and `also` (a team's members now)."""
    path = user.scope_path
    found = (User.objects.filter(role=Role.TRACER, is_active=True, scope__path__startswith=path)
             if path else User.objects.none())
    if also:
        found = found | User.objects.filter(pk__in=[u.pk for u in also])
    return found.select_related("scope").order_by("username")


def _covering(teams, place) -> list[Team]:
    """The teams whose area holds `place` (a case's home)."""
    return [t for t in teams if place.path.startswith(t.place.path)]


def _workload(user):
    return selectors.teams_with_workload(user).select_related("place").order_by(
        "place__path", "name")


# --- teams --------------------------------------------------------------------------------

@login_required
@require_perm(Perm.VIEW_TRACING)
@require_http_methods(["GET", "POST"])
def teams(request):
    user = request.user
    can_manage = can(user, Perm.MANAGE_TEAMS)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = None
    if can_manage:
        form = TeamCreateForm(request.POST if request.method == "POST" else None,
                              places=_team_places(user), candidates=_tracers(user))
    if form is not None and form.is_bound and form.is_valid():
        try:
            team = services.team_create(acting_user=user, name=form.cleaned_data["name"],
                                        place=form.chosen_place(),
                                        members=form.chosen_members())
        except ValidationError as error:
            _attach(form, error)
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, _("Team %(name)s is set up.") % {"name": team.name})
            return redirect("tracing:team", public_id=team.uuid)
    return render(request, T + "teams.html", {
        "page": _page(request, _workload(user)), "form": form, "can_manage": can_manage,
    }, status=400 if form is not None and form.is_bound else 200)


@login_required
@require_perm(Perm.VIEW_TRACING)
@require_http_methods(["GET", "POST"])
def team(request, public_id):
    user = request.user
    found = get_for_user(user, Team.objects.select_related("place"), public_id)
    can_manage = can(user, Perm.MANAGE_TEAMS)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    members = list(found.members.select_related("scope").order_by("username"))
    form = None
    if can_manage:
        form = TeamUpdateForm(request.POST if request.method == "POST" else None,
                              candidates=_tracers(user, also=members),
                              initial={"members": [str(m.uuid) for m in members],
                                       "active": found.active})
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.team_update(acting_user=user, team=found,
                                 members=form.chosen_members(),
                                 active=form.cleaned_data["active"])
        except ValidationError as error:
            _attach(form, error)
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, _("Team %(name)s is saved.") % {"name": found.name})
            return redirect("tracing:team", public_id=found.uuid)
    page = _page(request, selectors.investigations_for(user, team=found).order_by(
        F("completed_at").asc(nulls_first=True), "core_due_at", "id"))  # open ones first
    return render(request, T + "team.html", {
        "team": found, "members": members, "form": form, "page": page,
        "rows": _rows(page, timezone.now()),
    }, status=400 if form is not None and form.is_bound else 200)


# --- assignment ---------------------------------------------------------------------------

@login_required
@require_perm(Perm.MANAGE_TEAMS)
@require_GET
def unassigned(request):
    user = request.user
    page = _page(request, selectors.investigations_for(user, status=Status.UNASSIGNED)
                 .order_by("core_due_at", "id"))
    active = list(Team.objects.accessible_to(user).filter(active=True).select_related("place"))
    rows = _rows(page, timezone.now())
    homes = place_labels([row["investigation"].place for row in rows], below=user.scope)
    for row in rows:
        row["teams"] = _covering(active, row["investigation"].place)
        row["home"] = homes[row["investigation"].place_id]
    return render(request, T + "team_unassigned.html", {"page": page, "rows": rows})


@login_required
@require_perm(Perm.MANAGE_TEAMS)
@require_POST
def assign(request, public_id):
    """Give one investigation to a team covering the case's home (again, to move it)."""
    user = request.user
    investigation = get_for_user(user, Investigation.objects.select_related("case", "place"),
                                 public_id)
    teams_here = _covering(Team.objects.accessible_to(user).select_related("place"),
                           investigation.place)
    form = AssignForm(request.POST, teams=teams_here)
    if not form.is_valid():
        messages.error(request, form.errors["team"][0])
        return redirect("tracing:unassigned")
    try:
        services.investigation_assign(acting_user=user, investigation=investigation,
                                      team=form.chosen_team())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError:
        raise PermissionDenied from None
    else:
        messages.success(request, _("Case %(case)s is assigned to %(team)s.") % {
            "case": investigation.case.number, "team": form.chosen_team().name})
    return redirect("tracing:unassigned")


@login_required
@require_perm(Perm.MANAGE_TEAMS)
@require_POST
def assign_round_robin(request):
    """Every investigation of the user's area awaiting a team goes to a team in turn."""
    user = request.user
    try:
        done = services.investigations_assign_round_robin(acting_user=user)
    except PermissionError:
        raise PermissionDenied from None
    messages.success(request, ngettext(
        "%(count)d investigation was assigned round-robin.",
        "%(count)d investigations were assigned round-robin.", done) % {"count": done})
    left = Investigation.objects.accessible_to(user).filter(status=Status.UNASSIGNED).count()
    if left:
        messages.error(request, ngettext(
            "%(count)d investigation still awaits a team: no active team covers the case's "
            "home.",
            "%(count)d investigations still await a team: no active team covers the cases' "
            "homes.", left) % {"count": left})
    return redirect("tracing:unassigned")


# --- the tracing dashboard ----------------------------------------------------------------

@login_required
@require_perm(Perm.VIEW_TRACING)
@require_GET
def dashboard(request):
    user = request.user
    page = _page(request, selectors.not_started(user).order_by("core_due_at", "id"))
    return render(request, T + "dashboard.html", {
        "figures": selectors.dashboard(user), "page": page,
        "rows": _rows(page, timezone.now()), "teams": _workload(user),
        "can_manage": can(user, Perm.MANAGE_TEAMS),
    })


# --- clusters and the chain view ----------------------------------------------------------

@login_required
@require_perm(Perm.VIEW_TRACING)
@require_GET
def clusters(request):
    return render(request, T + "clusters.html",
                  {"page": _page(request, chains.clusters_for(request.user))})


def _chain_data(cluster, *, open_cases: bool) -> dict:
    """The graph as chains.graph lays it out (nodes named by the cases' public ids: a click
    opens the case page, for users who may see it), and the drawing's labels."""
    data = chains.graph(cluster)
    for node in data["nodes"]:
        node["uuid"] = node["id"]
    blank = "00000000-0000-0000-0000-000000000000"
    data.update(big=len(data["nodes"]) > BIG_GRAPH, blank=blank,
                case_url=reverse("cases:detail", kwargs={"public_id": blank})
                if open_cases else "", labels={
                    "categories": [Classification.CONFIRMED.label,
                                   Classification.ASYMPTOMATIC.label],
                    "generation": _("Generation"), "reported": _("Reported")})
    return data


@login_required
@require_perm(Perm.VIEW_TRACING)
@require_GET
def cluster(request, key):
    found = chains.cluster_of(request.user, key)
    if found is None:
        raise Http404
    rows = [{"case": case, "generation": found.generation[case.pk]} for case in found.cases]
    open_cases = can(request.user, Perm.VIEW_CASES)
    return render(request, T + "cluster.html", {
        "cluster": found, "data": _chain_data(found, open_cases=open_cases),
        "page": _page(request, rows, CHAIN_ROWS), "can_open_cases": open_cases,
    })
