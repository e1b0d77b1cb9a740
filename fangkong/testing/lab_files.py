"""Laboratory result files (.csv or .xlsx) read into `ResultRow`s.

A laboratory system exports one row per tube: barcode, result, the two Ct values where it
sends them, and when it was tested. Headers and result words come in Chinese or English
(`data/lab_columns.json`); columns the file adds beyond these are ignored. A cell that
cannot be read (a result word we do not know, a Ct that is no number, a time that is no
time) is a problem of its row, and one problem refuses the whole file: the laboratory fixes
those rows and uploads the same file again. Whether the rows may be recorded (known tube,
no other result, the Ct values agree with the result) is the results service's question.
"""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from fangkong.lib import tabular
from fangkong.lib.tabular import Column
from fangkong.testing.result_rules import RESULTS, ResultRow, parse_ct
from fangkong.testing.services import ResultsRefused

DATA_FILE = Path(__file__).resolve().parent / "data" / "lab_columns.json"
TZ = ZoneInfo("Asia/Shanghai")  # a time written without an offset is Shuozhou time
_HEADER_NOISE = re.compile(r"[\s_\-()（）*]+")
_TIME = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$")


def spec() -> dict:
    return tabular.column_spec(DATA_FILE)


def columns() -> tuple[Column, ...]:
    return tabular.spec_columns(DATA_FILE)


def template_headers() -> list[str]:
    return [c.headers[0] for c in columns()]


def result_words() -> str:
    """The words a result cell may hold, one Chinese and the English per result."""
    words = spec()["results"]
    return ", ".join(f"{next(k for k, v in words.items() if v == value)}/{value}"
                     for value in RESULTS)


def row_label(number: int) -> str:
    return _("row %(n)s") % {"n": number}


def _key(text: str) -> str:
    return _HEADER_NOISE.sub("", text).casefold()


def _file_problem(message: str, field: str = "file") -> ResultsRefused:
    return ResultsRefused([{"line": "", "barcode": "", "field": field, "message": message}])


def _map_header(header: list[str]) -> dict[str, int]:
    """{field: column index}; raises when a required column is missing or one is given
    twice."""
    by_key = {_key(h): c for c in columns() for h in c.headers}
    index, repeated = {}, []
    for position, raw in enumerate(header):
        found = by_key.get(_key(raw)) if raw.strip() else None
        if found is None:
            continue
        if found.field in index:
            repeated.append(raw)
        else:
            index[found.field] = position
    missing = [" / ".join(c.headers[:2]) for c in columns()
               if c.required and c.field not in index]
    if missing:
        raise _file_problem(_("Missing columns: %(names)s. The first row must name the "
                              "columns, e.g. %(headers)s.") % {
            "names": "; ".join(missing), "headers": ", ".join(template_headers())}, "columns")
    if repeated:
        raise _file_problem(_("Columns given twice: %(names)s.")
                            % {"names": ", ".join(repeated)}, "columns")
    return index


def file_problem(code: str) -> str:
    messages = {
        "kind": _("Upload an .xlsx or .csv file."),
        "empty": _("The file is empty."),
        "encoding": _("The CSV file is neither UTF-8 nor GBK text. Save it again as CSV "
                      "(UTF-8) and retry."),
    }
    return messages.get(code, _("The file cannot be read as a spreadsheet. Save it again as "
                                ".xlsx or .csv and retry."))


def read_results(data: bytes, filename: str) -> list[ResultRow]:
    """The rows of a result file; raises `ResultsRefused` naming every row that cannot be
    read, or the file's fault (not a spreadsheet, empty, a column missing)."""
    try:
        table = tabular.read_table(data, filename)
        index = _map_header(table.header)
        rows, problems = [], []
        for number, cells in table.rows:
            row, faults = parse_row(number, cells, index)
            rows.append(row)
            problems.extend(faults)
    except tabular.TabularError as error:
        raise _file_problem(file_problem(error.code)) from None
    if problems:
        raise ResultsRefused(problems)
    if not rows:
        raise _file_problem(_("The file holds no result rows below the header."))
    return rows


def parse_row(number: int, cells: list[str], index: dict[str, int]
              ) -> tuple[ResultRow, list[dict]]:
    def cell(name):
        position = index.get(name)
        return cells[position].strip() if position is not None else ""

    line, barcode = row_label(number), cell("barcode")
    problems = []

    def refuse(field_name, message):
        problems.append({"line": line, "barcode": barcode, "field": field_name,
                         "message": message})

    if not barcode:
        refuse("barcode", _("The tube barcode is missing."))
    result = parse_result(cell("result"))
    if result is None:
        refuse("result", _("Unknown result %(value)s: write one of %(words)s.")
               % {"value": cell("result") or "—", "words": result_words()})
    cts = {}
    for name, label in (("ct_orf1ab", "ORF1ab"), ("ct_n", "N")):
        try:
            cts[name] = parse_ct_cell(cell(name))
        except ValueError:
            cts[name] = None
            refuse(name, _("The %(target)s Ct value %(value)s is not a number.")
                   % {"target": label, "value": cell(name)})
    try:
        tested_at = parse_time(cell("tested_at"))
    except ValueError:
        tested_at = None
        refuse("tested_at", _("The test time %(value)s is not a date and time such as "
                              "2022-11-22 20:30.") % {"value": cell("tested_at") or "—"})
    return ResultRow(line=line, barcode=barcode, result=result or "", tested_at=tested_at,
                     **cts), problems


def parse_result(text: str) -> str | None:
    words = {k.casefold(): v for k, v in spec()["results"].items()}
    return words.get(text.strip().casefold())


def parse_ct_cell(text: str):
    """A Ct cell: a number, or one of the ways laboratories write 'no amplification'."""
    if text.strip().casefold() in {w.casefold() for w in spec()["no_ct"]}:
        return None
    return parse_ct(text)


def parse_time(text: str) -> datetime.datetime:
    """'2022-11-22 20:30[:05]', '2022/11/22 20:30', ISO 8601 with or without an offset
    (Excel's date cells read as such), or '202211222030[05]'; no offset → Shuozhou."""
    text = text.strip()
    match = _TIME.match(text)
    if match:
        year, month, day, hour, minute, second, fraction, offset = match.groups()
    else:
        match = _COMPACT.match(text)
        if not match:
            raise ValueError(text)
        (year, month, day, hour, minute, second), fraction, offset = match.groups(), None, None
    tz = TZ
    if offset:
        tz = datetime.UTC if offset == "Z" else datetime.datetime.strptime(
            offset.replace(":", ""), "%z").tzinfo
    return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute),
                             int(second or 0), int((fraction or "0").ljust(6, "0")),
                             tzinfo=tz)
