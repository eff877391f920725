"""The identity admin API in-process: domains, projects, users, roles, grants, assignments, catalog."""

from __future__ import annotations

import uuid

import pytest

from identity_app.models import Project, Role, RoleAssignment, User
from tests.identity.conftest import V3, assert_keystone_error, password_auth

pytestmark = pytest.mark.django_db


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def role_id(name: str) -> str:
    return Role.objects.get(name=name).id


def assert_collection(response, key: str) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {key, "links"}, body
    assert body["links"]["previous"] is None and body["links"]["next"] is None
    assert body["links"]["self"].startswith("http://testserver/identity/v3/")
    for item in body[key]:
        if key != "role_assignments":
            assert item["links"]["self"] == f"http://testserver/identity/v3/{key}/{item['id']}"
    return body[key]


def test_projects_crud_filters_and_conflicts(api, admin):
    client = api(admin.token)
    name = unique("proj")
    created = client.post(f"{V3}/projects", {"project": {"name": name, "description": "d", "tags": ["a"],
                                                        "colour": "blue"}}, format="json")
    assert created.status_code == 201, created.content
    project = created.json()["project"]
    assert project["domain_id"] == "default" and project["enabled"] is True and project["is_domain"] is False
    assert project["parent_id"] == "default" and project["tags"] == ["a"] and project["colour"] == "blue"
    assert project["links"]["self"] == f"http://testserver/identity/v3/projects/{project['id']}"
    assert client.get(f"{V3}/projects/{project['id']}").json()["project"] == project

    duplicate = client.post(f"{V3}/projects", {"project": {"name": name}}, format="json")
    assert_keystone_error(duplicate, 409, "Conflict")
    listed = assert_collection(client.get(f"{V3}/projects", {"name": name, "domain_id": "default"}), "projects")
    assert [p["id"] for p in listed] == [project["id"]]
    assert assert_collection(client.get(f"{V3}/projects", {"name": name, "enabled": "false"}), "projects") == []
    assert name in {p["name"] for p in assert_collection(client.get(f"{V3}/projects"), "projects")}

    child = client.post(f"{V3}/projects", {"project": {"name": unique("child"), "parent_id": project["id"]}},
                        format="json").json()["project"]
    assert child["parent_id"] == project["id"]
    refused = client.delete(f"{V3}/projects/{project['id']}")
    assert_keystone_error(refused, 403, "Forbidden")

    updated = client.patch(f"{V3}/projects/{project['id']}", {"project": {"enabled": False, "description": "x"}},
                           format="json")
    assert updated.status_code == 200 and updated.json()["project"]["enabled"] is False
    assert updated.json()["project"]["description"] == "x"
    assert client.delete(f"{V3}/projects/{child['id']}").status_code == 204
    assert client.delete(f"{V3}/projects/{project['id']}").status_code == 204
    assert_keystone_error(client.get(f"{V3}/projects/{project['id']}"), 404, "Not Found")


@pytest.mark.parametrize("project, field", [
    ({"name": "x" * 65}, "project.name"),  # the name column holds 64 characters
    ({"name": ""}, "project.name"),
    ({"name": "   "}, "project.name"),
    ({"name": "bad\x07bell"}, "project.name"),
    ({"name": 12}, "project.name"),
    ({}, "project.name"),
    ({"name": "ok", "enabled": "true"}, "project.enabled"),
    ({"name": "ok", "domain_id": "no-such-domain"}, "project.domain_id"),
    ({"name": "ok", "parent_id": "no-such-project"}, "project.parent_id"),
    ({"name": "ok", "tags": ["a/b"]}, "project.tags"),
    ({"name": "ok", "description": 9223372036854775807}, "project.description"),
])
def test_bad_project_input_is_400_naming_the_field(api, admin, project, field):
    response = api(admin.token).post(f"{V3}/projects", {"project": project}, format="json")
    error = assert_keystone_error(response, 400, "Bad Request")
    assert field in error["message"]
    assert not Project.objects.filter(name="ok").exists()


@pytest.mark.parametrize("raw", [
    b'{"project": {"name": "a\\u0000b"}}',
    b'{"project": {"name": "x", "description": 1' + b"0" * 40 + b"}}",
    b"\xc3\x28",
    b'{"project": {"name": "x", "enabled": 1e999}}',
])
def test_never_a_500_on_malformed_input(api, admin, raw):
    response = api(admin.token).post(f"{V3}/projects", raw, content_type="application/json")
    assert_keystone_error(response, 400, "Bad Request")


def test_users_crud_never_show_passwords(api, admin, member):
    client = api(admin.token)
    name = unique("user")
    body = {"user": {"name": name, "password": "s3cret-pw", "default_project_id": member.project_id,
                     "email": "u@example.com", "description": "someone", "enabled": True}}
    created = client.post(f"{V3}/users", body, format="json")
    assert created.status_code == 201, created.content
    user = created.json()["user"]
    assert "s3cret-pw" not in created.content.decode() and "password" not in user
    assert user["domain_id"] == "default" and user["default_project_id"] == member.project_id
    assert user["email"] == "u@example.com" and user["password_expires_at"] is None
    assert User.objects.get(id=user["id"]).password.startswith("md5$")  # hashed (tests use the fast hasher)
    assert_keystone_error(client.post(f"{V3}/users", {"user": {"name": name}}, format="json"), 409, "Conflict")
    listed = assert_collection(client.get(f"{V3}/users", {"name": name, "domain_id": "default"}), "users")
    assert [u["id"] for u in listed] == [user["id"]]
    for shown in [client.get(f"{V3}/users/{user['id']}").json()["user"], *listed]:
        assert "password" not in shown

    # Grant a role, log in, then change the password: old tokens die, the new password works.
    assert client.put(f"{V3}/projects/{member.project_id}/users/{user['id']}/roles/{role_id('member')}"
                      ).status_code == 204
    login = api().post(f"{V3}/auth/tokens", password_auth(name, "s3cret-pw"), format="json")
    assert login.status_code == 201
    old_token = login["X-Subject-Token"]
    changed = client.patch(f"{V3}/users/{user['id']}", {"user": {"password": "n3w-pw"}}, format="json")
    assert changed.status_code == 200 and "n3w-pw" not in changed.content.decode()
    assert_keystone_error(api(old_token).get(f"{V3}/auth/projects"), 401, "Unauthorized")
    assert api().post(f"{V3}/auth/tokens", password_auth(name, "n3w-pw"), format="json").status_code == 201
    projects = assert_collection(client.get(f"{V3}/users/{user['id']}/projects"), "projects")
    assert [p["id"] for p in projects] == [member.project_id]

    assert client.delete(f"{V3}/users/{user['id']}").status_code == 204
    assert_keystone_error(client.get(f"{V3}/users/{user['id']}"), 404, "Not Found")
    assert_keystone_error(api().post(f"{V3}/auth/tokens", password_auth(name, "n3w-pw"), format="json"),
                          401, "Unauthorized")


def test_disabling_a_user_or_project_revokes_tokens(api, admin, member, make_account):
    client = api(admin.token)
    assert client.patch(f"{V3}/users/{member.user_id}", {"user": {"enabled": False}},
                        format="json").status_code == 200
    assert_keystone_error(api(member.token).get(f"{V3}/auth/projects"), 401, "Unauthorized")
    user, project, token = make_account(("member",))
    assert client.patch(f"{V3}/projects/{project.id}", {"project": {"enabled": False}},
                        format="json").status_code == 200
    assert_keystone_error(api(token).get(f"{V3}/auth/projects"), 401, "Unauthorized")


def test_own_password_change(api, member):
    url = f"{V3}/users/{member.user_id}/password"
    wrong = api().post(url, {"user": {"original_password": "nope", "password": "new-pw"}}, format="json")
    assert_keystone_error(wrong, 401, "Unauthorized")
    unknown = api().post(f"{V3}/users/nobody/password", {"user": {"original_password": "pw", "password": "x"}},
                         format="json")
    assert_keystone_error(unknown, 401, "Unauthorized")
    ok = api(member.token).post(url, {"user": {"original_password": "pw", "password": "new-pw"}}, format="json")
    assert ok.status_code == 204
    assert_keystone_error(api(member.token).get(f"{V3}/auth/projects"), 401, "Unauthorized")  # revoked
    assert api().post(f"{V3}/auth/tokens", password_auth(member.user_name, "new-pw"),
                      format="json").status_code == 201


def test_roles_and_grants(api, admin, member):
    client = api(admin.token)
    roles = assert_collection(client.get(f"{V3}/roles", {"name": "reader"}), "roles")
    assert [r["name"] for r in roles] == ["reader"] and roles[0]["domain_id"] is None
    name = unique("role")
    created = client.post(f"{V3}/roles", {"role": {"name": name, "description": "custom"}}, format="json")
    assert created.status_code == 201, created.content
    role = created.json()["role"]
    assert role["options"] == {} and client.get(f"{V3}/roles/{role['id']}").json()["role"] == role
    assert_keystone_error(client.post(f"{V3}/roles", {"role": {"name": name}}, format="json"), 409, "Conflict")

    grant = f"{V3}/projects/{member.project_id}/users/{member.user_id}/roles/{role['id']}"
    assert client.head(grant).status_code == 404
    assert client.put(grant).status_code == 204
    assert client.put(grant).status_code == 204  # idempotent
    assert client.head(grant).status_code == 204 and client.get(grant).status_code == 204
    listed = assert_collection(client.get(f"{V3}/projects/{member.project_id}/users/{member.user_id}/roles"),
                               "roles")
    assert {r["name"] for r in listed} == {"member", name}
    for missing in (f"{V3}/projects/nope/users/{member.user_id}/roles/{role['id']}",
                    f"{V3}/projects/{member.project_id}/users/nope/roles/{role['id']}",
                    f"{V3}/projects/{member.project_id}/users/{member.user_id}/roles/nope"):
        assert_keystone_error(client.put(missing), 404, "Not Found")

    # The member's token predates the grant; a new one carries the role; deleting the role revokes it.
    token = api().post(f"{V3}/auth/tokens", password_auth(member.user_name, "pw"), format="json")
    assert name in {r["name"] for r in token.json()["token"]["roles"]}
    assert client.delete(f"{V3}/roles/{role['id']}").status_code == 204
    assert_keystone_error(api(token["X-Subject-Token"]).get(f"{V3}/auth/projects"), 401, "Unauthorized")
    assert api(member.token).get(f"{V3}/auth/projects").status_code == 200  # did not carry the role
    assert not RoleAssignment.objects.filter(role_id=role["id"]).exists()


def test_removing_a_grant_revokes_the_affected_tokens(api, admin, member, other):
    client = api(admin.token)
    grant = f"{V3}/projects/{member.project_id}/users/{member.user_id}/roles/{role_id('member')}"
    assert client.delete(grant).status_code == 204
    assert_keystone_error(api(member.token).get(f"{V3}/auth/projects"), 401, "Unauthorized")
    assert api(other.token).get(f"{V3}/auth/projects").status_code == 200  # someone else's: untouched
    assert_keystone_error(client.delete(grant), 404, "Not Found")


def test_role_assignments(api, admin, member, reader):
    client = api(admin.token)
    direct = assert_collection(client.get(f"{V3}/role_assignments", {"scope.project.id": member.project_id}),
                               "role_assignments")
    assert {(a["user"]["id"], a["role"]["id"]) for a in direct} == {
        (member.user_id, role_id("member")), (reader.user_id, role_id("reader"))}
    entry = next(a for a in direct if a["user"]["id"] == member.user_id)
    assert entry == {
        "role": {"id": role_id("member")}, "user": {"id": member.user_id},
        "scope": {"project": {"id": member.project_id}},
        "links": {"assignment": f"http://testserver/identity/v3/projects/{member.project_id}/users/"
                                f"{member.user_id}/roles/{role_id('member')}"},
    }
    by_user = assert_collection(client.get(f"{V3}/role_assignments", {"user.id": member.user_id}),
                                "role_assignments")
    assert [a["role"]["id"] for a in by_user] == [role_id("member")]
    assert assert_collection(client.get(f"{V3}/role_assignments", {"user.id": member.user_id,
                                                                    "role.id": role_id("reader")}),
                             "role_assignments") == []

    effective = client.get(f"{V3}/role_assignments?effective&include_names=true&user.id={member.user_id}"
                           f"&role.id={role_id('reader')}")
    (implied,) = assert_collection(effective, "role_assignments")
    assert implied["role"] == {"id": role_id("reader"), "name": "reader"}
    assert implied["user"] == {"id": member.user_id, "name": member.user_name,
                               "domain": {"id": "default", "name": "Default"}}
    project = Project.objects.get(id=member.project_id)
    assert implied["scope"] == {"project": {"id": project.id, "name": project.name,
                                            "domain": {"id": "default", "name": "Default"}}}
    assert implied["links"]["prior_role"].endswith(f"/v3/roles/{role_id('member')}/implies/{role_id('reader')}")
    assert implied["links"]["assignment"].endswith(f"/roles/{role_id('member')}")
    assert assert_collection(client.get(f"{V3}/role_assignments", {"group.id": "g"}), "role_assignments") == []


def test_domains(api, admin):
    client = api(admin.token)
    listed = assert_collection(client.get(f"{V3}/domains", {"name": "Default"}), "domains")
    assert [d["id"] for d in listed] == ["default"]
    assert client.get(f"{V3}/domains/default").json()["domain"]["name"] == "Default"
    name = unique("dom")
    created = client.post(f"{V3}/domains", {"domain": {"name": name}}, format="json")
    assert created.status_code == 201, created.content
    domain = created.json()["domain"]
    assert_keystone_error(client.post(f"{V3}/domains", {"domain": {"name": name}}, format="json"),
                          409, "Conflict")
    project = client.post(f"{V3}/projects", {"project": {"name": "p", "domain_id": domain["id"]}},
                          format="json").json()["project"]
    user = client.post(f"{V3}/users", {"user": {"name": "u", "domain_id": domain["id"], "password": "pw"}},
                       format="json").json()["user"]
    assert client.put(f"{V3}/projects/{project['id']}/users/{user['id']}/roles/{role_id('member')}"
                      ).status_code == 204
    login = api().post(f"{V3}/auth/tokens", password_auth("u", "pw", domain={"name": name}), format="json")
    assert login.status_code == 201
    assert_keystone_error(client.delete(f"{V3}/domains/{domain['id']}"), 403, "Forbidden")  # still enabled
    assert client.patch(f"{V3}/domains/{domain['id']}", {"domain": {"enabled": False}},
                        format="json").status_code == 200
    assert_keystone_error(api(login["X-Subject-Token"]).get(f"{V3}/auth/projects"), 401, "Unauthorized")
    assert client.delete(f"{V3}/domains/{domain['id']}").status_code == 204
    assert not User.objects.filter(id=user["id"]).exists() and not Project.objects.filter(id=project["id"]).exists()
    assert_keystone_error(client.delete(f"{V3}/domains/default"), 403, "Forbidden")


def test_catalog_resources(api, member):
    client = api(member.token)
    services = assert_collection(client.get(f"{V3}/services"), "services")
    by_type = {s["type"]: s for s in services}
    assert {"identity", "compute", "image"} <= set(by_type)
    compute = by_type["compute"]
    assert client.get(f"{V3}/services/{compute['id']}").json()["service"] == compute
    endpoints = assert_collection(client.get(f"{V3}/endpoints", {"service_id": compute["id"],
                                                                 "interface": "public"}), "endpoints")
    (endpoint,) = endpoints
    assert endpoint["region_id"] == "RegionOne" and endpoint["url"].endswith("/compute/v2.1")
    assert client.get(f"{V3}/endpoints/{endpoint['id']}").json()["endpoint"] == endpoint
    regions = assert_collection(client.get(f"{V3}/regions"), "regions")
    assert "RegionOne" in {r["id"] for r in regions}
    assert client.get(f"{V3}/regions/RegionOne").status_code == 200
    assert_keystone_error(client.get(f"{V3}/regions/{'x' * 300}"), 404, "Not Found")
    assert_keystone_error(client.post(f"{V3}/services", {"service": {"type": "x"}}, format="json"),
                          405, "Method Not Allowed")
