"""API of contact tracing under `/api/v1/tracing/`: investigations with their clock, window
and trajectory; contacts (names only: never an ID number or a phone); teams and assignment;
the dashboard, clusters and exposure sites — the same selectors and services as the pages.

An investigation, contact or exposure site outside the caller's area (for a tracer: of
another team) answers 404 like a missing one; a refused input answers 422 naming the field.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fangkong.accounts.roles import Perm
from fangkong.accounts.selectors import accounts_in_scope
from fangkong.api.common import AwareTime, LocalTime, PagingQuery, PlaceRef, page_of
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.cases.models import Case, Classification
from fangkong.core.access import get_for_user
from fangkong.people.models import IdType, Person
from fangkong.places.models import Place, Venue
from fangkong.places.selectors import place_labels
from fangkong.tracing import chains, selectors, services
from fangkong.tracing.models import (
    Category,
    Contact,
    ContactSource,
    ContactStatus,
    ExposureSite,
    Investigation,
    Setting,
    Stay,
    StaySource,
    Team,
)
from fangkong.tracing.models import Status as InvestigationStatus
from fangkong.tracing.window import infectious_window

router = Router(tags=["tracing"])

# One Literal per choice with "" for "any" (a union would name its branch in a 422 answer).
StatusFilter = Literal[tuple(["", "open", *InvestigationStatus.values])]
ContactStatusFilter = Literal[tuple(["", *ContactStatus.values])]
CategoryFilter = Literal[tuple(["", *Category.values])]
CategoryChoice = Literal[tuple(Category.values)]
SettingChoice = Literal[tuple(Setting.values)]
SettingFilter = Literal[tuple(["", *Setting.values])]
Step = Literal[InvestigationStatus.IN_PROGRESS.value, InvestigationStatus.CORE_DONE.value,
               InvestigationStatus.COMPLETED.value]


# --- schemas ------------------------------------------------------------------------------

class NamedRef(Schema):
    uuid: uuid.UUID
    name: str


class CaseBrief(Schema):
    uuid: uuid.UUID
    number: str
    reported_at: LocalTime


class VenueBrief(Schema):
    uuid: uuid.UUID
    code: str
    name: str


class InvestigationOut(Schema):
    uuid: uuid.UUID
    case: CaseBrief
    person: str = Field(description="The case's name")
    status: InvestigationStatus
    team: NamedRef | None
    core_due_at: LocalTime = Field(description="Core information due (the profile's hours "
                                               "after the report)")
    overdue: bool = Field(description="Not past core information and due before now")
    contact_count: int


class InvestigationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[InvestigationOut]


class WindowOut(Schema):
    starts_at: LocalTime
    ends_at: LocalTime
    reference: Literal["onset", "sampling", "report"] = Field(
        description="The day the look-back counts from")
    reference_day: datetime.date
    lookback_days: int


class StayOut(Schema):
    id: int = Field(description="Unique within its investigation")
    started_at: LocalTime
    ended_at: LocalTime
    venue: VenueBrief | None
    place: PlaceRef | None
    note: str
    source: StaySource


class ContactCounts(Schema):
    total: int
    proposed: int
    confirmed: int
    dismissed: int
    uncontrolled: int = Field(description="Confirmed close (or secondary) contacts not yet "
                                          "under control nor cases")


class InvestigationDetail(InvestigationOut):
    assigned_at: LocalTime | None
    started_at: LocalTime | None
    core_done_at: LocalTime | None
    completed_at: LocalTime | None
    summary: str
    window: WindowOut = Field(description="The case's infectious window")
    stays: list[StayOut]
    contacts: ContactCounts


class InvestigationFilters(Schema):
    status: StatusFilter = Field("", description="A status, or `open` for any but completed")
    overdue: bool = False
    team: uuid.UUID | None = Field(None, description="A team's uuid")


class StepIn(Schema):
    status: Step
    summary: str = Field("", max_length=2000)


class StayIn(Schema):
    started_at: AwareTime
    ended_at: AwareTime
    venue_code: str = Field("", description="The venue's code, if at a venue")
    note: str = Field("", max_length=200)


class RemovedOut(Schema):
    removed: int


class ProposedOut(Schema):
    stays: int
    household: int = Field(description="Household members proposed as close contacts")
    companions: int = Field(description="People whose check-ins overlap the case's")
    exposure_sites: int = Field(description="Crowded stays marked as exposure sites")


class ContactOut(Schema):
    uuid: uuid.UUID
    case: CaseBrief
    name: str
    household: str = Field(description="The contact's household, as an address")
    category: Category
    setting: Setting
    status: ContactStatus
    source: ContactSource
    last_exposure_at: LocalTime
    venue: VenueBrief | None
    overlap_minutes: int | None
    via: uuid.UUID | None = Field(description="The close contact a secondary contact came "
                                              "through")
    note: str
    controlled_at: LocalTime | None = Field(description="Under control from")
    control_order: uuid.UUID | None
    became_case: str | None = Field(description="The number of the contact's own case")
    reason: str = Field(description="Why it was dismissed")


class ContactPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ContactOut]


class ContactFilters(Schema):
    case: uuid.UUID | None = Field(None, description="A case's uuid")
    status: ContactStatusFilter = ""
    category: CategoryFilter = ""
    uncontrolled: bool = Field(False, description="Only confirmed close (or secondary) "
                                                  "contacts not yet under control")


class ContactIn(Schema):
    id_number: str = Field(description="Mainland ID number of a person on record")
    category: CategoryChoice
    setting: SettingChoice
    last_exposure_at: AwareTime
    via: uuid.UUID | None = Field(None, description="For a secondary contact: the close "
                                                    "contact of this case")
    venue_code: str = ""
    note: str = Field("", max_length=200)


class ConfirmIn(Schema):
    category: CategoryFilter = Field("", description="Default: as proposed")
    setting: SettingFilter = Field("", description="Default: as proposed")
    via: uuid.UUID | None = None
    reason: str = Field("", description="Why, when the category differs from the proposal")


class DismissIn(Schema):
    reason: str


class TeamOut(Schema):
    uuid: uuid.UUID
    name: str
    place: PlaceRef
    active: bool
    members: list[str] = Field(description="User names")
    open: int = Field(description="Investigations not completed")
    overdue: int
    completed: int


class TeamIn(Schema):
    name: str = Field(max_length=60)
    place: uuid.UUID = Field(description="The team's area, in yours")
    members: list[str] = Field([], description="User names of tracers (or staff) working "
                                               "in the area")


class TeamUpdateIn(Schema):
    members: list[str]
    active: bool = Field(description="Takes new cases")


class AssignIn(Schema):
    team: uuid.UUID


class AssignedOut(Schema):
    assigned: int


class TracingDashboardOut(Schema):
    not_started: int
    unassigned: int
    overdue: int
    open: int
    completed: int
    proposed: int = Field(description="Contacts awaiting a tracer's decision")
    uncontrolled: int = Field(description="Confirmed close contacts not yet under control")
    close: int = Field(description="Confirmed close (and secondary) contacts")
    median_hours_to_control: float | None = Field(
        description="From a case's report to the last of its close contacts under control")
    cases_fully_controlled: int


class ClusterOut(Schema):
    key: str = Field(description="The number of its first case")
    size: int
    generations: int
    first: CaseBrief
    last: CaseBrief


class ClusterPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ClusterOut]


class NodeOut(Schema):
    id: uuid.UUID = Field(description="The case's uuid")
    number: str
    classification: Classification
    generation: int
    reported_at: LocalTime
    x: int
    y: int


class LinkOut(Schema):
    source: uuid.UUID = Field(description="The case the other was exposed to")
    target: uuid.UUID


class ClusterDetail(ClusterOut):
    nodes: list[NodeOut]
    links: list[LinkOut]


class ClusterFilters(Schema):
    min_size: int = Field(2, ge=1)


class ExposureSiteOut(Schema):
    uuid: uuid.UUID
    venue: VenueBrief
    case: CaseBrief
    starts_at: LocalTime
    ends_at: LocalTime
    visitors: int
    notified_at: LocalTime | None
    notified_by: str

    @staticmethod
    def resolve_notified_by(site):
        return site.notified_by.username if site.notified_by else ""


class ExposureSitePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ExposureSiteOut]


class ExposureFilters(Schema):
    pending: bool = Field(False, description="Only sites whose visitors are not yet notified")


# --- look-ups and shapes ------------------------------------------------------------------

def _investigation(user, public_id) -> Investigation:
    return get_for_user(user, Investigation.objects.select_related(
        "case__person", "team", "place"), public_id)


def _contact(user, public_id) -> Contact:
    return get_for_user(user, Contact.objects.select_related("case", "person"), public_id)


def _team(user, public_id) -> Team:
    team = Team.objects.accessible_to(user).filter(uuid=public_id).first()
    if team is None:
        raise ValidationError({"team": _("Choose a team in your area.")})
    return team


def _venue(code: str) -> Venue | None:
    """A venue anywhere in the city: a case's trajectory does not stop at the tracer's area."""
    if not code.strip():
        return None
    venue = Venue.objects.filter(code=code.strip().upper()).first()
    if venue is None:
        raise ValidationError({"venue_code": _("No venue has this code.")})
    return venue


def _person(id_number: str) -> Person:
    """Anyone on record, city-wide: a contact may live outside the tracer's area."""
    number = id_number.strip().replace(" ", "").upper()
    person = (Person.objects.active().filter(id_type=IdType.MAINLAND, id_number=number)
              .select_related("household").first())
    if person is None:
        raise ValidationError({"id_number": _("No person with this ID number is on record.")})
    return person


def _via(user, public_id, case) -> Contact | None:
    if public_id is None:
        return None
    via = Contact.objects.accessible_to(user).filter(uuid=public_id, case=case).first()
    if via is None:
        raise ValidationError({"via": _("Choose a contact of this case.")})
    return via


def _members(user, names: list[str]) -> list:
    names = set(names)
    found = list(accounts_in_scope(user).filter(username__in=names))
    unknown = sorted(names - {u.username for u in found})
    if unknown:
        raise ValidationError({"members": _("Unknown or outside your area: %(names)s")
                               % {"names": ", ".join(unknown)}})
    return found


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's field names as the caller sent them (a person is an `id_number` here)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(field, field): errors
                            for field, errors in exc.error_dict.items()})


def _case_ref(case: Case) -> dict:
    return {"uuid": case.uuid, "number": case.number, "reported_at": case.reported_at}


def _summary(investigation: Investigation) -> dict:
    team = investigation.team
    return {"uuid": investigation.uuid, "case": _case_ref(investigation.case),
            "person": investigation.case.person.name, "status": investigation.status,
            "team": {"uuid": team.uuid, "name": team.name} if team else None,
            "core_due_at": investigation.core_due_at,
            "overdue": investigation.is_overdue(timezone.now()),
            "contact_count": getattr(investigation, "contact_count", 0)}


def _contact_counts(user, case: Case) -> dict:
    return Contact.objects.accessible_to(user).filter(case=case).aggregate(
        total=Count("id"),
        proposed=Count("id", filter=Q(status=ContactStatus.PROPOSED)),
        confirmed=Count("id", filter=Q(status=ContactStatus.CONFIRMED)),
        dismissed=Count("id", filter=Q(status=ContactStatus.DISMISSED)),
        uncontrolled=Count("id", filter=selectors.uncontrolled_q()))


def _detail(user, public_id) -> dict:
    investigation = _investigation(user, public_id)
    window = infectious_window(investigation.case)
    contacts = _contact_counts(user, investigation.case)
    stays = investigation.stays.select_related("venue", "place")
    return {**_summary(investigation), "contact_count": contacts["total"],
            "assigned_at": investigation.assigned_at, "started_at": investigation.started_at,
            "core_done_at": investigation.core_done_at,
            "completed_at": investigation.completed_at, "summary": investigation.summary,
            "window": {"starts_at": window.start, "ends_at": window.end,
                       "reference": window.reference, "reference_day": window.reference_day,
                       "lookback_days": window.lookback_days},
            "stays": [_stay(s) for s in stays], "contacts": contacts}


def _stay(stay: Stay) -> dict:
    return {"id": stay.pk, "started_at": stay.started_at, "ended_at": stay.ended_at,
            "venue": stay.venue, "place": stay.place, "note": stay.note, "source": stay.source}


def _below(user, places: list[Place]) -> Place | None:
    """Addresses are written below the caller's area when every place lies in it."""
    scope = getattr(user, "scope", None)
    if scope is not None and all(p.path.startswith(scope.path) for p in places):
        return scope
    return None


def _contact_rows(user, contacts: list[Contact]) -> list[dict]:
    places = [c.place for c in contacts]
    labels = place_labels(places, below=_below(user, places))
    return [{"uuid": c.uuid, "case": _case_ref(c.case), "name": c.person.name,
             "household": labels[c.place_id], "category": c.category, "setting": c.setting,
             "status": c.status, "source": c.source, "last_exposure_at": c.last_exposure_at,
             "venue": c.venue, "overlap_minutes": c.overlap_minutes,
             "via": c.via.uuid if c.via_id else None, "note": c.note,
             "controlled_at": c.controlled_at,
             "control_order": c.control_order.uuid if c.control_order_id else None,
             "became_case": c.became_case.number if c.became_case_id else None,
             "reason": c.end_reason} for c in contacts]


def _contacts(user):
    return selectors.contacts_for(user).select_related("via")


def _teams(user):
    return selectors.teams_with_workload(user).select_related("place")


def _team_row(team: Team) -> dict:
    return {"uuid": team.uuid, "name": team.name, "place": team.place, "active": team.active,
            "members": sorted(m.username for m in team.members.all()),
            "open": team.open_count, "overdue": team.overdue_count,
            "completed": team.done_count}


def _cluster(cluster: chains.Cluster) -> dict:
    return {"key": cluster.key, "size": cluster.size, "generations": cluster.generations,
            "first": _case_ref(cluster.first), "last": _case_ref(cluster.last)}


def _graph(cluster: chains.Cluster) -> dict:
    """The chain view's graph with public ids: case uuids, not row keys."""
    cases = {str(c.uuid): c for c in cluster.cases}
    drawn = chains.graph(cluster)
    return {"nodes": [{"id": cases[n["id"]].uuid, "number": n["name"],
                       "classification": cases[n["id"]].classification,
                       "generation": n["value"], "reported_at": cases[n["id"]].reported_at,
                       "x": n["x"], "y": n["y"]} for n in drawn["nodes"]],
            "links": [{"source": cases[link["source"]].uuid,
                       "target": cases[link["target"]].uuid} for link in drawn["links"]]}


# --- investigations -----------------------------------------------------------------------

@router.get("/investigations", response={200: InvestigationPage, **REFUSALS, **INVALID},
            operation_id="tracing_investigations_list",
            summary="Investigations in the caller's area (a tracer: their teams'), the most "
                    "urgent first")
def investigations_list(request, paging: PagingQuery, filters: Query[InvestigationFilters]):
    user = request.auth
    require(user, Perm.VIEW_TRACING)
    team = get_for_user(user, Team.objects, filters.team) if filters.team else None
    rows = selectors.investigations_for(user, status=filters.status, team=team,
                                        overdue=filters.overdue)
    page = page_of(rows, paging)
    page["items"] = [_summary(i) for i in page["items"]]
    return page


@router.get("/investigations/{uuid:public_id}", response={200: InvestigationDetail,
                                                          **REFUSALS},
            operation_id="tracing_investigations_detail",
            summary="An investigation: its clock, the case's infectious window, the "
                    "trajectory and how many contacts are in which state")
def investigations_detail(request, public_id: uuid.UUID):
    user = request.auth
    require(user, Perm.VIEW_TRACING)
    return _detail(user, public_id)


@router.post("/investigations/{uuid:public_id}/status",
             response={200: InvestigationDetail, **REFUSALS, **INVALID},
             operation_id="tracing_investigations_status",
             summary="Move an investigation one step on: in_progress, core_done, completed")
def investigations_status(request, public_id: uuid.UUID, payload: StepIn):
    user = request.auth
    require(user, Perm.TRACE)
    services.investigation_advance(acting_user=user,
                                   investigation=_investigation(user, public_id),
                                   status=payload.status, summary=payload.summary)
    return _detail(user, public_id)


@router.post("/investigations/{uuid:public_id}/stays",
             response={201: StayOut, **REFUSALS, **INVALID},
             operation_id="tracing_stays_add",
             summary="Add a stay the case told about: when, and a venue or a note saying where")
def stays_add(request, public_id: uuid.UUID, payload: StayIn):
    user = request.auth
    require(user, Perm.TRACE)
    investigation = _investigation(user, public_id)
    stay = services.stay_add(acting_user=user, investigation=investigation,
                             started_at=payload.started_at, ended_at=payload.ended_at,
                             venue=_venue(payload.venue_code), note=payload.note)
    return Status(201, _stay(stay))


@router.delete("/investigations/{uuid:public_id}/stays/{int:stay_id}",
               response={200: RemovedOut, **REFUSALS, **INVALID},
               operation_id="tracing_stays_remove",
               summary="Remove a stay from the trajectory, saying why")
def stays_remove(request, public_id: uuid.UUID, stay_id: int,
                 reason: str = Query("", description="Why the stay is removed")):
    user = request.auth
    require(user, Perm.TRACE)
    stay = _investigation(user, public_id).stays.filter(pk=stay_id).first()
    if stay is None:
        raise Http404
    services.stay_remove(acting_user=user, stay=stay, reason=reason)
    return {"removed": stay_id}


@router.post("/investigations/{uuid:public_id}/propose",
             response={200: ProposedOut, **REFUSALS, **INVALID},
             operation_id="tracing_investigations_propose",
             summary="Propose stays from the case's check-ins and household, then contacts "
                     "from the household and overlapping check-ins (what is known stays)")
def investigations_propose(request, public_id: uuid.UUID):
    user = request.auth
    require(user, Perm.TRACE)
    return services.investigation_propose(acting_user=user,
                                          investigation=_investigation(user, public_id))


# --- contacts -----------------------------------------------------------------------------

@router.get("/contacts", response={200: ContactPage, **REFUSALS, **INVALID},
            operation_id="tracing_contacts_list",
            summary="Contacts in the caller's area (a tracer: of their teams' cases), by name "
                    "and household only, the latest exposure first")
def contacts_list(request, paging: PagingQuery, filters: Query[ContactFilters]):
    user = request.auth
    require(user, Perm.VIEW_TRACING)
    case = get_for_user(user, Case.objects, filters.case) if filters.case else None
    rows = selectors.contacts_for(user, case=case, status=filters.status,
                                  category=filters.category, uncontrolled=filters.uncontrolled)
    page = page_of(rows.select_related("via"), paging)
    page["items"] = _contact_rows(user, page["items"])
    return page


@router.post("/investigations/{uuid:public_id}/contacts",
             response={201: ContactOut, **REFUSALS, **INVALID},
             operation_id="tracing_contacts_record",
             summary="Record a contact the case named: confirmed at once, and a close contact "
                     "put under the profile's control")
def contacts_record(request, public_id: uuid.UUID, payload: ContactIn):
    user = request.auth
    require(user, Perm.TRACE)
    case = _investigation(user, public_id).case
    try:
        contact = services.contact_record(
            acting_user=user, case=case, person=_person(payload.id_number),
            category=payload.category, setting=payload.setting,
            last_exposure_at=payload.last_exposure_at, via=_via(user, payload.via, case),
            venue=_venue(payload.venue_code), note=payload.note)
    except ValidationError as exc:
        raise _renamed(exc, {"person": "id_number"}) from None
    return Status(201, _contact_rows(user, [_contacts(user).get(pk=contact.pk)])[0])


@router.post("/contacts/{uuid:public_id}/confirm",
             response={200: ContactOut, **REFUSALS, **INVALID},
             operation_id="tracing_contacts_confirm",
             summary="Confirm a proposed contact, perhaps as another category; a close "
                     "contact goes under the profile's control")
def contacts_confirm(request, public_id: uuid.UUID, payload: ConfirmIn):
    user = request.auth
    require(user, Perm.TRACE)
    contact = _contact(user, public_id)
    services.contact_confirm(acting_user=user, contact=contact, category=payload.category,
                             setting=payload.setting, via=_via(user, payload.via, contact.case),
                             reason=payload.reason)
    return _contact_rows(user, [_contacts(user).get(pk=contact.pk)])[0]


@router.post("/contacts/{uuid:public_id}/dismiss",
             response={200: ContactOut, **REFUSALS, **INVALID},
             operation_id="tracing_contacts_dismiss",
             summary="Dismiss a proposed contact, saying why")
def contacts_dismiss(request, public_id: uuid.UUID, payload: DismissIn):
    user = request.auth
    require(user, Perm.TRACE)
    contact = _contact(user, public_id)
    services.contact_dismiss(acting_user=user, contact=contact, reason=payload.reason)
    return _contact_rows(user, [_contacts(user).get(pk=contact.pk)])[0]


# --- teams and assignment -----------------------------------------------------------------

@router.get("/teams", response={200: list[TeamOut], **REFUSALS},
            operation_id="tracing_teams_list",
            summary="Tracing teams in the caller's area with their members and workload")
def teams_list(request):
    user = request.auth
    require(user, Perm.VIEW_TRACING)
    return [_team_row(t) for t in _teams(user)]


@router.post("/teams", response={201: TeamOut, **REFUSALS, **INVALID},
             operation_id="tracing_teams_create",
             summary="Form a tracing team over an area in yours, with its members")
def teams_create(request, payload: TeamIn):
    user = request.auth
    require(user, Perm.MANAGE_TEAMS)
    place = Place.objects.accessible_to(user).filter(uuid=payload.place).first()
    if place is None:
        raise ValidationError({"place": _("This place is unknown or outside your area.")})
    team = services.team_create(acting_user=user, name=payload.name, place=place,
                                members=_members(user, payload.members))
    return Status(201, _team_row(_teams(user).get(pk=team.pk)))


@router.post("/teams/{uuid:public_id}", response={200: TeamOut, **REFUSALS, **INVALID},
             operation_id="tracing_teams_update",
             summary="Change a team's members, or stop (restart) giving it new cases")
def teams_update(request, public_id: uuid.UUID, payload: TeamUpdateIn):
    user = request.auth
    require(user, Perm.MANAGE_TEAMS)
    team = get_for_user(user, Team.objects.select_related("place"), public_id)
    services.team_update(acting_user=user, team=team, members=_members(user, payload.members),
                         active=payload.active)
    return _team_row(_teams(user).get(pk=team.pk))


@router.post("/investigations/{uuid:public_id}/assign",
             response={200: InvestigationDetail, **REFUSALS, **INVALID},
             operation_id="tracing_investigations_assign",
             summary="Give an open investigation to a team (again, to move it)")
def investigations_assign(request, public_id: uuid.UUID, payload: AssignIn):
    user = request.auth
    require(user, Perm.MANAGE_TEAMS)
    services.investigation_assign(acting_user=user,
                                  investigation=_investigation(user, public_id),
                                  team=_team(user, payload.team))
    return _detail(user, public_id)


@router.post("/assign/round-robin", response={200: AssignedOut, **REFUSALS},
             operation_id="tracing_investigations_round_robin",
             summary="Give every investigation awaiting a team in your area to the teams "
                     "covering it, in turn")
def investigations_round_robin(request):
    user = request.auth
    require(user, Perm.MANAGE_TEAMS)
    return {"assigned": services.investigations_assign_round_robin(acting_user=user)}


# --- dashboard, clusters, exposure sites --------------------------------------------------

@router.get("/dashboard", response={200: TracingDashboardOut, **REFUSALS},
            operation_id="tracing_dashboard",
            summary="What waits (investigations not started or overdue, contacts not under "
                    "control) and how fast close contacts go under control")
def dashboard(request):
    user = request.auth
    require(user, Perm.VIEW_TRACING)
    return selectors.dashboard(user)


@router.get("/clusters", response={200: ClusterPage, **REFUSALS, **INVALID},
            operation_id="tracing_clusters_list",
            summary="Clusters of cases linked by transmission, the largest first")
def clusters_list(request, paging: PagingQuery, filters: Query[ClusterFilters]):
    user = request.auth
    require(user, Perm.VIEW_TRACING)
    found = chains.clusters_for(user, min_size=filters.min_size)
    return {"count": len(found), "limit": paging.limit, "offset": paging.offset,
            "items": [_cluster(c) for c in found[paging.offset:paging.offset + paging.limit]]}


@router.get("/clusters/{key}", response={200: ClusterDetail, **REFUSALS},
            operation_id="tracing_clusters_detail",
            summary="A cluster's chain: its cases laid out by generation, and the links")
def clusters_detail(request, key: str):
    user = request.auth
    require(user, Perm.VIEW_TRACING)
    cluster = chains.cluster_of(user, key)
    if cluster is None:
        raise Http404
    return {**_cluster(cluster), **_graph(cluster)}


@router.get("/exposure-sites", response={200: ExposureSitePage, **REFUSALS, **INVALID},
            operation_id="tracing_exposure_sites_list",
            summary="Venues where a case stayed in a crowded period, the latest first")
def exposure_sites_list(request, paging: PagingQuery, filters: Query[ExposureFilters]):
    user = request.auth
    require(user, Perm.VIEW_TRACING)
    rows = selectors.exposure_sites_for(user).select_related("notified_by")
    if filters.pending:
        rows = rows.filter(notified_at__isnull=True)
    return page_of(rows, paging)


@router.post("/exposure-sites/{uuid:public_id}/notify",
             response={200: ExposureSiteOut, **REFUSALS, **INVALID},
             operation_id="tracing_exposure_sites_notify",
             summary="Record that a site's visitors in the window were told as a group")
def exposure_sites_notify(request, public_id: uuid.UUID):
    user = request.auth
    require(user, Perm.TRACE)
    site = get_for_user(user, ExposureSite.objects.select_related("venue__place"), public_id)
    services.exposure_site_notify(acting_user=user, site=site)
    return selectors.exposure_sites_for(user).select_related("notified_by").get(pk=site.pk)

