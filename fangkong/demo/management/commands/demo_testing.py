"""`fangkong demo-testing`: mass testing on the demo city (see fangkong.demo.testing)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.context import Origin, bind
from fangkong.cases.selectors import outbreak_on
from fangkong.demo.testing import (
    DemoTestingExists,
    demo_testing_create,
    demo_testing_exists,
)
from fangkong.demo.users import DemoCityMissing


class Command(BaseCommand):
    help = ("Create the demo's mass testing: laboratories, sampling sites, a finished round "
            "with one positive pool, and a round open today.")

    def add_arguments(self, parser):
        parser.add_argument("--if-absent", action="store_true",
                            help="do nothing when a test round exists already")

    def handle(self, *args, if_absent, **options):
        bind(Origin(via="command"))
        if if_absent and demo_testing_exists():
            self.stdout.write(_("A test round exists already; no mass-testing demo data was "
                                "created."))
            return
        try:
            summary = demo_testing_create()
        except DemoCityMissing:
            raise CommandError(_("No demo city found; run seed-city first.")) from None
        except DemoTestingExists:
            raise CommandError(_("A test round exists already; use --if-absent to skip "
                                 "it.")) from None
        self._report(summary)

    def _report(self, s):
        write = self.stdout.write
        write(_("Laboratories: %(labs)s; jiance works at the first.")
              % {"labs": ", ".join(s.labs)})
        write(_("Sampling sites: %(sites)s; caiyang is assigned to %(n)d of them.")
              % {"sites": ", ".join(s.sites), "n": s.sampler_sites})
        write(_("%(round)s (%(day)s): %(target)d people, %(sampled)d sampled in %(tubes)d "
                "tubes, %(exempt)d exempt, %(untested)d untested; pool %(pool)s positive, "
                "%(controlled)d people under temporary control with single retests due.")
              % {"round": s.round1.name,
                 "day": timezone.localtime(s.round1.starts_at).date().isoformat(),
                 "target": s.target, "sampled": s.sampled, "tubes": s.tubes,
                 "exempt": s.exempt, "untested": s.untested, "pool": s.positive_pool,
                 "controlled": s.controlled})
        write(_("%(round)s (%(day)s): open for sampling, %(slots)d time slots, nothing "
                "sampled yet.")
              % {"round": s.round2.name,
                 "day": timezone.localtime(s.round2.starts_at).date().isoformat(),
                 "slots": s.round2_slots})
        if outbreak_on(timezone.localdate()) is None:
            write(_("A positive single retest reports a case once an outbreak is on record: "
                    "'fangkong simulate shuozhou-2022-11' creates it."))
