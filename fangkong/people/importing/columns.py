"""The import's columns and the labels accepted in them.

Headers and Chinese value labels live in `people/data/import_columns.json`, so no Chinese
literal sits in Python. Besides those, a cell may hold a choice's stored value, its English
label, or its zh-hans label from the catalogue, so a file exported by Fangkong reads back.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.lib import tabular
from fangkong.lib.tabular import Column
from fangkong.people.importing.report import ImportFileError
from fangkong.people.models import IdType, Residency, Sex, SpecialTag, WorkerRole

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "import_columns.json"
CHOICE_ENUMS = {"id_type": IdType, "sex": Sex, "residency": Residency, "tags": SpecialTag,
                "worker_role": WorkerRole}
_DATE = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|(\d{2})(\d{2}))(?:[T ].*)?$")


def spec() -> dict:
    return tabular.column_spec(DATA_FILE)


def columns() -> tuple[Column, ...]:
    return tabular.spec_columns(DATA_FILE)


def column(field: str) -> Column:
    return next(c for c in columns() if c.field == field)


def template_headers() -> list[str]:
    return [c.header for c in columns()]


def _key(text: str) -> str:
    return text.strip().casefold()


@dataclass
class ColumnMap:
    """Where each field sits in this file, and the header the file gives it."""

    index: dict[str, int]
    headers: dict[str, str]

    def header(self, field: str) -> str:
        return self.headers.get(field) or column(field).header

    def value(self, cells: list[str], field: str) -> str:
        position = self.index.get(field)
        return cells[position] if position is not None else ""

    def has(self, field: str) -> bool:
        return field in self.index


def _normal_header(text: str) -> str:
    # Templates often star required columns; a starred header means the same column.
    return text.strip().rstrip("*").strip()


def map_header(header: list[str]) -> ColumnMap:
    by_header = {h: c for c in columns() for h in c.headers}
    index, headers, unknown, repeated = {}, {}, [], []
    for position, raw in enumerate(header):
        name = _normal_header(raw)
        if not name:
            continue
        found = by_header.get(name)
        if found is None:
            unknown.append(name)
        elif found.field in index:
            repeated.append(name)
        else:
            index[found.field], headers[found.field] = position, name
    missing = ["/".join(c.headers) for c in columns() if c.required and c.field not in index]
    if unknown or missing or repeated:
        raise ImportFileError(header_problem(unknown, missing, repeated))
    return ColumnMap(index=index, headers=headers)


def header_problem(unknown: list[str], missing: list[str], repeated: list[str]) -> str:
    parts = []
    if unknown:
        parts.append(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    if missing:
        parts.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if repeated:
        parts.append(_("Columns given twice: %(names)s.") % {"names": ", ".join(repeated)})
    parts.append(_("Nothing was imported. The first row must hold these column headers: "
                   "%(headers)s.") % {"headers": ", ".join(template_headers())})
    return " ".join(parts)


@functools.cache
def choice_labels(field: str) -> dict[str, str]:
    """Accepted cell text (case-folded) → stored value for one choice column."""
    labels = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            labels.update({_key(str(label)): value
                           for value, label in CHOICE_ENUMS[field].choices})
    labels.update({_key(value): value for value in CHOICE_ENUMS[field].values})
    labels.update({_key(text): value for text, value in spec()["values"][field].items()})
    return labels


@functools.cache
def ignored_tags() -> frozenset[str]:
    return frozenset(_key(text) for text in spec()["values"]["ignored_tags"])


def choice_value(field: str, text: str) -> str | None:
    return choice_labels(field).get(_key(text))


def accepted_labels(field: str) -> list[str]:
    """The Chinese labels to show in help and error messages."""
    return list(dict.fromkeys(spec()["values"][field]))


def split_tags(text: str) -> list[str]:
    separators = spec()["tag_separators"]
    pattern = "[" + re.escape(separators) + "]+"
    return [part for part in re.split(pattern, text) if part.strip()]


def parse_date(text: str) -> datetime.date:
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day, month2, day2 = match.groups()
    return datetime.date(int(year), int(month or month2), int(day or day2))
