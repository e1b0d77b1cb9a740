"""Reading tables from .xlsx and .csv: encodings, cell types, row numbers, bad files."""

import datetime
import io

import openpyxl
import pytest

from fangkong.lib.tabular import TabularError, cell_text, decode_text, read_table

HEADER = ["姓名", "身份证号", "户号"]


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for values in rows:
        workbook.active.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _read(data, name):
    table = read_table(data, name)
    return table.header, list(table.rows)


def test_xlsx_cells_become_text_with_spreadsheet_row_numbers():
    birthday = datetime.datetime(1988, 7, 1)  # noqa: DTZ001 - spreadsheet cells are naive
    data = _xlsx([HEADER, ["张伟", "14060219850312021X", 101.0], [], [" 李娜 ", None, birthday]])
    header, rows = _read(data, "people.XLSX")
    assert header == HEADER
    assert rows == [(2, ["张伟", "14060219850312021X", "101"]), (4, ["李娜", "", "1988-07-01"])]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_bom_and_gbk(encoding):
    text = "姓名,身份证号,户号\r\n张伟,14060219850312021X,101\r\n"
    header, rows = _read(text.encode(encoding), "people.csv")
    assert header == HEADER
    assert rows == [(2, ["张伟", "14060219850312021X", "101"])]


def test_utf8_is_tried_strictly_before_gb18030():
    assert decode_text("张伟".encode())[1] == "utf-8-sig"
    assert decode_text("张伟".encode("gbk"))[1] == "gb18030"
    with pytest.raises(TabularError) as error:
        decode_text(b"\xff\xfe\xff")
    assert error.value.code == "encoding"


def test_csv_short_rows_are_padded_and_blank_rows_skipped_keeping_numbers():
    text = "姓名,身份证号,户号,,\n张伟\n,,\n李娜,1,2\n"
    header, rows = _read(text.encode(), "a.csv")
    assert header == HEADER
    assert rows == [(2, ["张伟", "", ""]), (4, ["李娜", "1", "2"])]


def test_tab_separated_csv():
    header, rows = _read("姓名\t户号\n张伟\t101\n".encode(), "a.csv")
    assert header == ["姓名", "户号"] and rows == [(2, ["张伟", "101"])]


@pytest.mark.parametrize(("name", "data", "code"), [
    ("a.txt", b"x", "kind"),
    ("a", b"x", "kind"),
    ("a.csv", b"", "empty"),
    ("a.csv", b",,\n", "empty"),
    ("a.xlsx", b"PK\x03\x04 broken", "unreadable"),
    ("a.xlsx", b"plain text", "unreadable"),
    ("a.csv", b"\x00\x01\x02", "unreadable"),
])
def test_bad_files_name_their_fault(name, data, code):
    with pytest.raises(TabularError) as error:
        read_table(data, name)
    assert error.value.code == code


def test_empty_workbook_is_empty():
    with pytest.raises(TabularError) as error:
        read_table(_xlsx([]), "a.xlsx")
    assert error.value.code == "empty"


def test_cell_text():
    assert cell_text(None) == "" and cell_text(3.0) == "3" and cell_text(3.5) == "3.5"
    assert cell_text(datetime.date(2022, 11, 30)) == "2022-11-30"
    eight = datetime.datetime(2022, 11, 30, 8, 0)  # noqa: DTZ001 - spreadsheet cells are naive
    assert cell_text(eight) == "2022-11-30T08:00:00"


def _both(data: bytes):
    """Rows read by the streaming reader and by openpyxl, which must agree."""
    from fangkong.lib import tabular

    fast = tabular.read_xlsx(data)
    slow = tabular._read_xlsx_openpyxl(data)
    return (fast.header, list(fast.rows)), (slow.header, list(slow.rows))


def _styled_workbook(write_only: bool) -> bytes:
    workbook = openpyxl.Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    rows = [
        [*HEADER, "生日", "时间", "金额", "是否"],
        ["张伟", "14060219850312021X", 101, datetime.date(1985, 3, 12),
         datetime.datetime(2022, 11, 30, 8, 0), 3.5, True],  # noqa: DTZ001
        [],
        [" 李娜 ", None, "", None, None, 1e20, False],
        ["王&<芳>", "x\ny", 7.0, datetime.datetime(1988, 7, 1), None, -2, None],  # noqa: DTZ001
    ]
    for values in rows:
        sheet.append(values)
    if not write_only:
        sheet["B7"] = "中间空格"  # a row with a cell only in the middle, after a gap
        sheet["E7"] = 0.25
        sheet["E7"].number_format = "yyyy/m/d h:mm"
        second = workbook.create_sheet("第二")
        second.append(["ignored"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("write_only", [False, True])
def test_streaming_xlsx_reader_agrees_with_openpyxl(write_only):
    fast, slow = _both(_styled_workbook(write_only))
    assert fast == slow
    header, rows = fast
    assert header == [*HEADER, "生日", "时间", "金额", "是否"]
    assert rows[0] == (2, ["张伟", "14060219850312021X", "101", "1985-03-12",
                           "2022-11-30T08:00:00", "3.5", "True"])
    assert rows[1][0] == 4 and rows[2][1][0] == "王&<芳>"


def test_streaming_xlsx_reader_with_shared_strings_and_gaps():
    """Shared strings, columns given by `r` and missing rows, as Excel writes them."""
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
             '<c r="C1" t="s"><v>2</v></c></row>'
             '<row r="3" spans="1:3"><c r="C3" s="1"><v>32219</v></c>'
             '<c r="A3" t="s"><v>3</v></c></row>'
             "<row r='5'><c r='B5' t='inlineStr'><is><r><t>张</t></r><r><t xml:space='preserve'>"
             "伟 </t></r><rPh><t>zhang</t></rPh></is></c><c r='C5' t='b'><v>1</v></c></row>"
             '<row r="6"><c r="A6" t="e"><v>#N/A</v></c><c r="C6"><v>1.5E3</v></c></row>'
             "</sheetData></worksheet>")
    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               "<si><t>姓名</t></si><si><t>身份证号</t></si><si><r><t>户</t></r><r><t>号</t>"
               "</r></si><si><t xml:space=\"preserve\"> 李娜 </t></si></sst>")
    # Row 3's last cell is A3, so C3 falls outside it: openpyxl's rule, kept.
    assert _read(_with_parts(sheet, strings), "a.xlsx") == (
        HEADER, [(3, ["李娜", "", ""]), (5, ["", "张伟", "True"]), (6, ["#N/A", "", "1500"])])


def _with_parts(sheet_xml: str, strings_xml: str) -> bytes:
    """An openpyxl workbook whose first sheet and shared strings are replaced."""
    import zipfile

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = datetime.date(2000, 1, 1)  # makes style 1 a date style
    workbook.active["A1"] = "x"
    source = io.BytesIO()
    workbook.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = sheet_xml.encode()
            if item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>'))
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", (
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>"))
            new.writestr(item, content)
        new.writestr("xl/sharedStrings.xml", strings_xml)
    return out.getvalue()


def test_streaming_xlsx_reader_refuses_a_dtd():
    sheet = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             "<sheetData/></worksheet>")
    with pytest.raises(TabularError):
        read_table(_with_parts(sheet, '<sst xmlns="x"/>'), "a.xlsx")
