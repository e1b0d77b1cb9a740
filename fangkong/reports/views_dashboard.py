"""The dashboard page and its JSON (the same dict the page embeds for its charts)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.roles import Perm
from fangkong.core.access import require_perm
from fangkong.reports import dashboard as selectors


class DashboardForm(forms.Form):
    """The query string: `date` (default yesterday), `district` (UUID), `outbreak` (code)."""

    date = forms.DateField(label=gettext_lazy("As of 24:00 on"), required=False)
    district = forms.UUIDField(label=gettext_lazy("District"), required=False)
    outbreak = forms.SlugField(label=gettext_lazy("Outbreak"), required=False)

    def clean_date(self):
        day = self.cleaned_data["date"] or selectors.default_day()
        if day > timezone.localdate():
            raise forms.ValidationError(_("This day lies in the future."), code="future")
        return day


def _resolve(request):
    """(form, day, outbreak, district, districts); 404 for an unknown outbreak code or a
    district outside the user's area, alike."""
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return form, None, None, None, []
    day, data = form.cleaned_data["date"], form.cleaned_data
    try:
        outbreak, district, districts = selectors.resolve(
            request.user, day, data["outbreak"], data["district"])
    except selectors.NotInScope:
        raise Http404 from None
    except ValidationError as error:
        form.add_error(None, error)
        return form, None, None, None, []
    return form, day, outbreak, district, districts


@login_required
@require_perm(Perm.VIEW_BULLETIN)
def dashboard(request):
    form, day, outbreak, district, districts = _resolve(request)
    data = None
    if outbreak is not None:
        data = selectors.dashboard(request.user, day, outbreak, district, districts)
    return render(request, "reports/dashboard.html", {
        "form": form, "day": day, "outbreak": outbreak, "district": district,
        "districts": districts, "data": data,
        "curve_rows": selectors.curve_rows(data) if data else [],
        "outbreak_code": request.GET.get("outbreak", "") if outbreak else "",
    }, status=400 if form.errors else 200)


@login_required
@require_perm(Perm.VIEW_BULLETIN)
def dashboard_data(request):
    form, day, outbreak, district, districts = _resolve(request)
    if form.errors:
        errors = {field: list(messages) for field, messages in form.errors.items()}
        detail = " ".join(m for messages in errors.values() for m in messages)
        return JsonResponse({"detail": detail, "errors": errors}, status=400)
    if outbreak is None:
        return JsonResponse({"detail": _("No outbreak had begun by this day.")}, status=404)
    return JsonResponse(selectors.dashboard(request.user, day, outbreak, district, districts))
