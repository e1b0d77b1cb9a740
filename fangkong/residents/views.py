"""Residents' pages (sign-in by phone and code, own status, health checks, appeals) and the
community's side of appeals."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm, Role, can
from fangkong.control.models import ControlOrder
from fangkong.control.services import health_check_record
from fangkong.core.access import get_for_user, require_perm
from fangkong.lib.masking import mask_phone
from fangkong.places.selectors import place_labels
from fangkong.residents import selectors, services, session
from fangkong.residents.forms import (
    AnswerForm,
    AppealForm,
    ChooseForm,
    CodeForm,
    HealthCheckForm,
    PhoneForm,
)
from fangkong.testing import selectors as testing
from fangkong.testing.models import RoundStatus, TubeKind, TubeResult


def _is_resident(user) -> bool:
    return (getattr(user, "is_authenticated", False) and user.role == Role.RESIDENT
            and bool(user.person_id) and can(user, Perm.VIEW_SELF))


def resident_required(view):
    """A signed-in resident; others signed in get 403, visitors go to the sign-in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("residents:sign_in"))
        if not _is_resident(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _attach_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _page(request, template, context, form=None):
    status = 400 if form is not None and form.errors else 200
    return render(request, template, context, status=status)


# --- sign-in --------------------------------------------------------------------------------

def sign_in(request):
    if _is_resident(request.user):
        return redirect("residents:status")
    form = PhoneForm(request.POST or None, initial={"phone": session.asked_phone(request)})
    if request.method == "POST" and form.is_valid():
        try:
            phone = services.otp_request(phone=form.cleaned_data["phone"],
                                         ip=request.META.get("REMOTE_ADDR"))
        except ValidationError as error:
            _attach_errors(form, error)
        except services.TooManyRequests as refusal:
            form.add_error(None, str(refusal))
        else:
            session.remember_asked(request, phone)
            messages.info(request, services.CODE_SENT)
            return redirect("residents:sign_in_code")
    return _page(request, "residents/sign_in.html",
                 {"form": form, "has_code": bool(session.asked_phone(request))}, form)


def _signed_in(request, person):
    try:
        user = services.resident_sign_in(person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("residents:sign_in")
    session.log_in(request, user)
    return redirect("residents:status")


def sign_in_code(request):
    phone = session.asked_phone(request)
    if not phone:
        return redirect("residents:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = services.otp_verify(phone=phone, code=form.cleaned_data["code"])
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            if len(verified.people) == 1:
                return _signed_in(request, verified.people[0])
            session.remember_verified(request, verified.phone)
            return redirect("residents:sign_in_choose")
    return _page(request, "residents/sign_in_code.html",
                 {"form": form, "phone": mask_phone(phone)}, form)


def sign_in_choose(request):
    phone = session.verified_phone(request)
    if not phone:
        messages.error(request, _("Your code check has expired: ask for a new code."))
        return redirect("residents:sign_in")
    people = list(selectors.people_with_phone(phone))
    form = ChooseForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_choose(phone=phone, public_id=form.cleaned_data["person"])
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            return _signed_in(request, person)
    return _page(request, "residents/sign_in_choose.html", {"form": form}, form)


# --- the resident's own status --------------------------------------------------------------

def _sample_label(sample) -> str:
    """A pooled tube's positive result is not the person's own: say what happens next."""
    tube = sample.tube
    if tube.kind == TubeKind.POOL and tube.result in (TubeResult.POSITIVE, TubeResult.RESAMPLE):
        return _("Your pooled tube needs a check: stay at home, you will be sampled again "
                 "alone.")
    return tube.get_result_display()


def _test_rounds(user) -> list[dict]:
    """The resident's call-down time and own sample in each planned or open test round."""
    person = user.person
    rows = []
    for test_round in (testing.rounds_for_user(user)
                       .filter(status__in=[RoundStatus.PLANNED, RoundStatus.OPEN])
                       .order_by("starts_at")):
        slot = testing.slot_for(test_round, person)
        sample = testing.person_sample(test_round, person)
        rows.append({"round": test_round, "slot": slot, "sample": sample,
                     "result": _sample_label(sample) if sample else "",
                     "site_place": place_labels([slot.site.venue.place], below=None)[
                         slot.site.venue.place_id] if slot else ""})
    return rows


def _status_page(request, check_form=None):
    status = selectors.resident_status(request.user.person, timezone.localdate())
    if check_form is None and status.can_report:
        check_form = HealthCheckForm(orders=status.can_report)
    return _page(request, "residents/status.html", {
        "person": request.user.person, "status": status, "check_form": check_form,
        "test_rounds": _test_rounds(request.user)}, check_form)


@resident_required
def status(request):
    return _status_page(request)


@resident_required
@require_POST
def check(request):
    status = selectors.resident_status(request.user.person, timezone.localdate())
    if not status.can_report:  # nothing in force (any more): nothing to report on
        return redirect("residents:status")
    form = HealthCheckForm(request.POST, orders=status.can_report)
    if form.is_valid():
        data = form.cleaned_data
        order = next(v.order for v in status.can_report if str(v.order.uuid) == data["order"])
        try:
            health_check_record(acting_user=request.user, order=order, taken_at=timezone.now(),
                                temperature=data["temperature"], symptoms=data["symptoms"],
                                by_self=True)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, _("Your health check was recorded."))
            return redirect("residents:status")
    return _status_page(request, form)


@resident_required
def appeal(request, public_id):
    order = get_for_user(request.user, ControlOrder.objects.select_related("profile"),
                         public_id)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_submit(acting_user=request.user, order=order,
                                   message=form.cleaned_data["message"])
        except ValidationError as error:
            _attach_errors(form, error)
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("Your appeal was sent to your community."))
            return redirect("residents:status")
    status = selectors.resident_status(request.user.person, timezone.localdate())
    view = next((v for v in status.current + status.past if v.order.pk == order.pk), None)
    return _page(request, "residents/appeal.html",
                 {"order": order, "view": view, "form": form}, form)


# --- the community's side of appeals --------------------------------------------------------

@login_required
@require_perm(Perm.MANAGE_CONTROL)
def appeals(request):
    rows = list(selectors.open_appeals_for_user(request.user))
    labels = place_labels([a.order.place for a in rows], below=request.user.scope)
    return render(request, "residents/appeals.html", {
        "rows": [{"appeal": a, "address": labels[a.order.place_id]} for a in rows]})


@login_required
@require_perm(Perm.MANAGE_CONTROL)
def appeal_answer(request, public_id):
    found = selectors.appeals_for_user(request.user).select_related(
        "order__profile", "answered_by").filter(uuid=public_id).first()
    if found is None:
        raise Http404
    form = AnswerForm(request.POST or None) if found.answered_at is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.appeal_answer(acting_user=request.user, appeal=found,
                                   answer=form.cleaned_data["answer"])
        except ValidationError as error:
            _attach_errors(form, error)
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("Your answer was sent."))
            return redirect("residents:appeals")
    address = place_labels([found.order.place], below=request.user.scope)[found.order.place_id]
    return _page(request, "residents/appeal_answer.html",
                 {"appeal": found, "order": found.order, "address": address, "form": form},
                 form)
