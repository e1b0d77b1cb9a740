"""Arrival pages. Public (no login): the registration form, its htmx choices and the
confirmation. For the command centre: the list of risk areas arrivals are judged by."""

import uuid as uuidlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangkong.accounts.roles import Perm
from fangkong.arrivals import ratelimit, selectors, services, wording
from fangkong.arrivals.forms import ArrivalForm, EndForm, OriginFields, RiskRegionForm
from fangkong.arrivals.models import RiskRegion
from fangkong.core.access import require_perm
from fangkong.lib.masking import mask_id_number
from fangkong.places.models import Level, Place

SESSION_KEY = "arrivals_done"
REMEMBERED = 10
# Service fields shown on another form field (the origin's finest select).
FIELD_OF = {"origin": "origin_county", "code": "origin_county", "valid_to": "valid_from"}


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _attach(form, error: ValidationError, extra: dict) -> None:
    """Put the service's field errors on the form's fields (unless the form could not even
    read that field); `household` and the like go to `extra`."""
    for field, errors in error.message_dict.items():
        name = FIELD_OF.get(field, field)
        if name not in form.fields:
            extra.setdefault(field, []).extend(errors)
        elif name not in form.errors:
            form.add_error(name, errors)


# --- the destination chain ----------------------------------------------------------------

def _chosen(values) -> list:
    """The chain picked in the destination selects, top down, stopping where a pick does not
    lie under the one before it (a stale lower select after a higher one changed)."""
    keys = []
    for value in values:
        try:
            keys.append(uuidlib.UUID(value))
        except (TypeError, ValueError):
            break
    found = {p.uuid: p for p in Place.objects.filter(uuid__in=keys)} if keys else {}
    chain = []
    for key in keys:
        place = found.get(key)
        parent_ok = (place is not None and place.level == Level.DISTRICT if not chain
                     else place is not None and place.parent_id == chain[-1].pk)
        if not parent_ok:
            break
        chain.append(place)
    return chain


def _steps(chain) -> list[dict]:
    """One select per level: the districts, then the children of each pick; one more select
    below the last pick unless it is a household."""
    parents = [p for p in chain if p.level != Level.HOUSEHOLD]
    children: dict[int, list] = {}
    for place in Place.objects.filter(parent__in=parents).order_by("path").only(
            "uuid", "name", "level", "parent_id"):
        children.setdefault(place.parent_id, []).append(place)
    lists = [list(selectors.destination_top().order_by("path"))]
    lists += [children.get(p.pk, []) for p in parents]
    steps = []
    for depth, options in enumerate(lists):
        if not options:
            break
        chosen = chain[depth] if depth < len(chain) else None
        steps.append({"depth": depth, "label": Level(options[0].level).label,
                      "options": options, "chosen": chosen.uuid if chosen else None})
    return steps


# --- the public form ----------------------------------------------------------------------

def _form_page(request, form, chain, dest_errors=None, status=200):
    return render(request, "arrivals/form.html", {
        "form": form, "steps": _steps(chain), "dest_errors": dest_errors or [],
        "more_open": form["id_type"].value() not in (None, "", "mainland")
        or bool(form.errors.get("birth_date") or form.errors.get("sex")),
    }, status=status)


def _values(form, chain) -> dict:
    """What the service needs, from the fields the form could read."""
    data = form.cleaned_data
    return {"name": data.get("name", ""), "id_type": data.get("id_type", ""),
            "id_number": data.get("id_number", ""), "birth_date": data.get("birth_date"),
            "sex": data.get("sex", ""), "phone": data.get("phone", ""),
            "origin_code": form.origin_code(), "arrival_at": data.get("arrival_at"),
            "transport": data.get("transport", ""),
            "transport_number": data.get("transport_number", ""),
            "household": chain[-1] if chain and chain[-1].level == Level.HOUSEHOLD else None,
            "test_taken_at": data.get("test_taken_at")}


def _remember(request, registration) -> None:
    done = [str(registration.uuid), *request.session.get(SESSION_KEY, [])]
    request.session[SESSION_KEY] = list(dict.fromkeys(done))[:REMEMBERED]


@require_http_methods(["GET", "POST"])
def arrival_form(request):
    if request.method == "GET":
        return _form_page(request, ArrivalForm(), [])
    chain = _chosen(request.POST.getlist("dest"))
    if "refresh" in request.POST:  # no script: show the next choices, register nothing
        return _form_page(request, ArrivalForm(initial=request.POST.dict()), chain)
    if ratelimit.exhausted(_ip(request)):
        return render(request, "arrivals/limited.html",
                      {"per_hour": ratelimit.per_hour()}, status=429)
    form = ArrivalForm(request.POST)
    readable = form.is_valid()
    values = _values(form, chain)
    try:
        if not readable:
            services.arrival_check(**values)  # report the other fields' faults as well
        else:
            registration = services.arrival_register(**values, ip=_ip(request))
    except ValidationError as error:
        extra = {}
        _attach(form, error, extra)
        return _form_page(request, form, chain, extra.get("household"), status=400)
    if not readable:
        return _form_page(request, form, chain, status=400)
    ratelimit.spend(_ip(request))
    _remember(request, registration)
    return redirect("arrivals:done", public_id=registration.uuid)


@require_GET
def done(request, public_id):
    """The confirmation, for the browser that registered (its session holds the id)."""
    if str(public_id) not in request.session.get(SESSION_KEY, []):
        raise Http404
    registration = selectors.registration_by_uuid(public_id)
    if registration is None:
        raise Http404
    return render(request, "arrivals/done.html", {
        "r": registration, "lines": wording.requirement_lines(registration),
        "id_masked": mask_id_number(registration.id_number),
        "origin": selectors.origin_label(registration.origin_code,
                                         registration.arrival_day.year),
        "address": selectors.address_of(registration.household),
        "arrival": timezone.localtime(registration.arrival_at),
    })


# --- htmx choices: names of divisions and places, nothing about people -----------------------

@require_GET
def options_cities(request):
    form = OriginFields(request.GET)
    return render(request, "arrivals/_origin_city.html", {"form": form})


@require_GET
def options_counties(request):
    data = request.GET.copy()
    city = data.get("origin_city", "")
    data.setdefault("origin_province", city[:2] + "0000")
    return render(request, "arrivals/_origin_county.html", {"form": OriginFields(data)})


@require_GET
def options_places(request):
    """The next select below a destination pick (`dest`, the pick's UUID), or nothing."""
    try:
        key = uuidlib.UUID(request.GET.get("dest", ""))
    except ValueError:
        return HttpResponse("")
    place = selectors.destination_place(key)
    if place is None or place.level == Level.HOUSEHOLD:
        return HttpResponse("")
    options = list(selectors.destination_children(place))
    if not options:
        return HttpResponse("")
    depth = place.depth - 1  # districts are depth 0 of the chain
    steps = [{"depth": depth, "label": Level(options[0].level).label, "options": options,
              "chosen": None}]
    return render(request, "arrivals/_dest_steps.html", {"steps": steps})


# --- the list of risk areas (command centre) -------------------------------------------------

@login_required
@require_perm(Perm.MANAGE_PROTOCOL)
@require_http_methods(["GET", "POST"])
def risk_regions(request):
    today = timezone.localdate()
    show_ended = request.GET.get("all") == "1"
    form = RiskRegionForm(request.POST or None, initial={"valid_from": today})
    status = 200
    if request.method == "POST":
        readable = form.is_valid()
        data = form.cleaned_data
        values = {"code": form.origin_code(), "level": data.get("level", ""),
                  "valid_from": data.get("valid_from"), "source": data.get("source", "")}
        try:
            if not readable:
                services.check_region(**values, valid_to=None)
            else:
                region = services.risk_region_add(acting_user=request.user, **values)
        except ValidationError as error:
            _attach(form, error, {})
        else:
            if readable:
                messages.success(request, _("%(name)s listed from %(day)s.") % {
                    "name": region.name, "day": region.valid_from.isoformat()})
                return redirect("arrivals:risk_regions")
        status = 400
    regions = list(selectors.risk_regions(day=today, include_ended=show_ended))
    return render(request, "arrivals/risk_regions.html", {
        "form": form, "regions": regions, "today": today, "show_ended": show_ended,
        "end_form": EndForm(initial={"last_day": today}),
    }, status=status)


@login_required
@require_perm(Perm.MANAGE_PROTOCOL)
@require_POST
def risk_region_end(request, public_id):
    region = RiskRegion.objects.filter(uuid=public_id).first()
    if region is None:
        raise Http404
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("arrivals:risk_regions")
    try:
        services.risk_region_end(acting_user=request.user, region=region,
                                 last_day=form.cleaned_data["last_day"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is listed until %(day)s.") % {
            "name": region.name, "day": form.cleaned_data["last_day"].isoformat()})
    return redirect("arrivals:risk_regions")
