"""Helpers for the residents' tests: the cast's phones, orders placed through the control
services, and a resident's account made as the sign-in makes it."""

import datetime

from django.utils import translation

from fangkong.control import services as control
from fangkong.control.tests.util import close_contact
from fangkong.residents.services import resident_sign_in

D = datetime.date
ZHANG_PHONE = "13800001234"
LI_PHONE = "13900005678"
UNKNOWN_PHONE = "13512345678"
NOV_20, NOV_21, NOV_23 = D(2022, 11, 20), D(2022, 11, 21), D(2022, 11, 23)


def zh(message) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


def resident(person):
    return resident_sign_in(person=person)


def contact_order(outbreak, person, start=NOV_20, user=None, case=None):
    """A close contact of 赵强's case: 5 days centralised isolation from 20 Nov 2022 under
    the 20 measures, tests on days 1, 2, 3 and 5, the first one negative."""
    order = close_contact(outbreak, person, start=start, user=user, case=case)
    control.control_test_record(acting_user=user or outbreak.cast.wangge, order=order,
                                day=start, result="negative")
    return order


def manual_order(cast, person, reason, start=NOV_21, end=NOV_23):
    """A manual temporary control, made by the community and approved by the hospital."""
    order = control.control_order_create(
        acting_user=cast.wangge, person=person, basis="manual", kind="temporary_control",
        starts_on=start, ends_on=end, reason=reason)
    return control.control_order_approve(acting_user=cast.yiyuan, order=order)
