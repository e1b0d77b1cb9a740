"""`fangkong import-results FILE --lab CODE [--format csv|xlsx|hl7]`.

Records a laboratory's results from a .csv or .xlsx file or a file of HL7 v2.5.1 ORU^R01
messages, as the system (a laboratory's feed dropped on the server). Prints the summary, or
every problem and exits with status 1: then nothing was recorded.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangkong.audit.context import Origin, bind
from fangkong.testing import lab_files, lab_hl7, services
from fangkong.testing.models import Laboratory

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".hl7": "hl7", ".er7": "hl7"}


def summary_lines(report: services.ResultsReport) -> list[str]:
    lines = [
        _("Recorded: %(n)s") % {"n": report.recorded},
        _("Unchanged (already recorded): %(n)s") % {"n": report.unchanged},
        _("Positive tubes: %(n)s") % {"n": report.positive_pools},
        _("Tubes to resample: %(n)s") % {"n": report.resample_pools},
        _("People put under temporary control: %(n)s") % {"n": report.people_controlled},
        _("Single retests negative: %(n)s") % {"n": report.retests_negative},
        _("Cases reported: %(n)s") % {"n": len(report.cases)},
    ]
    lines += [f"  {case.number}" for case in report.cases]
    return lines


def problem_lines(problems: list[dict]) -> list[str]:
    return [" · ".join(part for part in (p["line"], p["barcode"], p["field"], p["message"])
                       if part) for p in problems]


class Command(BaseCommand):
    help = "Record laboratory results from a .csv, .xlsx or HL7 ORU^R01 file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--lab", required=True, help="code of the laboratory")
        parser.add_argument("--format", dest="kind", choices=["csv", "xlsx", "hl7"],
                            help="the file's format (default: from its extension)")

    def handle(self, *args, file, lab, kind, **options):
        bind(Origin(via="command"))
        laboratory = Laboratory.objects.filter(code=lab).first()
        if laboratory is None:
            raise CommandError(_("There is no laboratory with the code %(code)s.")
                               % {"code": lab})
        kind = kind or FORMATS.get(file.suffix.lower())
        if kind is None:
            raise CommandError(_("Say the file's format with --format csv, xlsx or hl7."))
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(error) from None
        try:
            rows = self._rows(data, kind)
            report = services.results_record(acting_user=None, lab=laboratory, rows=rows,
                                             via="hl7" if kind == "hl7" else "file")
        except services.ResultsRefused as refused:
            self.stdout.write("\n".join(problem_lines(refused.problems)))
            raise CommandError(_("%(n)s problems; nothing was recorded.")
                               % {"n": len(refused.problems)}, returncode=1) from None
        self.stdout.write("\n".join(summary_lines(report)))

    @staticmethod
    def _rows(data: bytes, kind: str):
        if kind == "hl7":
            upload = lab_hl7.read_oru(data)
            if upload.problems:
                raise services.ResultsRefused(upload.problems)
            return upload.rows
        return lab_files.read_results(data, f"results.{kind}")
