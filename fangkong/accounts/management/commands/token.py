"""`fangkong token create|revoke|list`: API tokens from the command line.

    fangkong token create --user U --role R --scope PLACE --name N --by ADMIN [--create-user]
    fangkong token revoke PREFIX_OR_UUID --by ADMIN [--reason TEXT]
    fangkong token list --by ADMIN

PLACE is a place UUID, a slash-separated chain of codes from the city down
(`140600/140602/140602001`) or a code that is unique in the tree. The secret is printed once.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fangkong.accounts import services
from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm, Role, can
from fangkong.accounts.selectors import tokens_in_scope
from fangkong.audit.context import Origin, bind
from fangkong.places.models import Place


def _as_uuid(text: str):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def find_place(text: str) -> Place:
    key = _as_uuid(text)
    if key is not None:
        place = Place.objects.filter(uuid=key).first()
    elif "/" in text:
        place = None
        for code in text.strip("/").split("/"):
            place = Place.objects.filter(parent=place, code=code).first()
            if place is None:
                break
    else:
        matches = list(Place.objects.filter(code=text)[:2])
        place = matches[0] if len(matches) == 1 else None
    if place is None:
        raise CommandError(f"no single place matches {text!r}")
    return place


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def find_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user


class Command(BaseCommand):
    help = "Create, revoke or list API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a token and print its secret once")
        create.add_argument("--user", required=True, help="the token's account (user name)")
        create.add_argument("--create-user", action="store_true",
                            help="create the account as a password-less service account")
        create.add_argument("--role", required=True,
                            choices=[r for r in Role.values if r != Role.RESIDENT])
        create.add_argument("--scope", required=True, help="place UUID, code path or code")
        create.add_argument("--name", required=True)
        create.add_argument("--by", required=True, help="the issuing administrator")
        revoke = actions.add_parser("revoke", help="revoke a token")
        revoke.add_argument("token", help="the token's prefix (fk_…) or UUID")
        revoke.add_argument("--by", required=True)
        revoke.add_argument("--reason", default="")
        listing = actions.add_parser("list", help="list the tokens in the administrator's area")
        listing.add_argument("--by", required=True)

    def handle(self, *args, action, by, **options):
        bind(Origin(via="command"))
        admin = find_user(by)
        try:
            if not can(admin, Perm.MANAGE_TOKENS):
                raise PermissionError(Perm.MANAGE_TOKENS)
            getattr(self, f"do_{action}")(admin, **options)
        except PermissionError:
            raise CommandError(f"{by} may not manage API tokens") from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None

    def _account(self, admin, username, create, role, scope):
        if not create:
            return find_user(username)
        return services.user_create(acting_user=admin, username=username, password=None,
                                    role=role, scope=scope)

    def do_create(self, admin, *, user, create_user, role, scope, name, **options):
        place = find_place(scope)
        with transaction.atomic():
            account = self._account(admin, user, create_user, role, place)
            token, secret = services.token_create(acting_user=admin, user=account, name=name,
                                                  role=role, scope=place)
        self.stderr.write(f"created token {token.prefix}… ({token.uuid}); "
                          "the secret is shown only this once:")
        self.stdout.write(secret)

    def do_revoke(self, admin, *, token, reason, **options):
        key = _as_uuid(token)
        match = Q(uuid=key) if key is not None else Q(prefix=token.rstrip("…"))
        found = list(tokens_in_scope(admin).filter(match)[:2])
        if len(found) != 1:
            raise CommandError(f"no single token in your area matches {token!r}")
        services.token_revoke(acting_user=admin, token=found[0], reason=reason)
        self.stdout.write(f"revoked {found[0].prefix}… {found[0].name}")

    def do_list(self, admin, **options):
        if not admin.scope_path:
            raise CommandError(f"{admin.username} has no area")
        for t in tokens_in_scope(admin).order_by("-created_at"):
            state = f"revoked {_local(t.revoked_at)}" if t.revoked_at else "active"
            used = _local(t.last_used_at) if t.last_used_at else "never"
            self.stdout.write("\t".join([t.prefix, str(t.uuid), t.name, t.user.username, t.role,
                                         t.scope.name, used, state]))
