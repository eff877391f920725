"""Accounts and helpers for the identity tests: admin, member and reader of one project, an outsider."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

V3 = "/identity/v3"
# Keystone's token time format, e.g. 2026-01-01T00:00:00.000000Z.
TOKEN_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


@dataclass
class Account:
    user_id: str
    user_name: str
    project_id: str
    token: str
    password: str = "pw"


def _account(factory, roles: tuple[str, ...], project=None) -> Account:
    user, project, token = factory(roles, project=project)
    return Account(user.id, user.name, project.id, token)


@pytest.fixture
def admin(make_account) -> Account:
    return _account(make_account, ("admin",))


@pytest.fixture
def member(make_account) -> Account:
    return _account(make_account, ("member",))


@pytest.fixture
def reader(make_account, member) -> Account:
    """A reader in the member's project."""
    from identity_app.models import Project

    return _account(make_account, ("reader",), Project.objects.get(id=member.project_id))


@pytest.fixture
def other(make_account) -> Account:
    """A member of another project."""
    return _account(make_account, ("member",))


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
