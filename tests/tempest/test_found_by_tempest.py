"""Servers-API bugs Tempest found, pinned in-process (PostgreSQL, no workers).

Each test names the Tempest test that caught the bug.
"""

from __future__ import annotations

import pytest

from image_app.models import Image


@pytest.fixture
def image(db) -> Image:
    return Image.objects.create(name="tiny", status="active", visibility="public", disk_format="raw",
                                container_format="bare", size=1024)


def _boot(api, token: str, image: Image, **server) -> str:
    body = {"server": {"name": "vm", "imageRef": image.id, "flavorRef": "1", **server}}
    response = api(token, "2.1").post("/compute/v2.1/servers", body, format="json")
    assert response.status_code == 202, response.content
    return response.json()["server"]["id"]


def _listed(api, token: str, query: str) -> set[str]:
    response = api(token, "2.1").get(f"/compute/v2.1/servers/detail{query}")
    assert response.status_code == 200, response.content
    return {s["id"] for s in response.json()["servers"]}


def test_admin_tenant_id_filter_needs_all_tenants(api, make_account, image):
    """admin.test_servers.ServersAdminTestJSON.test_list_servers_by_admin_with_specified_tenant.

    As Nova (lp:1185290), tenant_id/project_id are ignored without all_tenants:
    an admin then lists only its own project's servers.
    """
    _, project, member_token = make_account(("member",))
    _, admin_project, admin_token = make_account(("admin",))
    theirs = _boot(api, member_token, image)
    mine = _boot(api, admin_token, image)
    assert _listed(api, admin_token, f"?tenant_id={project.id}") == {mine}
    assert _listed(api, admin_token, f"?project_id={project.id}") == {mine}
    assert _listed(api, admin_token, f"?all_tenants=&tenant_id={project.id}") == {theirs}
    assert _listed(api, admin_token, f"?all_tenants=1&project_id={project.id}") == {theirs}
    assert _listed(api, admin_token, f"?all_tenants=&tenant_id={admin_project.id}") == {mine}


def test_unknown_security_group_is_a_400(api, make_account, image):
    """servers.test_servers_negative.ServersNegativeTestJSON.test_create_with_nonexistent_security_group."""
    _, _, token = make_account(("member",))
    body = {"server": {"name": "vm", "imageRef": image.id, "flavorRef": "1",
                       "security_groups": [{"name": "does_not_exist"}]}}
    response = api(token, "2.1").post("/compute/v2.1/servers", body, format="json")
    assert response.status_code == 400, response.content
    assert "does_not_exist" in response.json()["badRequest"]["message"]
    # The project's implicit default group is still accepted by name.
    _boot(api, token, image, security_groups=[{"name": "default"}])
