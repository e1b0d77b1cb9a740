"""The sampling terminal's batch path: one answer per binding, tubes opened and closed by
their bindings, and a retried upload that changes nothing."""

import pytest

from fangkong.testing import services
from fangkong.testing.models import Sample, Tube, TubeStatus
from fangkong.testing.services import Binding
from fangkong.testing.tests.util import at, mass_testing


@pytest.fixture
def t(cast, outbreak):
    return mass_testing(cast)


def _batch(t, rows, user=None):
    return services.bind_batch(acting_user=user or t.cast.caiyang, test_round=t.round,
                               site=t.site, bindings=[Binding(*row) for row in rows])


def test_batch_binds_and_a_retry_changes_nothing(t):
    c = t.cast
    rows = [("SZ1001", c.zhang.id_number, at(22, 9)), ("SZ1001", c.li.id_number, at(22, 9)),
            ("SZ1002", c.wang.id_number, at(22, 9, 5))]
    report = _batch(t, rows)
    assert (report.accepted, report.unchanged, report.refused) == (3, 0, [])
    assert Tube.objects.get(barcode="SZ1001").size == 2
    again = _batch(t, rows)
    assert (again.accepted, again.unchanged, again.refused) == (0, 3, [])
    assert Sample.objects.count() == 3
    assert Tube.objects.get(barcode="SZ1001").size == 2


def test_batch_refuses_each_bad_binding_with_its_reason(t):
    c = t.cast
    _batch(t, [("SZ2001", c.zhang.id_number, at(22, 9))])
    report = _batch(t, [
        ("SZ2002", c.zhang.id_number, at(22, 9, 1)),     # already sampled in SZ2001
        ("SZ2002", "110101199003077777", at(22, 9, 1)),  # nobody we know
        ("bad code!", c.li.id_number, at(22, 9, 1)),     # not a barcode
        ("SZ2002", c.li.id_number, None),                # no time
        ("SZ2002", c.wang.id_number, at(22, 9, 2)),      # fine
    ])
    codes = {r["index"]: r["code"] for r in report.refused}
    assert codes == {0: "sampled", 1: "unknown", 2: "barcode", 3: "required"}
    assert report.accepted == 1
    by_index = {r["index"]: r for r in report.refused}
    assert "SZ2001" in by_index[0]["message"]  # the refusal names the tube already used


def test_batch_closes_a_full_tube_and_refuses_the_overflow(t):
    from fangkong.people.models import Person

    c = t.cast
    others = list(Person.objects.exclude(pk__in=[c.zhang.pk, c.li.pk]).filter(
        household__path__startswith=c.wenyuan.path))
    assert others  # 王芳 at least
    tube = services.tube_open(acting_user=c.caiyang, test_round=t.round, site=t.site,
                              barcode="SZ3001", at=at(22, 9))
    Tube.objects.filter(pk=tube.pk).update(capacity=2)
    report = _batch(t, [("SZ3001", c.zhang.id_number, at(22, 9)),
                        ("SZ3001", c.li.id_number, at(22, 9)),
                        ("SZ3001", c.wang.id_number, at(22, 9))])
    assert report.accepted == 2 and [r["code"] for r in report.refused] == ["full"]
    tube.refresh_from_db()
    assert tube.status == TubeStatus.CLOSED and tube.size == 2


def test_a_sampler_of_another_site_cannot_upload_here(t):
    with pytest.raises(PermissionError):
        _batch(t, [("SZ4001", t.cast.zhang.id_number, at(22, 9))], user=t.caiyang2)
    assert not Sample.objects.exists()
