"""`fangkong simulate <scenario>`: write an outbreak scenario onto the demo city."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangkong.audit.context import Origin, bind
from fangkong.demo.scenario import (
    DistrictMissing,
    NotEnoughResidents,
    OutbreakExists,
    ScenarioDataError,
    ScenarioMissing,
    outbreak_exists,
    simulate,
)
from fangkong.demo.scenario.data import scenario_names


class Command(BaseCommand):
    help = ("Write an outbreak scenario (cases, facility stays, tests, outcomes) onto the demo "
            "city through the case services.")

    def add_arguments(self, parser):
        parser.add_argument("scenario", help=", ".join(scenario_names()))
        parser.add_argument("--seed", type=int, default=1,
                            help="chooses the residents and the details of each case")
        parser.add_argument("--if-absent", action="store_true",
                            help="do nothing when the scenario's outbreak exists already")

    def handle(self, *args, scenario, seed, if_absent, **options):
        bind(Origin(via="command"))
        if if_absent and outbreak_exists(scenario):
            self.stdout.write(_("The outbreak %(code)s exists already; nothing was simulated.")
                              % {"code": scenario})
            return
        try:
            summary = simulate(scenario, seed=seed, progress=self._progress)
        except ScenarioMissing:
            raise CommandError(_("Unknown scenario %(name)s; known: %(known)s.") % {
                "name": scenario, "known": ", ".join(scenario_names())}) from None
        except OutbreakExists:
            raise CommandError(_("The outbreak %(code)s exists already; use --if-absent to "
                                 "skip it.") % {"code": scenario}) from None
        except DistrictMissing as missing:
            raise CommandError(_("No demo city with %(districts)s found; run seed-city "
                                 "first.") % {"districts": missing}) from None
        except NotEnoughResidents as short:
            raise CommandError(_(
                "%(district)s has %(available)d residents but the scenario needs %(needed)d; "
                "seed the demo city at a larger --scale."
            ) % {"district": short.district, "available": short.available,
                 "needed": short.needed}) from None
        except ScenarioDataError as error:
            raise CommandError(_("The scenario cannot be planned: %(error)s")
                               % {"error": error}) from None
        self.stdout.write(_(
            "Simulated %(code)s from %(first)s to %(last)s: %(cases)d cases (%(confirmed)d "
            "confirmed, %(asymptomatic)d asymptomatic), %(discharged)d discharged, "
            "%(released)d released, %(facilities)d facilities, in %(seconds).1f s."
        ) % {"code": summary.code, "first": summary.first_day, "last": summary.last_day,
             "cases": summary.cases, "confirmed": summary.confirmed,
             "asymptomatic": summary.asymptomatic, "discharged": summary.discharged,
             "released": summary.released, "facilities": summary.facilities,
             "seconds": summary.seconds})

    def _progress(self, count: int) -> None:
        print(_("%(count)d cases written…") % {"count": count}, file=sys.stderr, flush=True)
