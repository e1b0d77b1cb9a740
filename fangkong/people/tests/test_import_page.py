"""The upload page: the form, the report after an upload, refusals."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from django.urls import reverse

from fangkong.people import views_import
from fangkong.people.models import Person
from fangkong.people.tests.test_import_support import HEADER, csv_bytes, new_id, row, xlsx_bytes

URL = "/people/import/"


def test_the_url_name_points_here():
    assert reverse("people:import") == URL


def test_page_shows_the_form_and_the_headers(cast, login):
    response = login(cast.wangge).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and 'accept=".xlsx,.csv"' in page
    assert "身份证号 / 证件号码" in page and "户号" in page


def test_upload_shows_the_report_with_rejected_rows(cast, login):
    data = xlsx_bytes([row("孙明", new_id(101)), row("周红", new_id(103), phone="12345")])
    upload = SimpleUploadedFile("residents.xlsx", data)
    response = login(cast.wangge).post(URL, {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.created == 1 and report.rejected_rows == 1
    page = response.content.decode()
    assert 'id="import-report"' in page and "手机号" in page and "<td class=\"num\"" in page
    assert Person.objects.filter(name="孙明").exists()


def test_dry_run_checkbox_writes_nothing(cast, login):
    upload = SimpleUploadedFile("residents.csv", csv_bytes([row("孙明", new_id(101))]))
    response = login(cast.wangge).post(URL, {"file": upload, "dry_run": "on"})
    assert response.context["report"].dry_run and response.context["report"].created == 1
    assert not Person.objects.filter(name="孙明").exists()


def test_bad_file_gives_a_message_and_writes_nothing(cast, login):
    people = Person.objects.count()
    client = login(cast.wangge)
    for name, data in [("residents.txt", b"abc"), ("residents.xlsx", b"not a workbook"),
                       ("residents.csv", b""), ("residents.csv", csv_bytes([], header=["x"]))]:
        response = client.post(URL, {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 200
        assert response.context["report"] is None
        assert response.context["form"].errors["file"], name
    assert Person.objects.count() == people


@override_settings(FANGKONG_IMPORT_MAX_BYTES=10)
def test_file_over_the_size_limit_is_refused(cast, login):
    upload = SimpleUploadedFile("residents.csv", csv_bytes([row()], header=HEADER))
    response = login(cast.wangge).post(URL, {"file": upload})
    assert "MB" in response.context["form"].errors["file"][0]


def test_building_leader_gets_403(cast, login):
    assert login(cast.louzhang).get(URL).status_code == 403
    upload = SimpleUploadedFile("residents.csv", csv_bytes([row()]))
    assert login(cast.louzhang).post(URL, {"file": upload}).status_code == 403
    assert not Person.objects.filter(id_number=new_id(101)).exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302


def test_template_csv_holds_the_headers(cast):
    request = RequestFactory().get("/people/import/template.csv")
    request.user = cast.wangge
    response = views_import.import_template(request)
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and text.strip("\ufeff\r\n").split(",")[:3] == [
        "姓名", "证件类型", "身份证号"]
    request.user = cast.louzhang
    with pytest.raises(PermissionDenied):
        views_import.import_template(request)
