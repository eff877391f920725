"""Hostile input on every identity route: always a Keystone-style 4xx, never a 500."""

from __future__ import annotations

import pytest

from identity_app.models import Role
from tests.identity.conftest import V3, assert_keystone_error

pytestmark = pytest.mark.django_db

BODIES = [
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"12345678901234567890123",
    b"\xff\xfe\xfd",
    b'{"project": {"name": "\\ud800"}, "user": {"name": "\\udfff", "password": "\\ud800"}, '
    b'"role": {"name": "\\ud800"}, "domain": {"name": "\\ud800"}}',
    b'{"user": {"name": "ok", "password": "x", "\\ud800": 1}}',
    b'{"project": [], "user": "x", "role": 1, "domain": null}',
    b'{"project": {"name": ["a"], "enabled": null, "tags": "a", "options": []}}',
    b'{"user": {"name": "' + b"n" * 5000 + b'", "password": "' + b"p" * 5000 + b'"}}',
    b'{"user": {"name": "x", "default_project_id": {"id": 1}, "enabled": 1}}',
    b'{"auth": {"identity": {"methods": ["password", "token"], "password": {"user": {"name": "\\ud800", '
    b'"domain": {"name": "Default"}, "password": "\\ud800"}}, "token": {"id": "\\ud800"}}}}',
    b'{"auth": {"identity": {"methods": ["token"], "token": {"id": "' + b"t" * 9000 + b'"}}}}',
    b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "x"}}}, "scope": 7}}',
]


def routes(ids: dict[str, str]) -> list[str]:
    p, u, r, d = ids["project"], ids["user"], ids["role"], "default"
    return [
        "/auth/tokens", "/auth/catalog", "/auth/projects", "/auth/domains",
        "/domains", f"/domains/{d}", "/projects", f"/projects/{p}", "/users", f"/users/{u}",
        f"/users/{u}/projects", f"/users/{u}/password", "/roles", f"/roles/{r}", "/role_assignments",
        f"/projects/{p}/users/{u}/roles", f"/projects/{p}/users/{u}/roles/{r}",
        f"/domains/{d}/users/{u}/roles", f"/domains/{d}/users/{u}/roles/{r}",
        "/services", "/endpoints", "/regions", "/regions/" + "x" * 400, "/projects/%ED%A0%80",
    ]


def test_garbage_bodies_never_500(api, admin, member):
    ids = {"project": member.project_id, "user": member.user_id, "role": Role.objects.get(name="reader").id}
    client = api(admin.token)
    for path in routes(ids):
        for method in ("post", "patch", "put"):
            for raw in BODIES:
                response = getattr(client, method)(f"{V3}{path}", raw, content_type="application/json")
                assert response.status_code < 500, (method, path, raw[:80], response.content[:300])
                if response.status_code >= 400:
                    assert_keystone_error(response, response.status_code, response.json()["error"]["title"])


@pytest.mark.parametrize("query", [
    "enabled=maybe", "name=" + "n" * 5000, "domain_id=%00", "user.id=%ED%A0%80", "effective=%FF",
    "scope.project.id=x&include_subtree", "name=%C3%28", "is_domain", "role.id=" + "r" * 300,
])
def test_odd_queries_never_500(api, admin, query):
    client = api(admin.token)
    for path in ("/projects", "/users", "/roles", "/domains", "/role_assignments", "/endpoints",
                 "/auth/projects"):
        response = client.get(f"{V3}{path}?{query}")
        assert response.status_code in (200, 400), (path, query, response.content[:300])
        if response.status_code == 400:
            assert_keystone_error(response, 400, "Bad Request")


def test_unknown_identity_urls_are_keystone_404s(api, admin):
    assert_keystone_error(api(admin.token).get(f"{V3}/nothing-here"), 404, "Not Found")
    assert_keystone_error(api(admin.token).delete(f"{V3}/roles"), 405, "Method Not Allowed")
