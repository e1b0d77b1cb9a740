"""`fangkong tracing-assign`: give every unassigned investigation to a team, in turn."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from fangkong.audit.context import Origin, bind
from fangkong.tracing import services
from fangkong.tracing.models import Investigation, Status


class Command(BaseCommand):
    help = ("Assign every investigation awaiting a team to the active team covering the "
            "case's home that was given a case least recently.")

    def handle(self, *args, **options):
        bind(Origin(via="command"))
        assigned = services.investigations_assign_round_robin(acting_user=None)
        self.stdout.write(ngettext("%(n)d investigation assigned.",
                                   "%(n)d investigations assigned.", assigned) % {"n": assigned})
        waiting = Investigation.objects.filter(status=Status.UNASSIGNED).count()
        if waiting:
            self.stdout.write(ngettext(
                "%(n)d investigation still awaits a team: no active team covers its area.",
                "%(n)d investigations still await a team: no active team covers their area.",
                waiting) % {"n": waiting})
