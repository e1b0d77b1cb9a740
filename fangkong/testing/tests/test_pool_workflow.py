"""The positive-pool workflow end to end: sampling, a positive pool, temporary control of
every member, door-to-door single retests, a negative retest lifting the control and a
positive one reporting a case found by screening."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fangkong.cases.models import Case, Route
from fangkong.control.models import Basis, ControlOrder, OrderKind, OrderStatus
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.testing import services
from fangkong.testing.models import Retest, RetestStatus, Tube, TubeStatus
from fangkong.testing.tests.util import at, mass_testing, result, sample_pool


@pytest.fixture
def t(cast, outbreak):
    return mass_testing(cast)


def test_round_takes_pooling_rule_per_risk_level_from_profile(t):
    places = {rp.place_id: rp for rp in t.round.round_places.all()}
    assert t.round.profile.code == "shuozhou-2022-11-21"
    low, high = places[t.cast.wenyuan.pk], places[t.cast.xinjian.pk]
    assert (low.pool_size, low.per_household) == (10, False)
    assert high.per_household is True


def test_positive_pool_controls_members_and_retests_decide(t):
    c = t.cast
    pool = sample_pool(t, "SZ0001", [c.zhang, c.li, c.wang])
    assert pool.status == TubeStatus.CLOSED and pool.size == 3
    services.tubes_receive(acting_user=c.jiance, lab=t.lab, barcodes=["SZ0001"],
                           at=at(22, 12))
    report = services.results_record(
        acting_user=c.jiance, lab=t.lab, via="api",
        rows=[result("SZ0001", "positive", Decimal("28.1"), Decimal("30.2"))])
    assert (report.positive_pools, report.people_controlled) == (1, 3)
    orders = ControlOrder.objects.filter(basis=Basis.POOL, status=OrderStatus.ACTIVE)
    assert {o.person_id for o in orders} == {c.zhang.pk, c.li.pk, c.wang.pk}
    assert all(o.kind == OrderKind.TEMPORARY_CONTROL and o.basis_ref == "tube:SZ0001"
               for o in orders)
    items = WorkItem.objects.open().filter(kind=ItemKind.RETEST)
    assert items.count() == 3

    retests = {r.person_id: r for r in Retest.objects.all()}
    services.retest_sample(acting_user=c.caiyang, retest=retests[c.zhang.pk],
                           barcode="RT0001", at=at(23, 8))
    services.retest_sample(acting_user=c.caiyang, retest=retests[c.li.pk],
                           barcode="RT0002", at=at(23, 8))
    assert WorkItem.objects.open().filter(kind=ItemKind.RETEST).count() == 1
    report = services.results_record(
        acting_user=c.jiance, lab=t.lab, via="file",
        rows=[result("RT0001", "negative", when=at(23, 14)),
              result("RT0002", "positive", Decimal("25"), Decimal("26"), when=at(23, 14),
                     line="row 3")])
    assert report.retests_negative == 1 and len(report.cases) == 1
    zhang_order = ControlOrder.objects.get(person=c.zhang, basis=Basis.POOL)
    assert zhang_order.status == OrderStatus.RELEASED
    assert "RT0001" in zhang_order.end_reason
    case = Case.objects.get(person=c.li)
    assert case.route == Route.COMMUNITY_SCREENING and not case.in_control
    assert ControlOrder.objects.get(person=c.li, basis=Basis.POOL).status == \
        OrderStatus.ESCALATED
    assert Retest.objects.get(person=c.li).status == RetestStatus.POSITIVE
    proposal = WorkItem.objects.get(kind=ItemKind.RISK_AREA)
    assert proposal.place == c.unit1
    # 王芳 is still under temporary control, awaiting her retest
    assert ControlOrder.objects.get(person=c.wang, basis=Basis.POOL).status == \
        OrderStatus.ACTIVE


def test_negative_pool_changes_nobody(t):
    c = t.cast
    sample_pool(t, "SZ0002", [c.zhang, c.li])
    report = services.results_record(acting_user=c.jiance, lab=t.lab, via="api",
                                     rows=[result("SZ0002", "negative", Decimal("41"))])
    assert report.recorded == 1 and report.positive_pools == 0
    assert not ControlOrder.objects.exists() and not Retest.objects.exists()


def test_a_high_risk_area_takes_one_tube_per_household(t):
    c = t.cast
    tube = services.tube_open(acting_user=t.caiyang2, test_round=t.round, site=t.site2,
                              barcode="HH0001", at=at(22, 9))
    assert tube.per_household and tube.kind == "pool"
    services.sample_add(acting_user=t.caiyang2, tube=tube, person=c.zhao, at=at(22, 9))
    with pytest.raises(ValidationError) as refused:
        services.sample_add(acting_user=t.caiyang2, tube=tube, person=c.liu, at=at(22, 9))
    assert refused.value.error_dict["person"][0].code == "household"
    tube.refresh_from_db()
    assert tube.size == 1 and tube.samples.count() == 1


def test_results_entered_late_keep_their_report_time(t):
    c = t.cast
    sample_pool(t, "SZ0003", [c.zhang])
    report_time = at(23, 6)
    services.results_record(acting_user=c.jiance, lab=t.lab, via="file", at=report_time,
                            rows=[result("SZ0003", "negative", when=at(22, 20))])
    tube = Tube.objects.get(barcode="SZ0003")
    assert tube.reported_at == report_time
    sample_pool(t, "SZ0004", [c.li])
    with pytest.raises(ValidationError):
        services.results_record(acting_user=c.jiance, lab=t.lab, via="file", at=at(22, 12),
                                rows=[result("SZ0004", "negative", when=at(22, 20))])
    assert Tube.objects.get(barcode="SZ0004").result == ""


def test_a_laboratory_is_created_with_its_members_and_audited(t):
    from fangkong.audit.models import AuditEvent

    c = t.cast
    lab = services.lab_create(acting_user=c.admin, name="应县人民医院实验室", code="yx-hosp",
                              place=c.yingxian, members=[t.jiance2])
    assert list(lab.members.all()) == [t.jiance2]
    assert AuditEvent.objects.filter(action="testing.lab_create").exists()
    with pytest.raises(ValidationError) as refused:
        services.lab_create(acting_user=c.admin, name="x", code="yx-hosp", place=c.city,
                            members=[c.wangge])
    assert set(refused.value.error_dict) == {"code", "members"}
    with pytest.raises(PermissionError):
        services.lab_create(acting_user=c.wangge, name="y", code="y-lab", place=c.wenyuan)
