"""`fangkong demo-users`: one account per role on the demo city (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangkong.demo.users import DemoCityMissing, demo_users_ensure


class Command(BaseCommand):
    help = "Create one demo account per role on the demo city and print them."

    def handle(self, *args, **options):
        try:
            accounts = demo_users_ensure()
        except DemoCityMissing:
            raise CommandError(_("No demo city found; run seed-city first.")) from None
        rows = [(_("Username"), _("Role"), _("Area"), _("Password"))]
        rows += [(a.username, a.role_label, a.scope_name, a.password) for a in accounts]
        widths = [max(_display_width(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = (_pad(cell, width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        self._resident_hint()

    def _resident_hint(self):
        from fangkong.accounts.models import User
        from fangkong.accounts.roles import Role

        resident = User.objects.filter(role=Role.RESIDENT, person__isnull=False).exclude(
            person__phone="").select_related("person").first()
        if resident is not None:
            self.stdout.write(_("Residents sign in at /me/sign-in/ with their mobile number, "
                                "e.g. %(phone)s (%(name)s); the one-time code is printed on "
                                "the server's console.") % {"phone": resident.person.phone,
                                                             "name": resident.person.name})


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))
