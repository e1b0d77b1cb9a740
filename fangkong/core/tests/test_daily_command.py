"""`fangkong daily`: runs every daily job for yesterday (Shanghai) or a given day, one summary
line per job; a second run opens no duplicate item; a failing job is rolled back and reported
while the others still run; a bad or unfinished day is refused with a clear message."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from fangkong.control import monitoring
from fangkong.control.models import OrderKind, Result
from fangkong.control.services import control_order_create
from fangkong.core import daily
from fangkong.inbox.models import ItemKind, WorkItem
from fangkong.inbox.services import work_item_open

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def order(cast):
    """张伟 under home health monitoring on 20–21 Nov 2022, tests both days, no check taken."""
    return control_order_create(
        acting_user=cast.admin, person=cast.zhang, basis="pool", basis_ref="pool-1120-07",
        kind=OrderKind.HOME_HEALTH_MONITORING, starts_on=datetime.date(2022, 11, 20),
        ends_on=datetime.date(2022, 11, 21),
        test_days=[datetime.date(2022, 11, 20), datetime.date(2022, 11, 21)])


def run(*args) -> list[str]:
    out = StringIO()
    call_command("daily", *args, stdout=out)
    return out.getvalue().splitlines()


def kinds() -> list[str]:
    return sorted(WorkItem.objects.values_list("kind", flat=True))


def test_the_command_runs_every_job_for_the_day_and_says_what_it_opened(order):
    lines = run("--date", "2022-11-21")
    assert lines == [
        "Missed tests, 2022-11-21: 2 opened, 0 already open, 2 looked at",
        "Missed health checks, 2022-11-21: 1 opened, 0 already open, 1 looked at",
        "Orders due for release, 2022-11-21: 1 opened, 0 already open, 1 looked at",
    ]
    assert kinds() == ["missed_check", "missed_test", "missed_test", "release_due"]
    assert set(order.tests.values_list("result", flat=True)) == {Result.MISSED}


def test_running_twice_opens_no_duplicate(order):
    run("--date", "2022-11-21")
    before = kinds()
    lines = run("--date", "2022-11-21")
    assert kinds() == before
    assert lines[1] == "Missed health checks, 2022-11-21: 0 opened, 1 already open, 1 looked at"
    assert lines[2] == "Orders due for release, 2022-11-21: 0 opened, 1 already open, 1 looked at"


def test_by_default_the_day_is_yesterday_in_shanghai(order):
    """At 01:00 on 22 Nov in Shanghai it is still the 21st in UTC: yesterday is the 21st."""
    with time_machine.travel(datetime.datetime(2022, 11, 22, 1, 0, tzinfo=SH), tick=False):
        lines = run()
    assert all(", 2022-11-21:" in line for line in lines)
    assert WorkItem.objects.get(kind=ItemKind.RELEASE_DUE).due_on == datetime.date(2022, 11, 22)


@pytest.mark.parametrize(("value", "message"), [
    ("21.11.2022", "21.11.2022 is not a date; write it as YYYY-MM-DD."),
    ("2022-02-30", "2022-02-30 is not a date; write it as YYYY-MM-DD."),
])
def test_a_bad_date_is_refused(cast, value, message):
    with pytest.raises(CommandError, match=message):
        run("--date", value)
    assert not WorkItem.objects.exists()


def test_a_day_that_is_not_over_is_refused(order):
    with time_machine.travel(datetime.datetime(2022, 11, 21, 20, 0, tzinfo=SH), tick=False):
        with pytest.raises(CommandError, match="2022-11-21 is not over yet"):
            run("--date", "2022-11-21")
    assert not WorkItem.objects.exists()
    assert set(order.tests.values_list("result", flat=True)) == {Result.PENDING}


def half_done_then_broken(day):
    """Opens an item, then fails: the item must not survive."""
    from fangkong.places.models import Place

    work_item_open(kind=ItemKind.ARRIVAL, place=Place.objects.first(), title="half",
                   due_on=day, key="half")
    raise RuntimeError("the job broke")


def test_a_failing_job_is_rolled_back_and_reported_and_the_others_run(order, monkeypatch):
    monkeypatch.setattr(daily, "daily_jobs",
                        lambda: [half_done_then_broken, monitoring.release_due])
    out = StringIO()
    with pytest.raises(CommandError, match="Daily jobs failed: half_done_then_broken"):
        call_command("daily", "--date", "2022-11-21", stdout=out)
    assert out.getvalue().splitlines() == [
        "half_done_then_broken failed for 2022-11-21: the job broke",
        "Orders due for release, 2022-11-21: 1 opened, 0 already open, 1 looked at",
    ]
    assert kinds() == ["release_due"]


def test_run_daily_answers_each_jobs_counts_by_name(order):
    results = daily.run_daily(datetime.date(2022, 11, 20))
    assert list(results) == ["missed_tests", "missed_checks", "release_due"]
    assert results["missed_checks"]["opened"] == 1
    assert results["release_due"]["opened"] == 0
