"""`fangkong tracing-propose [--case NUMBER]`: read the check-ins again and propose stays
and contacts for every open investigation, or for one case's."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.audit.context import Origin, bind
from fangkong.tracing import services
from fangkong.tracing.models import OPEN_STATUSES, Investigation


class Command(BaseCommand):
    help = ("Propose stays (from the case's check-ins and household) and contacts (household "
            "members, spatio-temporal companions, exposure sites) for every open "
            "investigation, or for one case's; what is proposed already is left as it is.")

    def add_arguments(self, parser):
        parser.add_argument("--case", metavar="NUMBER", default="",
                            help="only this case's investigation")

    def handle(self, *args, case, **options):
        bind(Origin(via="command"))
        counts = Counter()
        investigations = self._investigations(case)
        for investigation in investigations:
            counts.update(services.investigation_propose(acting_user=None,
                                                         investigation=investigation))
        self.stdout.write(ngettext(
            "Read the check-ins of %(n)d investigation. Proposed: stays %(stays)d, household "
            "members %(household)d, companions %(companions)d, exposure sites %(sites)d.",
            "Read the check-ins of %(n)d investigations. Proposed: stays %(stays)d, household "
            "members %(household)d, companions %(companions)d, exposure sites %(sites)d.",
            len(investigations)) % {
            "n": len(investigations), "stays": counts["stays"],
            "household": counts["household"], "companions": counts["companions"],
            "sites": counts["exposure_sites"]})

    def _investigations(self, number: str) -> list[Investigation]:
        rows = Investigation.objects.select_related("case", "case__person").order_by(
            "core_due_at", "id")
        if not number:
            return list(rows.filter(status__in=OPEN_STATUSES))
        investigation = rows.filter(case__number=number.strip()).first()
        if investigation is None:
            raise CommandError(_("No case %(number)s has an investigation.")
                               % {"number": number})
        if not investigation.is_open:
            raise CommandError(_("The investigation of case %(number)s is completed; nothing "
                                 "was proposed.") % {"number": investigation.case.number})
        return [investigation]
