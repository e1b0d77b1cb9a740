"""Check-in pages. Public: a venue's check-in page (a resident's one tap, or ID number and
phone) and its confirmation. For staff: the venues of their area and their QR posters."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from fangkong.accounts.roles import Perm, Role
from fangkong.core.access import require_perm
from fangkong.places.models import Venue
from fangkong.tracing import poster, ratelimit, services
from fangkong.tracing.forms import CheckInForm
from fangkong.tracing.models import CheckIn

SESSION_KEY = "tracing_checkin"


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _resident(request):
    """The signed-in resident, or None: anyone else checks in by ID number and phone."""
    user = request.user
    if user.is_authenticated and user.role == Role.RESIDENT and user.person_id:
        return user
    return None


# --- the public check-in page -------------------------------------------------------------

def _page(request, venue, form, status=200):
    resident = _resident(request)
    return render(request, "tracing/checkin.html", {
        "venue": venue, "form": form, "resident": resident,
        "person_name": resident.person.name if resident else "",
    }, status=status)


def _attach(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _check_in(request, venue, form):
    """The service call for this visitor; raises ValidationError for the form."""
    resident = _resident(request)
    if resident is not None and "self" in request.POST:
        return services.check_in_self(acting_user=resident, venue=venue)
    form.is_valid()
    data = form.cleaned_data
    return services.check_in_by_id(venue=venue, id_number=data.get("id_number", ""),
                                   phone=data.get("phone", ""))


@require_http_methods(["GET", "POST"])
def checkin(request, code):
    venue = get_object_or_404(Venue, code=code)
    if request.method == "GET":
        return _page(request, venue, CheckInForm())
    if ratelimit.exhausted(_ip(request)):
        return render(request, "tracing/limited.html",
                      {"venue": venue, "per_hour": ratelimit.per_hour()}, status=429)
    ratelimit.spend(_ip(request))
    form = CheckInForm(request.POST)
    try:
        check_in, created = _check_in(request, venue, form)
    except ValidationError as error:
        _attach(form, error)
        return _page(request, venue, form, status=400)
    request.session[SESSION_KEY] = {"id": check_in.pk, "created": created, "code": venue.code}
    return redirect("tracing:checkin_done", code=venue.code)


@require_GET
def checkin_done(request, code):
    """The confirmation, for the browser that checked in (its session holds the check-in)."""
    done = request.session.get(SESSION_KEY) or {}
    if done.get("code") != code:
        raise Http404
    check_in = (CheckIn.objects.select_related("venue").filter(pk=done.get("id"))
                .first())
    if check_in is None:
        raise Http404
    return render(request, "tracing/done.html", {
        "venue": check_in.venue, "created": done.get("created"),
        "at": timezone.localtime(check_in.checked_in_at),
    })


# --- staff: venues and their posters --------------------------------------------------------

def _venue(request, code) -> Venue:
    venue = Venue.objects.accessible_to(request.user).filter(code=code).first()
    if venue is None:
        raise Http404
    return venue


def _checkin_url(request, venue) -> str:
    return request.build_absolute_uri(reverse("tracing:checkin", kwargs={"code": venue.code}))


@login_required
@require_perm(Perm.VIEW_PLACES)
@require_GET
def venues(request):
    found = (Venue.objects.accessible_to(request.user).select_related("place")
             .order_by("place__path", "code"))
    page = Paginator(found, settings.FANGKONG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tracing/venues.html", {"page": page})


@login_required
@require_perm(Perm.VIEW_PLACES)
@require_GET
def poster_file(request, code, fmt):
    if fmt not in poster.CONTENT_TYPES:
        raise Http404
    venue = _venue(request, code)
    response = HttpResponse(poster.render(_checkin_url(request, venue), fmt),
                            content_type=poster.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'inline; filename="checkin-{venue.code}.{fmt}"'
    return response


@login_required
@require_perm(Perm.VIEW_PLACES)
@require_GET
def poster_page(request, code):
    venue = _venue(request, code)
    url = _checkin_url(request, venue)
    return render(request, "tracing/poster.html", {
        "venue": venue, "url": url, "qr": poster.svg_data_uri(url)})
