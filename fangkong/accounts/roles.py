"""Roles and what each may do: declared once here, tested as a matrix."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMAND = "command", _("Command centre")
    DISTRICT = "district", _("District staff")
    SUBDISTRICT = "subdistrict", _("Subdistrict staff")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    BUILDING_LEADER = "building_leader", _("Building leader")
    TRACER = "tracer", _("Tracer")
    SAMPLER = "sampler", _("Sampler")
    LABORATORY = "laboratory", _("Laboratory")
    HOSPITAL = "hospital", _("Hospital")
    INSPECTOR = "inspector", _("Inspector")
    RESIDENT = "resident", _("Resident")


class Perm(models.TextChoices):
    VIEW_PLACES = "view_places", _("View the area overview")
    VIEW_PEOPLE = "view_people", _("View residents")
    EDIT_PEOPLE = "edit_people", _("Create and edit residents")
    REVEAL_PII = "reveal_pii", _("Reveal ID numbers and phones")
    EXPORT_PEOPLE = "export_people", _("Export residents")
    IMPORT_PEOPLE = "import_people", _("Import residents")
    MERGE_PEOPLE = "merge_people", _("Merge duplicate records")
    MANAGE_TOKENS = "manage_tokens", _("Manage API tokens")
    VIEW_SELF = "view_self", _("View own record")
    VIEW_CASES = "view_cases", _("View cases")
    REPORT_CASES = "report_cases", _("Report cases")
    MANAGE_CASES = "manage_cases", _("Record clinical events of cases")
    OVERRIDE_DISCHARGE = "override_discharge", _("Discharge against the test rule, with a reason")
    VIEW_BULLETIN = "view_bulletin", _("View the bulletin and dashboard")
    MANAGE_FACILITIES = "manage_facilities", _("Manage facilities and outbreaks")
    VIEW_CONTROL = "view_control", _("View control orders and ledgers")
    MANAGE_CONTROL = "manage_control", _("Place, follow and release people under control")
    APPROVE_CONTROL = "approve_control", _("Approve manual control orders (health side)")
    MANAGE_PROTOCOL = "manage_protocol", _("Edit protocol profiles")
    VIEW_TESTING = "view_testing", _("View test rounds, schedules and coverage")
    PLAN_TESTING = "plan_testing", _("Organise test rounds: sites, schedules, exemptions")
    SAMPLE = "sample", _("Bind people to sample tubes")
    REPORT_RESULTS = "report_results", _("Receive tubes and report laboratory results")
    RECORD_CHECKINS = "record_checkins", _("Record venue check-ins from gates and terminals")
    VIEW_TRACING = "view_tracing", _("View investigations, contacts, clusters and teams")
    TRACE = "trace", _("Work investigations: trajectories and contacts")
    MANAGE_TEAMS = "manage_teams", _("Manage tracing teams and assign investigations")


_STAFF = {Perm.VIEW_PLACES, Perm.VIEW_PEOPLE, Perm.EDIT_PEOPLE, Perm.REVEAL_PII,
          Perm.EXPORT_PEOPLE, Perm.IMPORT_PEOPLE}
_CASES = {Perm.VIEW_CASES, Perm.VIEW_BULLETIN}
_CONTROL = {Perm.VIEW_CONTROL, Perm.MANAGE_CONTROL}
_TESTING = {Perm.VIEW_TESTING, Perm.PLAN_TESTING}
_TRACING = {Perm.RECORD_CHECKINS, Perm.VIEW_TRACING}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COMMAND: frozenset(_STAFF | _CASES | _CONTROL | _TESTING | _TRACING | {
        Perm.MERGE_PEOPLE, Perm.MANAGE_TOKENS, Perm.REPORT_CASES, Perm.MANAGE_CASES,
        Perm.OVERRIDE_DISCHARGE, Perm.MANAGE_FACILITIES, Perm.APPROVE_CONTROL,
        Perm.MANAGE_PROTOCOL, Perm.TRACE, Perm.MANAGE_TEAMS}),
    Role.DISTRICT: frozenset(_STAFF | _CASES | _CONTROL | _TESTING | _TRACING | {
        Perm.MERGE_PEOPLE, Perm.REPORT_CASES, Perm.MANAGE_CASES, Perm.TRACE,
        Perm.MANAGE_TEAMS}),
    Role.SUBDISTRICT: frozenset(_STAFF | _CASES | _CONTROL | _TESTING | _TRACING
                                | {Perm.MERGE_PEOPLE}),
    Role.COMMUNITY_WORKER: frozenset(_STAFF | _CASES | _CONTROL | _TESTING | _TRACING),
    Role.BUILDING_LEADER: frozenset({Perm.VIEW_PLACES, Perm.VIEW_PEOPLE, Perm.VIEW_TESTING}),
    Role.TRACER: frozenset({Perm.VIEW_PLACES, Perm.VIEW_PEOPLE, Perm.REVEAL_PII,
                            Perm.VIEW_CASES, Perm.REPORT_CASES, Perm.VIEW_CONTROL,
                            Perm.MANAGE_CONTROL, Perm.VIEW_TRACING, Perm.TRACE}),
    Role.SAMPLER: frozenset({Perm.VIEW_PLACES, Perm.VIEW_PEOPLE, Perm.SAMPLE}),
    Role.LABORATORY: frozenset({Perm.REPORT_RESULTS}),
    Role.HOSPITAL: frozenset({Perm.VIEW_CASES, Perm.MANAGE_CASES, Perm.OVERRIDE_DISCHARGE,
                              Perm.APPROVE_CONTROL}),
    Role.INSPECTOR: frozenset({Perm.VIEW_PLACES, Perm.VIEW_BULLETIN, Perm.VIEW_TESTING}),
    Role.RESIDENT: frozenset({Perm.VIEW_SELF}),
}


def can(user, perm: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return perm in ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())
