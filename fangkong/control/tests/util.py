"""Helpers for control tests: placing the cast's people under control through the service."""

import datetime

from fangkong.control import services

D = datetime.date
FIRST_DAY = D(2022, 11, 20)


def close_contact(o, person, start=FIRST_DAY, user=None, case=None):
    from fangkong.cases.tests.util import report

    if case is None and not hasattr(o, "index_case"):
        o.index_case = report(o, o.cast.liu, "confirmed")
    index = case or o.index_case
    return services.control_order_create(acting_user=user or o.cast.wangge, person=person,
                                         basis="contact", basis_case=index,
                                         plan_basis="close-contact", starts_on=start)


def pass_tests(order, user):
    for day in order.test_days:
        services.control_test_record(acting_user=user, order=order,
                                     day=D.fromisoformat(day), result="negative")
