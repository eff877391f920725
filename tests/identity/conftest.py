"""Helpers for the identity tests (the accounts are in tests/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

V3 = "/identity/v3"
# Keystone's token time format, e.g. 2026-01-01T00:00:00.000000Z.
TOKEN_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


def password_auth(name: str, password: str, *, domain: dict[str, str] | None = None,
                  scope: Any = None, user_id: str | None = None) -> dict[str, Any]:
    """A POST /v3/auth/tokens body for the password method."""
    user: dict[str, Any] = {"id": user_id} if user_id else {"name": name, "domain": domain or {"id": "default"}}
    user["password"] = password
    body: dict[str, Any] = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}}}
    if scope is not None:
        body["auth"]["scope"] = scope
    return body


def assert_keystone_error(response, status: int, title: str) -> dict[str, Any]:
    """The body is exactly Keystone's error document."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "title", "message"}, body
    assert body["error"]["code"] == status and body["error"]["title"] == title, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
