"""Temporary control (临时管控) of a positive pool's members: placed at once with the tube as
its basis, kept when a person already has one, lifted only by what it waited for."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from fangkong.audit.models import AuditEvent
from fangkong.control import services
from fangkong.control.models import Basis, ControlOrder, OrderKind, OrderStatus
from fangkong.control.tests.util import close_contact

DAY = datetime.date(2022, 11, 22)


def _bulk(cast, people, ref="tube:SZ0001"):
    return services.temporary_control_bulk(
        acting_user=cast.jiance, people=people, basis_ref=ref, starts_on=DAY,
        ends_on=DAY + datetime.timedelta(days=1), reason="positive pool")


def test_members_are_placed_at_once_each_audited(cast):
    orders = _bulk(cast, [cast.zhang, cast.li])
    assert set(orders) == {cast.zhang.pk, cast.li.pk}
    for order in ControlOrder.objects.all():
        assert (order.kind, order.basis, order.status) == (
            OrderKind.TEMPORARY_CONTROL, Basis.POOL, OrderStatus.ACTIVE)
        assert order.events.get().kind == "created"
    assert AuditEvent.objects.filter(action="control.create").count() == 2


def test_a_person_already_under_temporary_control_keeps_their_order(cast):
    first = _bulk(cast, [cast.zhang])[cast.zhang.pk]
    again = _bulk(cast, [cast.zhang, cast.li], ref="tube:SZ0002")
    assert again[cast.zhang.pk].pk == first.pk
    assert ControlOrder.objects.filter(person=cast.zhang).count() == 1


def test_a_pool_order_needs_its_tube(cast):
    with pytest.raises(ValidationError):
        _bulk(cast, [cast.zhang], ref=" ")
    assert not ControlOrder.objects.exists()


def test_lifting_ends_temporary_control_only(cast, outbreak):
    order = _bulk(cast, [cast.zhang])[cast.zhang.pk]
    with pytest.raises(ValidationError):
        services.control_order_lift(acting_user=cast.jiance, order=order, reason=" ")
    services.control_order_lift(acting_user=cast.jiance, order=order,
                                reason="retest RT0001 negative")
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED and order.end_reason == "retest RT0001 negative"
    contact = close_contact(outbreak, cast.li)
    with pytest.raises(ValidationError):
        services.control_order_lift(acting_user=cast.wangge, order=contact, reason="no")
