"""Case pages: the register, the case page and its actions, the report form, facilities."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm, can
from fangkong.cases import selectors, services
from fangkong.cases.forms import (
    ACTION_FORMS,
    DayForm,
    FacilityForm,
    RegisterFilterForm,
    ReportForm,
)
from fangkong.cases.models import (
    Case,
    Classification,
    ClinicalType,
    EventKind,
    Facility,
    Outbreak,
    Route,
)
from fangkong.cases.rules import discharge_verdict
from fangkong.core.access import get_for_user, require_perm
from fangkong.people.picker import pick_person
from fangkong.places.models import PATH_STEP, Level, Place
from fangkong.places.selectors import place_labels

SERVICES = {
    "reclassify": services.case_reclassify,
    "clinical_type": services.case_change_clinical_type,
    "admit": services.case_admit,
    "test": services.case_test_record,
    "discharge": services.case_discharge,
    "release": services.case_release,
    "die": services.case_die,
}
DONE = {
    "reclassify": gettext_lazy("Reclassified as a confirmed case."),
    "clinical_type": gettext_lazy("Clinical type changed."),
    "admit": gettext_lazy("Admission recorded."),
    "test": gettext_lazy("Test recorded."),
    "discharge": gettext_lazy("Discharge recorded."),
    "release": gettext_lazy("Release from medical observation recorded."),
    "die": gettext_lazy("Death recorded."),
}


TITLES = {
    "reclassify": gettext_lazy("Reclassify as confirmed"),
    "clinical_type": gettext_lazy("Change the clinical type"),
    "admit": gettext_lazy("Admit to a facility"),
    "test": gettext_lazy("Record a test"),
    "discharge": gettext_lazy("Discharge"),
    "release": gettext_lazy("Release from medical observation"),
    "die": gettext_lazy("Record a death"),
}


def _attach_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            visible = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if visible else None, errors)
    else:
        form.add_error(None, error)


def _default_outbreak(day, outbreaks):
    return selectors.outbreak_on(day) or (outbreaks[0] if outbreaks else None)


def _districts_around(user):
    """Districts the user's area lies in or contains: a community worker still sees the name
    of their own district (the bulletin's links name it), never a neighbouring one."""
    path = user.scope_path
    if not path:
        return Place.objects.none()
    return Place.objects.filter(Q(path__startswith=path) | Q(path__in=user.scope.ancestor_paths()),
                                level=Level.DISTRICT).order_by("path")


# --- the register -------------------------------------------------------------------------

def _day_or_none(value):
    try:
        return forms.DateField(required=False).clean(value)
    except ValidationError:
        return None


def _filter_form(request, outbreaks, districts):
    """The filters as given; with no outbreak named, the one in force on the day looked at."""
    data = request.GET.copy()
    if "outbreak" not in data:
        day = _day_or_none(data.get("as_of")) or timezone.localdate()
        default = _default_outbreak(day, outbreaks)
        data["outbreak"] = default.code if default else ""
    return RegisterFilterForm(data, outbreaks=outbreaks, districts=districts)


@login_required
@require_perm(Perm.VIEW_CASES)
def register(request):
    outbreaks = list(Outbreak.objects.order_by("-start_date"))
    districts = list(_districts_around(request.user))
    form = _filter_form(request, outbreaks, districts)
    if not form.is_valid():
        return render(request, "cases/register.html", {"form": form}, status=400)
    f = form.cleaned_data
    cases = selectors.register(
        request.user, outbreak={o.code: o for o in outbreaks}.get(f["outbreak"]),
        district={str(d.uuid): d for d in districts}.get(f["district"]),
        classification=f["classification"], status=f["status"],
        reported_from=f["reported_from"], reported_to=f["reported_to"], bucket=f["bucket"],
        as_of=f["as_of"], query=f["q"].strip())
    page = Paginator(cases, settings.FANGKONG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/register.html", {
        "form": form, "page": page, "as_of": f["as_of"],
        "bucket_label": selectors.bucket_label(f["bucket"]) if f["bucket"] else "",
        "can_report": can(request.user, Perm.REPORT_CASES),
    })


# --- the case page ------------------------------------------------------------------------

def _available(user, case) -> list[str]:
    """The actions the page offers; the services check them again when they run."""
    if not case.is_open or not can(user, Perm.MANAGE_CASES):
        return []
    if case.classification == Classification.CONFIRMED:
        return ["clinical_type", "admit", "test", "discharge", "die"]
    return ["reclassify", "admit", "test", "release"]


def _admit_facilities(user):
    """Facilities of the user's whole city: a district's cases go to city hospitals and to
    makeshift hospitals in other districts. All facilities when the city has none on record."""
    path = user.scope_path
    city = Facility.objects.filter(place__path__startswith=path[:PATH_STEP]) if path else None
    if city is None or not city.exists():
        city = Facility.objects.all()
    return city.order_by("kind", "name")


def _action_form(user, action, data=None):
    kwargs = {}
    if action == "admit":
        facilities = _admit_facilities(user)
        kwargs = {"facilities": facilities,
                  "occupied": selectors.occupancy(facilities, timezone.localdate())}
    elif action in ("discharge", "release"):
        kwargs = {"can_override": can(user, Perm.OVERRIDE_DISCHARGE)}
    return ACTION_FORMS[action](data, **kwargs)


def _label(choices, value):
    return dict(choices.choices).get(value, value)


def _ct(value):
    return _("not detected") if value is None else value


def _event_details(event) -> list[str]:
    d = event.detail
    if event.kind == EventKind.REPORTED:
        return [str(_label(Classification, d.get("classification"))),
                str(_label(ClinicalType, d.get("clinical_type", ""))),
                str(_label(Route, d.get("route")))]
    if event.kind == EventKind.RECLASSIFIED:
        return [str(_label(ClinicalType, d.get("clinical_type")))]
    if event.kind == EventKind.CLINICAL_TYPE:
        return [f"{_label(ClinicalType, d.get('from'))} → {_label(ClinicalType, d.get('to'))}"]
    if event.kind == EventKind.TRANSFERRED:
        return [f"{d.get('from')} → {d.get('to')}"]
    if event.kind == EventKind.ADMITTED:
        return [d.get("to", "")]
    if event.kind == EventKind.TEST:
        return [_("Ct N %(n)s / ORF1ab %(orf1ab)s") % {"n": _ct(d.get("ct_n")),
                                                        "orf1ab": _ct(d.get("ct_orf1ab"))}]
    return []


def _title(case, action):
    if action == "admit" and case.facility_id:
        return _("Transfer to another facility")
    return TITLES[action]


def _case_context(request, case, bound_action="", bound_form=None):
    user = request.user
    actions = [{"name": action, "title": _title(case, action),
                "form": bound_form if action == bound_action else _action_form(user, action)}
               for action in _available(user, case)]
    ends = any(a["name"] in ("discharge", "release") for a in actions)
    return {
        "case": case, "actions": actions,
        "address": place_labels([case.place], below=user.scope)[case.place_id],
        "can_view_person": can(user, Perm.VIEW_PEOPLE),
        "can_override": can(user, Perm.OVERRIDE_DISCHARGE),
        "stays": case.stays.select_related("facility"),
        "tests": [{"test": t, "ct_n": _ct(t.ct_n), "ct_orf1ab": _ct(t.ct_orf1ab)}
                  for t in case.tests.select_related("recorded_by")],
        "timeline": [{"event": e, "details": [x for x in _event_details(e) if x]}
                     for e in selectors.timeline(case)],
        "verdict": discharge_verdict(case, timezone.now()) if ends else None,
    }


def _case(user, public_id):
    return get_for_user(user, Case.objects.select_related(
        "person", "district", "facility", "outbreak", "place", "investigation"), public_id)


@login_required
@require_perm(Perm.VIEW_CASES)
def detail(request, public_id):
    case = _case(request.user, public_id)
    return render(request, "cases/detail.html", _case_context(request, case))


@login_required
@require_POST
@require_perm(Perm.MANAGE_CASES)
def act(request, public_id, action):
    if action not in SERVICES:
        raise Http404
    case = _case(request.user, public_id)
    if action not in _available(request.user, case):
        messages.error(request, _("This action does not apply to this case now."))
        return redirect("cases:detail", public_id=case.uuid)
    form = _action_form(request.user, action, request.POST)
    if form.is_valid():
        try:
            SERVICES[action](acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            _attach_errors(form, error)
        except PermissionError:
            raise PermissionDenied from None
        else:
            transfer = action == "admit" and case.facility_id
            messages.success(request, _("Transfer recorded.") if transfer else DONE[action])
            return redirect("cases:detail", public_id=case.uuid)
    return render(request, "cases/detail.html", _case_context(request, case, action, form))


# --- the report form ----------------------------------------------------------------------

@login_required
@require_perm(Perm.REPORT_CASES)
def report(request):
    picked = pick_person(request, "cases:report")
    if picked.redirect_to:
        return picked.redirect_to
    person = picked.person
    outbreaks = list(Outbreak.objects.order_by("-start_date"))
    default = _default_outbreak(timezone.localdate(), outbreaks)
    form = ReportForm(request.POST or None, outbreaks=outbreaks, initial={
        "outbreak": default.code if default else "", "person": person.uuid if person else ""})
    if request.method == "POST" and form.is_valid():
        case = _report(request, form, person, outbreaks)
        if case is not None:
            messages.success(request, _("Case %(number)s reported.") % {"number": case.number})
            return redirect("cases:detail", public_id=case.uuid)
    return render(request, "cases/report.html", {"form": form, **picked.context(request.user)})


def _report(request, form, person, outbreaks):
    if person is None:
        form.add_error(None, _("Choose the person first."))
        return None
    data = dict(form.cleaned_data)
    data.pop("person")
    data["outbreak"] = {o.code: o for o in outbreaks}[data["outbreak"]]
    try:
        return services.case_report(acting_user=request.user, person=person, **data)
    except ValidationError as error:
        _attach_errors(form, error)
    except PermissionError:
        raise PermissionDenied from None
    return None


# --- facilities ---------------------------------------------------------------------------

def _occupancy_rows(user, day):
    facilities = list(selectors.facilities_for_user(user).select_related("place")
                      .order_by("kind", "name"))
    occupied = selectors.occupancy(facilities, day)
    return [{"facility": f, "occupied": occupied.get(f.pk, 0),
             "percent": round(100 * occupied.get(f.pk, 0) / f.beds) if f.beds else 0}
            for f in facilities]


def _create_facility(request, form, districts):
    data = form.cleaned_data
    place = {str(d.uuid): d for d in districts}[data["place"]]
    try:
        services.facility_create(acting_user=request.user, name=data["name"].strip(),
                                 kind=data["kind"], place=place, beds=data["beds"])
    except ValidationError as error:
        _attach_errors(form, error)
        return False
    return True


@login_required
def facilities(request):
    user = request.user
    if not (can(user, Perm.VIEW_CASES) or can(user, Perm.MANAGE_FACILITIES)):
        raise PermissionDenied
    manage = can(user, Perm.MANAGE_FACILITIES)
    if request.method == "POST" and not manage:
        raise PermissionDenied
    day_form = DayForm(request.GET)
    day = (day_form.cleaned_data["day"] if day_form.is_valid() else None) or timezone.localdate()
    form = None
    if manage:
        districts = list(Place.objects.accessible_to(user).filter(level=Level.DISTRICT))
        form = FacilityForm(request.POST or None, districts=districts)
        if request.method == "POST" and form.is_valid() and _create_facility(
                request, form, districts):
            messages.success(request, _("Facility created."))
            return redirect("cases:facilities")
    return render(request, "cases/facilities.html", {
        "rows": _occupancy_rows(user, day), "day": day, "day_form": day_form, "form": form})
