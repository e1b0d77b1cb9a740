"""The sampler's and terminals' API: tubes opened, filled and closed through the same
services as the page, with refusals answered 422 naming the field; a batch upload answered
binding by binding and unchanged on retry; the retests; a sampler sees only their site
(404 elsewhere) and other roles are refused (403)."""

import pytest

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.testing import api_sampler, services
from fangkong.testing.models import Retest, RetestStatus, Sample, Tube, TubeStatus
from fangkong.testing.tests.test_sampler_pages import UNKNOWN, positive  # noqa: F401
from fangkong.testing.tests.util import at, mass_testing

API = "/api/v1/testing"


@pytest.fixture
def t(cast, outbreak):
    return mass_testing(cast)


def post(client, url, payload=None, **kwargs):
    return client.post(f"{API}{url}", payload or {}, content_type="application/json",
                       **kwargs)


def open_body(t, barcode, site=None):
    return {"round": str(t.round.uuid), "site": str((site or t.site).uuid), "barcode": barcode}


def opened(t, barcode):
    return services.tube_open(acting_user=t.cast.caiyang, test_round=t.round, site=t.site,
                              barcode=barcode, at=at(22, 9))


def errors(response):
    assert response.status_code == 422, response.content
    return response.json()["errors"]


# --- tubes --------------------------------------------------------------------------------

def test_a_sampler_opens_fills_and_closes_a_tube(t, login):
    c = t.cast
    client = login(c.caiyang)
    response = post(client, "/tubes", open_body(t, "AP1001"))
    assert response.status_code == 201
    tube = response.json()
    assert (tube["barcode"], tube["status"], tube["kind"]) == ("AP1001", "open", "pool")
    assert (tube["capacity"], tube["size"], tube["members"]) == (10, 0, [])
    assert tube["site"] == str(t.site.uuid) and tube["round"] == str(t.round.uuid)

    response = post(client, "/tubes/AP1001/samples", {"id_number": c.zhang.id_number,
                                                      "sampled_at": "2022-11-22T09:00:00+08:00"})
    assert response.status_code == 201
    assert response.json()["person"]["name"] == "张伟"
    assert response.json()["sampled_at"].startswith("2022-11-22T09:00:00+08:00")
    response = post(client, "/tubes/AP1001/samples", {"person": str(c.li.uuid)})
    assert response.status_code == 201 and response.json()["tube"]["size"] == 2

    response = post(client, "/tubes/AP1001/close")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert [m["person"]["name"] for m in response.json()["members"]] == ["张伟", "李娜"]
    detail = client.get(f"{API}/tubes/AP1001")
    assert detail.status_code == 200 and detail.json()["size"] == 2


def test_refusals_name_the_field(t, login):
    c = t.cast
    client = login(c.caiyang)
    opened(t, "AP2001")
    assert "barcode" in errors(post(client, "/tubes", open_body(t, "AP2001")))  # used
    assert "barcode" in errors(post(client, "/tubes", open_body(t, "A!")))
    assert "id_number" in errors(post(client, "/tubes/AP2001/samples", {}))
    assert "id_number" in errors(post(client, "/tubes/AP2001/samples", {
        "id_number": c.zhang.id_number, "person": str(c.zhang.uuid)}))
    assert "id_number" in errors(post(client, "/tubes/AP2001/samples", {"id_number": UNKNOWN}))
    assert "sampled_at" in errors(post(client, "/tubes/AP2001/samples", {
        "id_number": c.zhang.id_number, "sampled_at": "2022-11-22T09:00:00"}))  # naive
    assert "person" in errors(post(client, "/tubes/AP2001/samples", {
        "person": str(c.zhao.uuid)}))  # outside the area
    assert "barcode" in errors(post(client, "/tubes/AP2001/close"))  # empty
    assert not Sample.objects.exists()


def test_already_sampled_full_and_closed_are_refused(t, login):
    c = t.cast
    client = login(c.caiyang)
    tube = opened(t, "AP3001")
    post(client, "/tubes/AP3001/samples", {"id_number": c.zhang.id_number})
    again = errors(post(client, "/tubes/AP3001/samples", {"id_number": c.zhang.id_number}))
    assert "AP3001" in again["person"][0]
    Tube.objects.filter(pk=tube.pk).update(capacity=1)
    full = errors(post(client, "/tubes/AP3001/samples", {"id_number": c.li.id_number}))
    assert "AP3001" in full["barcode"][0]
    Tube.objects.filter(pk=tube.pk).update(capacity=10)
    post(client, "/tubes/AP3001/close")
    closed = errors(post(client, "/tubes/AP3001/samples", {"id_number": c.li.id_number}))
    assert "AP3001" in closed["barcode"][0]
    assert Sample.objects.count() == 1


def test_a_sampler_works_only_at_their_own_site(t, login):
    c = t.cast
    opened(t, "AP4001")
    client = login(t.caiyang2)
    assert post(client, "/tubes", open_body(t, "AP4002")).status_code == 404
    assert client.get(f"{API}/tubes/AP4001").status_code == 404
    assert post(client, "/tubes/AP4001/samples",
                {"id_number": c.zhao.id_number}).status_code == 404
    assert post(client, "/tubes/AP4001/close").status_code == 404
    assert post(client, "/bindings", {"round": str(t.round.uuid), "site": str(t.site.uuid),
                                      "bindings": []}).status_code == 404
    assert post(client, "/tubes", open_body(t, "AP4003", site=t.site2)).status_code == 201
    assert not Tube.objects.filter(barcode="AP4002").exists()


def test_other_roles_are_refused_and_readers_see_their_scope(t, login):
    c = t.cast
    opened(t, "AP5001")
    assert post(login(c.jiance), "/tubes", open_body(t, "AP5002")).status_code == 403
    assert post(login(c.wangge), "/tubes/AP5001/samples",
                {"id_number": c.zhang.id_number}).status_code == 403
    assert login(c.jumin).get(f"{API}/tubes/AP5001").status_code == 403
    assert login(c.wangge).get(f"{API}/tubes/AP5001").status_code == 200
    assert login(c.wangge2).get(f"{API}/tubes/AP5001").status_code == 404
    assert login(c.jiance).get(f"{API}/tubes/AP5001").status_code == 404  # not at its lab yet


# --- the batch path -----------------------------------------------------------------------

def batch(t, rows, site=None):
    return {"round": str(t.round.uuid), "site": str((site or t.site).uuid),
            "bindings": [{"tube": tube, "id_number": number, "sampled_at": when}
                         for tube, number, when in rows]}


def test_a_batch_binds_and_a_retried_upload_changes_nothing(t, login):
    c = t.cast
    _token, secret = token_create(acting_user=c.admin, user=c.caiyang, name="采样终端 1",
                                  role=Role.SAMPLER, scope=c.wenyuan)
    terminal = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    rows = [("BT1001", c.zhang.id_number, "2022-11-22T09:00:00+08:00"),
            ("BT1001", c.li.id_number, "2022-11-22T09:01:00+08:00"),
            ("BT1002", c.wang.id_number, "2022-11-22T09:02:00+08:00")]
    response = post(login(c.caiyang), "/bindings", batch(t, rows), **terminal)
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "unchanged": 0, "refused": [], "tubes_closed": 0}
    again = post(login(c.caiyang), "/bindings", batch(t, rows), **terminal)
    assert again.json() == {"accepted": 0, "unchanged": 3, "refused": [], "tubes_closed": 0}
    assert Sample.objects.count() == 3 and Tube.objects.get(barcode="BT1001").size == 2


def test_a_batch_refuses_each_bad_binding_with_its_index(t, login):
    c = t.cast
    client = login(c.caiyang)
    post(client, "/bindings", batch(t, [("BT2001", c.zhang.id_number,
                                         "2022-11-22T09:00:00+08:00")]))
    response = post(client, "/bindings", batch(t, [
        ("BT2002", c.zhang.id_number, "2022-11-22T09:05:00+08:00"),  # sampled in BT2001
        ("BT2002", UNKNOWN, "2022-11-22T09:05:00+08:00"),
        ("bad code!", c.li.id_number, "2022-11-22T09:05:00+08:00"),
        ("BT2002", c.li.id_number, "2022-11-22T09:05:00"),           # no offset
        ("BT2002", c.wang.id_number, None),
        ("BT2002", c.li.id_number, "2022-11-22T09:06:00+08:00"),     # fine
    ]))
    assert response.status_code == 200
    report = response.json()
    assert report["accepted"] == 1
    refused = {r["index"]: (r["field"], r["code"]) for r in report["refused"]}
    assert refused == {0: ("id_number", "sampled"), 1: ("id_number", "unknown"),
                       2: ("barcode", "barcode"), 3: ("sampled_at", "naive"),
                       4: ("sampled_at", "required")}
    assert all(r["message"] for r in report["refused"])
    assert "BT2001" in next(r["message"] for r in report["refused"] if r["index"] == 0)


def test_a_batch_over_the_limit_is_refused_whole(t, login, monkeypatch):
    monkeypatch.setattr(api_sampler, "MAX_BATCH", 2)
    c = t.cast
    rows = [(f"BT300{i}", c.zhang.id_number, "2022-11-22T09:00:00+08:00") for i in range(3)]
    assert "bindings" in errors(post(login(c.caiyang), "/bindings", batch(t, rows)))
    assert not Sample.objects.exists()


def test_a_batch_with_a_malformed_time_is_refused_whole(t, login):
    c = t.cast
    body = batch(t, [("BT4001", c.zhang.id_number, "yesterday")])
    assert "sampled_at" in errors(post(login(c.caiyang), "/bindings", body))


# --- retests ------------------------------------------------------------------------------

def test_retests_are_listed_and_sampled(t, positive, login):  # noqa: F811
    c = t.cast
    client = login(c.caiyang)
    response = client.get(f"{API}/retests")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    zhang = next(i for i in body["items"] if i["person"]["name"] == "张伟")
    assert zhang["phone"] == "138****1234" and zhang["pool"] == "SZ9001"
    assert "1号楼" in zhang["address"] and zhang["status"] == "due"

    retest = positive[c.zhang.pk]
    response = post(client, f"/retests/{retest.uuid}/sample", {"barcode": "RT5001"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["tube"]) == ("sampled", "RT5001")
    assert Retest.objects.get(pk=retest.pk).status == RetestStatus.SAMPLED
    assert client.get(f"{API}/retests").json()["count"] == 2
    assert client.get(f"{API}/retests", {"status": "sampled"}).json()["count"] == 1
    assert "barcode" in errors(post(client, f"/retests/{positive[c.li.pk].uuid}/sample",
                                    {"barcode": "RT5001"}))  # used
    assert Tube.objects.get(barcode="RT5001").status == TubeStatus.CLOSED


def test_retests_outside_the_area_are_not_found(t, positive, login):  # noqa: F811
    client = login(t.caiyang2)
    assert client.get(f"{API}/retests").json()["count"] == 0
    retest = positive[t.cast.zhang.pk]
    assert post(client, f"/retests/{retest.uuid}/sample",
                {"barcode": "RT6001"}).status_code == 404
    assert login(t.cast.wangge).get(f"{API}/retests").status_code == 403
