"""GET /os-security-groups: each project's implicit default group, as the openstack CLI looks it up."""

from __future__ import annotations

import pytest
from tempest.lib.api_schema.response.compute.v2_1 import security_groups as schema

from tests.schemas import assert_schema


def test_list_and_show_the_projects_default_group(api, member, other):
    client = api(member.token, "2.1")
    listed = client.get("/compute/v2.1/os-security-groups")
    assert_schema(schema.list_security_groups, listed)
    (group,) = listed.json()["security_groups"]
    assert group["name"] == "default" and group["tenant_id"] == member.project_id
    shown = client.get(f"/compute/v2.1/os-security-groups/{group['id']}")
    assert_schema(schema.get_security_group, shown)
    assert shown.json()["security_group"] == group
    # Stable per project, and another project's group is not found.
    assert client.get("/compute/v2.1/os-security-groups").json()["security_groups"][0]["id"] == group["id"]
    other_group = api(other.token, "2.1").get("/compute/v2.1/os-security-groups").json()["security_groups"][0]
    assert other_group["id"] != group["id"]
    assert client.get(f"/compute/v2.1/os-security-groups/{other_group['id']}").status_code == 404
    assert client.get("/compute/v2.1/os-security-groups/default").status_code == 404  # looked up by id only


@pytest.mark.parametrize("version, status", [("2.35", 200), ("2.36", 404)])
def test_gone_from_2_36(api, member, version, status):
    assert api(member.token, version).get("/compute/v2.1/os-security-groups").status_code == status


def test_lookup_by_name_is_a_404_then_the_list_finds_it(api, member, db):
    """What `openstack server create --security-group default` does without a network service."""
    from compute_app.api.security_groups import DEFAULT_NAME

    client = api(member.token, "2.1")
    assert client.get(f"/compute/v2.1/os-security-groups/{DEFAULT_NAME}").status_code == 404
    names = [g["name"] for g in client.get("/compute/v2.1/os-security-groups").json()["security_groups"]]
    assert names == ["default"]
    assert api(None, "2.1").get("/compute/v2.1/os-security-groups").status_code == 401
