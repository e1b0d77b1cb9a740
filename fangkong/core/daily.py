"""The daily jobs that `fangkong daily` runs for one local day, once that day is over.

A job is a function `job(day) -> dict` of counts for the command's summary: `label` (what
it does, translated), `looked_at`, `opened` and `existing` (work items opened now and those
that were open already). A job must be safe to run twice for the same day: work items carry
a key, so a second run opens nothing (`fangkong.inbox.services.work_item_open`).

`run_daily` runs the jobs in order, each in its own transaction: a job that fails is rolled
back and reported, and the ones after it still run.

Adding a job: write it in its app (e.g. `fangkong/areas/monitoring.py`) and list it in
`daily_jobs()` below, after any job it depends on. The import stays inside the function so
that `core` does not import the domain apps when it is loaded.
"""

import datetime
import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)

Job = Callable[[datetime.date], dict]


def daily_jobs() -> list[Job]:
    from fangkong.control import monitoring

    return [monitoring.missed_tests, monitoring.missed_checks, monitoring.release_due]


def run_daily(day: datetime.date, jobs: list[Job] | None = None) -> dict[str, dict]:
    """Run every job (or the ones given) for `day`; the answer maps each job's name to its
    counts, or to {"error": message} when it failed."""
    results = {}
    for job in daily_jobs() if jobs is None else jobs:
        try:
            with transaction.atomic():
                results[job.__name__] = job(day)
        except Exception as error:  # one failing job must not stop the others
            log.exception("daily job %s failed for %s", job.__name__, day)
            results[job.__name__] = {"error": str(error) or error.__class__.__name__}
    return results
