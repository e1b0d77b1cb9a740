"""`fangkong catalogue compile|check`: build the .mo files; fail when the zh-hans catalogue
is stale (msgids in code missing from it, or obsolete ones left in it) or incomplete."""

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALE = "zh_Hans"


def po_path() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / LOCALE / "LC_MESSAGES" / "django.po"


def entry_keys(catalogue: polib.POFile) -> set[tuple]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in catalogue if not e.obsolete}


@contextmanager
def in_directory(path: Path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


class Command(BaseCommand):
    help = "Compile the translation catalogues, or check that they are current and complete."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile", "check", "update"])

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")()

    def do_compile(self):
        for po_file in Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.po"):
            polib.pofile(str(po_file)).save_as_mofile(str(po_file.with_suffix(".mo")))
        self.stdout.write("catalogue compiled")

    def _extract(self):
        if shutil.which("xgettext") is None:
            raise CommandError("xgettext not found: install GNU gettext (apt-get install gettext)")
        with in_directory(settings.BASE_DIR):
            call_command("makemessages", locale=[LOCALE], no_location=True, no_obsolete=True,
                         ignore_patterns=["tests", "*/tests/*"], verbosity=0)

    def do_update(self):
        self._extract()
        self.stdout.write(f"updated {po_path()}")

    def do_check(self):
        path = po_path()
        before = polib.pofile(str(path))
        with tempfile.TemporaryDirectory() as tmp:
            backup = Path(tmp) / "django.po"
            shutil.copy2(path, backup)
            try:
                self._extract()
                after = polib.pofile(str(path))
            finally:
                shutil.copy2(backup, path)
        missing = entry_keys(after) - entry_keys(before)
        stale = entry_keys(before) - entry_keys(after)
        untranslated = [e.msgid for e in before if not e.obsolete and
                        (not e.translated() or "fuzzy" in e.flags)]
        problems = [f"not in catalogue: {key[1]!r}" for key in sorted(missing, key=str)]
        problems += [f"no longer in code: {key[1]!r}" for key in sorted(stale, key=str)]
        problems += [f"untranslated: {msgid!r}" for msgid in untranslated]
        if problems:
            raise CommandError("stale zh-hans catalogue (run `make messages-update` and "
                               "translate):\n  " + "\n  ".join(problems))
        self.stdout.write(f"catalogue current: {len(entry_keys(before))} messages")
