"""Reading a header row and data rows from .xlsx and .csv files (no Django).

Every cell comes back as a stripped string, so callers validate one kind of value whatever
the spreadsheet program stored: Excel keeps numbers as floats and dates as datetimes,
while a CSV has text only. CSV files saved by Chinese Excel are GBK (GB18030), others are
UTF-8 with or without a byte-order mark: we try strict UTF-8 first, then GB18030.
"""

import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass

XLSX_MAGIC = b"PK\x03\x04"
KINDS = ("xlsx", "csv")


class TabularError(ValueError):
    """A file that cannot be read as a table; `code` names the fault for the caller."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)
    encoding: str = ""


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def kind_of(filename: str, data: bytes) -> str:
    """'xlsx' or 'csv' from the extension, checked against the content."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        if not data.startswith(XLSX_MAGIC):
            raise TabularError("unreadable", "not an xlsx workbook")
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    raise TabularError("kind", name.rsplit(".", 1)[-1] if "." in name else "")


def read_table(data: bytes, filename: str) -> Table:
    if not data:
        raise TabularError("empty")
    if kind_of(filename, data) == "xlsx":
        return read_xlsx(data)
    return read_csv(data)


def _numbered(rows, width: int) -> Iterator[tuple[int, list[str]]]:
    """Data rows numbered from 2 (the header is row 1); blank rows keep their number."""
    for number, values in enumerate(rows, start=2):
        cells = [cell_text(v) for v in values[:width]]
        if not any(cells):
            continue
        cells.extend([""] * (width - len(cells)))
        yield number, cells


def _trim_header(header: list[str]) -> list[str]:
    while header and not header[-1]:
        header.pop()
    if not header:
        raise TabularError("empty")
    return header


def read_xlsx(data: bytes) -> Table:
    """The first worksheet; read-only mode streams rows instead of loading the workbook."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl fails on broken files with many exception types
        raise TabularError("unreadable", str(error)) from None
    sheet = workbook.worksheets[0]
    # Some producers write a stale dimension (A1:A1): without it, openpyxl reads every row.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        workbook.close()
        raise TabularError("empty")
    header = _trim_header([cell_text(v) for v in first])
    return Table(header=header, rows=_closing(workbook, _numbered(rows, len(header))))


def _closing(workbook, rows):
    try:
        yield from rows
    except TabularError:
        raise
    except Exception as error:  # a sheet whose XML breaks half-way (see load_workbook)
        raise TabularError("unreadable", str(error)) from None
    finally:
        workbook.close()


def decode_text(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TabularError("encoding")


def _dialect(first_line: str) -> str:
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise TabularError("unreadable", "binary content")
    delimiter = _dialect(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        first = next(reader, None)
    except csv.Error as error:
        raise TabularError("unreadable", str(error)) from None
    if first is None:
        raise TabularError("empty")
    header = _trim_header([cell_text(v) for v in first])
    return Table(header=header, rows=_csv_rows(reader, len(header)), encoding=encoding)


def _csv_rows(reader, width: int):
    try:
        yield from _numbered(reader, width)
    except csv.Error as error:
        raise TabularError("unreadable", str(error)) from None
