"""Resident registry pages: search, detail, create, edit, reveal, export."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm, can
from fangkong.cases.selectors import cases_of_person
from fangkong.control.selectors import control_status_for
from fangkong.core.access import get_for_user, require_perm
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.people import services
from fangkong.people.forms import MergeForm, PersonForm, SearchForm
from fangkong.people.models import Person, SpecialTag
from fangkong.people.selectors import (
    find_by_id_number,
    history_rows,
    household_members,
    is_over_80,
    people_for_user,
    search_people,
    tags_of,
)
from fangkong.places.models import Place
from fangkong.places.selectors import household_choices, place_labels

PERSON_FIELDS = ("name", "id_type", "id_number", "sex", "birth_date", "phone", "residency",
                 "worker_role")


def _filtered_people(request):
    form = SearchForm(request.GET)
    form.is_valid()
    people = search_people(request.user, form.cleaned_data.get("q", ""))
    place = None
    if request.GET.get("place"):
        place = get_for_user(request.user, Place.objects, request.GET["place"])
        people = people.filter(household__path__startswith=place.path)
    return form, place, people


@login_required
@require_perm(Perm.VIEW_PEOPLE)
def registry(request):
    form, place, people = _filtered_people(request)
    paginator = Paginator(people.select_related("household"), settings.FANGKONG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    labels = place_labels([p.household for p in page], below=request.user.scope)
    rows = [{"person": p, "id_masked": mask_id_number(p.id_number),
             "phone_masked": mask_phone(p.phone), "address": labels[p.household_id]}
            for p in page]
    return render(request, "people/registry.html", {
        "form": form, "place": place, "page": page, "rows": rows,
        "query": request.GET.urlencode(),
    })


def _person_context(request, person):
    today = timezone.localdate()
    members = list(household_members(request.user, person))
    return {
        "person": person,
        "address": place_labels([person.household],
                                below=request.user.scope)[person.household_id],
        "id_masked": mask_id_number(person.id_number),
        "phone_masked": mask_phone(person.phone),
        "tag_labels": [SpecialTag(t).label for t in tags_of(person)],
        "over_80": is_over_80(person, today),
        "members": members,
        "history": history_rows(person),
        "can_reveal": can(request.user, Perm.REVEAL_PII),
        "can_edit": can(request.user, Perm.EDIT_PEOPLE),
        "can_merge": can(request.user, Perm.MERGE_PEOPLE),
        "cases": cases_of_person(request.user, person),
        "control": control_status_for(request.user, person, today),
        "can_place_under_control": can(request.user, Perm.MANAGE_CONTROL),
        "can_report_case": can(request.user, Perm.REPORT_CASES),
    }


@login_required
def detail(request, public_id):
    if not (can(request.user, Perm.VIEW_PEOPLE) or can(request.user, Perm.VIEW_SELF)):
        raise Http404
    person = get_for_user(request.user, Person.objects.active(), public_id)
    return render(request, "people/detail.html", _person_context(request, person))


@login_required
@require_perm(Perm.VIEW_SELF)
def me(request):
    person = people_for_user(request.user).first()
    if person is None:
        raise Http404
    return redirect("people:detail", public_id=person.uuid)


@login_required
@require_POST
def reveal(request, public_id, field):
    person = get_for_user(request.user, Person.objects.active(), public_id,
                          perm=Perm.VIEW_PEOPLE)
    if field not in ("id_number", "phone") or not can(request.user, Perm.REVEAL_PII):
        raise Http404
    value = services.person_reveal(acting_user=request.user, person=person, field=field)
    return render(request, "people/_revealed.html", {
        "value": value, "person": person, "history": history_rows(person)})


def _household_options(request, person=None):
    under = request.user.scope
    if under is None:
        return []
    if request.GET.get("place"):
        under = get_for_user(request.user, Place.objects, request.GET["place"])
    choices = household_choices(request.user, under) or []
    if person is not None and str(person.household.uuid) not in {c[0] for c in choices}:
        label = place_labels([person.household], below=request.user.scope)[person.household_id]
        choices.insert(0, (str(person.household.uuid), label))
    return choices


def _save(request, form, person=None):
    data = dict(form.cleaned_data)
    reason = data.pop("reason")
    version = data.pop("version")
    data["household"] = Place.objects.accessible_to(request.user).get(uuid=data["household"])
    if person is None:
        return services.person_create(acting_user=request.user, reason=reason, **data)
    if not data["sex"]:
        data.pop("sex")
    if not data["birth_date"]:
        data.pop("birth_date")
    return services.person_update(acting_user=request.user, person=person, reason=reason,
                                  expected_version=version, **data)


def _form_view(request, person=None):
    households = _household_options(request, person)
    initial = None
    if person is not None:
        initial = {f: getattr(person, f) for f in PERSON_FIELDS}
        initial.update(household=str(person.household.uuid), tags=tags_of(person),
                       version=services.person_version(person))
    form = PersonForm(request.POST or None, households=households, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, person)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", public_id=saved.uuid)
    return render(request, "people/form.html", {
        "form": form, "person": person, "too_many": not households})


def _attach_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_perm(Perm.EDIT_PEOPLE)
def create(request):
    return _form_view(request)


@login_required
@require_perm(Perm.EDIT_PEOPLE)
def edit(request, public_id):
    person = get_for_user(request.user, Person.objects.active(), public_id)
    return _form_view(request, person)


@login_required
@require_perm(Perm.EXPORT_PEOPLE)
def export(request):
    form, place, people = _filtered_people(request)
    rows = services.people_export_rows(
        acting_user=request.user, people=people,
        description=request.GET.urlencode())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="residents.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("ID type"), _("ID number"), _("Sex"), _("Birth date"),
                     _("Mobile phone"), _("Household"), _("Residency")])
    writer.writerows(rows)
    return response


@login_required
@require_perm(Perm.MERGE_PEOPLE)
def merge(request, public_id):
    """Merge a duplicate record (found by its ID number, in the user's area) into this one."""
    survivor = get_for_user(request.user, Person.objects.active(), public_id)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        duplicate = find_by_id_number(request.user, form.cleaned_data["duplicate_id_number"])
        if duplicate is None:
            form.add_error("duplicate_id_number", _("No record with this ID number in your area."))
        else:
            try:
                services.person_merge(acting_user=request.user, survivor=survivor,
                                      duplicate=duplicate, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("The duplicate record was merged into this one."))
                return redirect("people:detail", public_id=survivor.uuid)
    return render(request, "people/merge.html", {"form": form, "person": survivor})
