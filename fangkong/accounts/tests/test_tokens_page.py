"""The API-token page: the command centre issues (secret shown once) and revokes tokens;
other roles are refused."""

import re

import pytest
from django.urls import reverse

from fangkong.accounts.models import ApiToken, User
from fangkong.accounts.services import token_authenticate, token_create
from fangkong.audit.models import AuditEvent

SECRET = re.compile(r"fk_[A-Za-z0-9_\-]{20,}")


def form(cast, **changes):
    return {"name": "市一院 LIS", "account": str(cast.jiance.pk), "new_username": "",
            "role": "laboratory", "scope": str(cast.city.pk), **changes}


def test_command_centre_sees_the_page(cast, login):
    response = login(cast.admin).get(reverse("accounts:tokens"))
    assert response.status_code == 200
    assert "jiance" in response.content.decode()


def test_command_centre_issues_a_token_and_sees_the_secret_once(cast, login):
    client = login(cast.admin)
    response = client.post(reverse("accounts:tokens"), form(cast))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = SECRET.search(response.content.decode()).group(0)
    user = token_authenticate(secret)
    assert user == cast.jiance and user.role == "laboratory" and user.scope == cast.city
    assert secret not in client.get(reverse("accounts:tokens")).content.decode()
    assert ApiToken.objects.get().name == "市一院 LIS"


def test_issuing_can_create_a_service_account(cast, login):
    response = login(cast.admin).post(reverse("accounts:tokens"), form(
        cast, account="", new_username="svc-lab", role="hospital", scope=str(cast.wenyuan.pk)))
    assert SECRET.search(response.content.decode())
    account = User.objects.get(username="svc-lab")
    assert not account.has_usable_password()
    assert account.role == "hospital" and account.scope == cast.wenyuan
    assert ApiToken.objects.get().user == account


@pytest.mark.parametrize("changes", [
    {"account": "", "new_username": ""},
    {"new_username": "svc-both"},
    {"account": "", "new_username": "wangge"},
    {"role": "resident"},
    {"name": ""},
])
def test_issuing_refuses_bad_input(cast, login, changes):
    response = login(cast.admin).post(reverse("accounts:tokens"), form(cast, **changes))
    assert response.status_code == 200
    assert not SECRET.search(response.content.decode())
    assert not ApiToken.objects.exists()
    assert not User.objects.filter(username="svc-both").exists()


def test_places_outside_the_issuers_area_are_not_offered(cast, login):
    cast.jiedao.role = "command"  # a command-centre account for one street office
    cast.jiedao.save(update_fields=["role"])
    client = login(cast.jiedao)
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "新建社区" in page and "东关村" not in page and "zhihui" not in page
    mine = {"account": str(cast.wangge2.pk), "scope": str(cast.xinjian.pk)}
    response = client.post(reverse("accounts:tokens"), form(cast, **mine))
    assert SECRET.search(response.content.decode())
    for outside in ({"scope": str(cast.village.pk)}, {"account": str(cast.admin.pk)}):
        response = client.post(reverse("accounts:tokens"), form(cast, **{**mine, **outside}))
        assert not SECRET.search(response.content.decode())
    assert ApiToken.objects.count() == 1


def test_command_centre_revokes_a_token_with_a_reason(cast, login):
    token, secret = token_create(acting_user=cast.admin, user=cast.jiance, name="LIS",
                                 role="laboratory", scope=cast.city)
    client = login(cast.admin)
    response = client.post(reverse("accounts:token_revoke", args=[token.uuid]),
                           {"reason": "密钥泄露"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None and token_authenticate(secret) is None
    assert AuditEvent.objects.get(action="token.revoke").reason == "密钥泄露"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 401


def test_revoke_needs_post(cast, login):
    token, _ = token_create(acting_user=cast.admin, user=cast.jiance, name="LIS",
                            role="laboratory", scope=cast.city)
    response = login(cast.admin).get(reverse("accounts:token_revoke", args=[token.uuid]))
    assert response.status_code == 405


@pytest.mark.parametrize("username", ["wangge", "quxian", "louzhang", "jiance", "jumin"])
def test_other_roles_are_refused(cast, login, username):
    token, _ = token_create(acting_user=cast.admin, user=cast.jiance, name="LIS",
                            role="laboratory", scope=cast.wenyuan)
    client = login(getattr(cast, username))
    assert client.get(reverse("accounts:tokens")).status_code == 403
    assert client.post(reverse("accounts:tokens"), form(cast)).status_code == 403
    assert client.post(reverse("accounts:token_revoke", args=[token.uuid])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_visitors_are_sent_to_log_in(cast, client):
    assert "/login/" in client.get(reverse("accounts:tokens"))["Location"]
