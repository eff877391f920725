"""Accounts for the compute API tests: admin, member and reader of one project, and an outsider."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Account:
    user_id: str
    project_id: str
    token: str


def _account(factory, roles: tuple[str, ...], project=None) -> Account:
    user, project, token = factory(roles, project=project)
    return Account(user.id, project.id, token)


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
