"""Who may do what in the identity API (cloud/policy.py, identity rules)."""

from __future__ import annotations

import pytest

from identity_app.models import Role
from tests.identity.conftest import V3, assert_keystone_error

pytestmark = pytest.mark.django_db


def test_reader_cannot_write(api, reader, member):
    client = api(reader.token)
    member_role = Role.objects.get(name="member").id
    writes = [
        client.post(f"{V3}/projects", {"project": {"name": "by-reader"}}, format="json"),
        client.patch(f"{V3}/projects/{reader.project_id}", {"project": {"description": "x"}}, format="json"),
        client.delete(f"{V3}/projects/{reader.project_id}"),
        client.post(f"{V3}/users", {"user": {"name": "by-reader"}}, format="json"),
        client.patch(f"{V3}/users/{reader.user_id}", {"user": {"enabled": False}}, format="json"),
        client.post(f"{V3}/roles", {"role": {"name": "by-reader"}}, format="json"),
        client.put(f"{V3}/projects/{reader.project_id}/users/{reader.user_id}/roles/{member_role}"),
        client.delete(f"{V3}/projects/{reader.project_id}/users/{member.user_id}/roles/{member_role}"),
        client.post(f"{V3}/domains", {"domain": {"name": "by-reader"}}, format="json"),
    ]
    for response in writes:
        assert_keystone_error(response, 403, "Forbidden")
    # ... and nothing changed.
    assert api(member.token).get(f"{V3}/auth/projects").status_code == 200
    assert client.get(f"{V3}/projects/{reader.project_id}").json()["project"]["description"] == ""


def test_member_of_a_gets_404_for_project_b(api, member, other):
    client = api(member.token)
    own = client.get(f"{V3}/projects/{member.project_id}")
    assert own.status_code == 200 and own.json()["project"]["id"] == member.project_id
    for response in (
        client.get(f"{V3}/projects/{other.project_id}"),
        client.patch(f"{V3}/projects/{other.project_id}", {"project": {"enabled": False}}, format="json"),
        client.delete(f"{V3}/projects/{other.project_id}"),
        client.get(f"{V3}/projects/{other.project_id}/users/{other.user_id}/roles"),
    ):
        error = assert_keystone_error(response, 404, "Not Found")
        assert other.project_id in error["message"]
    # Exactly what a project that does not exist looks like.
    assert_keystone_error(client.get(f"{V3}/projects/0123456789abcdef0123456789abcdef"), 404, "Not Found")
    assert api(other.token).get(f"{V3}/projects/{other.project_id}").json()["project"]["enabled"] is True


def test_users_see_only_themselves(api, member, other):
    client = api(member.token)
    me = client.get(f"{V3}/users/{member.user_id}")
    assert me.status_code == 200 and me.json()["user"]["name"] == member.user_name
    mine = client.get(f"{V3}/users/{member.user_id}/projects").json()["projects"]
    assert [p["id"] for p in mine] == [member.project_id]
    assert_keystone_error(client.get(f"{V3}/users/{other.user_id}"), 404, "Not Found")
    assert_keystone_error(client.get(f"{V3}/users/{other.user_id}/projects"), 404, "Not Found")


def test_admin_only_listings(api, member, admin):
    client = api(member.token)
    for path in ("projects", "users", "roles", "domains", "role_assignments"):
        assert_keystone_error(client.get(f"{V3}/{path}"), 403, "Forbidden")
        assert api(admin.token).get(f"{V3}/{path}").status_code == 200
    # Everyone may read the catalog resources (keystoneauth and the CLI do).
    assert client.get(f"{V3}/services").status_code == 200


def test_only_own_tokens_can_be_validated(api, member, other, admin):
    response = api(member.token).get(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN=other.token)
    assert_keystone_error(response, 403, "Forbidden")
    response = api(member.token).delete(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN=other.token)
    assert_keystone_error(response, 403, "Forbidden")
    assert api(other.token).get(f"{V3}/auth/projects").status_code == 200  # not revoked
    assert api(admin.token).delete(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN=other.token).status_code == 204
    assert_keystone_error(api(other.token).get(f"{V3}/auth/projects"), 401, "Unauthorized")
