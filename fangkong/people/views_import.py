"""The resident import page: upload a file, see what was (or would be) imported."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from fangkong.accounts.roles import Perm
from fangkong.core.access import require_perm
from fangkong.people import importing
from fangkong.people.forms_import import ImportForm
from fangkong.people.importing import columns as import_columns

REJECTIONS_SHOWN = 500


def help_columns() -> list[dict]:
    """The columns for the help table: headers, whether required, the accepted labels."""
    values = import_columns.spec()["values"]
    return [{"headers": " / ".join(column.headers), "required": column.required,
             "labels": ", ".join(values.get(column.field, {}))}
            for column in import_columns.columns()]


def _import(request, form):
    upload = form.cleaned_data["file"]
    try:
        return importing.import_residents(
            acting_user=request.user, data=upload.read(), filename=upload.name,
            dry_run=form.cleaned_data["dry_run"],
            all_or_nothing=form.cleaned_data["all_or_nothing"])
    except importing.ImportFileError as error:
        form.add_error("file", str(error))
        return None


@login_required
@require_perm(Perm.IMPORT_PEOPLE)
def import_residents(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = _import(request, form)
    return render(request, "people/import.html", {
        "form": form, "report": report, "columns": help_columns(),
        "rejections": report.rejected[:REJECTIONS_SHOWN] if report else [],
        "shown": REJECTIONS_SHOWN,
    })


@login_required
@require_perm(Perm.IMPORT_PEOPLE)
def import_template(request):
    """An empty CSV with the headers; the BOM lets Excel open it as UTF-8."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="residents-template.csv"'
    response.write("\ufeff")
    csv.writer(response).writerow(importing.template_headers())
    return response
