"""Building blocks for in-process tests: accounts with real tokens, API clients."""

from __future__ import annotations

import uuid

from rest_framework.test import APIClient

from identity_app import tokens
from identity_app.bootstrap import bootstrap
from identity_app.models import Domain, Project, Role, RoleAssignment, User


def ensure_bootstrap() -> None:
    if not Domain.objects.filter(id="default").exists():
        bootstrap(admin_password="admin-pw", demo_password="demo-pw")


def make_account(roles: tuple[str, ...] = ("member",), project: Project | str | None = None,
                 name: str | None = None, password: str = "pw") -> tuple[User, Project, str]:
    """A user with ``roles`` on ``project`` (created if a name or None is given) and a token."""
    ensure_bootstrap()
    domain = Domain.objects.get(id="default")
    if not isinstance(project, Project):
        project = Project.objects.create(domain=domain, name=project or f"p-{uuid.uuid4().hex[:8]}")
    user = User(name=name or f"u-{uuid.uuid4().hex[:8]}", domain=domain, default_project=project)
    user.set_password(password)
    user.save()
    for role in roles:
        RoleAssignment.objects.create(user=user, project=project, role=Role.objects.get(name=role))
    token, _ = tokens.issue(user, methods=["password"], project=project)
    return user, project, token


def api_client(token: str | None = None, microversion: str | None = None) -> APIClient:
    client = APIClient()
    headers = {}
    if token:
        headers["HTTP_X_AUTH_TOKEN"] = token
    if microversion:
        headers["HTTP_OPENSTACK_API_VERSION"] = f"compute {microversion}"
    client.credentials(**headers)
    return client
