"""The identity models in the Django admin: visible, read-mostly, never showing secrets."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from identity_app import tokens
from identity_app.models import Token, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("operator", "op@example.com", "op-pw"))
    return client


def test_pages_render_without_passwords_or_tokens(operator, member):
    user = User.objects.get(id=member.user_id)
    for path in ("domain", "project", "user", "role", "roleassignment", "token", "catalogservice", "endpoint",
                 "region", "impliedrole"):
        page = operator.get(f"/admin/identity_app/{path}/")
        assert page.status_code == 200, path
        assert user.password not in page.content.decode()
    detail = operator.get(f"/admin/identity_app/user/{user.id}/change/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert user.name in text and user.password not in text and "md5$" not in text
    # Token records are keyed by a one-way hash; the token itself exists nowhere on the server.
    token_page = operator.get(f"/admin/identity_app/token/{tokens.hash_token(member.token)}/change/")
    assert token_page.status_code == 200 and member.token not in token_page.content.decode()
    # Read-mostly: no add page.
    assert operator.get("/admin/identity_app/user/add/").status_code == 403


def test_admin_actions_revoke_tokens(operator, member, api):
    record = Token.objects.get(id_hash=tokens.hash_token(member.token))
    response = operator.post("/admin/identity_app/token/", {
        "action": "revoke", "_selected_action": [record.pk]})
    assert response.status_code == 302
    assert Token.objects.get(pk=record.pk).revoked is True
    assert api(member.token).get("/identity/v3/auth/projects").status_code == 401
    operator.post("/admin/identity_app/user/", {"action": "disable", "_selected_action": [member.user_id]})
    assert User.objects.get(id=member.user_id).enabled is False
