"""Recording check-ins: a resident's own scan, ID number and phone at the venue, and batches
from gates; the same check-in twice is one; bad input is refused with its reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.places.services import venue_create
from fangkong.tracing import services
from fangkong.tracing.models import CheckIn, Source
from fangkong.tracing.services import Scan


@pytest.fixture
def venue(cast):
    return venue_create(acting_user=None, place=cast.compound, name="开发区超市",
                        kind="supermarket")


def test_a_residents_scan_is_one_check_in_with_the_assumed_stay(cast, venue):
    at = timezone.now() - datetime.timedelta(minutes=3)
    first, created = services.check_in_self(acting_user=cast.jumin, venue=venue, at=at)
    again, created_again = services.check_in_self(acting_user=cast.jumin, venue=venue, at=at)
    assert created and not created_again and first.pk == again.pk
    assert first.person == cast.zhang and first.source == Source.SCAN
    assert first.left_at - first.checked_in_at == datetime.timedelta(minutes=30)


def test_staff_cannot_check_themself_in(cast, venue):
    with pytest.raises(PermissionError):
        services.check_in_self(acting_user=cast.wangge, venue=venue)


def test_id_number_and_phone_must_belong_together(cast, venue):
    check_in, created = services.check_in_by_id(venue=venue, id_number=cast.zhang.id_number,
                                                phone="138 0000 1234")
    assert created and check_in.person == cast.zhang and check_in.source == Source.FORM
    with pytest.raises(ValidationError) as wrong_phone:
        services.check_in_by_id(venue=venue, id_number=cast.zhang.id_number,
                                phone="13900005678")
    with pytest.raises(ValidationError) as unknown:
        services.check_in_by_id(venue=venue, id_number="110101199003077777",
                                phone="13900005678")
    assert wrong_phone.value.messages == unknown.value.messages  # reveals nobody
    with pytest.raises(ValidationError) as bad_phone:
        services.check_in_by_id(venue=venue, id_number=cast.zhang.id_number, phone="12345")
    assert bad_phone.value.error_dict["phone"][0].code == "phone"
    assert CheckIn.objects.count() == 1


def test_a_batch_answers_each_scan_and_a_retry_changes_nothing(cast, venue):
    now = timezone.now()
    scans = [Scan(venue.code, cast.zhang.id_number, now - datetime.timedelta(hours=1)),
             Scan(venue.code, cast.li.id_number, now - datetime.timedelta(hours=1),
                  now - datetime.timedelta(minutes=20)),
             Scan("V-NOPE", cast.li.id_number, now),
             Scan(venue.code, "110101199003077777", now),
             Scan(venue.code, cast.wang.id_number, now + datetime.timedelta(hours=1)),
             Scan(venue.code, cast.wang.id_number, now - datetime.timedelta(days=20)),
             Scan(venue.code, cast.wang.id_number, None),
             Scan(venue.code, cast.wang.id_number, now - datetime.timedelta(hours=1),
                  now - datetime.timedelta(hours=2)),
             Scan(venue.code, cast.zhang.id_number, now - datetime.timedelta(hours=1))]
    report = services.check_in_batch(acting_user=cast.wangge, scans=scans)
    assert (report.accepted, report.unchanged) == (2, 1)  # 张伟's scan sent twice: one
    assert {r["index"]: r["code"] for r in report.refused} == {
        2: "venue", 3: "unknown", 4: "future", 5: "old", 6: "required", 7: "order"}
    assert CheckIn.objects.get(person=cast.li).left_at == now - datetime.timedelta(minutes=20)
    again = services.check_in_batch(acting_user=cast.wangge, scans=scans[:2])
    assert (again.accepted, again.unchanged) == (0, 2)
    assert CheckIn.objects.count() == 2


def test_a_gate_outside_the_users_area_is_refused(cast):
    other = venue_create(acting_user=None, place=cast.xinjian_compound, name="新建菜市场",
                         kind="market")
    report = services.check_in_batch(acting_user=cast.wangge, scans=[
        Scan(other.code, cast.zhao.id_number, timezone.now())])
    assert [r["code"] for r in report.refused] == ["venue"]
    with pytest.raises(PermissionError):
        services.check_in_batch(acting_user=cast.jumin, scans=[])


def test_a_leaving_time_ahead_of_the_clock_or_without_zone_is_refused(cast, venue):
    """A gate's typo in the leaving year would otherwise be cut into a million pieces."""
    now = timezone.now()
    arrived = now - datetime.timedelta(hours=1)
    scans = [Scan(venue.code, cast.zhang.id_number, arrived, now.replace(year=2205)),
             Scan(venue.code, cast.li.id_number, arrived, arrived.replace(tzinfo=None)),
             Scan(venue.code, cast.wang.id_number, arrived, now - datetime.timedelta(minutes=5))]
    report = services.check_in_batch(acting_user=cast.wangge, scans=scans)
    assert {r["index"]: (r["field"], r["code"]) for r in report.refused} == {
        0: ("left_at", "future"), 1: ("left_at", "naive")}
    assert list(CheckIn.objects.values_list("person", flat=True)) == [cast.wang.pk]
