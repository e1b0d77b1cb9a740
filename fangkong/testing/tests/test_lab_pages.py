"""The laboratory's pages: tubes awaiting a result, receiving tubes (each refusal shown, the
refused barcodes kept), uploading a result file (a summary, or every bad row and nothing
recorded), a choice between laboratories, and who may see what."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangkong.control.models import Basis, ControlOrder
from fangkong.testing import services
from fangkong.testing.models import Tube, TubeStatus
from fangkong.testing.tests.lab_util import DATA, csv_bytes, tube
from fangkong.testing.tests.util import at, mass_testing


@pytest.fixture(autouse=True)
def english(client):
    """Pages follow the language switcher's cookie."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def t(cast, outbreak):
    t = mass_testing(cast)
    tube(t, "LB0002", received=at(22, 12, 30))
    tube(t, "LB0001", received=at(22, 12))
    tube(t, "LB0003")  # closed at the site, not yet received
    tube(t, "LB0004", received=at(22, 13), lab=t.lab2)
    return t


def page(client, **params):
    return client.get(reverse("testing:lab"), params)


def receive(client, text, lab="sz-cdc"):
    return client.post(reverse("testing:lab_receive"), {"lab": lab, "barcodes": text})


def upload(client, data, name="results.csv", lab="sz-cdc"):
    return client.post(reverse("testing:lab_upload"),
                       {"lab": lab, "file": SimpleUploadedFile(name, data)})


def awaiting(response):
    return [row["tube"].barcode for row in response.context["awaiting"]]


def test_the_lab_page_lists_tubes_awaiting_a_result_oldest_first(t, login):
    response = page(login(t.cast.jiance))
    assert response.status_code == 200
    assert response.context["lab"] == t.lab and awaiting(response) == ["LB0001", "LB0002"]
    html = response.content.decode()
    assert 'data-barcode="LB0001"' in html and "LB0004" not in html and "LB0003" not in html


def test_receiving_shows_each_refusal_and_keeps_the_refused_barcodes(t, login):
    services.tube_open(acting_user=t.cast.caiyang, test_round=t.round, site=t.site,
                       barcode="LB0009", at=at(22, 9))
    response = receive(login(t.cast.jiance), "LB0003\nLB0001\r\nLB0004, NOPE01\nLB0009\n")
    assert response.status_code == 200
    report = response.context["receive_report"]
    assert (report.received, report.unchanged) == (1, 1)
    assert [(r["barcode"], r["code"]) for r in report.refused] == [
        ("LB0004", "other_lab"), ("NOPE01", "unknown"), ("LB0009", "open")]
    html = response.content.decode()
    assert 'data-code="other_lab"' in html and "still open" in html
    assert response.context["receive_form"].initial["barcodes"] == "LB0004\nNOPE01\nLB0009"
    assert awaiting(response) == ["LB0001", "LB0002", "LB0003"]


def test_another_laboratory_cannot_receive_a_tube_already_received(t, login):
    response = receive(login(t.jiance2), "LB0001", lab="third")
    assert [r["code"] for r in response.context["receive_report"].refused] == ["other_lab"]
    assert Tube.objects.get(barcode="LB0001").lab == t.lab


def test_an_empty_receipt_keeps_the_form(t, login):
    response = receive(login(t.cast.jiance), "  \n ")
    assert response.status_code == 400
    assert response.context["receive_form"].errors["barcodes"]


def test_an_uploaded_file_is_summarised_and_a_reupload_changes_nothing(t, login):
    c = t.cast
    data = (DATA / "results_zh.csv").read_bytes()
    client = login(c.jiance)
    services.tubes_receive(acting_user=c.jiance, lab=t.lab, barcodes=["LB0003"],
                           at=at(22, 12))
    response = upload(client, data, "results_zh.csv")
    assert response.status_code == 200
    report = response.context["results_report"]
    assert (report.recorded, report.unchanged, report.positive_pools, report.people_controlled
            ) == (3, 0, 1, 1)
    html = response.content.decode()
    assert 'id="recorded">3<' in html and "results_zh.csv" in html
    assert awaiting(response) == []
    again = upload(client, data, "results_zh.csv")
    assert (again.context["results_report"].recorded,
            again.context["results_report"].unchanged) == (0, 3)
    assert ControlOrder.objects.filter(basis=Basis.POOL).count() == 1


def test_a_refused_file_shows_every_bad_row_and_records_nothing(t, login):
    response = upload(login(t.cast.jiance), csv_bytes(
        "LB0001,阴性,,,2022-11-22 20:30",
        "LB0002,阴性,25,25,2022-11-22 20:30",
        "NOPE01,阴性,,,2022-11-22 20:30"), "my-results.csv")
    assert response.status_code == 422
    problems = response.context["problems"]
    assert [(p["line"], p["barcode"], p["field"]) for p in problems] == [
        ("row 3", "LB0002", "result"), ("row 4", "NOPE01", "barcode")]
    html = response.content.decode()
    assert 'id="problem-rows"' in html and "my-results.csv" in html
    assert 'data-line="row 3"' in html and "nothing in this file was recorded" in html
    assert not Tube.objects.filter(status=TubeStatus.REPORTED).exists()
    assert awaiting(response) == ["LB0001", "LB0002"]


@pytest.mark.parametrize("name, data, field", [
    ("results.pdf", b"%PDF", "file"),
    ("results.csv", b"", "file"),
])
def test_a_file_of_the_wrong_kind_is_refused_on_the_form(t, login, name, data, field):
    response = upload(login(t.cast.jiance), data, name)
    assert response.status_code == 400
    assert response.context["upload_form"].errors[field]


def test_a_file_that_is_no_spreadsheet_is_refused_with_its_reason(t, login):
    response = upload(login(t.cast.jiance), (DATA / "not_a_spreadsheet.xlsx").read_bytes(),
                      "not_a_spreadsheet.xlsx")
    assert response.status_code == 422
    [problem] = response.context["problems"]
    assert problem["field"] == "file" and "cannot be read" in problem["message"]


def test_a_member_of_several_laboratories_chooses(t, login):
    t.lab2.members.add(t.cast.jiance)
    client = login(t.cast.jiance)
    response = page(client)
    assert response.context["lab"] is None and "choose-lab" in response.content.decode()
    third = page(client, lab="third")
    assert third.context["lab"] == t.lab2 and awaiting(third) == ["LB0004"]
    assert page(client, lab="nope").status_code == 404


def test_a_laboratory_user_with_no_laboratory_is_told_so(t, login):
    t.lab.members.remove(t.cast.jiance)
    response = page(login(t.cast.jiance))
    assert response.status_code == 200 and "no-lab" in response.content.decode()
    assert receive(login(t.cast.jiance), "LB0003").status_code == 404


def test_posting_for_a_laboratory_not_ones_own_is_refused(t, login):
    response = receive(login(t.jiance2), "LB0003", lab="sz-cdc")
    assert response.status_code == 404
    assert Tube.objects.get(barcode="LB0003").lab is None


@pytest.mark.parametrize("who", ["admin", "caiyang", "wangge", "jumin"])
def test_only_laboratories_use_the_lab_page(t, login, who):
    client = login(getattr(t.cast, who))
    assert page(client).status_code == 403
    assert receive(client, "LB0003").status_code == 403
    assert Tube.objects.get(barcode="LB0003").lab is None


def test_the_result_template_names_the_columns(t, login):
    response = login(t.cast.jiance).get(reverse("testing:lab_template"))
    assert response.content.decode("utf-8-sig").splitlines()[0] == \
        "试管编码,检测结果,ORF1ab Ct,N Ct,检测时间"


def test_the_turnaround_page_shows_a_lab_its_own_and_the_command_centre_all(t, login):
    url = reverse("testing:turnaround")
    mine = login(t.cast.jiance).get(url)
    assert mine.status_code == 200
    assert [row["figures"].lab for row in mine.context["labs"]] == [t.lab]
    assert 'id="unsent"' not in mine.content.decode()
    city = login(t.cast.admin).get(url, {"since": "2022-11-22"})
    assert sorted(row["figures"].lab.code for row in city.context["labs"]) == [
        "sz-cdc", "third"]
    assert city.context["unsent_count"] == 1
    assert 'data-barcode="LB0003"' in city.content.decode()
    assert login(t.cast.yiyuan).get(url).status_code == 403
    assert login(t.cast.louzhang).get(url).status_code == 200



def _query_count(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert page(client).status_code == 200
    return len(captured.captured_queries)


def test_the_lab_page_query_count_does_not_grow_with_the_tubes(t, login):
    client = login(t.cast.jiance)
    page(client)
    before = _query_count(client)
    tube(t, "LB0010", received=at(22, 14))
    tube(t, "LB0011", received=at(22, 14))
    assert _query_count(client) == before
