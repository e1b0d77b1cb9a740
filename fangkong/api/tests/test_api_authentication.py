"""Who may call the API: bearer tokens act within the token's role and area; sessions need
a CSRF token for writes; anything else is refused with 401."""

import pytest
from django.conf import settings
from django.test import Client

from fangkong.accounts.models import ApiToken
from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create, token_revoke


def issue(cast, scope, role=Role.COMMUNITY_WORKER):
    return token_create(acting_user=cast.admin, user=cast.jiance, name="LIS", role=role,
                        scope=scope)


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_token_acts_within_its_area(cast, client):
    _, secret = issue(cast, cast.wenyuan)
    assert client.get(f"/api/v1/people/{cast.zhang.uuid}", headers=bearer(secret)).json()[
        "name"] == "张伟"
    assert client.get(f"/api/v1/people/{cast.zhao.uuid}", headers=bearer(secret)).status_code == 404
    items = client.get("/api/v1/people", headers=bearer(secret)).json()["items"]
    names = [p["name"] for p in items]
    assert "张伟" in names and "赵强" not in names


def test_token_acts_with_its_role_not_its_accounts(cast, client):
    _, secret = issue(cast, cast.wenyuan)
    me = client.get("/api/v1/me", headers=bearer(secret)).json()
    assert me["username"] == "jiance"
    assert me["role"] == Role.COMMUNITY_WORKER and me["scope"]["name"] == "文远社区"
    assert me["via"].startswith("token:fk_")


def test_token_use_is_recorded(cast, client):
    token, secret = issue(cast, cast.wenyuan)
    client.get("/api/v1/me", headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(cast, client):
    token, secret = issue(cast, cast.wenyuan)
    token_revoke(acting_user=cast.admin, token=token, reason="lost")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer fk_garbage", "Bearer nonsense", "Bearer ",
                                    "Token fk_x"])
def test_garbage_credentials_are_refused(cast, client, header):
    assert client.get("/api/v1/people", headers={"Authorization": header}).status_code == 401


def test_a_bad_token_is_refused_even_for_writes(cast, client):
    response = client.post("/api/v1/people", {}, content_type="application/json",
                           headers=bearer("fk_garbage"))
    assert response.status_code == 401


def test_anonymous_calls_are_refused(cast, client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get(f"/api/v1/people/{cast.zhang.uuid}").status_code == 401


def test_only_the_hash_of_a_token_is_stored(cast):
    token, secret = issue(cast, cast.wenyuan)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(secret not in str(value) for value in row.values())
    assert secret.startswith(row["prefix"]) and len(row["key_hash"]) == 64


def test_session_write_without_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.wangge)
    response = client.post(f"/api/v1/people/{cast.zhang.uuid}/reveal", {"field": "phone"},
                           content_type="application/json")
    assert response.status_code == 403
    response = client.patch(f"/api/v1/people/{cast.zhang.uuid}", {"name": "X"},
                            content_type="application/json")
    assert response.status_code == 403
    cast.zhang.refresh_from_db()
    assert cast.zhang.name == "张伟"


def test_session_write_with_csrf_token_is_accepted(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.wangge)
    csrf = "k" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    response = client.post(f"/api/v1/people/{cast.zhang.uuid}/reveal", {"field": "phone"},
                           content_type="application/json", headers={"X-CSRFToken": csrf})
    assert response.status_code == 200 and response.json()["value"] == "13800001234"


def test_session_reads_need_no_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.wangge)
    assert client.get("/api/v1/me").json()["username"] == "wangge"


def test_token_writes_need_no_csrf_token(cast):
    _, secret = issue(cast, cast.wenyuan)
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/api/v1/people/{cast.zhang.uuid}/reveal", {"field": "phone"},
                           content_type="application/json", headers=bearer(secret))
    assert response.status_code == 200
