"""The infectious window: from the profile's look-back before onset (confirmed) or sampling
(asymptomatic) until isolation, by the rules of the reference day."""

import datetime

from fangkong.cases.tests.util import SHANGHAI, at, report
from fangkong.control.models import ControlOrder, OrderStatus
from fangkong.control.tests.util import close_contact
from fangkong.tracing.tests.util import profile_with
from fangkong.tracing.window import infectious_window

D = datetime.date


def midnight(day, month=11):
    return datetime.datetime(2022, month, day, tzinfo=SHANGHAI)


def test_a_confirmed_case_is_infectious_from_four_days_before_onset(outbreak):
    case = report(outbreak, outbreak.cast.zhang, "confirmed", day=14,
                  onset_date=D(2022, 11, 12), sample_date=D(2022, 11, 13))
    window = infectious_window(case)
    assert (window.start, window.end) == (midnight(8), at(14))
    assert window.reference == "onset"


def test_an_asymptomatic_case_counts_from_sampling(outbreak):
    case = report(outbreak, outbreak.cast.zhang, "asymptomatic", day=14,
                  sample_date=D(2022, 11, 13))
    window = infectious_window(case)
    assert (window.start, window.reference) == (midnight(9), "sampling")


def test_the_window_ends_when_the_case_was_isolated_not_reported(outbreak):
    c = outbreak.cast
    order = close_contact(outbreak, c.zhang, start=D(2022, 11, 14), case=report(
        outbreak, c.zhao, "confirmed", day=13))
    case = report(outbreak, c.zhang, "asymptomatic", day=16, sample_date=D(2022, 11, 16),
                  route="centralised_isolation")
    assert order.kind == "centralised_isolation"
    assert infectious_window(case).end == midnight(14)


def test_an_isolation_that_ended_before_the_report_does_not_end_the_window(outbreak):
    """zhang was isolated from the 14th and released on the 15th; reported on the 20th he
    had been free, and infectious, since: the window runs to the report."""
    c = outbreak.cast
    order = close_contact(outbreak, c.zhang, start=D(2022, 11, 14), case=report(
        outbreak, c.zhao, "confirmed", day=13))
    ControlOrder.objects.filter(pk=order.pk).update(status=OrderStatus.RELEASED,
                                                    ended_at=at(15, 12))
    case = report(outbreak, c.zhang, "asymptomatic", day=20, sample_date=D(2022, 11, 20),
                  route="centralised_isolation")
    assert infectious_window(case).end == at(20)


def test_the_look_back_is_read_from_the_profile_of_the_reference_day(outbreak):
    profile_with(outbreak.cast, D(2022, 11, 15), contact_lookback_days=2)
    before = report(outbreak, outbreak.cast.zhang, "asymptomatic", day=16,
                    sample_date=D(2022, 11, 14))
    after = report(outbreak, outbreak.cast.zhao, "asymptomatic", day=16,
                   sample_date=D(2022, 11, 15))
    assert infectious_window(before).start == midnight(10)   # 4 days: the 20 measures
    assert infectious_window(after).start == midnight(13)    # 2 days: the new profile
