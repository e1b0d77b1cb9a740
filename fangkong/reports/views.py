"""The bulletin page and its downloads (.txt, .json, .docx), scoped to the user.

Every figure on the page links to the case register filtered to the records behind it: the
register takes the same bucket (`cases.selectors.BUCKETS`) and day the bulletin counted.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.roles import Perm
from fangkong.cases.models import Outbreak
from fangkong.cases.selectors import bucket_label, outbreak_on
from fangkong.core.access import require_perm
from fangkong.reports.bulletin import NEW_KEYS
from fangkong.reports.bulletin import bulletin as bulletin_of
from fangkong.reports.dashboard import default_day, districts_in_scope
from fangkong.reports.docx import render_bulletin
from fangkong.reports.text import bulletin_paragraphs, columns, table_rows

DOWNLOADS = {
    "txt": "text/plain; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DAY_FIGURES = ("discharged", "released", "deaths")


class BulletinForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("As of 24:00 on"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    outbreak = forms.ChoiceField(label=gettext_lazy("Outbreak"), required=False)

    def __init__(self, *args, outbreaks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outbreak"].choices = [("", "—"), *((o.code, o.name) for o in outbreaks)]

    def clean_date(self):
        day = self.cleaned_data["date"] or default_day()
        if day > timezone.localdate():
            raise forms.ValidationError(_("This day lies in the future."), code="future")
        return day


def _form(request, outbreaks) -> BulletinForm:
    """The form bound to the query string, with the defaults filled in so the picker and the
    select show the day and the outbreak the page is about."""
    data = request.GET.copy()
    data.setdefault("date", default_day().isoformat())
    form = BulletinForm(data, outbreaks=outbreaks)
    if form.is_valid() and not form.cleaned_data["outbreak"]:
        default = outbreak_on(form.cleaned_data["date"])
        if default is not None:
            data["outbreak"] = default.code
            form = BulletinForm(data, outbreaks=outbreaks)
    return form


def _resolve(request):
    """(form, day, outbreak); outbreak is None when none had begun by the day."""
    form = _form(request, list(Outbreak.objects.order_by("-start_date")))
    if not form.is_valid():
        return form, None, None
    day, code = form.cleaned_data["date"], form.cleaned_data["outbreak"]
    outbreak = outbreak_on(day, code)
    if outbreak is not None and outbreak.start_date > day:
        form.add_error("outbreak", _("This outbreak began on %(start)s, after the chosen day.")
                       % {"start": outbreak.start_date.isoformat()})
        return form, None, None
    return form, day, outbreak


def _register_link(outbreak, day, bucket, district_id=None) -> str:
    params = {"outbreak": outbreak.code, "bucket": bucket, "as_of": day.isoformat()}
    if district_id is not None:
        params["district"] = str(district_id)
    return f"{reverse('cases:register')}?{urlencode(params)}"


def _table(user, data: dict, outbreak, day) -> dict:
    ids = {d.name: d.uuid for d in districts_in_scope(user, outbreak)}
    cols = columns(data, found=True)
    rows = [{"district": row["district"],
             "cells": [{"value": value, "label": bucket_label(bucket),
                        "href": _register_link(outbreak, day, bucket, ids.get(row["district"]))}
                       for bucket, value in row["cells"]]}
            for row in table_rows(data, cols)]
    return {"headers": [bucket_label(bucket) for _s, _k, bucket in cols], "rows": rows}


def _day_figures(data: dict, outbreak, day) -> list[dict]:
    return [{"label": bucket_label(NEW_KEYS[key]), "value": data["new"][key],
             "href": _register_link(outbreak, day, NEW_KEYS[key])}
            for key in DAY_FIGURES if key != "deaths" or data["new"][key]]


def _downloads(day, outbreak) -> list[dict]:
    query = urlencode({"date": day.isoformat(), "outbreak": outbreak.code})
    return [{"fmt": fmt, "href": f"{reverse('reports:bulletin_download', args=[fmt])}?{query}"}
            for fmt in DOWNLOADS]


@login_required
@require_perm(Perm.VIEW_BULLETIN)
def bulletin(request):
    form, day, outbreak = _resolve(request)
    context = {"form": form, "day": day, "outbreak": outbreak,
               "choose_outbreak": len(form.fields["outbreak"].choices) > 2}
    if outbreak is not None:
        data = bulletin_of(request.user, day, outbreak)
        context.update(data=data, paragraphs=bulletin_paragraphs(data),
                       table=_table(request.user, data, outbreak, day),
                       day_figures=_day_figures(data, outbreak, day),
                       downloads=_downloads(day, outbreak))
    return render(request, "reports/bulletin.html", context, status=200 if form.is_valid() else 400)


@login_required
@require_perm(Perm.VIEW_BULLETIN)
def bulletin_download(request, fmt):
    if fmt not in DOWNLOADS:
        raise Http404
    form, day, outbreak = _resolve(request)
    if not form.is_valid():
        return HttpResponseBadRequest("\n".join(e for errors in form.errors.values()
                                                for e in errors),
                                      content_type="text/plain; charset=utf-8")
    if outbreak is None:
        raise Http404(_("No outbreak had begun by this day."))
    response = HttpResponse(render_bulletin(bulletin_of(request.user, day, outbreak), fmt),
                            content_type=DOWNLOADS[fmt])
    filename = f"bulletin-{day.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
