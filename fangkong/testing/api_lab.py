"""API of laboratories under `/api/v1/testing/`: tubes received, results as JSON rows or as
HL7 v2.5.1 ORU^R01 messages (answered with ACKs), the laboratory's own tubes, and
turnaround.

Results are recorded all or nothing: one bad row (or message) refuses the upload with every
row's problems (422), and nothing is written. A laboratory sees only its own tubes; another
laboratory's tube answers 404 like a missing one.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fangkong.accounts.roles import Perm
from fangkong.api.common import AwareTime, LocalTime, PagingQuery, page_of
from fangkong.api.errors import INVALID, REFUSALS, require
from fangkong.protocol.selectors import rule
from fangkong.testing import lab_files, lab_hl7, selectors, services
from fangkong.testing.models import Laboratory, TubeKind, TubeStatus
from fangkong.testing.result_rules import ResultRow, parse_ct

router = Router()

MAX_ROWS = 20000
HL7_TYPES = ("x-application/hl7-v2+er7", "application/hl7-v2", "text/plain")
HL7_OUT = "x-application/hl7-v2+er7; charset=utf-8"
StatusChoice = Literal[tuple(["", *TubeStatus.values])]


class LabRef(Schema):
    code: str
    name: str


class TubeOut(Schema):
    uuid: uuid.UUID
    barcode: str
    kind: TubeKind
    status: TubeStatus
    size: int = Field(description="Swabs in the tube")
    lab: str | None = Field(description="Code of the laboratory that received it")
    closed_at: LocalTime | None
    received_at: LocalTime | None
    result: str = Field(description="'' (none yet), negative, positive or resample")
    ct_orf1ab: Decimal | None
    ct_n: Decimal | None
    tested_at: LocalTime | None
    reported_at: LocalTime | None
    reported_via: str

    @staticmethod
    def resolve_lab(tube):
        return tube.lab.code if tube.lab_id else None


class TubePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TubeOut]


class ReceiptIn(Schema):
    lab: str = Field(description="Code of your laboratory")
    barcodes: list[str] = Field(max_length=MAX_ROWS)
    received_at: AwareTime | None = Field(None, description="When they arrived; now if left "
                                                            "out")


class RefusalOut(Schema):
    index: int = Field(description="Position of the barcode in the request, from 0")
    barcode: str
    code: str = Field(description="unknown, other_lab or open")
    message: str


class ReceiptOut(Schema):
    received: int
    unchanged: int = Field(description="Already received by this laboratory")
    refused: list[RefusalOut]


class ResultIn(Schema):
    barcode: str = ""
    result: str = Field("", description="negative, positive or resample (the Chinese words "
                                         "of result files are understood too)")
    ct_orf1ab: float | str | None = Field(None, description="Ct of ORF1ab, if measured")
    ct_n: float | str | None = Field(None, description="Ct of the N gene, if measured")
    tested_at: str = Field("", description="ISO 8601 with its offset, e.g. "
                                           "2022-11-22T20:30:00+08:00")


class ResultsIn(Schema):
    lab: str = Field(description="Code of your laboratory")
    rows: list[ResultIn] = Field(max_length=MAX_ROWS)


class ResultsOut(Schema):
    recorded: int
    unchanged: int = Field(description="Rows already recorded with the same result")
    positive_pools: int
    resample_pools: int
    people_controlled: int = Field(description="People put under temporary control")
    retests_negative: int
    cases: list[str] = Field(description="Numbers of the cases reported")


class ProblemOut(Schema):
    line: str = Field(description="rows[i] for JSON rows, 'message N' for HL7")
    barcode: str
    field: str
    message: str


class RefusedOut(Schema):
    detail: str
    errors: dict[str, list[str]]
    problems: list[ProblemOut]


class LabTurnaroundOut(Schema):
    lab: LabRef
    reported: int
    median_hours_to_receive: float | None
    median_hours_to_report: float | None
    median_hours_total: float | None
    within_target: float | None = Field(description="Share of reported tubes (0-1)")
    outstanding: int
    oldest: list[TubeOut]


class TurnaroundOut(Schema):
    target_hours: float
    since: datetime.date | None
    labs: list[LabTurnaroundOut]
    unsent: int = Field(description="Closed tubes no laboratory has received")
    unsent_oldest: list[TubeOut]


def _lab(user, code: str) -> Laboratory:
    lab = selectors.labs_for_user(user).filter(code=code.strip()).first()
    if lab is None:
        raise ValidationError({"lab": _("This laboratory is unknown or not yours.")})
    return lab


def _refused(problems: list[dict]) -> dict:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        where = f"{problem['line']}: " if problem["line"] else ""
        errors.setdefault(problem["field"], []).append(where + problem["message"])
    return {"detail": _("%(n)s problems; nothing was recorded.") % {"n": len(problems)},
            "errors": errors, "problems": problems}


@router.post("/lab/receipts", response={200: ReceiptOut, **REFUSALS, **INVALID},
             operation_id="testing_lab_receive",
             summary="Tubes received at your laboratory (each refusal with its reason)")
def lab_receive(request, payload: ReceiptIn):
    user = request.auth
    require(user, Perm.REPORT_RESULTS)
    if payload.received_at and payload.received_at > timezone.now() + datetime.timedelta(
            minutes=5):
        raise ValidationError({"received_at": _("This time lies in the future.")})
    return services.tubes_receive(acting_user=user, lab=_lab(user, payload.lab),
                                  barcodes=payload.barcodes, at=payload.received_at)


def _time(text: str) -> datetime.datetime | None:
    if not text.strip():
        return None
    value = datetime.datetime.fromisoformat(text.strip())
    if timezone.is_naive(value):
        raise ValueError(text)
    return value


def _rows(items: list[ResultIn]) -> list[ResultRow]:
    """The rows, or ResultsRefused naming each value that is not a number or a time."""
    rows, problems = [], []
    for index, item in enumerate(items):
        line, values = f"rows[{index}]", {}

        def refuse(name, message, line=line, barcode=item.barcode):
            problems.append({"line": line, "barcode": barcode, "field": name,
                             "message": message})

        for name in ("ct_orf1ab", "ct_n"):
            raw = getattr(item, name)
            try:
                values[name] = parse_ct(raw)
            except ValueError:
                values[name] = None
                refuse(name, _("The Ct value %(value)s is not a number.") % {"value": raw})
        try:
            values["tested_at"] = _time(item.tested_at)
        except ValueError:
            values["tested_at"] = None
            refuse("tested_at", _("Give the time with its offset from UTC, e.g. "
                                  "2022-11-20T10:00:00+08:00."))
        result = lab_files.parse_result(item.result) or item.result.strip().lower()
        rows.append(ResultRow(line=line, barcode=item.barcode.strip(), result=result, **values))
    if problems:
        raise services.ResultsRefused(problems)
    return rows


def _report(report) -> dict:
    return {**{name: getattr(report, name) for name in (
        "recorded", "unchanged", "positive_pools", "resample_pools", "people_controlled",
        "retests_negative")}, "cases": [case.number for case in report.cases]}


@router.post("/lab/results", response={200: ResultsOut, 422: RefusedOut, **REFUSALS},
             operation_id="testing_lab_results",
             summary="Record results, all or nothing: one bad row refuses them all (422, "
                     "every row's problems named)")
def lab_results(request, payload: ResultsIn):
    user = request.auth
    require(user, Perm.REPORT_RESULTS)
    lab = _lab(user, payload.lab)
    try:
        report = services.results_record(acting_user=user, lab=lab, rows=_rows(payload.rows),
                                         via="api")
    except services.ResultsRefused as refused:
        return Status(422, _refused(refused.problems))
    return _report(report)


def _hl7_body(request) -> bytes:
    kind = request.content_type.split(";")[0].strip().lower()
    if kind not in HL7_TYPES:
        raise ValidationError({"content_type": _(
            "Send the messages as %(types)s.") % {"types": ", ".join(HL7_TYPES)}})
    return request.body


@router.post("/lab/hl7", response={**REFUSALS, **INVALID}, operation_id="testing_lab_hl7",
             summary="Record results sent as HL7 v2.5.1 ORU^R01 messages (ER7); answered "
                     "with one ACK per message: 200 all accepted (AA), 422 refused (AR/AE)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 kind: {"schema": {"type": "string"}} for kind in HL7_TYPES}}})
def lab_hl7_messages(request, lab: str):
    user = request.auth
    require(user, Perm.REPORT_RESULTS)
    upload = lab_hl7.read_oru(_hl7_body(request))
    lab_found = selectors.labs_for_user(user).filter(code=lab.strip()).first()
    if lab_found is None:
        message = _("This laboratory is unknown or not yours.")
        upload = lab_hl7.refuse_all(upload, "MSH-6", message)
    if upload.problems:
        return _ack(lab_hl7.acknowledge(upload, recorded=False, facility=lab), 422)
    try:
        services.results_record(acting_user=user, lab=lab_found, rows=upload.rows, via="hl7")
    except services.ResultsRefused as refused:
        return _ack(lab_hl7.acknowledge(upload, recorded=False, refused=refused.problems,
                                        facility=lab), 422)
    return _ack(lab_hl7.acknowledge(upload, recorded=True, facility=lab), 200)


def _ack(text: str, status: int) -> HttpResponse:
    return HttpResponse(text.encode("utf-8"), content_type=HL7_OUT, status=status)


@router.get("/lab/tubes", response={200: TubePage, **REFUSALS, **INVALID},
            operation_id="testing_lab_tubes",
            summary="Your laboratory's tubes, oldest received first")
def lab_tubes(request, paging: PagingQuery, status: StatusChoice = ""):
    user = request.auth
    require(user, Perm.REPORT_RESULTS)
    tubes = selectors.tubes_for_user(user).filter(lab__isnull=False).select_related("lab")
    if status:
        tubes = tubes.filter(status=status)
    return page_of(tubes.order_by("received_at", "barcode"), paging)


@router.get("/lab/tubes/{barcode}", response={200: TubeOut, **REFUSALS},
            operation_id="testing_lab_tube", summary="One of your laboratory's tubes")
def lab_tube(request, barcode: str):
    user = request.auth
    require(user, Perm.REPORT_RESULTS)
    tube = (selectors.tubes_for_user(user).filter(barcode=barcode, lab__isnull=False)
            .select_related("lab").first())
    if tube is None:
        raise Http404
    return tube


class TurnaroundFilters(Schema):
    since: datetime.date | None = Field(None, description="Only tubes closed since this day")


@router.get("/turnaround", response={200: TurnaroundOut, **REFUSALS, **INVALID},
            operation_id="testing_turnaround",
            summary="Hours collected → received → reported by laboratory, the share within "
                    "the target, the oldest outstanding tubes")
def turnaround(request, filters: Query[TurnaroundFilters]):
    user = request.auth
    require(user, Perm.REPORT_RESULTS, Perm.VIEW_TESTING)
    since = None
    if filters.since:
        since = datetime.datetime.combine(filters.since, datetime.time.min,
                                          tzinfo=timezone.get_default_timezone())
    target = rule(filters.since or timezone.localdate(), "turnaround_target_hours")
    figures = selectors.turnaround(user, target_hours=target, since=since)
    unsent = selectors.unsent_tubes(user).select_related("lab")
    return {"target_hours": target, "since": filters.since, "unsent": unsent.count(),
            "unsent_oldest": list(unsent[:20]),
            "labs": [{"lab": f.lab, "reported": f.reported,
                      "median_hours_to_receive": f.median_to_receive,
                      "median_hours_to_report": f.median_to_report,
                      "median_hours_total": f.median_total, "within_target": f.within_target,
                      "outstanding": f.outstanding, "oldest": f.oldest} for f in figures]}
