"""`fangkong protocol plan --basis B --from DATE [--format text|json] [--disease D]` and
`fangkong protocol list [--format text|json]`.

`plan` prints what the rules in force on DATE give for a basis of control: each phase with its
kind, days, first and last day and test days, and the profile and rule that produced it; or
refuses, saying why, where those rules have no such plan. `list` prints the profiles with the
day each took effect, marking the one in force today.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.protocol.models import ProtocolProfile
from fangkong.protocol.plans import BASES
from fangkong.protocol.services import FUTURE, IN_FORCE, statuses
from fangkong.protocol.validation import PlanRefused, basis_label, kind_label, plan_for

FORMATS = ("text", "json")


def parse_day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(text)s is not a date; write it as YYYY-MM-DD.")
                           % {"text": text}) from None


def planned(basis: str, start: datetime.date, disease: str):
    """The phases, or a CommandError saying why there are none."""
    try:
        return plan_for(basis, start, disease)
    except PlanRefused as refusal:
        raise CommandError(str(refusal)) from None


def _days(days) -> str:
    return ", ".join(day.isoformat() for day in days)


def plan_text(basis: str, start: datetime.date, phases) -> str:
    lines = [_("%(basis)s (%(code)s), starting %(day)s:")
             % {"basis": basis_label(basis), "code": basis, "day": start.isoformat()}]
    for number, phase in enumerate(phases, 1):
        lines.append(_("%(number)s. %(kind)s, %(days)s: %(first)s to %(last)s") % {
            "number": number, "kind": kind_label(phase.kind),
            "days": ngettext("%(count)s day", "%(count)s days", phase.days)
            % {"count": phase.days},
            "first": phase.starts_on.isoformat(), "last": phase.ends_on.isoformat()})
        lines.append("   " + (_("Tests on %(days)s") % {"days": _days(phase.test_days)}
                              if phase.test_days else _("No tests")))
        lines.append("   " + _("Profile: %(name)s (%(code)s)")
                     % {"name": phase.profile_name, "code": phase.profile_code})
        lines.append("   " + _("Rule: %(rule)s") % {"rule": phase.rule})
    return "\n".join(lines) + "\n"


def plan_json(basis: str, start: datetime.date, phases) -> str:
    return json.dumps({"basis": basis, "from": start.isoformat(),
                       "phases": [phase.as_dict() for phase in phases]},
                      ensure_ascii=False, indent=2) + "\n"


def profile_rows(today: datetime.date) -> list[dict]:
    profiles = list(ProtocolProfile.objects.order_by("disease", "valid_from"))
    status = statuses(profiles, today)
    return [{"code": p.code, "name": p.name, "disease": p.disease,
             "valid_from": p.valid_from.isoformat(), "source_doc": p.source_doc,
             "status": status[p.pk]} for p in profiles]


def list_text(rows: list[dict]) -> str:
    if not rows:
        return _("No protocol profile is recorded.") + "\n"
    lines = []
    for row in rows:
        mark = {IN_FORCE: _("in force today"), FUTURE: _("not yet in force")}.get(
            row["status"], "")
        lines.append("  ".join(part for part in (row["valid_from"], row["code"], row["name"],
                                                 f"[{mark}]" if mark else "") if part))
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Show what the protocol profiles give: a plan of control from a day, or the list."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        plan_parser = commands.add_parser("plan", help="the phases of a plan from a day")
        plan_parser.add_argument("--basis", required=True, help=", ".join(BASES))
        plan_parser.add_argument("--from", required=True, dest="start",
                                 help="the first day (day 1), YYYY-MM-DD")
        plan_parser.add_argument("--format", choices=FORMATS, default="text", dest="fmt")
        plan_parser.add_argument("--disease", default="covid-19")
        list_parser = commands.add_parser("list", help="the profiles with their dates")
        list_parser.add_argument("--format", choices=FORMATS, default="text", dest="fmt")

    def handle(self, *args, action, fmt, **options):
        if action == "plan":
            start = parse_day(options["start"])
            phases = planned(options["basis"], start, options["disease"])
            render = plan_json if fmt == "json" else plan_text
            self.stdout.write(render(options["basis"], start, phases), ending="")
            return
        rows = profile_rows(timezone.localdate())
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", ending="")
        else:
            self.stdout.write(list_text(rows), ending="")
