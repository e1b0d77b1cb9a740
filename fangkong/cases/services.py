"""Writes to cases, facilities and outbreaks: one function per change, each audited.

Every case service locks the case row, checks the user may act on it, checks the time of
the fact (not in the future, not before the case's last event), writes a CaseEvent and the
projected state on Case in one transaction, and records an AuditEvent with the reason.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm, can
from fangkong.audit.services import audit_record
from fangkong.cases.models import (
    IN_CONTROL_ROUTES,
    Case,
    CaseEvent,
    CaseTest,
    Classification,
    ClinicalType,
    EventKind,
    Facility,
    FacilityKind,
    FacilityStay,
    Outbreak,
    Outcome,
    Route,
)
from fangkong.cases.rules import discharge_verdict
from fangkong.cases.selectors import admission_facilities
from fangkong.people.models import Person
from fangkong.places.models import PATH_STEP, Level, Place
from fangkong.tracing.services import case_reported


def _require(acting_user, perm: str) -> None:
    if acting_user is not None and not can(acting_user, perm):
        raise PermissionError(perm)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check_choice(field: str, value: str, choices) -> None:
    if value not in choices.values:
        raise _field_error(field, _("Choose one of the listed values."), "choice")


def _check_time(case: Case | None, at: datetime.datetime, field: str = "at") -> None:
    if timezone.is_naive(at):
        raise _field_error(field, _("The time needs a time zone."), "naive")
    if at > timezone.now():
        raise _field_error(field, _("This time lies in the future."), "future")
    if case is not None:
        last = case.events.order_by("-at").values_list("at", flat=True).first()
        if last is not None and at < last:
            raise _field_error(
                field, _("This time is before the case's last recorded event (%(last)s).")
                % {"last": timezone.localtime(last).strftime("%Y-%m-%d %H:%M")}, "order")


def _locked(case: Case, acting_user) -> Case:
    locked = (Case.objects.select_for_update(of=("self",)).select_related("place")
              .get(pk=case.pk))
    if acting_user is not None and not Case.objects.accessible_to(acting_user).filter(
            pk=case.pk).exists():
        raise PermissionError("case outside scope")
    return locked


def _event(case: Case, kind: str, at, acting_user, *, facility=None, detail=None,
           reason: str = "") -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, at=at, facility=facility,
                                    detail=detail or {}, reason=reason,
                                    actor=acting_user if getattr(acting_user, "pk", None)
                                    else None)


def _audit(acting_user, action: str, case: Case, changes=None, reason: str = "") -> None:
    audit_record(actor=acting_user, action=action, target=case, scope_place=case.place,
                 changes=changes, reason=reason)


# --- outbreaks and facilities -------------------------------------------------------------

@transaction.atomic
def outbreak_create(*, acting_user, code: str, name: str, start_date: datetime.date,
                    places: list[Place], disease: str = "covid-19") -> Outbreak:
    _require(acting_user, Perm.MANAGE_FACILITIES)
    if Outbreak.objects.filter(code=code).exists():
        raise ValidationError({"code": _("An outbreak with this code exists.")}, code="duplicate")
    outbreak = Outbreak.objects.create(code=code, name=name, start_date=start_date,
                                       disease=disease, created_by=_user(acting_user))
    outbreak.places.set(places)
    audit_record(actor=acting_user, action="outbreak.create", target=outbreak,
                 changes={"start_date": (None, start_date)})
    return outbreak


@transaction.atomic
def facility_create(*, acting_user, name: str, kind: str, place: Place, beds: int) -> Facility:
    _require(acting_user, Perm.MANAGE_FACILITIES)
    _check_choice("kind", kind, FacilityKind)
    name = name.strip()
    if not name:
        raise _field_error("name", _("Give the facility a name."), "required")
    if beds < 1:
        raise ValidationError({"beds": _("A facility needs at least one bed.")}, code="beds")
    if Facility.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A facility with this name exists.")}, code="duplicate")
    facility = Facility.objects.create(name=name, kind=kind, place=place, beds=beds,
                                       created_by=_user(acting_user))
    audit_record(actor=acting_user, action="facility.create", target=facility, scope_place=place,
                 changes={"beds": (None, beds)})
    return facility


def _user(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


# --- reporting ----------------------------------------------------------------------------

def district_of(place: Place) -> Place:
    district = Place.objects.filter(path=place.path[:2 * PATH_STEP], level=Level.DISTRICT).first()
    if district is None:
        raise ValidationError({"person": _("The person's residence lies in no district.")},
                              code="district")
    return district


def _next_number(outbreak: Outbreak) -> str:
    Outbreak.objects.select_for_update().filter(pk=outbreak.pk).first()
    return f"{outbreak.code}-{Case.objects.filter(outbreak=outbreak).count() + 1:05d}"


def _check_report(*, acting_user, person, outbreak, classification, clinical_type, reported_at,
                  sample_date, onset_date, route) -> None:
    _check_choice("classification", classification, Classification)
    _check_choice("route", route, Route)
    errors = {}
    if classification == Classification.CONFIRMED and not clinical_type:
        errors["clinical_type"] = _("A confirmed case needs its clinical type.")
    if classification == Classification.ASYMPTOMATIC and (clinical_type or onset_date):
        field = "clinical_type" if clinical_type else "onset_date"
        errors[field] = _("An asymptomatic infection has no clinical type or onset.")
    if clinical_type and clinical_type not in ClinicalType.values:
        errors["clinical_type"] = _("Choose one of the listed values.")
    report_day = timezone.localdate(reported_at) if timezone.is_aware(reported_at) else None
    if report_day and report_day < outbreak.start_date:
        errors["reported_at"] = _("The outbreak began on %(day)s; this report is earlier.") % {
            "day": outbreak.start_date.isoformat()}
    for field, day in (("sample_date", sample_date), ("onset_date", onset_date)):
        if day and report_day and day > report_day:
            errors[field] = _("This date is after the report.")
    if Case.objects.filter(outbreak=outbreak, person=person).exists():
        errors["person"] = _("This person is already a case in this outbreak.")
    try:
        _check_time(None, reported_at, "reported_at")
    except ValidationError as error:
        errors.setdefault("reported_at", error.error_dict["reported_at"][0])
    if errors:
        raise ValidationError(errors, code="invalid")
    if acting_user is not None and not Person.objects.accessible_to(acting_user).filter(
            pk=person.pk).exists():
        raise PermissionError("person outside scope")


@transaction.atomic
def case_report(*, acting_user, person: Person, outbreak: Outbreak, classification: str,
                reported_at: datetime.datetime, route: str, clinical_type: str = "",
                sample_date: datetime.date | None = None, onset_date: datetime.date | None = None,
                imported: bool = False, number: str = "", by_rule: bool = False) -> Case:
    """Report a case. `by_rule`: the report follows from a rule (a positive test of a person
    under control, a positive single retest), so the user who recorded the test need not
    hold the right to report nor see the person's area (a laboratory)."""
    if not by_rule:
        _require(acting_user, Perm.REPORT_CASES)
    _check_report(acting_user=None if by_rule else acting_user, person=person,
                  outbreak=outbreak,
                  classification=classification, clinical_type=clinical_type,
                  reported_at=reported_at, sample_date=sample_date, onset_date=onset_date,
                  route=route)
    case = Case.objects.create(
        outbreak=outbreak, person=person, number=number or _next_number(outbreak),
        initial_classification=classification, classification=classification,
        clinical_type=clinical_type, reported_at=reported_at, sample_date=sample_date,
        onset_date=onset_date, route=route, in_control=route in IN_CONTROL_ROUTES,
        imported=imported, place=person.household, district=district_of(person.household),
        created_by=_user(acting_user))
    _event(case, EventKind.REPORTED, reported_at, acting_user,
           detail={"classification": classification, "clinical_type": clinical_type,
                   "route": route})
    _audit(acting_user, "case.report", case,
           changes={"classification": (None, classification), "route": (None, route)})
    case_reported(acting_user=acting_user, case=case)
    return case


# --- clinical course ----------------------------------------------------------------------

def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed (%(outcome)s).")
                              % {"outcome": Outcome(case.outcome).label}, code="closed")


@transaction.atomic
def case_reclassify(*, acting_user, case: Case, at: datetime.datetime, clinical_type: str,
                    onset_date: datetime.date | None = None, reason: str = "") -> Case:
    """订正: an asymptomatic infection becomes a confirmed case, counted on the day `at`."""
    _require(acting_user, Perm.MANAGE_CASES)
    case = _locked(case, acting_user)
    _require_open(case)
    if case.classification != Classification.ASYMPTOMATIC:
        raise ValidationError(_("Only an asymptomatic infection can be reclassified."),
                              code="not_asymptomatic")
    _check_choice("clinical_type", clinical_type, ClinicalType)
    _check_time(case, at)
    case.classification = Classification.CONFIRMED
    case.clinical_type = clinical_type
    case.reclassified_at = at
    case.onset_date = onset_date or case.onset_date
    case.save(update_fields=["classification", "clinical_type", "reclassified_at", "onset_date",
                             "updated_at"])
    _event(case, EventKind.RECLASSIFIED, at, acting_user,
           detail={"clinical_type": clinical_type}, reason=reason)
    _audit(acting_user, "case.reclassify", case, reason=reason, changes={
        "classification": (Classification.ASYMPTOMATIC, Classification.CONFIRMED)})
    return case


@transaction.atomic
def case_change_clinical_type(*, acting_user, case: Case, at: datetime.datetime,
                              clinical_type: str, reason: str = "") -> Case:
    _require(acting_user, Perm.MANAGE_CASES)
    case = _locked(case, acting_user)
    _require_open(case)
    if case.classification != Classification.CONFIRMED:
        raise ValidationError(_("Only a confirmed case has a clinical type; reclassify first."),
                              code="not_confirmed")
    _check_choice("clinical_type", clinical_type, ClinicalType)
    if clinical_type == case.clinical_type:
        raise ValidationError({"clinical_type": _("The case already has this clinical type.")},
                              code="unchanged")
    _check_time(case, at)
    old = case.clinical_type
    case.clinical_type = clinical_type
    case.save(update_fields=["clinical_type", "updated_at"])
    _event(case, EventKind.CLINICAL_TYPE, at, acting_user,
           detail={"from": old, "to": clinical_type}, reason=reason)
    _audit(acting_user, "case.clinical_type", case, reason=reason,
           changes={"clinical_type": (old, clinical_type)})
    return case


def _close_stay(case: Case, at: datetime.datetime) -> None:
    FacilityStay.objects.filter(case=case, left_at__isnull=True).update(left_at=at)


@transaction.atomic
def case_admit(*, acting_user, case: Case, facility: Facility, at: datetime.datetime,
               reason: str = "") -> Case:
    """Admit to a facility; if the case is already in one, this is a transfer."""
    _require(acting_user, Perm.MANAGE_CASES)
    case = _locked(case, acting_user)
    _require_open(case)
    if case.facility_id == facility.pk:
        raise ValidationError({"facility": _("The case is already in this facility.")},
                              code="same_facility")
    if acting_user is not None and not admission_facilities(acting_user).filter(
            pk=facility.pk).exists():
        raise PermissionError("facility outside the user's city")
    _check_time(case, at)
    previous = case.facility
    _close_stay(case, at)
    FacilityStay.objects.create(case=case, facility=facility, admitted_at=at)
    case.facility = facility
    case.save(update_fields=["facility", "updated_at"])
    kind = EventKind.TRANSFERRED if previous else EventKind.ADMITTED
    _event(case, kind, at, acting_user, facility=facility, reason=reason,
           detail={"from": previous.name if previous else "", "to": facility.name})
    _audit(acting_user, f"case.{kind}", case, reason=reason,
           changes={"facility": (previous, facility)})
    return case


@transaction.atomic
def case_test_record(*, acting_user, case: Case, sampled_at: datetime.datetime,
                     ct_n: Decimal | None, ct_orf1ab: Decimal | None) -> CaseTest:
    _require(acting_user, Perm.MANAGE_CASES)
    case = _locked(case, acting_user)
    _require_open(case)
    _check_time(None, sampled_at, "sampled_at")
    if sampled_at < case.reported_at:
        raise _field_error("sampled_at", _("This test was taken before the case was reported."),
                           "order")
    for field, ct in (("ct_n", ct_n), ("ct_orf1ab", ct_orf1ab)):
        if ct is not None and not (0 < ct <= 50):
            raise ValidationError({field: _("A Ct value lies between 0 and 50.")}, code="ct")
    test = CaseTest.objects.create(case=case, sampled_at=sampled_at, ct_n=ct_n,
                                   ct_orf1ab=ct_orf1ab, recorded_by=_user(acting_user))
    _event(case, EventKind.TEST, sampled_at, acting_user,
           detail={"ct_n": _ct(ct_n), "ct_orf1ab": _ct(ct_orf1ab)})
    _audit(acting_user, "case.test", case, changes={"ct_n": (None, ct_n),
                                                    "ct_orf1ab": (None, ct_orf1ab)})
    return test


def _ct(value) -> str | None:
    return None if value is None else str(value)


def _end(acting_user, case: Case, *, outcome: str, at: datetime.datetime, reason: str) -> Case:
    _close_stay(case, at)
    case.outcome = outcome
    case.outcome_at = at
    case.facility = None
    case.save(update_fields=["outcome", "outcome_at", "facility", "updated_at"])
    _event(case, outcome, at, acting_user, reason=reason)
    _audit(acting_user, f"case.{outcome}", case, reason=reason,
           changes={"outcome": ("", outcome)})
    return case


def _check_rule(acting_user, case: Case, at: datetime.datetime, override_reason: str) -> str:
    """The profile's test rule, or a written, permitted override; returns the audit reason."""
    verdict = discharge_verdict(case, at)
    if verdict.ok:
        return ""
    if not override_reason.strip():
        raise ValidationError(verdict.message, code=f"rule_{verdict.code}")
    _require(acting_user, Perm.OVERRIDE_DISCHARGE)
    return _("Override of the test rule (%(refusal)s): %(reason)s") % {
        "refusal": verdict.message, "reason": override_reason.strip()}


@transaction.atomic
def case_discharge(*, acting_user, case: Case, at: datetime.datetime,
                   override_reason: str = "") -> Case:
    """治愈出院 of a confirmed case, if its tests meet the profile's rule."""
    _require(acting_user, Perm.MANAGE_CASES)
    case = _locked(case, acting_user)
    _require_open(case)
    if case.classification != Classification.CONFIRMED:
        raise ValidationError(_("An asymptomatic infection is released, not discharged."),
                              code="not_confirmed")
    _check_time(case, at)
    reason = _check_rule(acting_user, case, at, override_reason)
    return _end(acting_user, case, outcome=Outcome.DISCHARGED, at=at, reason=reason)


@transaction.atomic
def case_release(*, acting_user, case: Case, at: datetime.datetime,
                 override_reason: str = "") -> Case:
    """解除医学观察 of an asymptomatic infection, if its tests meet the profile's rule."""
    _require(acting_user, Perm.MANAGE_CASES)
    case = _locked(case, acting_user)
    _require_open(case)
    if case.classification != Classification.ASYMPTOMATIC:
        raise ValidationError(_("A confirmed case is discharged, not released."),
                              code="not_asymptomatic")
    _check_time(case, at)
    reason = _check_rule(acting_user, case, at, override_reason)
    return _end(acting_user, case, outcome=Outcome.RELEASED, at=at, reason=reason)


@transaction.atomic
def case_die(*, acting_user, case: Case, at: datetime.datetime, reason: str) -> Case:
    _require(acting_user, Perm.MANAGE_CASES)
    case = _locked(case, acting_user)
    _require_open(case)
    if case.classification != Classification.CONFIRMED:
        raise ValidationError(_("Reclassify the infection as confirmed before recording a "
                                "death."), code="not_confirmed")
    if not reason.strip():
        raise ValidationError({"reason": _("Give the cause recorded by the hospital.")},
                              code="reason")
    _check_time(case, at)
    return _end(acting_user, case, outcome=Outcome.DIED, at=at, reason=reason.strip())
