"""`fangkong testing-coverage --round UUID [--place PLACE] [--format text|json]`: a round's
coverage (应检尽检), read as the system.

With --place (uuid or codes, as for testing-schedule): the place's totals and one row per
unit (or village) under it; without: one row per place of the round. Both show
sampled + exempt + untested = target. With --format json the last line is one JSON object:
{"round", "place", "totals", "rows"}.
"""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from fangkong.places.selectors import place_labels
from fangkong.testing import selectors
from fangkong.testing.management.commands.testing_schedule import find_place, find_round
from fangkong.testing.selectors import Figures


def figures(f: Figures) -> dict:
    return {"target": f.target, "sampled": f.sampled, "results_back": f.results_back,
            "exempt": f.exempt, "untested": f.untested, "share": round(f.share, 4)}


def place_of(place) -> dict:
    return {"uuid": str(place.uuid), "level": place.level, "code": place.code,
            "name": place.name}


def by_place(test_round, place) -> tuple[Figures, list[dict]]:
    found = selectors.coverage(test_round, place)
    labels = place_labels([g for g, _f in found.groups], below=place)
    return found.total, [{"place": place_of(g), "label": labels[g.pk], **figures(f)}
                         for g, f in found.groups]


def by_round(test_round) -> tuple[Figures, list[dict]]:
    tree = selectors.coverage_tree(test_round)
    total, rows = Figures(), []
    for rp in test_round.round_places.select_related("place"):
        f = tree.get(rp.place.path, Figures())
        total.add(f)
        rows.append({"place": place_of(rp.place), "label": rp.place.name, **figures(f)})
    return total, rows


def line(label: str, f: dict) -> str:
    return _("%(label)s: %(target)s to be tested, %(sampled)s sampled, %(back)s results back, "
             "%(exempt)s exempt, %(untested)s not yet tested (%(share).1f%%)") % {
        "label": label, "target": f["target"], "sampled": f["sampled"],
        "back": f["results_back"], "exempt": f["exempt"], "untested": f["untested"],
        "share": f["share"] * 100}


class Command(BaseCommand):
    help = "Print a test round's coverage: to be tested, sampled, results back, exempt."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_id", help="the round's uuid")
        parser.add_argument("--place", default=None,
                            help="a place's uuid or codes; by default every place of the round")
        parser.add_argument("--format", choices=("text", "json"), default="text", dest="fmt")

    def handle(self, *args, round_id, place, fmt, **options):
        test_round = find_round(round_id)
        where = find_place(place) if place else None
        total, rows = by_place(test_round, where) if where else by_round(test_round)
        if fmt == "json":
            self.stdout.write(json.dumps({
                "round": {"uuid": str(test_round.uuid), "number": test_round.number,
                          "name": test_round.name, "status": test_round.status},
                "place": place_of(where) if where else None,
                "totals": figures(total), "rows": rows}, ensure_ascii=False))
            return
        self.stdout.write(f"{test_round.name} · {where.name if where else ''}".rstrip(" ·"))
        for row in rows:
            self.stdout.write("  " + line(row["label"], row))
        self.stdout.write(line(_("Total"), figures(total)))
        self.stdout.write(_("%(sampled)s sampled + %(exempt)s exempt + %(untested)s not yet "
                            "tested = %(target)s to be tested") % {
            "sampled": total.sampled, "exempt": total.exempt, "untested": total.untested,
            "target": total.target})
