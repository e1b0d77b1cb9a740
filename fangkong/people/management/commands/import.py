"""`fangkong import residents FILE --user USERNAME [--dry-run] [--all-or-nothing]`.

Imports people from an .xlsx or .csv file within the user's area, prints the report and
exits with status 1 when any row was rejected (nothing is written for a refused file).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.audit.context import Origin, bind
from fangkong.people.importing import ImportFileError, ImportReport, import_residents


def report_lines(report: ImportReport) -> list[str]:
    lines = [
        _("Created: %(n)s") % {"n": report.created},
        _("Updated: %(n)s") % {"n": report.updated},
        _("Unchanged: %(n)s") % {"n": report.unchanged},
        _("Rejected rows: %(n)s") % {"n": report.rejected_rows},
        _("Places created: %(n)s") % {"n": report.places_created},
    ]
    lines += [_("Row %(row)s, %(column)s: %(message)s") % rejection._asdict()
              for rejection in report.rejected]
    if report.dry_run:
        lines.append(_("Dry run: nothing was written."))
    if report.all_or_nothing_aborted:
        lines.append(_("Nothing was imported because some rows were rejected."))
    return lines


class Command(BaseCommand):
    help = "Import residents from an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["residents"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="the acting user (user name)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check and report, write nothing")
        parser.add_argument("--all-or-nothing", action="store_true",
                            help="write nothing when any row is rejected")

    def handle(self, *args, kind, file, user, dry_run, all_or_nothing, **options):
        bind(Origin(via="command"))
        acting_user = User.objects.filter(username=user, is_active=True).first()
        if acting_user is None:
            raise CommandError(_("There is no active user %(name)s.") % {"name": user})
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(error) from None
        try:
            report = import_residents(acting_user=acting_user, data=data, filename=file.name,
                                      dry_run=dry_run, all_or_nothing=all_or_nothing)
        except PermissionError:
            raise CommandError(_("%(name)s may not import residents.") % {"name": user}) from None
        except ImportFileError as error:
            raise CommandError(error) from None
        self.stdout.write("\n".join(report_lines(report)))
        if report.rejected:
            raise CommandError(_("%(n)s rows were rejected.") % {"n": report.rejected_rows},
                               returncode=1)
