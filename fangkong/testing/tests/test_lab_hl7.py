"""Results as HL7 v2.5.1 ORU^R01: good messages recorded with their Ct values, each bad one
refused with its reason, a body recorded all or nothing, and one ACK per message."""

from decimal import Decimal

import pytest
from django.utils import translation

from fangkong.lib import hl7
from fangkong.testing import lab_hl7, services
from fangkong.testing.lab_hl7 import message_label
from fangkong.testing.models import Tube, TubeStatus
from fangkong.testing.tests.lab_util import DATA, oru, tube
from fangkong.testing.tests.util import at, mass_testing

HL7_URL = "/api/v1/testing/lab/hl7"
HL7_TYPE = "x-application/hl7-v2+er7"
DETECTED = "260373001^Detected^SCT"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def t(cast, outbreak):
    t = mass_testing(cast)
    for barcode in ("LB0001", "LB0002", "LB0003"):
        tube(t, barcode, received=at(22, 12))
    return t


def acks(text):
    """(MSA-1, MSA-2, ERR-3 codes, ERR-8 texts) of each ACK of a body."""
    messages = hl7.parse_messages(text)
    assert all(isinstance(m, hl7.Message) for m in messages), messages
    return [(m.first("MSA").value(1), m.first("MSA").value(2),
             [e.components(3)[0] for e in m.all("ERR")], [e.value(8) for e in m.all("ERR")])
            for m in messages]


def problem(body):
    upload = lab_hl7.read_oru(body)
    assert not upload.rows
    [found] = upload.problems
    return found


# --- reading ------------------------------------------------------------------------------

def test_a_good_message_becomes_a_row_with_its_ct_values():
    [row] = lab_hl7.read_oru(oru("LB0003", DETECTED, orf="28.1", n="30.2")).rows
    assert (row.line, row.barcode, row.result) == (message_label(1), "LB0003", "positive")
    assert (row.ct_orf1ab, row.ct_n) == (Decimal("28.1"), Decimal("30.2"))
    assert row.tested_at == at(22, 20, 30)


@pytest.mark.parametrize("code, result", [("260415000^Not detected^SCT", "negative"),
                                          (DETECTED, "positive"),
                                          ("419984006^Inconclusive^SCT", "resample"),
                                          ("X^Local^L^260373001^Detected^SCT", "positive")])
def test_snomed_result_codes(code, result):
    [row] = lab_hl7.read_oru(oru(result=code)).rows
    assert row.result == result


def test_the_test_time_falls_back_from_analysis_to_observation_to_request():
    def tested(**times):
        return lab_hl7.read_oru(oru(**times)).rows[0].tested_at

    assert tested(analysed="202211222030+0800", observed="202211222000+0800") == at(22, 20, 30)
    assert tested(analysed="", observed="202211222000+0800") == at(22, 20)
    assert tested(analysed="", observed="", requested="202211221900") == at(22, 19)
    assert tested(analysed="202211221230+0000") == at(22, 20, 30)


def test_the_specimen_id_falls_back_to_the_filler_order_number():
    [row] = lab_hl7.read_oru(oru("LB0002", spm=False)).rows
    assert row.barcode == "LB0002"


def test_local_ct_codes_are_accepted():
    body = oru(result=DETECTED, orf="30").replace("94644-2^ORF1ab Ct^LN", "ORF1AB-CT^ORF1ab^L")
    [row] = lab_hl7.read_oru(body).rows
    assert row.ct_orf1ab == Decimal("30.0")


@pytest.mark.parametrize("body, field, code, words", [
    (oru(kind="ADT^A01^ADT_A01"), "MSH-9", "200", "ORU^R01"),
    (oru(kind="ORU^R30"), "MSH-9", "201", "ORU^R30"),
    (oru(version="2.3"), "MSH-12", "203", "version 2.3"),
    (oru(processing="T"), "MSH-11", "202", "production"),
    (oru(loinc="94309-2^SARS-CoV-2 RNA^LN"), "OBX-3", "100", "94500-6"),
    (oru(result="10828004^Positive^SCT"), "OBX-5", "103", "10828004"),
    (oru(analysed="yesterday"), "OBX-19", "102", "yesterday"),
    (oru(analysed="", observed="", requested=""), "OBX-19", "101", "missing"),
    (oru(analysed="20221122"), "OBX-19", "102", "to the minute"),
    (oru(orf="twenty"), "OBX-5", "102", "twenty"),
    (oru(status="P"), "OBX-11", "103", "final"),
    (oru("", spm=False), "SPM-2", "101", "specimen"),
    ("this is not HL7 at all", "MSH", "100", "not an HL7"),
])
def test_each_bad_message_is_refused_with_its_reason(body, field, code, words):
    found = problem(body)
    assert found["field"] == field and words in found["message"]
    upload = lab_hl7.read_oru(body)
    [(ack_code, _id, errors, texts)] = acks(lab_hl7.acknowledge(upload, recorded=False))
    assert ack_code == ("AR" if field.startswith("MSH") else "AE")
    assert errors == [code] and words in texts[0]


def test_several_problems_of_one_message_are_all_named():
    upload = lab_hl7.read_oru(oru(result="1^x^SCT", orf="x", analysed="bad"))
    assert {p["field"] for p in upload.problems} == {"OBX-5", "OBX-19"}
    assert len(upload.problems) == 3
    [(_code, _id, errors, _texts)] = acks(lab_hl7.acknowledge(upload, recorded=False))
    assert sorted(errors) == ["102", "102", "103"]


# --- recording ----------------------------------------------------------------------------

def _record(t, body, user=None, lab=None):
    upload = lab_hl7.read_oru(body)
    assert not upload.problems
    return services.results_record(acting_user=user or t.cast.jiance, lab=lab or t.lab,
                                   rows=upload.rows, via="hl7")


def test_a_file_of_two_messages_is_recorded_with_the_ct_values(t):
    report = _record(t, (DATA / "oru_r01_two.hl7").read_bytes())
    assert (report.recorded, report.positive_pools) == (2, 1)
    lb3 = Tube.objects.get(barcode="LB0003")
    assert (lb3.result, lb3.ct_orf1ab, lb3.ct_n, lb3.reported_via) == (
        "positive", Decimal("28.1"), Decimal("30.2"), "hl7")
    assert lb3.tested_at == at(22, 20, 32)
    assert Tube.objects.get(barcode="LB0001").result == "negative"


def post(client, body, lab="sz-cdc", content_type=HL7_TYPE):
    return client.post(f"{HL7_URL}?lab={lab}", body, content_type=content_type,
                       headers={"Accept-Language": "en"})


def test_the_api_records_the_messages_and_answers_aa_for_each(t, login):
    body = (oru("LB0001", control="C1") + oru("LB0003", DETECTED, orf="28.1", n="30.2",
                                               control="C2"))
    response = post(login(t.cast.jiance), body)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(HL7_TYPE)
    assert acks(response.content.decode()) == [("AA", "C1", [], []), ("AA", "C2", [], [])]
    assert Tube.objects.get(barcode="LB0003").ct_n == Decimal("30.2")
    again = post(login(t.cast.jiance), body)  # a resent body changes nothing
    assert again.status_code == 200 and Tube.objects.filter(result="positive").count() == 1


def test_a_body_with_one_bad_message_records_nothing(t, login):
    body = oru("LB0001", control="C1") + oru("LB0002", control="C2", version="2.3")
    response = post(login(t.cast.jiance), body, content_type="text/plain")
    assert response.status_code == 422
    [(first, id1, errors1, _t1), (second, id2, errors2, texts2)] = acks(
        response.content.decode())
    assert (first, id1, errors1) == ("AR", "C1", ["207"])
    assert (second, id2, errors2) == ("AR", "C2", ["203"]) and "2.3" in texts2[0]
    assert not Tube.objects.filter(status=TubeStatus.REPORTED).exists()


def test_rows_the_results_service_refuses_are_answered_ae_where_they_lie(t, login):
    body = (oru("LB0001", control="C1") + oru("LB9999", control="C2")
            + oru("LB0002", control="C3", orf="25", n="26"))
    response = post(login(t.cast.jiance), body)
    assert response.status_code == 422
    answers = acks(response.content.decode())
    assert [a[0] for a in answers] == ["AR", "AE", "AE"]
    assert answers[1][2] == ["204"] and "LB9999" in answers[1][3][0]
    assert answers[2][2] == ["207"] and "say Positive" in answers[2][3][0]
    err = hl7.parse_messages(response.content.decode())[1].first("ERR")
    assert err.components(2) == ["SPM", "1", "2"]
    assert not Tube.objects.filter(status=TubeStatus.REPORTED).exists()


def test_another_laboratorys_tube_is_refused_over_hl7(t, login):
    response = post(login(t.jiance2), oru("LB0001"), lab="third")
    assert response.status_code == 422
    [(code, _id, errors, texts)] = acks(response.content.decode())
    assert (code, errors) == ("AE", ["204"]) and "another laboratory" in texts[0]
    assert Tube.objects.get(barcode="LB0001").lab == t.lab


def test_a_laboratory_not_ones_own_is_rejected(t, login):
    response = post(login(t.jiance2), oru("LB0001"), lab="sz-cdc")
    assert response.status_code == 422
    [(code, _id, errors, _texts)] = acks(response.content.decode())
    assert (code, errors) == ("AR", ["204"])
    assert Tube.objects.get(barcode="LB0001").status == TubeStatus.RECEIVED


def test_other_content_types_and_other_roles_are_refused(t, login):
    response = post(login(t.cast.jiance), oru("LB0001"), content_type="application/json")
    assert response.status_code == 422 and "content_type" in response.json()["errors"]
    assert post(login(t.cast.admin), oru("LB0001")).status_code == 403
    assert not Tube.objects.filter(status=TubeStatus.REPORTED).exists()


def test_a_body_without_messages_is_answered_with_one_rejection(t, login):
    response = post(login(t.cast.jiance), "\r\n")
    assert response.status_code == 422
    assert [a[0] for a in acks(response.content.decode())] == ["AR"]
