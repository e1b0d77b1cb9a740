"""`fangkong demo-tracing`: tracing teams and the tracing of the demo outbreak's most recent
cases (see fangkong.demo.tracing)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangkong.audit.context import Origin, bind
from fangkong.demo.users import DemoCityMissing


class Command(BaseCommand):
    help = ("Create the demo's contact tracing: teams in every district, the investigations "
            "assigned, check-ins, contacts and a transmission chain on the latest cases.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1,
                            help="chooses the venues, times and neighbours")
        parser.add_argument("--if-absent", action="store_true",
                            help="do nothing when a tracing team exists already")

    def handle(self, *args, seed, if_absent, **options):
        bind(Origin(via="command"))
        try:
            from fangkong.demo import tracing
        except ImportError:  # time-machine: the scenario's clock, from the dev extras
            raise CommandError(_("The tracing demo needs the development extras: "
                                 "pip install -e '.[dev]'.")) from None
        if if_absent and tracing.demo_tracing_exists():
            self.stdout.write(_("A tracing team exists already; no tracing demo data was "
                                "created."))
            return
        try:
            summary = tracing.demo_tracing_create(seed=seed)
        except DemoCityMissing:
            raise CommandError(_("No demo city found; run seed-city first.")) from None
        except tracing.DemoCasesMissing:
            raise CommandError(_("No cases to trace; run 'fangkong simulate "
                                 "shuozhou-2022-11' first.")) from None
        except tracing.DemoTracingExists:
            raise CommandError(_("A tracing team exists already; use --if-absent to skip "
                                 "it.")) from None
        self._report(summary)

    def _report(self, s):
        write = self.stdout.write
        write(_("Tracing teams: %(teams)s; liudiao works in %(team)s.")
              % {"teams": ", ".join(s.teams), "team": s.tracer_team})
        write(_("%(assigned)d investigations assigned in turn; %(not_started)d not started "
                "yet.") % {"assigned": s.assigned, "not_started": s.not_started})
        write(_("%(worked)d recent cases traced. Check-ins uploaded by venue gates: "
                "%(checkins)d; stays proposed: %(stays)d; companions proposed: "
                "%(companions)d; exposure sites: %(sites)d; contacts confirmed: %(confirmed)d, "
                "dismissed: %(dismissed)d, still proposed: %(proposed)d.")
              % {"worked": s.worked, "checkins": s.checkins, "stays": s.stays,
                 "companions": s.proposed["companions"], "sites": s.proposed["exposure_sites"],
                 "confirmed": s.confirmed, "dismissed": s.dismissed,
                 "proposed": s.left_proposed})
        write(_("Transmission chain: %(chain)s.") % {"chain": " → ".join(s.chain)})
