"""The bulletin as a Word document (python-docx): title, as-of line, text, district table.

Word picks the font of Chinese characters from the East Asian slot of `w:rFonts`, which
python-docx's `font.name` does not set, and the built-in Title style names theme fonts
that override it: both are set here by hand so the document opens with a CJK font.
"""

import datetime
import io
import json

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from fangkong.cases.selectors import bucket_label
from fangkong.reports.text import bulletin_paragraphs, bulletin_text, columns, table_rows

BODY_FONT = "SimSun"
TITLE_FONT = "SimHei"
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_font(style, name: str, size: int) -> None:
    style.font.name = name
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), name)


def _day(iso: str) -> str:
    return date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")


def _heading(document, data: dict) -> None:
    title = document.add_heading(_("%(scope)s COVID-19 bulletin") % {"scope": data["scope"]},
                                 level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    as_of = document.add_paragraph(
        _("As of 24:00 on %(date)s (outbreak: %(outbreak)s, since %(start)s)") % {
            "date": _day(data["as_of"]), "outbreak": data["outbreak_name"],
            "start": _day(data["outbreak_start"])})
    as_of.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _cell(cell, text: str, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.add_run(text).font.size = Pt(9)


def _table(document, data: dict) -> None:
    cols = columns(data)
    table = document.add_table(rows=1, cols=len(cols) + 1)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0].cells
    _cell(header[0], _("District"))
    for cell, (_section, _key, bucket) in zip(header[1:], cols, strict=True):
        _cell(cell, str(bucket_label(bucket)))
    for row in table_rows(data, cols):
        cells = table.add_row().cells
        _cell(cells[0], row["district"] or _("Total"))
        for cell, (_bucket, value) in zip(cells[1:], row["cells"], strict=True):
            _cell(cell, str(value), WD_ALIGN_PARAGRAPH.RIGHT)


def bulletin_docx(data: dict) -> bytes:
    document = Document()
    _set_font(document.styles["Normal"], BODY_FONT, 12)
    _set_font(document.styles["Title"], TITLE_FONT, 20)
    _heading(document, data)
    for text in bulletin_paragraphs(data):
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(24)
    _table(document, data)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_bulletin(data: dict, fmt: str) -> str | bytes:
    """The bulletin in a download format: "text" or "txt", "json", "docx"."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "docx":
        return bulletin_docx(data)
    return bulletin_text(data)
