"""/os-server-groups and the ``group`` scheduler hint: shapes, policies, quotas, visibility."""

from __future__ import annotations

import pytest
from tempest.lib.api_schema.response.compute.v2_1 import server_groups as v21
from tempest.lib.api_schema.response.compute.v2_13 import server_groups as v213

from compute_app.models import Instance, Quota, ServerGroup
from image_app.models import Image
from tests.schemas import assert_schema

BASE = "/compute/v2.1/os-server-groups"


def create(client, name="g", policies=("anti-affinity",), expect=200):
    response = client.post(BASE, {"server_group": {"name": name, "policies": list(policies)}}, format="json")
    assert response.status_code == expect, response.content
    return response


@pytest.fixture
def image(db):
    return Image.objects.create(name="cirros", status="active", visibility="public", disk_format="qcow2",
                                container_format="bare", size=1024)


def boot(client, image, group_id, count=1):
    return client.post("/compute/v2.1/servers", {
        "server": {"name": "vm", "imageRef": image.id, "flavorRef": "1", "networks": "none",
                   "min_count": count, "max_count": count},
        "os:scheduler_hints": {"group": group_id}}, format="json")


@pytest.mark.parametrize("version, schema", [("2.1", v21), ("2.13", v213), ("2.47", v213)])
def test_create_show_list_delete_match_tempest_schemas(api, member, version, schema):
    client = api(member.token, version)
    created = create(client, "web")
    assert_schema(schema.create_show_server_group, created)
    group = created.json()["server_group"]
    assert group["policies"] == ["anti-affinity"] and group["members"] == [] and group["name"] == "web"
    assert ("project_id" in group) == (version != "2.1")
    shown = client.get(f"{BASE}/{group['id']}")
    assert_schema(schema.create_show_server_group, shown)
    assert shown.json()["server_group"] == group
    listed = client.get(BASE)
    assert_schema(schema.list_server_groups, listed)
    assert listed.json()["server_groups"] == [group]
    deleted = client.delete(f"{BASE}/{group['id']}")
    assert_schema(schema.delete_server_group, deleted)
    assert client.get(f"{BASE}/{group['id']}").status_code == 404


@pytest.mark.parametrize("body", [
    {"name": "g"},
    {"policies": ["affinity"]},
    {"name": "", "policies": ["affinity"]},
    {"name": "g" * 256, "policies": ["affinity"]},
    {"name": "g", "policies": []},
    {"name": "g", "policies": ["affinity", "anti-affinity"]},
    {"name": "g", "policies": ["sticky"]},
    {"name": "g", "policies": "affinity"},
    {"name": "g", "policies": ["soft-affinity"]},  # needs 2.15
    {"name": "g", "policies": ["affinity"], "rules": {}},
])
def test_bad_bodies_are_400(api, member, body):
    response = api(member.token, "2.1").post(BASE, {"server_group": body}, format="json")
    assert response.status_code == 400, response.content
    assert not ServerGroup.objects.exists()


def test_soft_policies_from_2_15(api, member):
    assert create(api(member.token, "2.15"), policies=["soft-anti-affinity"]).json()["server_group"][
        "policies"] == ["soft-anti-affinity"]


def test_projects_see_their_own_groups_and_admins_all(api, member, other, admin, reader):
    mine = create(api(member.token, "2.13")).json()["server_group"]
    theirs = create(api(other.token, "2.13")).json()["server_group"]
    assert [g["id"] for g in api(member.token, "2.13").get(BASE).json()["server_groups"]] == [mine["id"]]
    assert api(member.token, "2.13").get(f"{BASE}/{theirs['id']}").status_code == 404
    assert api(member.token, "2.13").delete(f"{BASE}/{theirs['id']}").status_code == 404
    everyone = api(admin.token, "2.13").get(f"{BASE}?all_projects=True").json()["server_groups"]
    assert {mine["id"], theirs["id"]} <= {g["id"] for g in everyone}
    # all_projects from a non-admin is ignored, as in Nova; limit/offset page the list.
    assert len(api(member.token, "2.13").get(f"{BASE}?all_projects=True").json()["server_groups"]) == 1
    assert api(admin.token, "2.13").get(f"{BASE}?all_projects=True&limit=1&offset=1").json()["server_groups"]
    # Readers read but cannot create.
    assert api(reader.token, "2.13").get(BASE).status_code == 200
    create(api(reader.token, "2.13"), expect=403)


def test_group_quota(api, member):
    Quota.objects.create(project_id=member.project_id, user_id="", resource="server_groups", hard_limit=1)
    client = api(member.token, "2.1")
    create(client)
    over = create(client, expect=403)
    assert "too many server groups" in over.json()["forbidden"]["message"]
    limits = client.get("/compute/v2.1/limits").json()["limits"]["absolute"]
    assert (limits["totalServerGroupsUsed"], limits["maxServerGroups"]) == (1, 1)


def test_scheduler_hint_adds_members_within_their_quota(api, member, other, image):
    client = api(member.token, "2.47")
    group_id = create(client).json()["server_group"]["id"]
    response = boot(client, image, group_id, count=2)
    assert response.status_code == 202, response.content
    members = client.get(f"{BASE}/{group_id}").json()["server_group"]["members"]
    assert len(members) == 2 and set(members) == set(
        Instance.objects.filter(project_id=member.project_id).values_list("uuid", flat=True))
    Quota.objects.create(project_id=member.project_id, user_id="", resource="server_group_members", hard_limit=3)
    over = boot(client, image, group_id, count=2)
    assert over.status_code == 403 and "too many servers in group" in over.json()["forbidden"]["message"]
    assert Instance.objects.filter(project_id=member.project_id).count() == 2  # nothing half-made
    # A deleted member leaves the group.
    Instance.objects.filter(uuid=members[0]).update(deleted=True)
    assert client.get(f"{BASE}/{group_id}").json()["server_group"]["members"] == [members[1]]
    # Unknown, malformed and other projects' groups are refused.
    theirs = create(api(other.token, "2.47")).json()["server_group"]["id"]
    for bad in (theirs, "00000000-0000-0000-0000-000000000000", "not-a-uuid", 7):
        assert boot(client, image, bad).status_code == 400
