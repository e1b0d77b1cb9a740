"""Laboratory pages: the lab's home (tubes awaiting a result, tubes received, a result file
uploaded), the results-file template, and turnaround (采送检报) by laboratory."""

import csv
import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm, can
from fangkong.core.access import require_perm
from fangkong.protocol.selectors import rule
from fangkong.testing import lab_files, selectors, services
from fangkong.testing.forms_lab import ReceiveForm, ResultFileForm, TurnaroundForm
from fangkong.testing.models import TubeStatus

AWAITING_PAGE = 50
PROBLEMS_SHOWN = 500
UNSENT_SHOWN = 20
COLUMNS = {"barcode": _("Barcode"), "result": _("Result"), "ct_orf1ab": "Ct ORF1ab",
           "ct_n": "Ct N", "tested_at": _("Tested at"), "file": _("File"),
           "columns": _("Columns"), "rows": _("Rows")}


def _hours(since: datetime.datetime | None, now: datetime.datetime) -> float | None:
    return (now - since).total_seconds() / 3600 if since else None


def _labs(user) -> list:
    return list(selectors.labs_for_user(user))


def _chosen(labs: list, code: str | None):
    """The laboratory the page acts for: the one named, else the user's only one."""
    if code:
        lab = next((lab for lab in labs if lab.code == code), None)
        if lab is None:
            raise Http404
        return lab
    return labs[0] if len(labs) == 1 else None


def _awaiting(request, lab):
    tubes = (selectors.tubes_for_user(request.user)
             .filter(lab=lab, status=TubeStatus.RECEIVED)
             .select_related("site__venue", "place").order_by("received_at", "barcode"))
    page = Paginator(tubes, AWAITING_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    return page, [{"tube": t, "hours": _hours(t.received_at, now)} for t in page]


def _render(request, labs, lab, *, status=200, receive_form=None, upload_form=None, **extra):
    context = {"labs": labs, "lab": lab, "result_words": lab_files.result_words(), **extra}
    if lab is not None:
        initial = {"lab": lab.code}
        page, rows = _awaiting(request, lab)
        context.update(
            receive_form=receive_form or ReceiveForm(initial=initial, labs=labs),
            upload_form=upload_form or ResultFileForm(initial=initial, labs=labs),
            page=page, awaiting=rows)
    return render(request, "testing/lab/home.html", context, status=status)


@login_required
@require_perm(Perm.REPORT_RESULTS)
def lab_home(request):
    labs = _labs(request.user)
    return _render(request, labs, _chosen(labs, request.GET.get("lab")))


@login_required
@require_perm(Perm.REPORT_RESULTS)
@require_POST
def lab_receive(request):
    labs = _labs(request.user)
    form = ReceiveForm(request.POST, labs=labs)
    if not form.is_valid():
        return _render(request, labs, _chosen(labs, request.POST.get("lab")),
                       receive_form=form, status=400)
    lab = form.cleaned_data["lab"]
    try:
        report = services.tubes_receive(acting_user=request.user, lab=lab,
                                        barcodes=form.cleaned_data["barcodes"])
    except PermissionError:
        raise PermissionDenied from None
    # what was refused stays in the box, to be corrected and sent again
    retry = ReceiveForm(initial={"lab": lab.code,
                                 "barcodes": "\n".join(r["barcode"] for r in report.refused)},
                        labs=labs)
    return _render(request, labs, lab, receive_form=retry, receive_report=report)


def _problems(problems: list[dict]) -> list[dict]:
    return [{**p, "column": COLUMNS.get(p["field"], p["field"])} for p in problems]


@login_required
@require_perm(Perm.REPORT_RESULTS)
@require_POST
def lab_upload(request):
    labs = _labs(request.user)
    form = ResultFileForm(request.POST, request.FILES, labs=labs)
    if not form.is_valid():
        return _render(request, labs, _chosen(labs, request.POST.get("lab")),
                       upload_form=form, status=400)
    lab, upload = form.cleaned_data["lab"], form.cleaned_data["file"]
    try:
        rows = lab_files.read_results(upload.read(), upload.name)
        report = services.results_record(acting_user=request.user, lab=lab, rows=rows,
                                         via="file")
    except services.ResultsRefused as refused:
        return _render(request, labs, lab, status=422, upload_name=upload.name,
                       problems=_problems(refused.problems[:PROBLEMS_SHOWN]),
                       problems_total=len(refused.problems), shown=PROBLEMS_SHOWN)
    except ValidationError as error:
        form.add_error(None, error)
        return _render(request, labs, lab, upload_form=form, status=422,
                       upload_name=upload.name)
    except PermissionError:
        raise PermissionDenied from None
    return _render(request, labs, lab, results_report=report, upload_name=upload.name)


@login_required
@require_perm(Perm.REPORT_RESULTS)
def results_template(request):
    """An empty result file with the headers; the BOM lets Excel open it as UTF-8."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lab-results-template.csv"'
    response.write("\ufeff")
    csv.writer(response).writerow(lab_files.template_headers())
    return response


# --- turnaround ---------------------------------------------------------------------------

def _since(form) -> tuple[datetime.date, datetime.datetime | None]:
    day = form.cleaned_data.get("since") if form.is_valid() else None
    if day is None:
        return timezone.localdate(), None
    start = datetime.datetime.combine(day, datetime.time.min,
                                      tzinfo=timezone.get_default_timezone())
    return day, start


@login_required
def turnaround(request):
    user = request.user
    if not (can(user, Perm.REPORT_RESULTS) or can(user, Perm.VIEW_TESTING)):
        raise PermissionDenied
    form = TurnaroundForm(request.GET or None)
    day, since = _since(form)
    target = rule(day, "turnaround_target_hours")
    now = timezone.now()
    labs = [{"figures": figures,
             "oldest": [{"tube": t, "hours": _hours(t.received_at or t.closed_at, now)}
                        for t in figures.oldest]}
            for figures in selectors.turnaround(user, target_hours=target, since=since)]
    context = {"form": form, "target": target, "labs": labs,
               "show_unsent": can(user, Perm.VIEW_TESTING)}
    if context["show_unsent"]:
        unsent = selectors.unsent_tubes(user).select_related("site__venue", "place")
        context.update(unsent_count=unsent.count(), unsent=[
            {"tube": t, "hours": _hours(t.closed_at, now)} for t in unsent[:UNSENT_SHOWN]])
    return render(request, "testing/lab/turnaround.html", context,
                  status=200 if form.is_valid() or not form.is_bound else 400)
