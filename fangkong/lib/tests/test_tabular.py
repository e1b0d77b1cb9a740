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
