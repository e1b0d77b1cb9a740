"""`fangkong daily [--date YYYY-MM-DD]`: run the daily jobs for one local day.

The day defaults to yesterday (Asia/Shanghai, the project's time zone): a scheduler calls
the command once a day after midnight. Running it twice for a day opens no duplicate work
items. Prints one line per job; exits non-zero when a job failed.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.context import Origin, bound
from fangkong.core.daily import run_daily


def parse_day(text: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(text)s is not a date; write it as YYYY-MM-DD.")
                           % {"text": text}) from None
    if day >= timezone.localdate():
        raise CommandError(_("%(day)s is not over yet: the daily jobs look at a day once it "
                             "has ended.") % {"day": day.isoformat()})
    return day


def summary(name: str, counts: dict, day: datetime.date) -> str:
    if "error" in counts:
        return _("%(job)s failed for %(day)s: %(error)s") % {
            "job": name, "day": day.isoformat(), "error": counts["error"]}
    return _("%(label)s, %(day)s: %(opened)d opened, %(existing)d already open, "
             "%(looked_at)d looked at") % {
        "label": counts.get("label", name), "day": day.isoformat(),
        "opened": counts.get("opened", 0), "existing": counts.get("existing", 0),
        "looked_at": counts.get("looked_at", 0)}


class Command(BaseCommand):
    help = "Run the daily jobs (missed checks and tests, releases due, ...) for one day."

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None,
                            help="the day, YYYY-MM-DD; by default yesterday")

    def handle(self, *args, date, **options):
        day = parse_day(date) if date else timezone.localdate() - datetime.timedelta(days=1)
        with bound(Origin(via="command")):
            results = run_daily(day)
        for name, counts in results.items():
            self.stdout.write(summary(name, counts, day))
        failed = [name for name, counts in results.items() if "error" in counts]
        if failed:
            raise CommandError(_("Daily jobs failed: %(names)s") % {"names": ", ".join(failed)})
