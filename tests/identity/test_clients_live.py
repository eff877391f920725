"""The identity service driven by unmodified OpenStack clients against the live cloud.

openstacksdk and the ``openstack`` CLI authenticate through keystoneauth
(version discovery on /identity/v3, POST /v3/auth/tokens, the catalog), then
use the admin API the way operators do.
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from tests.harness import wait_for

pytestmark = [pytest.mark.live, pytest.mark.clients]


def _json(result) -> object:
    return json.loads(result.stdout)


def test_openstacksdk_authenticates_and_finds_compute(live_cloud):
    conn = live_cloud.sdk()
    token = conn.session.get_token()
    assert token
    endpoint = conn.session.get_endpoint(service_type="compute", interface="public")
    assert endpoint.rstrip("/") == f"{live_cloud.url}/compute/v2.1"
    assert conn.session.get_endpoint(service_type="image", interface="public").rstrip("/") == f"{live_cloud.url}/image"
    assert conn.current_project_id and conn.current_user_id
    # The token is what the identity API says it is.
    checked = requests.get(f"{live_cloud.identity_url}/v3/auth/tokens", timeout=10,
                           headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert checked.status_code == 200
    assert checked.json()["token"]["project"]["id"] == conn.current_project_id
    assert {"admin", "demo", "service"} <= {p.name for p in conn.identity.projects()}
    assert "member" in {r.name for r in conn.identity.roles()}


def test_cli_token_issue(live_cloud):
    issued = _json(live_cloud.cli("token", "issue", "-f", "json"))
    assert {"expires", "id", "project_id", "user_id"} <= set(issued)
    flavors = requests.get(f"{live_cloud.url}/compute/v2.1/flavors", headers={"X-Auth-Token": issued["id"]},
                           timeout=10)
    assert flavors.status_code == 200, flavors.text
    demo = _json(live_cloud.cli("token", "issue", "-f", "json", user="demo", password="demo-secret-pw",
                                project="demo"))
    assert demo["user_id"] != issued["user_id"] and demo["project_id"] != issued["project_id"]


def test_cli_projects_users_and_roles(live_cloud):
    cli = live_cloud.cli
    assert {"admin", "demo", "service"} <= {p["Name"] for p in _json(cli("project", "list", "-f", "json"))}
    name = f"cli-{uuid.uuid4().hex[:8]}"
    user = _json(cli("user", "create", "--password", "cli-user-pw", "--project", "demo", name, "-f", "json"))
    assert user["name"] == name and user["enabled"] is True and "password" not in user
    cli("role", "add", "--project", "demo", "--user", name, "member")
    listed = _json(cli("role", "assignment", "list", "--user", name, "--project", "demo", "--names",
                       "-f", "json"))
    assert [(a["Role"], a["User"], a["Project"]) for a in listed] == [("member", f"{name}@Default", "demo@Default")]
    everything = _json(cli("role", "assignment", "list", "-f", "json"))
    assert user["id"] in {a["User"] for a in everything}

    # The new user logs in with the CLI; deleting the user kills that token.
    token = _json(cli("token", "issue", "-f", "json", user=name, password="cli-user-pw", project="demo"))["id"]
    assert requests.get(f"{live_cloud.url}/compute/v2.1/flavors", headers={"X-Auth-Token": token},
                        timeout=10).status_code == 200
    cli("user", "delete", name)
    assert name not in {u["Name"] for u in _json(cli("user", "list", "-f", "json"))}
    wait_for(lambda: requests.get(f"{live_cloud.url}/compute/v2.1/flavors", headers={"X-Auth-Token": token},
                                  timeout=10).status_code == 401,
             timeout=10, what="the deleted user's token to be refused")
    assert cli("user", "show", name, check=False).returncode != 0


def test_wrong_password_through_the_cli(live_cloud):
    result = live_cloud.cli("token", "issue", "-f", "json", password="wrong-password", check=False)
    assert result.returncode != 0
    assert "401" in result.stderr or "authentication" in result.stderr.lower()
    raw = requests.post(f"{live_cloud.identity_url}/v3/auth/tokens", timeout=10, json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "admin", "domain": {"name": "Default"},
                                                       "password": "wrong-password"}}}}})
    assert raw.status_code == 401
    assert raw.json() == {"error": {"code": 401, "title": "Unauthorized",
                                    "message": "The request you have made requires authentication."}}
