"""`fangkong bulletin --date YYYY-MM-DD [--format text|json|docx] [--outbreak CODE]
[--user USERNAME] [--output FILE]`.

Prints the bulletin as of 24:00 on the date, scoped to the user (by default the first
active command-centre user). A .docx goes to --output, else to bulletin-DATE.docx in the
current directory, and the command prints its path.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm, Role, can
from fangkong.audit.context import Origin, bind
from fangkong.cases.selectors import outbreak_on
from fangkong.reports.bulletin import bulletin
from fangkong.reports.docx import render_bulletin

FORMATS = ("text", "json", "docx")


def parse_day(text: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(text)s is not a date; write it as YYYY-MM-DD.")
                           % {"text": text}) from None
    if day > timezone.localdate():
        raise CommandError(_("%(day)s lies in the future.")
                           % {"day": day.isoformat()})
    return day


def find_user(username: str | None) -> User:
    users = User.objects.filter(is_active=True)
    if username is None:
        user = users.filter(role=Role.COMMAND).order_by("pk").first()
        if user is None:
            raise CommandError(_("There is no active command-centre user; name one with --user."))
    else:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no active user %(name)s.") % {"name": username})
    if not can(user, Perm.VIEW_BULLETIN):
        raise CommandError(_("%(name)s may not view the bulletin.") % {"name": user.username})
    return user


def find_outbreak(day: datetime.date, code: str):
    outbreak = outbreak_on(day, code)
    if outbreak is None and code:
        raise CommandError(_("There is no outbreak with the code %(code)s.") % {"code": code})
    if outbreak is None:
        raise CommandError(_("No outbreak had begun by %(day)s.") % {"day": day.isoformat()})
    if outbreak.start_date > day:
        raise CommandError(_("The outbreak %(code)s began on %(start)s, after %(day)s.") % {
            "code": code, "start": outbreak.start_date.isoformat(), "day": day.isoformat()})
    return outbreak


class Command(BaseCommand):
    help = "Print the daily bulletin as of 24:00 on a day."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="the day, YYYY-MM-DD")
        parser.add_argument("--format", choices=FORMATS, default="text", dest="fmt")
        parser.add_argument("--outbreak", default="", help="the outbreak's code; "
                            "by default the latest one begun by the date")
        parser.add_argument("--user", default=None,
                            help="the user whose area the bulletin covers (user name); "
                                 "by default the first active command-centre user")
        parser.add_argument("--output", type=Path, default=None, help="write to this file")

    def handle(self, *args, date, fmt, outbreak, user, output, **options):
        bind(Origin(via="command"))
        day = parse_day(date)
        acting_user = find_user(user)
        content = render_bulletin(bulletin(acting_user, day, find_outbreak(day, outbreak)), fmt)
        if output is None and fmt != "docx":
            self.stdout.write(content, ending="")
            return
        path = output or Path.cwd() / f"bulletin-{day.isoformat()}.docx"
        try:
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as error:
            raise CommandError(error) from None
        self.stdout.write(str(path))
