"""The gates' and terminals' API: a batch of check-ins answered scan by scan and unchanged on
retry; roles without the permission refused (403); a malformed upload 422 naming the field."""

import datetime

import pytest
from django.utils import timezone

from fangkong.places.services import venue_create
from fangkong.tracing import api
from fangkong.tracing.models import CheckIn

pytestmark = pytest.mark.django_db
URL = "/api/v1/tracing/checkins"


@pytest.fixture
def venue(cast):
    return venue_create(acting_user=None, place=cast.compound, name="开发区超市",
                        kind="supermarket")


def post(client, scans):
    return client.post(URL, {"scans": scans}, content_type="application/json")


def ago(**delta):
    return (timezone.now() - datetime.timedelta(**delta)).isoformat()


def test_a_batch_is_accepted_and_a_retry_changes_nothing(cast, venue, login):
    client = login(cast.wangge)
    scans = [{"venue_code": venue.code, "id_number": cast.zhang.id_number,
              "checked_in_at": ago(hours=2)},
             {"venue_code": venue.code, "id_number": cast.li.id_number,
              "checked_in_at": ago(hours=2), "left_at": ago(hours=1)}]
    response = post(client, scans)
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "unchanged": 0, "refused": []}
    assert post(client, scans).json() == {"accepted": 0, "unchanged": 2, "refused": []}
    assert CheckIn.objects.count() == 2


def test_each_scan_that_cannot_be_taken_is_refused_alone(cast, venue, login):
    outside = venue_create(acting_user=None, place=cast.xinjian_compound, name="新建菜市场",
                           kind="market")
    scans = [{"venue_code": venue.code, "id_number": cast.zhang.id_number,
              "checked_in_at": ago(minutes=5)},
             {"venue_code": outside.code, "id_number": cast.zhao.id_number,
              "checked_in_at": ago(minutes=5)},
             {"venue_code": venue.code, "id_number": "110101199003077777",
              "checked_in_at": ago(minutes=5)},
             {"venue_code": venue.code, "id_number": cast.li.id_number,
              "checked_in_at": ago(days=20)},
             {"venue_code": venue.code, "id_number": cast.li.id_number,
              "checked_in_at": ago(minutes=5), "left_at": ago(minutes=30)}]
    report = post(login(cast.wangge), scans).json()
    assert (report["accepted"], report["unchanged"]) == (1, 0)
    assert [(r["index"], r["field"], r["code"]) for r in report["refused"]] == [
        (1, "venue_code", "venue"), (2, "id_number", "unknown"), (3, "checked_in_at", "old"),
        (4, "left_at", "order")]
    assert all(r["message"] for r in report["refused"])


@pytest.mark.parametrize("username", ["jumin", "jiance", "louzhang", "caiyang"])
def test_roles_without_the_permission_are_refused(cast, venue, login, username):
    response = post(login(getattr(cast, username)), [
        {"venue_code": venue.code, "id_number": cast.zhang.id_number,
         "checked_in_at": ago(minutes=5)}])
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_anonymous_callers_are_refused(cast, venue, client):
    assert post(client, []).status_code == 401


@pytest.mark.parametrize("when", ["2022-11-22T10:00:00", "yesterday", "", None])
def test_a_time_without_offset_or_unreadable_is_refused_whole(cast, venue, login, when):
    response = post(login(cast.wangge), [
        {"venue_code": venue.code, "id_number": cast.li.id_number,
         "checked_in_at": ago(minutes=5)},
        {"venue_code": venue.code, "id_number": cast.zhang.id_number, "checked_in_at": when}])
    assert response.status_code == 422
    assert "checked_in_at" in response.json()["errors"]
    assert not CheckIn.objects.exists()


def test_too_many_scans_in_one_upload_are_refused(cast, venue, login, monkeypatch):
    monkeypatch.setattr(api, "MAX_BATCH", 1)
    scan = {"venue_code": venue.code, "id_number": cast.zhang.id_number,
            "checked_in_at": ago(minutes=5)}
    response = post(login(cast.wangge), [scan, scan])
    assert response.status_code == 422 and "scans" in response.json()["errors"]
    assert not CheckIn.objects.exists()
