"""`fangkong testing-schedule --round UUID --place PLACE`: give every unit (or village group)
under a community or street a time at a nearby sampling site, as the system.

PLACE is a place's uuid or its codes from the top, separated by "/" (the first code may be
any place's code that no other place shares, e.g. 140602001001/01/1). Prints one line per
slot, the groups left without a slot, then a summary line. Replaces the place's earlier
slots in the round.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.context import Origin, bound
from fangkong.places.models import Place
from fangkong.testing import services
from fangkong.testing.models import SamplingSite, TestRound


def find_round(text: str) -> TestRound:
    try:
        key = uuid.UUID(text)
    except ValueError:
        raise CommandError(_("%(text)s is not a round's uuid.") % {"text": text}) from None
    found = TestRound.objects.select_related("profile").filter(uuid=key).first()
    if found is None:
        raise CommandError(_("There is no round %(text)s.") % {"text": text})
    return found


def _first(code: str) -> Place:
    matches = list(Place.objects.filter(code=code).order_by("path")[:2])
    if len(matches) > 1:
        roots = [p for p in matches if p.parent_id is None]
        if len(roots) != 1:
            raise CommandError(_("More than one place has the code %(code)s: start from a code "
                                 "above it.") % {"code": code})
        return roots[0]
    if not matches:
        raise CommandError(_("No place has the code %(code)s.") % {"code": code})
    return matches[0]


def find_place(text: str) -> Place:
    """A place by uuid, or by its codes from the top (or from a code no other place shares)."""
    try:
        key = uuid.UUID(text)
    except ValueError:
        codes = [part for part in text.strip().split("/") if part]
        if not codes:
            raise CommandError(_("Name the place by its uuid or its codes.")) from None
        place = _first(codes[0])
        for code in codes[1:]:
            child = Place.objects.filter(parent=place, code=code).first()
            if child is None:
                raise CommandError(_("%(place)s has no place with the code %(code)s.")
                                   % {"place": place.name, "code": code}) from None
            place = child
        return place
    found = Place.objects.filter(uuid=key).first()
    if found is None:
        raise CommandError(_("There is no place %(text)s.") % {"text": text})
    return found


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


class Command(BaseCommand):
    help = "Make the call-down schedule of a community or street for a test round."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_id", help="the round's uuid")
        parser.add_argument("--place", required=True,
                            help="the place's uuid or its codes from the top, e.g. "
                                 "140602001001 or 140600/140602/140602001")

    def handle(self, *args, round_id, place, **options):
        test_round, where = find_round(round_id), find_place(place)
        with bound(Origin(via="command")):
            try:
                report = services.schedule_build(acting_user=None, test_round=test_round,
                                                 place=where)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        sites = SamplingSite.objects.select_related("venue").in_bulk(
            {slot.site_id for slot in report.slots})
        for slot in sorted(report.slots, key=lambda s: (s.starts_at, s.path_from)):
            self.stdout.write(f"{_when(slot.starts_at)}–{timezone.localtime(slot.ends_at):%H:%M}"
                              f"\t{slot.label}\t{slot.people}\t{sites[slot.site_id].venue.name}")
        for group in report.unplaced:
            self.stdout.write(_("No slot: %(label)s (%(n)s people)")
                              % {"label": group.label, "n": group.people})
        self.stdout.write(_("Round %(n)s, %(place)s: %(slots)s slots for %(people)s people; "
                            "%(left)s groups without a slot.") % {
            "n": test_round.number, "place": where.name, "slots": len(report.slots),
            "people": sum(s.people for s in report.slots), "left": len(report.unplaced)})
