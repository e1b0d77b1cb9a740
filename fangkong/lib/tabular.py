"""Reading a header row and data rows from .xlsx and .csv files (no Django).

Every cell comes back as a stripped string, so callers validate one kind of value whatever
the spreadsheet program stored: Excel keeps numbers as floats and dates as datetimes,
while a CSV has text only. CSV files saved by Chinese Excel are GBK (GB18030), others are
UTF-8 with or without a byte-order mark: we try strict UTF-8 first, then GB18030.
"""

import csv
import datetime
import functools
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

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
    """The first worksheet, streamed by `_xlsx_values`; openpyxl reads what that cannot."""
    try:
        sheet = _FastSheet(data)
    except Exception:  # noqa: BLE001 - anything unusual goes to openpyxl, which knows more
        return _read_xlsx_openpyxl(data)
    rows = sheet.rows()
    try:
        first = next(rows, None)
    except Exception:  # noqa: BLE001 - a first row we cannot parse: let openpyxl decide
        return _read_xlsx_openpyxl(data)
    if first is None:
        raise TabularError("empty")
    header = _trim_header(list(first))
    return Table(header=header, rows=_fast_rows(_numbered_text(rows, len(header))))


def _read_xlsx_openpyxl(data: bytes) -> Table:
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


def _numbered_text(rows, width: int) -> Iterator[tuple[int, list[str]]]:
    """`_numbered` for rows whose cells are text already."""
    for number, cells in enumerate(rows, start=2):
        if len(cells) > width:
            del cells[width:]
        if not any(cells):
            continue
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        yield number, cells


def _fast_rows(rows):
    try:
        yield from rows
    except TabularError:
        raise
    except Exception as error:  # a sheet whose XML breaks half-way
        raise TabularError("unreadable", str(error)) from None


# The streaming .xlsx reader. openpyxl builds a cell object per cell and parses the XML
# event by event in Python, which costs ~0.25 ms a row. Here the worksheet XML is cut into
# blocks of whole <row> elements, each block parsed in C by ElementTree.fromstring, and
# cells are turned into text with the rules openpyxl applies in read-only, data-only mode
# (`openpyxl.worksheet._reader.WorkSheetParser.parse_cell` and `_read_only._get_row`), so
# both readers give the same rows. Files it does not understand (strict OOXML namespace,
# missing parts) go to openpyxl.
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_M = "{%s}" % MAIN_NS  # noqa: UP031 - braces of an ElementTree tag
_ROW, _C, _V, _IS, _T, _R, _RPH = (_M + n for n in ("row", "c", "v", "is", "t", "r", "rPh"))
_CHUNK = 1 << 20
_DIGITS = "0123456789"
_ROOT_TAG = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)worksheet[\s>/]")
_WORKBOOK_TYPES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                   "officeDocument",)


def _xml(data: bytes):
    """Parse one XML part. Office parts never carry a DTD, so one is refused outright: no
    entity expansion can reach the parser (openpyxl, without defusedxml, parses the same
    parts with this same expat)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("a DTD in an Office part")
    return ElementTree.fromstring(data)  # noqa: S314 - DTDs refused above


def _part(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [p for p in base.split("/")[:-1] if p]
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _rels(archive: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type suffix, part name) of the relationships of `part`."""
    folder, _slash, name = part.rpartition("/")
    rels_name = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if rels_name not in archive.namelist():
        return []
    root = _xml(archive.read(rels_name))
    return [(rel.get("Id"), rel.get("Type", "").rsplit("/", 1)[-1],
             _part(part, rel.get("Target", "")))
            for rel in root.iter("{%s}Relationship" % PKG_REL_NS)  # noqa: UP031
            if rel.get("TargetMode") != "External"]


def _text_content(element) -> str:
    """openpyxl's `Text.content`: the <t> text and the runs' <t> text, phonetics left out."""
    parts = []
    for child in element:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            parts.extend(t.text or "" for t in child.iter(_T))
    return "".join(parts)


class _FastSheet:
    def __init__(self, data: bytes):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.archive = zipfile.ZipFile(io.BytesIO(data))
        workbook_part = next(target for _id, kind, target in _rels(self.archive, "")
                             if kind == "officeDocument")
        workbook = _xml(self.archive.read(workbook_part))
        if workbook.tag != _M + "workbook":
            raise ValueError("not a transitional workbook")
        properties = workbook.find(_M + "workbookPr")
        date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        rels = _rels(self.archive, workbook_part)
        by_id = {rel_id: (kind, target) for rel_id, kind, target in rels}
        sheet_part = None
        for sheet in workbook.iter(_M + "sheet"):
            kind, target = by_id.get(sheet.get("{%s}id" % REL_NS), ("", ""))  # noqa: UP031
            if kind == "worksheet":
                sheet_part = target
                break
        if sheet_part is None:
            raise ValueError("no worksheet")
        self.sheet_part = sheet_part
        parts = {kind: target for _id, kind, target in rels}
        self.strings = self._shared_strings(parts.get("sharedStrings"))
        self.date_styles, self.timedelta_styles = self._date_styles(parts.get("styles"))

    def _shared_strings(self, part) -> list[str]:
        if not part or part not in self.archive.namelist():
            return []
        root = _xml(self.archive.read(part))
        return [_text_content(item).strip() for item in root.iter(_M + "si")]

    def _date_styles(self, part) -> tuple[set[int], set[int]]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        if not part or part not in self.archive.namelist():
            return set(), set()
        root = _xml(self.archive.read(part))
        custom = {}
        formats = root.find(_M + "numFmts")
        if formats is not None:
            for fmt in formats.iter(_M + "numFmt"):
                custom[int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
        dates, timedeltas = set(), set()
        xfs = root.find(_M + "cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else ()):
            number = int(xf.get("numFmtId", 0))
            code = custom.get(number, BUILTIN_FORMATS.get(number))
            if code is None:
                continue
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                timedeltas.add(index)
        return dates, timedeltas

    def rows(self) -> Iterator[list[str]]:
        """Rows from 1 as lists of text, a missing row as [] (openpyxl's numbering)."""
        counter = 1
        row_counter = 0
        for numbered in self._numbered_rows():
            for number, cells in numbered:
                row_counter = int(number) if number is not None else row_counter + 1
                while counter < row_counter:
                    counter += 1
                    yield []
                if counter <= row_counter:
                    counter += 1
                    yield cells()

    def _numbered_rows(self):
        """Per block, (row number or None, function giving the row's cells) pairs."""
        for head, body, closing, simple in self._blocks():
            if simple and b"<!" not in body and b"<?" not in body:
                text = body.decode("utf-8")
                yield ((_attribute(match.group(1), "r"),
                        functools.partial(self._text_cells, match.group(2)))
                       for match in _ROW_RE.finditer(text))
            else:
                data = _xml(head + body + closing).find(_M + "sheetData")
                yield ((row.get("r"), functools.partial(self._cells, row))
                       for row in data if row.tag == _ROW)

    def _blocks(self):
        """The <sheetData> content in blocks of whole rows, about `_CHUNK` bytes each, with
        what makes a block a document, and whether the regular expressions may read it
        (UTF-8, no namespace prefix)."""
        with self.archive.open(self.sheet_part) as source:
            buffer = source.read(_CHUNK)
            root_tag = _ROOT_TAG.search(buffer)
            if root_tag is None:
                raise ValueError("no worksheet element")
            prefix = root_tag.group(1)
            open_tag = re.compile(rb"<" + re.escape(prefix) + rb"sheetData(\s[^>]*)?(/?)>")
            while (found := open_tag.search(buffer)) is None:
                more = source.read(_CHUNK)
                if not more:
                    return
                buffer += more
            if found.group(2):  # <sheetData/>
                return
            head = buffer[:found.end()]
            declaration = _DECLARATION.match(head)
            simple = not prefix and (declaration is None or declaration.group(1) is None
                                     or declaration.group(1).lower() in (b"utf-8", b"utf8"))
            closing = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
            row_end = b"</" + prefix + b"row>"
            data_end = b"</" + prefix + b"sheetData>"
            buffer = buffer[found.end():]
            while True:
                end = buffer.find(data_end)
                if end >= 0:
                    yield head, buffer[:end], closing, simple
                    return
                cut = buffer.rfind(row_end)
                if cut >= 0:
                    cut += len(row_end)
                    yield head, buffer[:cut], closing, simple
                    buffer = buffer[cut:]
                more = source.read(_CHUNK)
                if not more:
                    raise ValueError("the worksheet XML ends inside <sheetData>")
                buffer += more

    @staticmethod
    def _general_cell(attributes: str, inner: str, column: int) -> tuple[int, str, int, str]:
        """(column, type, style, value text) of a cell in any attribute order or quoting."""
        attrs = dict(_ATTR_RE.findall(attributes))
        reference = attrs.get("r")
        column = _column_index(reference[1:-1].rstrip(_DIGITS)) if reference else column + 1
        kind = attrs.get("t")
        kind = kind[1:-1] if kind else "n"
        if kind == "inlineStr":
            return column, kind, 0, _inline_text(inner) if inner else ""
        style = attrs.get("s")
        found = _V_RE.search(inner) if inner else None
        return (column, kind, int(style[1:-1] or 0) if style else 0,
                _xml_text(found.group(1)) if found else "")

    def _text_cells(self, content: str | None) -> list[str]:
        """A row's cells from its XML text (the regular-expression twin of `_cells`)."""
        if not content:
            return []
        values = {}
        column = 0
        for letters, style, kind, inline, plain, attributes, inner in _CELL_RE.findall(content):
            if letters:  # the common form: no attribute dictionary, no second search
                column = _column_index(letters)
                if kind == "inlineStr":
                    values[column] = _xml_text(inline).strip() if inline else ""
                    continue
                kind = kind or "n"
                value = _xml_text(plain) if plain else ""
                style = int(style) if style else 0
            else:
                column, kind, style, value = self._general_cell(attributes, inner, column)
                if kind == "inlineStr":
                    values[column] = value
                    continue
            if not value:
                values[column] = ""
            elif kind == "s":
                values[column] = self.strings[int(value)]
            elif kind == "n":
                values[column] = self._number(value, style)
            elif kind == "b":
                values[column] = str(bool(int(value)))
            elif kind == "d":
                from openpyxl.utils.datetime import from_ISO8601

                values[column] = cell_text(from_ISO8601(value))
            else:
                values[column] = value.strip()
        last = column
        return _dense_row(values, last)

    def _cells(self, row) -> list[str]:
        values = {}
        column = 0
        last = 0
        for cell in row:
            if cell.tag != _C:
                continue
            reference = cell.get("r")
            if reference:
                column = _column_index(reference.rstrip(_DIGITS))
            else:
                column += 1
            last = column
            values[column] = self._value(cell)
        return _dense_row(values, last)

    def _value(self, cell) -> str:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(_IS)
            return _text_content(inline).strip() if inline is not None else ""
        value = cell.findtext(_V) or None
        if value is None:
            return ""
        if kind == "s":
            return self.strings[int(value)]
        if kind == "n":
            return self._number(value, int(cell.get("s") or 0))
        if kind == "b":
            return str(bool(int(value)))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return cell_text(from_ISO8601(value))
        return value.strip()  # "str" (a formula's text), "e" (an error such as #N/A)

    def _number(self, text: str, style: int) -> str:
        number = float(text) if "." in text or "E" in text or "e" in text else int(text)
        if style in self.date_styles:
            from openpyxl.utils.datetime import from_excel

            try:
                return cell_text(from_excel(number, self.epoch,
                                            timedelta=style in self.timedelta_styles))
            except (OverflowError, ValueError):
                return "#VALUE!"
        if type(number) is int:
            return str(number)
        return cell_text(number)


_ROW_RE = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.DOTALL)
# A cell as Excel and openpyxl write it (r, then s, then t, double quotes; an inline string
# of one <t> or a plain <v>), groups 1-5; anything else, groups 6-7, takes the general path.
_CELL_RE = re.compile(
    r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="(\w+)")?'
    r'(?:\s*/>|><is><t>([^<]*)</t></is></c>|><v>([^<]*)</v></c>|></c>)'
    r"|<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_ATTR_RE = re.compile(r"""([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""")
_V_RE = re.compile(r"<v(?:\s[^>]*)?>(.*?)</v>", re.DOTALL)
_T_RE = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>", re.DOTALL)
_RPH_RE = re.compile(r"<rPh\b.*?</rPh>", re.DOTALL)
_DECLARATION = re.compile(rb"""\s*<\?xml[^>]*?(?:encoding\s*=\s*["']([^"']*)["'])?[^>]*\?>""")


def _attribute(attributes: str, name: str) -> str | None:
    value = dict(_ATTR_RE.findall(attributes)).get(name)
    return value[1:-1] if value else None


def _xml_text(text: str) -> str:
    """Character data as an XML parser gives it: line ends normalised, references resolved."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return html.unescape(text) if "&" in text else text


def _inline_text(inner: str) -> str:
    """`_text_content` of <is>: the <t> texts (runs' too), phonetic runs left out."""
    if "<rPh" in inner:
        inner = _RPH_RE.sub("", inner)
    return _xml_text("".join(_T_RE.findall(inner))).strip()


@functools.cache
def _column_index(
letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


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


def _dense_row(values: dict[int, str], last: int) -> list[str]:
    """Cells by 1-based column → a list up to the last cell, gaps as empty strings."""
    cells = [""] * last
    for index, text in values.items():
        if 1 <= index <= last:
            cells[index - 1] = text
    return cells


# --- columns a file may name in several ways (a JSON spec of fields and their headers) ----

@dataclass(frozen=True)
class Column:
    field: str
    headers: tuple[str, ...]   # the first is the one a template shows
    required: bool

    @property
    def header(self) -> str:
        return self.headers[0]


@functools.cache
def column_spec(path) -> dict:
    """A JSON spec ({"columns": [{"field", "headers", "required"}], ...}), read once."""
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def spec_columns(path) -> tuple[Column, ...]:
    return tuple(Column(c["field"], tuple(c["headers"]), c["required"])
                 for c in column_spec(path)["columns"])
