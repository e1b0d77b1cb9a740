"""`fangkong token create|revoke|list`."""

import io

import pytest
from django.core.management import CommandError, call_command

from fangkong.accounts.models import ApiToken, User
from fangkong.accounts.services import token_authenticate
from fangkong.audit.models import AuditEvent


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue()


def create(*extra, scope="140600/140602/140602001/140602001001"):
    return run("create", "--user", "jiance", "--role", "laboratory", "--scope", scope,
               "--name", "LIS", "--by", "zhihui", *extra).strip()


def test_create_prints_the_secret_once_and_stores_its_hash(cast):
    secret = create()
    user = token_authenticate(secret)
    assert user.username == "jiance" and user.scope == cast.wenyuan
    token = ApiToken.objects.get()
    assert token.key_hash != secret and secret.startswith(token.prefix)
    assert AuditEvent.objects.get(action="token.create").via == "command"


@pytest.mark.parametrize("scope", ["140602001001", None])
def test_scope_by_code_or_uuid(cast, scope):
    secret = create(scope=scope or str(cast.wenyuan.uuid))
    assert token_authenticate(secret).scope == cast.wenyuan


def test_create_can_make_a_service_account(cast):
    secret = run("create", "--user", "svc-his", "--create-user", "--role", "hospital",
                 "--scope", "140602", "--name", "HIS", "--by", "zhihui").strip()
    assert token_authenticate(secret).username == "svc-his"
    assert not User.objects.get(username="svc-his").has_usable_password()


@pytest.mark.parametrize("args", [
    ["--by", "wangge"],
    ["--scope", "01"],
    ["--scope", "999999"],
    ["--role", "resident"],
    ["--user", "nobody"],
])
def test_create_refuses_bad_input(cast, args):
    base = {"--user": "jiance", "--role": "laboratory", "--scope": "140602", "--name": "LIS",
            "--by": "zhihui"}
    base[args[0]] = args[1]
    with pytest.raises(CommandError):
        run("create", *[part for pair in base.items() for part in pair])
    assert not ApiToken.objects.exists()


def test_revoke_by_prefix_and_list(cast):
    secret = create()
    token = ApiToken.objects.get()
    assert token.prefix in run("list", "--by", "zhihui")
    run("revoke", token.prefix, "--by", "zhihui", "--reason", "rotated")
    assert token_authenticate(secret) is None
    assert "revoked" in run("list", "--by", "zhihui")
    assert AuditEvent.objects.get(action="token.revoke").reason == "rotated"


def test_revoke_by_uuid(cast):
    secret = create()
    run("revoke", str(ApiToken.objects.get().uuid), "--by", "zhihui")
    assert token_authenticate(secret) is None


def test_revoke_and_list_need_the_permission(cast):
    create()
    token = ApiToken.objects.get()
    with pytest.raises(CommandError):
        run("revoke", token.prefix, "--by", "wangge")
    with pytest.raises(CommandError):
        run("list", "--by", "wangge")
    token.refresh_from_db()
    assert token.revoked_at is None
