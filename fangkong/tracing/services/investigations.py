"""Investigations (流调): opened when a case is reported, worked through their status, with a
trajectory of dated stays pre-filled from the case's own check-ins and household."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm
from fangkong.places.models import Place, Venue
from fangkong.protocol.selectors import rule
from fangkong.tracing.models import (
    CheckIn,
    Investigation,
    InvestigationEvent,
    InvestigationEventKind,
    Status,
    Stay,
    StaySource,
)
from fangkong.tracing.services.common import (
    audit,
    check_investigation,
    event,
    field_error,
    new_event,
    require,
    user_or_none,
)
from fangkong.tracing.window import infectious_window

# status -> (the statuses it may follow, the timestamp it sets)
_STEPS = {
    Status.IN_PROGRESS: ((Status.ASSIGNED,), "started_at", InvestigationEventKind.STARTED),
    Status.CORE_DONE: ((Status.IN_PROGRESS,), "core_done_at", InvestigationEventKind.CORE_DONE),
    Status.COMPLETED: ((Status.CORE_DONE,), "completed_at", InvestigationEventKind.COMPLETED),
}


def investigation_open(*, acting_user, case) -> Investigation:
    """The case's investigation, due by the profile's core-information hours after the
    report, given round-robin to a team covering the case's home when one exists, with its
    trajectory and contacts proposed from what is on record. Called by `case_report`, so it
    runs inside every report (thousands a day in a surge): the window is computed once, and
    a new investigation has no stays or contacts to read back."""
    from fangkong.tracing.services.contacts import new_contacts
    from fangkong.tracing.services.teams import assigned_round_robin

    existing = Investigation.objects.filter(case=case).first()
    if existing is not None:
        return existing
    hours = rule(timezone.localtime(case.reported_at).date(), "investigation_core_hours")
    investigation = Investigation(
        case=case, place=case.place, core_due_at=case.reported_at
        + datetime.timedelta(hours=hours), created_by=user_or_none(acting_user))
    timeline = [new_event(investigation, InvestigationEventKind.OPENED, acting_user)]
    timeline += assigned_round_robin(acting_user, investigation)
    investigation.save()
    window = infectious_window(case)
    if not window.is_empty:
        stays = new_stays(investigation, window, have=set(), home=None)
        Stay.objects.bulk_create(stays)
        if stays:
            timeline.append(new_event(investigation, InvestigationEventKind.STAYS_PROPOSED,
                                      acting_user, detail={"stays": len(stays)}))
        counts = new_contacts(investigation, window, known={case.person_id},
                              stays=[s for s in stays if s.venue_id is not None])
        if any(counts.values()):
            timeline.append(new_event(investigation, InvestigationEventKind.CONTACTS_PROPOSED,
                                      acting_user, detail=counts))
    InvestigationEvent.objects.bulk_create(timeline)
    return investigation


@transaction.atomic
def investigation_advance(*, acting_user, investigation: Investigation, status: str,
                          summary: str = "") -> Investigation:
    """Move the investigation one step on: start, core information done, completed."""
    require(acting_user, Perm.TRACE)
    check_investigation(acting_user, investigation)
    investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
    if status not in _STEPS:
        raise field_error("status", _("Choose one of the listed values."), "choice")
    allowed, stamp, kind = _STEPS[status]
    if investigation.status not in allowed:
        raise field_error("status", _("An investigation that is %(now)s cannot become "
                                      "%(next)s.") % {
            "now": investigation.get_status_display(), "next": Status(status).label},
            "order")
    before = investigation.status
    investigation.status = status
    setattr(investigation, stamp, timezone.now())
    fields = ["status", stamp, "updated_by", "updated_at"]
    if summary.strip():
        investigation.summary = summary.strip()
        fields.append("summary")
    investigation.updated_by = user_or_none(acting_user)
    investigation.save(update_fields=fields)
    event(investigation, kind, acting_user, reason=summary.strip())
    audit(acting_user, "tracing.investigation_status", investigation.case, investigation.place,
          changes={"status": (before, status)})
    return investigation


def _check_open(investigation: Investigation) -> None:
    if investigation.status == Status.COMPLETED:
        raise field_error("investigation", _("This investigation is completed."), "completed")


@transaction.atomic
def stay_add(*, acting_user, investigation: Investigation, started_at: datetime.datetime,
             ended_at: datetime.datetime, venue: Venue | None = None,
             place: Place | None = None, note: str = "") -> Stay:
    """A stay the case told the tracer about (or a correction of a proposed one)."""
    require(acting_user, Perm.TRACE)
    check_investigation(acting_user, investigation)
    _check_open(investigation)
    if ended_at < started_at:
        raise field_error("ended_at", _("A stay ends after it begins."), "order")
    if started_at > timezone.now():
        raise field_error("started_at", _("This time lies in the future."), "future")
    if venue is None and place is None and not note.strip():
        raise field_error("note", _("Say where: a venue, a place or a note."), "where")
    stay = Stay.objects.create(investigation=investigation, venue=venue, place=place,
                               started_at=started_at, ended_at=ended_at, note=note.strip(),
                               source=StaySource.INTERVIEW,
                               recorded_by=user_or_none(acting_user))
    audit(acting_user, "tracing.stay_add", investigation.case, investigation.place,
          changes={"stay": (None, f"{started_at.isoformat()}–{ended_at.isoformat()}")})
    return stay


@transaction.atomic
def stay_remove(*, acting_user, stay: Stay, reason: str) -> None:
    investigation = stay.investigation
    require(acting_user, Perm.TRACE)
    check_investigation(acting_user, investigation)
    _check_open(investigation)
    if not reason.strip():
        raise field_error("reason", _("Say why the stay is removed."), "reason")
    audit(acting_user, "tracing.stay_remove", investigation.case, investigation.place,
          changes={"stay": (str(stay), None)}, reason=reason.strip())
    # on the timeline, and remembered so that reading the check-ins again does not bring back
    # what the tracer took out
    where = stay.venue.name if stay.venue_id else (stay.place.name if stay.place_id
                                                   else stay.note)
    start, end = timezone.localtime(stay.started_at), timezone.localtime(stay.ended_at)
    event(investigation, InvestigationEventKind.STAY_REMOVED, acting_user, detail={
        "stay": f"{where} {start:%m-%d %H:%M}–{end:%m-%d %H:%M}", "source": stay.source,
        "venue_id": stay.venue_id, "started_at": stay.started_at.isoformat()},
        reason=reason.strip())
    stay.delete()


def _removed(investigation: Investigation) -> tuple[set, bool]:
    """The (venue, start) of check-in stays the tracer removed, and whether they removed
    the household stay."""
    details = investigation.events.filter(
        kind=InvestigationEventKind.STAY_REMOVED).values_list("detail", flat=True)
    checkins = {(d["venue_id"], datetime.datetime.fromisoformat(d["started_at"]))
                for d in details if d.get("source") == StaySource.CHECKIN}
    return checkins, any(d.get("source") == StaySource.HOUSEHOLD for d in details)


def _merged(checkins) -> list[tuple[int, datetime.datetime, datetime.datetime]]:
    """Consecutive check-ins at one venue (the pieces of a long stay) as one stay."""
    out: list[list] = []
    for venue_id, start, end in checkins:
        if out and out[-1][0] == venue_id and start <= out[-1][2]:
            out[-1][2] = max(out[-1][2], end)
        else:
            out.append([venue_id, start, end])
    return [tuple(x) for x in out]


def new_stays(investigation: Investigation, window, *, have: set, home: Stay | None,
              add_home: bool = True) -> list[Stay]:
    """The stays to add (unsaved): the case's check-ins in the window not in `have` (venue,
    start), and the household for the whole window unless `home` is there already, in which
    case it is moved to follow the window (or `add_home` is false)."""
    case = investigation.case
    rows = (CheckIn.objects.filter(person_id=case.person_id,
                                   checked_in_at__lt=window.end, left_at__gt=window.start)
            .order_by("checked_in_at").values_list("venue_id", "checked_in_at", "left_at"))
    new = [Stay(investigation=investigation, venue_id=venue_id, started_at=start,
                ended_at=end, source=StaySource.CHECKIN)
           for venue_id, start, end in _merged(rows) if (venue_id, start) not in have]
    if home is None:
        if add_home:
            new.append(Stay(investigation=investigation, place_id=case.person.household_id,
                            started_at=window.start, ended_at=window.end,
                            source=StaySource.HOUSEHOLD))
    elif (home.started_at, home.ended_at) != (window.start, window.end):
        # the window moved (an onset date learnt on reclassification): the home stay follows
        home.started_at, home.ended_at = window.start, window.end
        home.save(update_fields=["started_at", "ended_at"])
    return new


@transaction.atomic
def investigation_propose(*, acting_user, investigation: Investigation) -> dict:
    """Read the case's check-ins and household again (a gate's late upload, an onset date
    learnt on reclassification): the new stays, then contacts from the household and from
    check-ins overlapping the venue stays. What is proposed already is left as it is.
    Returns how many of each: stays, household, companions, exposure_sites."""
    from fangkong.tracing.models import Contact
    from fangkong.tracing.services.contacts import new_contacts

    if acting_user is not None:
        require(acting_user, Perm.TRACE)
        check_investigation(acting_user, investigation)
    investigation = Investigation.objects.select_for_update(of=("self",)).select_related(
        "case__person").get(pk=investigation.pk)  # two tracers reading again at once
    _check_open(investigation)
    case = investigation.case
    counts = {"stays": 0, "household": 0, "companions": 0, "exposure_sites": 0}
    window = infectious_window(case)
    if window.is_empty:
        return counts
    have = set(investigation.stays.filter(source=StaySource.CHECKIN)
               .values_list("venue_id", "started_at"))
    home = investigation.stays.filter(source=StaySource.HOUSEHOLD).first()
    removed, home_removed = _removed(investigation)
    stays = new_stays(investigation, window, have=have | removed, home=home,
                      add_home=not home_removed)
    Stay.objects.bulk_create(stays)
    if stays:
        event(investigation, InvestigationEventKind.STAYS_PROPOSED, acting_user,
              detail={"stays": len(stays)})
    known = set(Contact.objects.filter(case=case).values_list("person_id", flat=True))
    found = new_contacts(investigation, window, known=known | {case.person_id},
                         stays=list(investigation.stays.filter(
                             venue__isnull=False, started_at__lt=window.end,
                             ended_at__gt=window.start)))
    if any(found.values()):
        event(investigation, InvestigationEventKind.CONTACTS_PROPOSED, acting_user,
              detail=found)
    return {**counts, **found, "stays": len(stays)}
