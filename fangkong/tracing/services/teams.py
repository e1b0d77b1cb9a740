"""Tracing teams and who works which investigation: by hand, or round-robin."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm, Role
from fangkong.audit.models import AuditEvent
from fangkong.audit.services import build_event
from fangkong.places.models import Place
from fangkong.tracing.models import (
    Investigation,
    InvestigationEvent,
    InvestigationEventKind,
    Status,
    Team,
)
from fangkong.tracing.services.common import (
    audit,
    field_error,
    require,
    user_or_none,
)


def _check_place(acting_user, place: Place) -> None:
    path = getattr(acting_user, "scope_path", None) if acting_user is not None else place.path
    if not path or not place.path.startswith(path):
        raise PermissionError("place outside scope")


def _check_members(place: Place, members) -> list[User]:
    members = list(members)
    for member in members:
        if member.role != Role.TRACER and member.role not in (
                Role.COMMAND, Role.DISTRICT, Role.SUBDISTRICT):
            raise field_error("members", _("%(user)s is not a tracer.")
                              % {"user": member.get_username()}, "role")
        scope = member.scope_path or ""
        if not (scope.startswith(place.path) or place.path.startswith(scope)) or not scope:
            raise field_error("members", _("%(user)s works outside this team's area.")
                              % {"user": member.get_username()}, "scope")
    return members


@transaction.atomic
def team_create(*, acting_user, name: str, place: Place, members=()) -> Team:
    require(acting_user, Perm.MANAGE_TEAMS)
    _check_place(acting_user, place)
    name = name.strip()
    if not name:
        raise field_error("name", _("Name the team."), "required")
    if Team.objects.filter(place=place, name=name).exists():
        raise field_error("name", _("A team of this name exists in this area."), "duplicate")
    members = _check_members(place, members)
    team = Team.objects.create(name=name, place=place, created_by=user_or_none(acting_user))
    team.members.set(members)
    audit(acting_user, "tracing.team_create", team, place,
          changes={"members": (None, sorted(m.get_username() for m in members))})
    return team


@transaction.atomic
def team_update(*, acting_user, team: Team, members, active: bool) -> Team:
    require(acting_user, Perm.MANAGE_TEAMS)
    _check_place(acting_user, team.place)
    before = sorted(team.members.values_list("username", flat=True))
    members = _check_members(team.place, members)
    team.members.set(members)
    was_active, team.active = team.active, active
    team.updated_by = user_or_none(acting_user)
    team.save(update_fields=["active", "updated_by", "updated_at"])
    audit(acting_user, "tracing.team_update", team, team.place, changes={
        "members": (before, sorted(m.get_username() for m in members)),
        "active": (was_active, active)})
    return team


def teams_for(place: Place):
    """Active teams whose area holds `place`, the one given a case least recently first."""
    paths = [place.path[:n] for n in range(1, len(place.path) + 1)]
    return Team.objects.filter(active=True, place__path__in=paths).order_by("last_turn", "name")


def _next_turn() -> int:
    return (Team.objects.aggregate(last=Max("last_turn"))["last"] or 0) + 1


def _take_turn(team: Team) -> None:
    team.last_turn = _next_turn()
    Team.objects.filter(pk=team.pk).update(last_turn=team.last_turn)


def _assigned(acting_user, investigation: Investigation, team: Team, how: str, now):
    """Set the investigation's team in memory; returns its timeline event and audit event."""
    previous = investigation.team
    investigation.team = team
    if investigation.status == Status.UNASSIGNED:
        investigation.status = Status.ASSIGNED
    investigation.assigned_at = now
    investigation.updated_by = user_or_none(acting_user)
    return (InvestigationEvent(investigation=investigation, kind=InvestigationEventKind.ASSIGNED,
                               at=now, actor=user_or_none(acting_user),
                               detail={"team": team.name, "how": how}),
            build_event(actor=acting_user, action="tracing.assign", target=investigation.case,
                        scope_place=investigation.place,
                        changes={"team": (previous.name if previous else None, team.name)}))


def _assign(acting_user, investigation: Investigation, team: Team, how: str) -> Investigation:
    timeline, audited = _assigned(acting_user, investigation, team, how, timezone.now())
    investigation.save(update_fields=["team", "status", "assigned_at", "updated_by",
                                      "updated_at"])
    _take_turn(team)
    timeline.save()
    audited.save()
    return investigation


@transaction.atomic
def investigation_assign(*, acting_user, investigation: Investigation, team: Team) -> Investigation:
    """Give an open investigation to a team of the user's area (again, to move it)."""
    require(acting_user, Perm.MANAGE_TEAMS)
    _check_place(acting_user, investigation.place)
    _check_place(acting_user, team.place)
    investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
    if investigation.status == Status.COMPLETED:
        raise field_error("team", _("This investigation is completed."), "completed")
    if not team.active:
        raise field_error("team", _("This team takes no new cases."), "inactive")
    if not investigation.place.path.startswith(team.place.path):
        raise field_error("team", _("This team's area does not hold the case's home."),
                          "area")
    return _assign(acting_user, investigation, team, "manual")


def assigned_round_robin(acting_user, investigation: Investigation) -> list[InvestigationEvent]:
    """Round-robin, for a new investigation not yet saved: give it the active team covering
    the case's home that was given a case least recently, and that team the turn. Returns
    the timeline event for the caller to write (none when no team covers the home)."""
    team = teams_for(investigation.place).select_for_update().first()
    if team is None:
        return []
    timeline, audited = _assigned(acting_user, investigation, team, "round_robin",
                                  timezone.now())
    _take_turn(team)
    audited.save()
    return [timeline]


@transaction.atomic
def investigations_assign_round_robin(*, acting_user) -> int:
    """Give every unassigned investigation of the user's area to a team, in turn, the most
    urgent first. Turns are taken in memory and written in a few statements (a city's
    backlog is thousands)."""
    require(acting_user, Perm.MANAGE_TEAMS)
    waiting = Investigation.objects.filter(status=Status.UNASSIGNED)
    if acting_user is not None:
        waiting = waiting.filter(place__path__startswith=acting_user.scope_path or "\0")
    teams = list(Team.objects.select_for_update().filter(active=True).select_related("place")
                 .order_by("last_turn", "name"))
    now, turn, done, timeline, audited = timezone.now(), _next_turn(), [], [], []
    for investigation in (waiting.select_related("place", "case", "team")
                          .order_by("core_due_at", "id")):
        covering = [t for t in teams if investigation.place.path.startswith(t.place.path)]
        if not covering:
            continue
        team = min(covering, key=lambda t: (t.last_turn, t.name))
        team.last_turn, turn = turn, turn + 1
        event, audit = _assigned(acting_user, investigation, team, "round_robin", now)
        done.append(investigation)
        timeline.append(event)
        audited.append(audit)
    by_team: dict[Team, list[int]] = {}
    for investigation in done:
        by_team.setdefault(investigation.team, []).append(investigation.pk)
    for team, ids in by_team.items():
        for start in range(0, len(ids), 900):
            Investigation.objects.filter(pk__in=ids[start:start + 900]).update(
                team=team, status=Status.ASSIGNED, assigned_at=now,
                updated_by=user_or_none(acting_user), updated_at=now)
        Team.objects.filter(pk=team.pk).update(last_turn=team.last_turn)
    InvestigationEvent.objects.bulk_create(timeline, batch_size=1000)
    AuditEvent.objects.bulk_create(audited, batch_size=1000)
    return len(done)
