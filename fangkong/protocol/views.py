"""Protocol pages: the profiles, one profile's plans and values with a plan calculator, a new
version copied from a profile, and the change of a profile not yet in force.

Profiles are the city's rules, not anyone's personal data: every user who may see control
orders (or edit the rules) sees all of them. Writing needs Perm.MANAGE_PROTOCOL.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fangkong.accounts.roles import Perm, can
from fangkong.control.models import Colour
from fangkong.protocol import services
from fangkong.protocol.forms import CalculatorForm, ProfileForm, pretty
from fangkong.protocol.models import KEYS, ProtocolProfile
from fangkong.protocol.plans import BASES
from fangkong.protocol.validation import (
    RISK_LEVEL_LABELS,
    PlanRefused,
    basis_label,
    kind_label,
    plan_for,
)

READ_PERMS = (Perm.VIEW_CONTROL, Perm.MANAGE_PROTOCOL)


def require_read(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not any(can(request.user, perm) for perm in READ_PERMS):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _profile(public_id) -> ProtocolProfile:
    return get_object_or_404(ProtocolProfile, uuid=public_id)


def _attach_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- the list -----------------------------------------------------------------------------

@login_required
@require_GET
@require_read
def profile_list(request):
    profiles = list(ProtocolProfile.objects.order_by("disease", "-valid_from"))
    status = services.statuses(profiles, timezone.localdate())
    return render(request, "protocol/list.html", {
        "rows": [{"profile": p, "status": status[p.pk]} for p in profiles],
        "can_manage": can(request.user, Perm.MANAGE_PROTOCOL)})


# --- one profile --------------------------------------------------------------------------

def _plan_rows(values: dict) -> list[dict]:
    plans = values.get("plans") or {}
    return [{"basis": basis, "label": basis_label(basis), "rule": plans[basis]["rule"],
             "phases": [{"number": n, "kind": kind_label(phase["kind"]), "days": phase["days"],
                         "test_days": ", ".join(str(day) for day in phase["test_days"])}
                        for n, phase in enumerate(plans[basis]["phases"], 1)]}
            for basis in BASES if basis in plans]


def _shown(key: str, value) -> list[str]:
    """A value as lines a person reads: labels instead of codes where the code has one."""
    if key == "code_colours":
        colours = dict(Colour.choices)
        return [f"{kind_label(kind)}: {colours.get(colour, colour)}"
                for kind, colour in value.items()]
    if key == "risk_levels":
        return [str(RISK_LEVEL_LABELS.get(level, level)) for level in value]
    return [str(value)]


def _value_rows(values: dict) -> list[dict]:
    return [{"key": key, "label": label, "lines": _shown(key, values[key])}
            for key, label in KEYS.items() if key != "plans" and key in values]


def _calculation(request, profile) -> dict:
    """The calculator: blank with this profile's first day, or the phases (or refusal) asked."""
    asked = "basis" in request.GET or "start" in request.GET
    plans = profile.values.get("plans") or {}
    form = CalculatorForm(request.GET if asked else None, initial={
        "start": profile.valid_from, "basis": next((b for b in BASES if b in plans), "")})
    result = {"form": form, "phases": [], "refusal": "", "other_profile": None}
    if not asked or not form.is_valid():
        return result
    basis, start = form.cleaned_data["basis"], form.cleaned_data["start"]
    try:
        phases = plan_for(basis, start, profile.disease)
    except PlanRefused as refusal:
        result["refusal"] = str(refusal)
        return result
    result["phases"] = [{"phase": p, "kind": kind_label(p.kind)} for p in phases]
    if phases[0].profile_code != profile.code:
        result["other_profile"] = phases[0]
    return result


@login_required
@require_GET
@require_read
def profile_detail(request, public_id):
    profile = _profile(public_id)
    manage = can(request.user, Perm.MANAGE_PROTOCOL)
    refusal = services.edit_refusal(profile)
    plans = profile.values.get("plans") or {}
    return render(request, "protocol/detail.html", {
        "profile": profile, "in_force": bool(refusal), "can_manage": manage,
        "can_edit": manage and not refusal, "plans": _plan_rows(profile.values),
        "missing": [basis_label(b) for b in BASES if b not in plans],
        "values": _value_rows(profile.values), "calc": _calculation(request, profile)})


# --- writing ------------------------------------------------------------------------------

def _require_manage(user) -> None:
    if not can(user, Perm.MANAGE_PROTOCOL):
        raise PermissionDenied


def _create(request, form, based_on):
    data = dict(form.cleaned_data)
    try:
        return services.profile_create(acting_user=request.user, based_on=based_on, **data)
    except ValidationError as error:
        _attach_errors(form, error)
    return None


@login_required
@require_read
def profile_new(request, public_id):
    """A new version, its values copied from this profile."""
    _require_manage(request.user)
    based_on = _profile(public_id)
    form = ProfileForm(request.POST or None, initial={
        "valid_from": timezone.localdate(), "values": pretty(based_on.values)})
    if request.method == "POST" and form.is_valid():
        profile = _create(request, form, based_on)
        if profile is not None:
            messages.success(request, _("Profile %(name)s saved; it takes effect on %(day)s.")
                             % {"name": profile.name, "day": profile.valid_from.isoformat()})
            return redirect("protocol:detail", public_id=profile.uuid)
    return render(request, "protocol/form.html", {
        "form": form, "based_on": based_on, "profile": None})


def _update(request, form, profile):
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        return services.profile_update(acting_user=request.user, profile=profile,
                                       expected_version=version, **data)
    except ValidationError as error:
        _attach_errors(form, error)
    return None


@login_required
@require_read
def profile_edit(request, public_id):
    """Change a profile whose day has not come; one in force is refused, saying why."""
    _require_manage(request.user)
    profile = _profile(public_id)
    refusal = services.edit_refusal(profile)
    if refusal:
        messages.error(request, refusal)
        return redirect("protocol:detail", public_id=profile.uuid)
    form = ProfileForm(request.POST or None, editing=True, initial={
        "name": profile.name, "source_doc": profile.source_doc, "valid_from": profile.valid_from,
        "values": pretty(profile.values), "version": services.profile_version(profile)})
    if request.method == "POST" and form.is_valid():
        saved = _update(request, form, profile)
        if saved is not None:
            messages.success(request, _("Profile %(name)s saved; it takes effect on %(day)s.")
                             % {"name": saved.name, "day": saved.valid_from.isoformat()})
            return redirect("protocol:detail", public_id=saved.uuid)
    return render(request, "protocol/form.html", {
        "form": form, "based_on": None, "profile": profile})
