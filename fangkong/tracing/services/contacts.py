"""Contacts of a case: proposed from the household and from overlapping check-ins, recorded
from the interview, confirmed or dismissed by a tracer. A confirmed close (or secondary)
contact is put under the profile's control through the control service; a contact who
becomes a case turns the link into a transmission link.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm
from fangkong.cases.models import Case
from fangkong.control.models import Basis, ControlOrder, OrderKind, OrderStatus
from fangkong.people.models import Person
from fangkong.places.models import Venue
from fangkong.protocol.selectors import profile_on, rules
from fangkong.tracing.matching import Probe, companions
from fangkong.tracing.models import (
    CONTROLLED,
    Category,
    Contact,
    ContactSource,
    ContactStatus,
    ExposureSite,
    Investigation,
    Setting,
)
from fangkong.tracing.services.common import (
    audit,
    field_error,
    require,
    user_or_none,
)

PLAN_OF = {Category.CLOSE: "close-contact", Category.SECONDARY: "secondary-contact"}
ISOLATING = (OrderKind.CENTRALISED_ISOLATION, OrderKind.HOME_ISOLATION)


def _later_case(person_id: int, case: Case) -> Case | None:
    """The person's own case, if reported no earlier than the source case in its outbreak."""
    return (Case.objects.filter(person_id=person_id, outbreak_id=case.outbreak_id,
                                reported_at__gte=case.reported_at)
            .exclude(pk=case.pk).first())


def _tracing_rules(case: Case) -> dict:
    return rules(timezone.localtime(case.reported_at).date(), "companion_min_overlap_minutes",
                 "exposure_site_min_visitors")


def new_contacts(investigation: Investigation, window, *, known: set[int], stays: list
                 ) -> dict:
    """Propose the household's members as close contacts and the people whose check-ins
    overlap the venue `stays` as companions, leaving the `known` people out. A stay with as
    many such visitors as the profile's crowd makes the venue an exposure site instead: its
    visitors are told as a group, and are counted, never listed. Returns how many of each
    were proposed."""
    case = investigation.case
    new: dict[int, Contact] = {}
    household = (Person.objects.active().filter(household_id=case.person.household_id)
                 .exclude(pk__in=known)
                 # a member who is a case already was not infected by this one
                 .exclude(cases__outbreak_id=case.outbreak_id,
                          cases__reported_at__lte=case.reported_at))
    for person in household:
        new[person.pk] = Contact(
            case=case, person=person, place_id=person.household_id, category=Category.CLOSE,
            setting=Setting.HOUSEHOLD, last_exposure_at=window.end,
            status=ContactStatus.PROPOSED, source=ContactSource.HOUSEHOLD)
    counts = {"household": len(new), "companions": 0, "exposure_sites": 0}
    if stays:
        known = known | set(new)
        _propose_companions(case, window, known, stays, new, counts)
    Contact.objects.bulk_create(new.values(), batch_size=2000)
    return counts


def _propose_companions(case: Case, window, known: set[int], stays: list,
                        new: dict[int, Contact], counts: dict) -> None:
    values = _tracing_rules(case)
    probes = [Probe(index, s.venue_id, max(s.started_at, window.start),
                    min(s.ended_at, window.end)) for index, s in enumerate(stays)]
    people = {}
    for group in companions(probes, min_overlap=datetime.timedelta(
            minutes=values["companion_min_overlap_minutes"])):
        stay = stays[group.key]
        visitors = len(group.people) - (case.person_id in group.people)
        if visitors >= values["exposure_site_min_visitors"]:
            _, created = ExposureSite.objects.get_or_create(
                venue_id=stay.venue_id, case=case, starts_at=stay.started_at,
                defaults={"ends_at": stay.ended_at, "visitors": visitors})
            counts["exposure_sites"] += created
            continue
        for person_id, overlap, last_at in group.rows():
            if person_id in known:
                continue
            best = people.get(person_id)
            if best is None or overlap > best[0]:
                people[person_id] = (overlap, last_at, stay)
    households = dict(Person.objects.filter(pk__in=people).values_list("pk", "household_id"))
    for person_id, (overlap, last_at, stay) in people.items():
        new[person_id] = Contact(
            case=case, person_id=person_id, place_id=households[person_id],
            category=Category.COMPANION, setting=Setting.VENUE, venue_id=stay.venue_id,
            last_exposure_at=last_at, status=ContactStatus.PROPOSED,
            source=ContactSource.COMPANION, overlap_minutes=int(overlap.total_seconds() // 60))
    counts["companions"] = len(people)


def _check_category(category: str, setting: str, via: Contact | None, case: Case) -> None:
    if category not in Category.values:
        raise field_error("category", _("Choose one of the listed values."), "choice")
    if setting not in Setting.values:
        raise field_error("setting", _("Choose one of the listed values."), "choice")
    if category == Category.SECONDARY:
        day = timezone.localdate()
        profile = profile_on(day)
        if PLAN_OF[Category.SECONDARY] not in profile.values.get("plans", {}):
            raise field_error("category", _(
                "Secondary contacts are not traced under %(profile)s, in force since "
                "%(day)s.") % {"profile": profile.name, "day": profile.valid_from.isoformat()},
                "secondary_not_allowed")
        if via is None or via.case_id != case.pk or via.category != Category.CLOSE:
            raise field_error("via", _("Name the close contact of this case through whom "
                                       "the person was exposed."), "via")
    elif via is not None:
        raise field_error("via", _("Only a secondary contact is traced through a close "
                                   "contact."), "via")


def _control(acting_user, contact: Contact) -> None:
    """Put a confirmed close or secondary contact under the plan's control, or note the
    isolation they are already in. A person who is a case already needs none."""
    if contact.category not in CONTROLLED or contact.became_case_id:
        return
    from fangkong.control.services import control_order_create

    order = (ControlOrder.objects.filter(person_id=contact.person_id, kind__in=ISOLATING,
                                         status=OrderStatus.ACTIVE).first())
    if order is None:
        order = control_order_create(
            acting_user=acting_user, person=contact.person, basis=Basis.CONTACT,
            plan_basis=PLAN_OF[contact.category], starts_on=timezone.localdate(),
            basis_case=contact.case, by_rule=True)
    contact.control_order = order
    contact.controlled_at = timezone.now()


def _check_case(acting_user, case: Case) -> None:
    if acting_user is not None and not Case.objects.accessible_to(acting_user).filter(
            pk=case.pk).exists():
        raise PermissionError("case outside scope")


@transaction.atomic
def contact_record(*, acting_user, case: Case, person: Person, category: str, setting: str,
                   last_exposure_at: datetime.datetime, via: Contact | None = None,
                   venue: Venue | None = None, note: str = "") -> Contact:
    """A contact the tracer found (the interview, a workplace list): confirmed at once, and
    a close or secondary contact put under control."""
    require(acting_user, Perm.TRACE)
    _check_case(acting_user, case)
    _check_category(category, setting, via, case)
    if person.pk == case.person_id:
        raise field_error("person", _("A case is not its own contact."), "self")
    if last_exposure_at > timezone.now():
        raise field_error("last_exposure_at", _("This time lies in the future."), "future")
    if Contact.objects.filter(case=case, person=person).exists():
        raise field_error("person", _("This person is already a contact of this case: "
                                      "change the existing contact."), "duplicate")
    later = _later_case(person.pk, case)
    contact = Contact(case=case, person=person, place_id=person.household_id,
                      category=category, setting=setting, last_exposure_at=last_exposure_at,
                      status=ContactStatus.CONFIRMED, source=ContactSource.INTERVIEW, via=via,
                      venue=venue, note=note.strip(), confirmed_at=timezone.now(),
                      became_case=later, created_by=user_or_none(acting_user))
    _control(acting_user, contact)
    contact.save()
    audit(acting_user, "tracing.contact_record", person, person.household,
          changes={"category": (None, category), "case": (None, case.number)})
    return contact


def _locked(acting_user, contact: Contact) -> Contact:
    """The contact, locked, if the user may decide on it: it is theirs to see, and so is its
    case (a district sees a contact living there whose case another district traces, but
    confirming or dismissing it is the tracing team's decision)."""
    if acting_user is not None and not (
            Contact.objects.accessible_to(acting_user).filter(pk=contact.pk).exists()
            and Case.objects.accessible_to(acting_user).filter(pk=contact.case_id).exists()):
        raise PermissionError("contact outside scope")
    return Contact.objects.select_for_update(of=("self",)).select_related(
        "case", "person").get(pk=contact.pk)


@transaction.atomic
def contact_confirm(*, acting_user, contact: Contact, category: str = "", setting: str = "",
                    via: Contact | None = None, reason: str = "") -> Contact:
    """Confirm a proposed contact, perhaps as another category (a companion found to be a
    close contact), which needs a reason: it decides whether the person is isolated. A close
    or secondary contact goes under control."""
    require(acting_user, Perm.TRACE)
    contact = _locked(acting_user, contact)
    if contact.status != ContactStatus.PROPOSED:
        raise field_error("status", _("Only a proposed contact can be confirmed."), "status")
    category, setting = category or contact.category, setting or contact.setting
    _check_category(category, setting, via, contact.case)
    before = contact.category
    if category != before and not reason.strip():
        raise field_error("reason", _("Say why the category changes."), "reason")
    contact.category, contact.setting, contact.via = category, setting, via
    contact.status = ContactStatus.CONFIRMED
    contact.confirmed_at = timezone.now()
    contact.became_case = contact.became_case or _later_case(contact.person_id, contact.case)
    _control(acting_user, contact)
    contact.updated_by = user_or_none(acting_user)
    contact.save()
    audit(acting_user, "tracing.contact_confirm", contact.person, contact.place,
          changes={"status": (ContactStatus.PROPOSED, ContactStatus.CONFIRMED),
                   "category": (before, category)}, reason=reason.strip())
    return contact


@transaction.atomic
def contact_dismiss(*, acting_user, contact: Contact, reason: str) -> Contact:
    """Not a contact after all (not at home in the window, a mistaken check-in)."""
    require(acting_user, Perm.TRACE)
    contact = _locked(acting_user, contact)
    if contact.status != ContactStatus.PROPOSED:
        raise field_error("status", _("Only a proposed contact can be dismissed."), "status")
    if not reason.strip():
        raise field_error("reason", _("Say why this is not a contact."), "reason")
    contact.status = ContactStatus.DISMISSED
    contact.end_reason = reason.strip()
    contact.updated_by = user_or_none(acting_user)
    contact.save(update_fields=["status", "end_reason", "updated_by", "updated_at"])
    audit(acting_user, "tracing.contact_dismiss", contact.person, contact.place,
          changes={"status": (ContactStatus.PROPOSED, ContactStatus.DISMISSED)},
          reason=contact.end_reason)
    return contact


def case_reported(*, acting_user, case: Case) -> Investigation:
    """A new case: its earlier contact links become transmission links, and its
    investigation opens. Called by `case_report` in the same transaction."""
    from fangkong.tracing.services.investigations import investigation_open

    linked = (Contact.objects.filter(person_id=case.person_id, became_case__isnull=True,
                                     case__outbreak_id=case.outbreak_id,
                                     case__reported_at__lte=case.reported_at)
              .exclude(status=ContactStatus.DISMISSED))
    for contact in linked.select_related("case"):
        contact.became_case = case
        contact.save(update_fields=["became_case", "updated_at"])
        audit(acting_user, "tracing.transmission_link", case, case.place,
              changes={"infected_by": (None, contact.case.number)})
    return investigation_open(acting_user=acting_user, case=case)


@transaction.atomic
def exposure_site_notify(*, acting_user, site: ExposureSite) -> ExposureSite:
    """Record that the site's visitors in the window were told as a group (a public notice,
    a text to every phone that checked in)."""
    require(acting_user, Perm.TRACE)
    if acting_user is not None and not ExposureSite.objects.accessible_to(acting_user).filter(
            pk=site.pk).exists():
        raise PermissionError("exposure site outside scope")
    site = ExposureSite.objects.select_for_update().get(pk=site.pk)
    if site.notified_at is not None:
        raise field_error("site", _("The visitors were notified already."), "notified")
    site.notified_at = timezone.now()
    site.notified_by = user_or_none(acting_user)
    site.save(update_fields=["notified_at", "notified_by", "updated_at"])
    audit(acting_user, "tracing.exposure_notify", site, site.venue.place,
          changes={"visitors": (None, site.visitors)})
    return site

