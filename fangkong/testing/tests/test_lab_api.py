"""The laboratories' API: tubes received, results as JSON rows (all or nothing, every bad
row named), the laboratory's own tubes only (another's is 404), and turnaround."""

from decimal import Decimal

import pytest

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.control.models import Basis, ControlOrder
from fangkong.testing.models import Tube, TubeStatus
from fangkong.testing.tests.lab_util import tube
from fangkong.testing.tests.util import at, mass_testing

API = "/api/v1/testing"
EN = {"Accept-Language": "en"}


@pytest.fixture
def t(cast, outbreak):
    t = mass_testing(cast)
    tube(t, "LB0001", received=at(22, 12))
    tube(t, "LB0002", received=at(22, 12, 30))
    tube(t, "LB0003")  # closed at the site, not yet received
    tube(t, "LB0004", received=at(22, 13), lab=t.lab2)
    return t


def post(client, path, body, **kwargs):
    return client.post(API + path, body, content_type="application/json", headers=EN,
                       **kwargs)


def row(barcode, result="negative", **extra):
    return {"barcode": barcode, "result": result, "tested_at": "2022-11-22T20:30:00+08:00",
            **extra}


# --- receiving ----------------------------------------------------------------------------

def test_receiving_tubes_answers_each_refusal_with_its_reason(t, login):
    response = post(login(t.cast.jiance), "/lab/receipts", {
        "lab": "sz-cdc", "barcodes": ["LB0003", "LB0001", "LB0004", "NOPE01"],
        "received_at": "2022-11-22T14:00:00+08:00"})
    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["unchanged"]) == (1, 1)
    assert [(r["index"], r["barcode"], r["code"]) for r in body["refused"]] == [
        (2, "LB0004", "other_lab"), (3, "NOPE01", "unknown")]
    lb3 = Tube.objects.get(barcode="LB0003")
    assert (lb3.status, lb3.lab, lb3.received_at) == (TubeStatus.RECEIVED, t.lab, at(22, 14))


@pytest.mark.parametrize("body, field", [
    ({"lab": "third", "barcodes": ["LB0003"]}, "lab"),
    ({"lab": "nope", "barcodes": ["LB0003"]}, "lab"),
    ({"lab": "sz-cdc", "barcodes": ["LB0003"], "received_at": "2022-11-22T14:00:00"},
     "received_at"),
    ({"lab": "sz-cdc", "barcodes": ["LB0003"], "received_at": "2099-11-22T14:00:00+08:00"},
     "received_at"),
])
def test_receiving_for_a_laboratory_not_ones_own_or_at_a_bad_time_is_422(t, login, body,
                                                                          field):
    response = post(login(t.cast.jiance), "/lab/receipts", body)
    assert response.status_code == 422 and field in response.json()["errors"]
    assert Tube.objects.get(barcode="LB0003").lab is None


def test_only_laboratories_receive(t, login):
    body = {"lab": "sz-cdc", "barcodes": ["LB0003"]}
    for who in (t.cast.admin, t.cast.caiyang, t.cast.wangge):
        assert post(login(who), "/lab/receipts", body).status_code == 403
    assert Tube.objects.get(barcode="LB0003").lab is None


# --- results ------------------------------------------------------------------------------

def test_results_are_recorded_and_reported_on(t, login):
    c = t.cast
    tube(t, "LB0100", [c.zhang, c.li], received=at(22, 12))
    response = post(login(c.jiance), "/lab/results", {"lab": "sz-cdc", "rows": [
        row("LB0001", ct_n=41.5), row("LB0100", "positive", ct_orf1ab="28.1", ct_n=30.2)]})
    assert response.status_code == 200
    assert response.json() == {"recorded": 2, "unchanged": 0, "positive_pools": 1,
                               "resample_pools": 0, "people_controlled": 2,
                               "retests_negative": 0, "cases": []}
    pool = Tube.objects.get(barcode="LB0100")
    assert (pool.ct_orf1ab, pool.ct_n, pool.reported_via) == (Decimal("28.1"),
                                                              Decimal("30.2"), "api")
    assert ControlOrder.objects.filter(basis=Basis.POOL, basis_ref="tube:LB0100").count() == 2
    again = post(login(c.jiance), "/lab/results", {"lab": "sz-cdc", "rows": [
        row("LB0001", ct_n="41.5")]})
    assert again.json()["unchanged"] == 1 and again.json()["recorded"] == 0


def test_bad_rows_refuse_all_with_every_problem_named(t, login):
    response = post(login(t.cast.jiance), "/lab/results", {"lab": "sz-cdc", "rows": [
        row("LB0001"),
        row("LB0002", ct_orf1ab=25, ct_n=25),
        row("LB0004"),
        row("LB0001", "maybe"),
        row("NOPE01"),
    ]})
    assert response.status_code == 422
    body = response.json()
    assert [(p["line"], p["field"]) for p in body["problems"]] == [
        ("rows[1]", "result"), ("rows[2]", "barcode"), ("rows[3]", "result"),
        ("rows[3]", "barcode"), ("rows[4]", "barcode")]
    assert "another laboratory" in body["problems"][1]["message"]
    assert set(body["errors"]) == {"result", "barcode"}
    assert body["errors"]["result"][0].startswith("rows[1]: ")
    assert "nothing was recorded" in body["detail"]
    assert not Tube.objects.filter(status=TubeStatus.REPORTED).exists()


@pytest.mark.parametrize("extra, field", [
    ({"ct_orf1ab": "n/a"}, "ct_orf1ab"), ({"ct_n": "abc"}, "ct_n"),
    ({"tested_at": "2022-11-22T20:30:00"}, "tested_at"),
    ({"tested_at": "yesterday"}, "tested_at"), ({"tested_at": ""}, "tested_at"),
    ({"ct_orf1ab": 60}, "ct_orf1ab"),
])
def test_values_that_are_not_numbers_or_times_are_problems_of_their_row(t, login, extra,
                                                                         field):
    response = post(login(t.cast.jiance), "/lab/results",
                    {"lab": "sz-cdc", "rows": [row("LB0001", **extra)]})
    assert response.status_code == 422
    assert [(p["line"], p["field"]) for p in response.json()["problems"]] == [
        ("rows[0]", field)]


def test_results_for_a_laboratory_not_ones_own_are_422(t, login):
    response = post(login(t.jiance2), "/lab/results",
                    {"lab": "sz-cdc", "rows": [row("LB0001")]})
    assert response.status_code == 422 and "lab" in response.json()["errors"]


def test_a_token_records_results(t, client):
    _token, secret = token_create(acting_user=t.cast.admin, user=t.cast.jiance, name="LIS",
                                  role=Role.LABORATORY, scope=t.cast.city)
    response = client.post(f"{API}/lab/results", {"lab": "sz-cdc", "rows": [row("LB0001")]},
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json()["recorded"] == 1


# --- reading ------------------------------------------------------------------------------

def barcodes(response):
    return [item["barcode"] for item in response.json()["items"]]


def test_a_laboratory_lists_its_own_tubes_only(t, login):
    client = login(t.cast.jiance)
    response = client.get(f"{API}/lab/tubes")
    assert response.status_code == 200 and barcodes(response) == ["LB0001", "LB0002"]
    item = response.json()["items"][0]
    assert (item["lab"], item["status"], item["received_at"]) == (
        "sz-cdc", "received", "2022-11-22T12:00:00+08:00")
    assert barcodes(client.get(f"{API}/lab/tubes?status=reported")) == []
    assert barcodes(login(t.jiance2).get(f"{API}/lab/tubes")) == ["LB0004"]
    assert client.get(f"{API}/lab/tubes?status=lost").status_code == 422


@pytest.mark.parametrize("who, barcode, status", [
    ("jiance", "LB0001", 200), ("jiance", "LB0004", 404), ("jiance", "LB0003", 404),
    ("jiance", "NOPE01", 404), ("jiance2", "LB0001", 404), ("jiance2", "LB0004", 200),
    ("admin", "LB0001", 403),
])
def test_another_laboratorys_tube_is_404(t, login, who, barcode, status):
    user = getattr(t, who, None) or getattr(t.cast, who)
    response = login(user).get(f"{API}/lab/tubes/{barcode}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["barcode"] == barcode


def test_turnaround_for_a_laboratory_and_for_the_command_centre(t, login):
    labs = login(t.cast.jiance).get(f"{API}/turnaround").json()
    assert labs["target_hours"] == 24
    assert [(lab["lab"]["code"], lab["outstanding"]) for lab in labs["labs"]] == [
        ("sz-cdc", 2)]
    assert labs["unsent"] == 0
    city = login(t.cast.admin).get(f"{API}/turnaround?since=2022-11-22").json()
    assert sorted(lab["lab"]["code"] for lab in city["labs"]) == ["sz-cdc", "third"]
    assert city["unsent"] == 1 and city["unsent_oldest"][0]["barcode"] == "LB0003"
    assert login(t.cast.yiyuan).get(f"{API}/turnaround").status_code == 403
