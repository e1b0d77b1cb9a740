"""Result files from laboratories: Chinese or English headers and words, CSV (UTF-8 or GBK)
or XLSX; every bad file refused with its reason and nothing half-written; a re-upload
changes nothing; a positive pool in a file puts its members under temporary control."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fangkong.control.models import Basis, ControlOrder, OrderKind, OrderStatus
from fangkong.testing import services
from fangkong.testing.lab_files import read_results, row_label
from fangkong.testing.models import Retest, Tube, TubeStatus
from fangkong.testing.services import ResultsRefused
from fangkong.testing.tests.lab_util import DATA, csv_bytes, tube
from fangkong.testing.tests.util import at, mass_testing


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def t(cast, outbreak):
    t = mass_testing(cast)
    t.tubes = {b: tube(t, b, received=at(22, 12)) for b in ("LB0001", "LB0002", "LB0003")}
    return t


def record(t, data, name="results.csv", user=None, lab=None):
    rows = read_results(data, name)
    return services.results_record(acting_user=user or t.cast.jiance, lab=lab or t.lab,
                                   rows=rows, via="file")


def refusal(data, name="results.csv"):
    with pytest.raises(ResultsRefused) as refused:
        read_results(data, name)
    return refused.value.problems


def recorded(t, data, name="results.csv"):
    """The problems of a file the results service refuses, checking nothing was written."""
    with pytest.raises(ResultsRefused) as refused:
        record(t, data, name)
    assert not Tube.objects.filter(status=TubeStatus.REPORTED).exists()
    return refused.value.problems


# --- reading ------------------------------------------------------------------------------

EXPECTED = [("LB0001", "negative", None, None, at(22, 20, 30)),
            ("LB0002", "negative", None, Decimal("41.5"), at(22, 20, 31)),
            ("LB0003", "positive", Decimal("28.1"), Decimal("30.2"), at(22, 20, 32))]


def _values(rows):
    return [(r.barcode, r.result, r.ct_orf1ab, r.ct_n, r.tested_at) for r in rows]


def test_a_chinese_csv_in_gbk_reads():
    rows = read_results((DATA / "results_zh.csv").read_bytes(), "results_zh.csv")
    assert _values(rows) == EXPECTED
    assert [r.line for r in rows] == [row_label(2), row_label(3), row_label(4)]


def test_an_english_workbook_with_excel_times_and_an_extra_column_reads():
    rows = read_results((DATA / "results_en.xlsx").read_bytes(), "results_en.xlsx")
    assert _values(rows) == EXPECTED


@pytest.mark.parametrize("header", [
    "试管条码,结果,ORF1ab基因Ct值,N基因Ct值,检测时间",
    "barcode,result,ct_orf1ab,ct_n,tested_at",
    "Tube barcode,Test result,ORF1AB CT,N ct,Tested at",
    "条码*,检测结果*,Ct(ORF1ab),Ct (N),检测时间*",
])
def test_header_aliases(header):
    [row] = read_results(csv_bytes("LB0003,阳性,28.1,30.2,2022-11-22 20:32", header=header),
                         "r.csv")
    assert (row.ct_orf1ab, row.ct_n, row.result) == (Decimal("28.1"), Decimal("30.2"),
                                                     "positive")


@pytest.mark.parametrize("word, result", [("阴性", "negative"), ("Negative", "negative"),
                                          ("阳性", "positive"), ("POS", "positive"),
                                          ("复采", "resample"), ("resample", "resample"),
                                          ("单靶阳性", "resample")])
def test_results_in_chinese_or_english(word, result):
    [row] = read_results(csv_bytes(f"LB0001,{word},,,2022-11-22 20:30"), "r.csv")
    assert row.result == result


@pytest.mark.parametrize("text", ["2022-11-22 20:30", "2022/11/22 20:30:00",
                                  "2022-11-22T20:30:00+08:00", "2022-11-22T12:30:00Z",
                                  "202211222030"])
def test_times_in_the_usual_forms(text):
    [row] = read_results(csv_bytes(f"LB0001,阴性,,,{text}"), "r.csv")
    assert row.tested_at == at(22, 20, 30)


def test_unreadable_cells_refuse_the_file_naming_each_row():
    problems = refusal(csv_bytes(
        "LB0001,maybe,,,2022-11-22 20:30",
        "LB0002,阴性,abc,,2022-11-22 20:30",
        "LB0003,阴性,,,yesterday",
        ",阴性,,,2022-11-22 20:30",
        "LB0004,阴性,,,2022-11-22 20:30"))
    assert [(p["line"], p["field"]) for p in problems] == [
        (row_label(2), "result"), (row_label(3), "ct_orf1ab"), (row_label(4), "tested_at"),
        (row_label(5), "barcode")]
    assert "maybe" in problems[0]["message"] and "阴性/negative" in problems[0]["message"]
    assert "abc" in problems[1]["message"] and "yesterday" in problems[2]["message"]
    assert problems[1]["barcode"] == "LB0002"


@pytest.mark.parametrize("data, name, field, words", [
    (b"", "r.csv", "file", "empty"),
    ((DATA / "not_a_spreadsheet.xlsx").read_bytes(), "not_a_spreadsheet.xlsx", "file",
     "cannot be read"),
    (b"barcode,result\nLB0001,negative\n", "r.txt", "file", ".xlsx or .csv"),
    (b"\x00\x01\x02garbage", "r.csv", "file", "cannot be read"),
    (csv_bytes(header="试管编码,检测结果,检测时间"), "r.csv", "file", "no result rows"),
    (csv_bytes("LB0001,阴性", header="试管编码,检测结果"), "r.csv", "columns", "检测时间"),
    (csv_bytes("LB0001,阴性,x,2022-11-22 20:30", header="条码,结果,试管编码,检测时间"),
     "r.csv", "columns", "twice"),
])
def test_a_file_refused_as_a_whole_says_why(data, name, field, words):
    [problem] = refusal(data, name)
    assert problem["field"] == field and words in problem["message"]


# --- recording ----------------------------------------------------------------------------

def test_a_good_file_is_recorded_and_a_reupload_changes_nothing(t):
    data = (DATA / "results_zh.csv").read_bytes()
    report = record(t, data, "results_zh.csv")
    assert (report.recorded, report.unchanged, report.positive_pools) == (3, 0, 1)
    lb3 = Tube.objects.get(barcode="LB0003")
    assert (lb3.status, lb3.result, lb3.ct_orf1ab, lb3.ct_n) == (
        TubeStatus.REPORTED, "positive", Decimal("28.1"), Decimal("30.2"))
    assert lb3.reported_via == "file" and lb3.tested_at == at(22, 20, 32)
    orders = ControlOrder.objects.count()
    again = record(t, data, "results_zh.csv")
    assert (again.recorded, again.unchanged, again.positive_pools) == (0, 3, 0)
    assert ControlOrder.objects.count() == orders
    # the same results written in English, from a workbook, are the same results
    assert record(t, (DATA / "results_en.xlsx").read_bytes(), "r.xlsx").unchanged == 3


def test_a_positive_pool_in_a_file_puts_its_members_under_temporary_control(t):
    c = t.cast
    tube(t, "LB0100", [c.zhang, c.li, c.wang], received=at(22, 12))
    report = record(t, csv_bytes("LB0100,阳性,26.5,27.0,2022-11-22 20:40"))
    assert (report.positive_pools, report.people_controlled) == (1, 3)
    orders = ControlOrder.objects.filter(basis=Basis.POOL, basis_ref="tube:LB0100")
    assert {o.person_id for o in orders} == {c.zhang.pk, c.li.pk, c.wang.pk}
    assert all(o.kind == OrderKind.TEMPORARY_CONTROL and o.status == OrderStatus.ACTIVE
               for o in orders)
    assert Retest.objects.filter(pool__barcode="LB0100").count() == 3


@pytest.mark.parametrize("lines, line, field, words", [
    (["LB9999,阴性,,,2022-11-22 20:30"], 2, "barcode", "Unknown barcode LB9999"),
    (["LB0001,阴性,,,2022-11-22 20:30", "LB0001,阴性,,,2022-11-22 20:30"], 3, "barcode",
     "second result for tube LB0001"),
    (["LB0001,阴性,50,,2022-11-22 20:30"], 2, "ct_orf1ab", "at most 45"),
    (["LB0001,阴性,,0,2022-11-22 20:30"], 2, "ct_n", "above 0"),
    (["LB0001,阴性,25,25,2022-11-22 20:30"], 2, "result", "say Positive"),
    (["LB0001,阳性,25,41,2022-11-22 20:30"], 2, "result", "resample"),
    (["LB0001,阴性,,,2022-11-22 08:30"], 2, "tested_at", "before the tube was sampled"),
    (["LB0001,阴性,,,2030-11-22 08:30"], 2, "tested_at", "future"),
])
def test_bad_rows_are_refused_with_their_reason_and_nothing_is_written(t, lines, line, field,
                                                                       words):
    problems = recorded(t, csv_bytes("LB0002,阴性,,,2022-11-22 20:30", *lines))
    assert [(p["line"], p["field"]) for p in problems] == [(row_label(line + 1), field)]
    assert words in problems[0]["message"]


def test_a_tube_already_reported_with_another_result_is_refused(t):
    record(t, csv_bytes("LB0001,阴性,,,2022-11-22 20:30"))
    with pytest.raises(ResultsRefused) as refused:
        record(t, csv_bytes("LB0002,阴性,,,2022-11-22 20:30",
                            "LB0001,阳性,30,31,2022-11-22 20:30"))
    problems = refused.value.problems
    assert [(p["line"], p["barcode"], p["field"]) for p in problems] == [
        (row_label(3), "LB0001", "result")]
    assert "already has a result" in problems[0]["message"]
    recorded_again = Tube.objects.get(barcode="LB0002")
    assert recorded_again.status == TubeStatus.RECEIVED and not recorded_again.result
    assert Tube.objects.get(barcode="LB0001").result == "negative"


def test_every_bad_row_of_a_file_is_named_at_once(t):
    problems = recorded(t, csv_bytes("LB9999,阴性,,,2022-11-22 20:30",
                                     "LB0001,阴性,25,25,2022-11-22 20:30",
                                     "LB0002,阴性,,,2022-11-22 20:30"))
    assert [p["line"] for p in problems] == [row_label(2), row_label(3)]


def test_a_tube_received_by_another_laboratory_is_refused(t):
    with pytest.raises(ResultsRefused) as refused:
        record(t, csv_bytes("LB0001,阴性,,,2022-11-22 20:30"), user=t.jiance2, lab=t.lab2)
    problems = refused.value.problems
    assert problems[0]["field"] == "barcode" and "another laboratory" in problems[0]["message"]
    assert Tube.objects.get(barcode="LB0001").status == TubeStatus.RECEIVED


# --- the command --------------------------------------------------------------------------

def test_the_command_records_a_file_and_prints_the_summary(t, tmp_path):
    out = io.StringIO()
    call_command("import_results", str(DATA / "results_en.xlsx"), lab="sz-cdc", stdout=out)
    assert "Recorded: 3" in out.getvalue() and "Positive tubes: 1" in out.getvalue()
    assert Tube.objects.filter(status=TubeStatus.REPORTED).count() == 3
    hl7_copy = tmp_path / "feed.dat"
    hl7_copy.write_bytes((DATA / "oru_r01_two.hl7").read_bytes())
    out = io.StringIO()
    call_command("import_results", str(hl7_copy), "--format", "hl7", lab="sz-cdc",
                 stdout=out)
    assert "Unchanged (already recorded): 2" in out.getvalue()


def test_the_command_prints_every_problem_and_fails_writing_nothing(t, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("LB0001,阴性,,,2022-11-22 20:30", "NOPE01,阴性,,,2022-11-22 20:30"))
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_results", str(bad), lab="sz-cdc", stdout=out)
    assert failed.value.returncode == 1
    assert "row 3 · NOPE01 · barcode · Unknown barcode NOPE01." in out.getvalue()
    assert not Tube.objects.filter(status=TubeStatus.REPORTED).exists()


def test_the_command_refuses_bad_hl7_and_an_unknown_laboratory(t, tmp_path):
    bad = tmp_path / "bad.hl7"
    bad.write_text("MSH|^~\\&|LIS|SZCDC|||20221122||ORU^R01|C1|P|2.3\r")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_results", str(bad), lab="sz-cdc", stdout=out)
    assert "MSH-12" in out.getvalue()
    with pytest.raises(CommandError, match="nope"):
        call_command("import_results", str(bad), lab="nope")
    with pytest.raises(CommandError):
        call_command("import_results", str(tmp_path / "missing.csv"), lab="sz-cdc")
