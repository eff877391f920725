"""Token issue, validation and revocation, in-process (``/identity/v3/auth/*``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from identity_app import tokens
from identity_app.models import Token, User
from tests.identity.conftest import TOKEN_TIME, V3, assert_keystone_error, password_auth

pytestmark = pytest.mark.django_db


def issue(api, body, query: str = ""):
    return api().post(f"{V3}/auth/tokens{query}", body, format="json")


def test_versions(api):
    response = api().get("/identity")
    assert response.status_code == 300
    (version,) = response.json()["versions"]["values"]
    assert version["id"] == "v3.14" and version["status"] == "stable" and version["updated"]
    assert version["links"] == [{"rel": "self", "href": "http://testserver/identity/v3/"}]
    assert version["media-types"][0]["type"] == "application/vnd.openstack.identity-v3+json"
    response = api().get("/identity/v3")
    assert response.status_code == 200 and response.json() == {"version": version}


def test_password_by_names_scoped_to_project_by_names(api, member):
    body = password_auth(member.user_name, "pw", domain={"name": "Default"},
                         scope={"project": {"id": member.project_id}})
    from identity_app.models import Project

    project = Project.objects.get(id=member.project_id)
    body["auth"]["scope"] = {"project": {"name": project.name, "domain": {"name": "Default"}}}
    response = issue(api, body)
    assert response.status_code == 201, response.content
    subject = response["X-Subject-Token"]
    assert subject and subject != member.token
    token = response.json()["token"]
    assert token["methods"] == ["password"]
    assert token["user"] == {"id": member.user_id, "name": member.user_name,
                             "domain": {"id": "default", "name": "Default"}, "password_expires_at": None}
    assert token["project"] == {"id": project.id, "name": project.name,
                                "domain": {"id": "default", "name": "Default"}}
    assert token["is_domain"] is False
    assert sorted(r["name"] for r in token["roles"]) == ["member", "reader"]  # reader is implied
    assert all(set(r) == {"id", "name"} for r in token["roles"])
    assert TOKEN_TIME.match(token["expires_at"]) and TOKEN_TIME.match(token["issued_at"])
    assert token["expires_at"] > token["issued_at"]
    assert len(token["audit_ids"]) == 1 and len(token["audit_ids"][0]) == 22
    catalog = {entry["type"]: entry for entry in token["catalog"]}
    assert {"identity", "compute", "image"} <= set(catalog)
    for entry in catalog.values():
        assert set(entry) == {"id", "type", "name", "endpoints"}
        assert {ep["interface"] for ep in entry["endpoints"]} == {"public", "internal", "admin"}
        for ep in entry["endpoints"]:
            assert set(ep) == {"id", "interface", "region", "region_id", "url"}
            assert ep["region"] == ep["region_id"] == "RegionOne"
    compute_public = [ep for ep in catalog["compute"]["endpoints"] if ep["interface"] == "public"][0]
    assert compute_public["url"].endswith("/compute/v2.1")
    # The new token works for an authenticated call.
    assert api(subject).get(f"{V3}/auth/catalog").status_code == 200


def test_password_by_ids_and_nocatalog(api, member):
    body = password_auth("", "pw", user_id=member.user_id, scope={"project": {"id": member.project_id}})
    response = issue(api, body, "?nocatalog")
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    assert "catalog" not in token and token["project"]["id"] == member.project_id
    # A user named with a domain id works as well as with a domain name.
    body = password_auth(member.user_name, "pw", domain={"id": "default"}, scope="unscoped")
    assert issue(api, body).status_code == 201


def test_unscoped_and_default_project(api, member):
    explicit = issue(api, password_auth(member.user_name, "pw", scope="unscoped")).json()["token"]
    assert not {"project", "domain", "roles", "catalog", "is_domain"} & set(explicit)
    # Without a scope, Keystone scopes to the default project the user has a role on.
    default = issue(api, password_auth(member.user_name, "pw")).json()["token"]
    assert default["project"]["id"] == member.project_id
    User.objects.filter(id=member.user_id).update(default_project=None)
    unscoped = issue(api, password_auth(member.user_name, "pw")).json()["token"]
    assert "project" not in unscoped and "catalog" not in unscoped


def test_domain_scoped_token(api, admin, member):
    member_role = api(admin.token).get(f"{V3}/roles?name=member").json()["roles"][0]["id"]
    granted = api(admin.token).put(f"{V3}/domains/default/users/{member.user_id}/roles/{member_role}")
    assert granted.status_code == 204
    response = issue(api, password_auth(member.user_name, "pw", scope={"domain": {"name": "Default"}}))
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    assert token["domain"] == {"id": "default", "name": "Default"} and "project" not in token
    assert {r["name"] for r in token["roles"]} == {"member", "reader"} and token["catalog"]
    domains = api(response["X-Subject-Token"]).get(f"{V3}/auth/domains").json()["domains"]
    assert [d["id"] for d in domains] == ["default"]


def test_token_method_rescopes_and_keeps_the_chain(api, member):
    first = issue(api, password_auth(member.user_name, "pw", scope="unscoped"))
    unscoped = first["X-Subject-Token"]
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": unscoped}},
                     "scope": {"project": {"id": member.project_id}}}}
    response = issue(api, body)
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    source = first.json()["token"]
    assert token["project"]["id"] == member.project_id
    assert sorted(token["methods"]) == ["password", "token"]
    assert token["audit_ids"][1] == source["audit_ids"][0] and len(token["audit_ids"]) == 2
    assert token["expires_at"] <= source["expires_at"]  # never outlives its source


def test_validate_check_and_revoke(api, member, admin):
    client = api(member.token)
    own = client.get(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN=member.token)
    assert own.status_code == 200 and own["X-Subject-Token"] == member.token
    assert own.json()["token"]["user"]["id"] == member.user_id
    assert client.head(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN=member.token).status_code == 200
    # Admins validate anyone's token; an invalid subject is a 404.
    assert api(admin.token).get(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN=member.token).status_code == 200
    missing = api(admin.token).get(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN="not-a-token")
    assert_keystone_error(missing, 404, "Not Found")
    assert api(admin.token).head(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN="nope").status_code == 404
    # Revoke: afterwards the token is refused everywhere.
    assert client.delete(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN=member.token).status_code == 204
    assert_keystone_error(client.get(f"{V3}/auth/catalog"), 401, "Unauthorized")
    gone = api(admin.token).get(f"{V3}/auth/tokens", HTTP_X_SUBJECT_TOKEN=member.token)
    assert_keystone_error(gone, 404, "Not Found")
    rescope = {"auth": {"identity": {"methods": ["token"], "token": {"id": member.token}}}}
    assert_keystone_error(issue(api, rescope), 401, "Unauthorized")


def test_wrong_password_and_unknown_user_look_the_same(api, member):
    wrong = assert_keystone_error(issue(api, password_auth(member.user_name, "nope")), 401, "Unauthorized")
    unknown = assert_keystone_error(issue(api, password_auth("no-such-user", "pw")), 401, "Unauthorized")
    assert wrong["message"] == unknown["message"]
    response = issue(api, password_auth(member.user_name, "nope"))
    assert response["WWW-Authenticate"].startswith("Keystone uri=")
    User.objects.filter(id=member.user_id).update(enabled=False)
    disabled = assert_keystone_error(issue(api, password_auth(member.user_name, "pw")), 401, "Unauthorized")
    assert disabled["message"] == wrong["message"]


def test_scope_without_a_role_is_refused(api, member, other):
    body = password_auth(member.user_name, "pw", scope={"project": {"id": other.project_id}})
    assert_keystone_error(issue(api, body), 401, "Unauthorized")
    system = password_auth(member.user_name, "pw", scope={"system": {"all": True}})
    assert_keystone_error(issue(api, system), 401, "Unauthorized")


def test_expired_tokens_are_refused(api, member):
    with override_settings(TOKEN_LIFETIME=0):  # expires the moment it is issued
        token, record = tokens.issue(User.objects.get(id=member.user_id), methods=["password"])
    assert record.expires_at <= timezone.now()
    assert_keystone_error(api(token).get(f"{V3}/auth/projects"), 401, "Unauthorized")
    # A token that was fine, then reached its end of life.
    assert api(member.token).get(f"{V3}/auth/projects").status_code == 200
    Token.objects.filter(id_hash=tokens.hash_token(member.token)).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert_keystone_error(api(member.token).get(f"{V3}/auth/projects"), 401, "Unauthorized")
    rescope = {"auth": {"identity": {"methods": ["token"], "token": {"id": member.token}}}}
    assert_keystone_error(issue(api, rescope), 401, "Unauthorized")


def test_purge_tokens_command(member, capsys):
    Token.objects.filter(id_hash=tokens.hash_token(member.token)).update(
        expires_at=timezone.now() - timedelta(hours=2))
    call_command("purge_tokens", "--older-than", "10800")
    assert Token.objects.filter(id_hash=tokens.hash_token(member.token)).exists()  # within the grace time
    call_command("purge_tokens")
    assert not Token.objects.filter(id_hash=tokens.hash_token(member.token)).exists()
    assert "purged 1 expired token(s)" in capsys.readouterr().out


@pytest.mark.parametrize("body, field", [
    ({}, "auth"),
    ({"auth": []}, "auth"),
    ({"auth": {"identity": {"methods": "password"}}}, "auth.identity.methods"),
    ({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "x" * 300, "password": "p",
                                                                           "domain": {"id": "default"}}}}}},
     "auth.identity.password.user.name"),
    ({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "x", "password": 12,
                                                                           "domain": {"id": "default"}}}}}},
     "auth.identity.password.user.password"),
    ({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "x", "password": "p"}}}}},
     "auth.identity.password.user.domain"),
])
def test_bad_auth_bodies_name_the_field(api, body, field):
    error = assert_keystone_error(issue(api, body), 400, "Bad Request")
    assert field in error["message"]


@pytest.mark.parametrize("raw", [
    b"\xff\xfe not utf-8",
    b'{"auth": {"identity": {"methods": ["password\\u0000"]}}}',
    b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": 1' + b"0" * 400 + b"}}}}}",
    b'{"auth": ' * 100,
    b"[1, 2",
])
def test_malformed_bodies_are_400_not_500(api, raw):
    response = api().post(f"{V3}/auth/tokens", raw, content_type="application/json")
    assert_keystone_error(response, 400, "Bad Request")


def test_unsupported_method_is_401(api):
    body = {"auth": {"identity": {"methods": ["totp"], "totp": {}}}}
    assert_keystone_error(issue(api, body), 401, "Unauthorized")


def test_auth_catalog_and_projects(api, member, make_account):
    client = api(member.token)
    catalog = client.get(f"{V3}/auth/catalog")
    assert catalog.status_code == 200
    body = catalog.json()
    assert {e["type"] for e in body["catalog"]} >= {"identity", "compute", "image"}
    assert body["links"]["self"].endswith("/identity/v3/auth/catalog")
    projects = client.get(f"{V3}/auth/projects").json()
    assert [p["id"] for p in projects["projects"]] == [member.project_id]
    assert set(projects["links"]) == {"self", "previous", "next"}
    assert client.get(f"{V3}/auth/domains").json()["domains"] == []
    unscoped = issue(api, password_auth(member.user_name, "pw", scope="unscoped"))["X-Subject-Token"]
    assert_keystone_error(api(unscoped).get(f"{V3}/auth/catalog"), 403, "Forbidden")
    # Without a token: 401 with the Keystone body.
    assert_keystone_error(api().get(f"{V3}/auth/projects"), 401, "Unauthorized")
