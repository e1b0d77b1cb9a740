"""`fangkong seed-city`: build the demo city (see fangkong.demo.seeding)."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangkong.demo.seeding import DEFAULT_SCALE, city_exists, seed_city


class Command(BaseCommand):
    help = "Build the synthetic Shuozhou demo city (places, residents, venues)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                            help="1 builds about 1.6 million residents")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=None,
                            help="the date ages are computed against (YYYY-MM-DD)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when places exist already")

    def handle(self, *args, scale, seed, as_of, if_empty, **options):
        if city_exists():
            if if_empty:
                self.stdout.write(_("Places exist already; the demo city was not built."))
                return
            raise CommandError(_("Places exist already; seed-city builds into an empty "
                                 "database."))
        if scale <= 0:
            raise CommandError(_("The scale must be greater than zero."))
        summary = seed_city(scale=scale, seed=seed, as_of=as_of, progress=self._progress)
        self.stdout.write(_(
            "Built the demo city: %(places)d places (%(households)d households), "
            "%(people)d residents, %(tags)d special-population tags, %(venues)d venues "
            "in %(seconds).1f s."
        ) % {**summary.counts(), "seconds": summary.seconds})

    def _progress(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)
