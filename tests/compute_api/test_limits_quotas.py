"""GET /limits, /os-quota-sets and /os-quota-class-sets: shapes per microversion, values, policy, bad input."""

from __future__ import annotations

import importlib

import pytest
from tempest.lib.api_schema.response.compute.v2_1 import quota_classes as class_schema

from compute_app.models import Instance, KeyPair, Quota, QuotaClass
from tests.schemas import assert_schema

LIMITS_21 = {"maxTotalRAMSize", "maxTotalInstances", "maxTotalCores", "maxTotalKeypairs", "maxTotalFloatingIps",
             "maxServerMeta", "maxImageMeta", "maxPersonality", "maxPersonalitySize", "maxSecurityGroups",
             "maxSecurityGroupRules", "maxServerGroups", "maxServerGroupMembers", "totalRAMUsed", "totalCoresUsed",
             "totalInstancesUsed", "totalFloatingIpsUsed", "totalSecurityGroupsUsed", "totalServerGroupsUsed"}
LIMITS_236 = LIMITS_21 - {"maxTotalFloatingIps", "maxSecurityGroups", "maxSecurityGroupRules",
                          "totalFloatingIpsUsed", "totalSecurityGroupsUsed"}
LIMITS_239 = LIMITS_236 - {"maxImageMeta"}
QUOTAS_21 = {"instances", "cores", "ram", "floating_ips", "fixed_ips", "metadata_items", "key_pairs",
             "security_groups", "security_group_rules", "server_groups", "server_group_members", "injected_files",
             "injected_file_content_bytes", "injected_file_path_bytes"}
QUOTAS_236 = QUOTAS_21 - {"floating_ips", "fixed_ips", "security_groups", "security_group_rules"}


def tempest(version: str, module: str):
    return importlib.import_module(f"tempest.lib.api_schema.response.compute.{version}.{module}")


def boot_record(account, vcpus: int = 2, ram: int = 1024) -> Instance:
    """An instance row as a finished boot leaves it (usage is counted from these)."""
    return Instance.objects.create(display_name="vm", project_id=account.project_id, user_id=account.user_id,
                                   flavor_id="1", vcpus=vcpus, memory_mb=ram, vm_state="active", task_state=None)


# --- limits --------------------------------------------------------------------------------
@pytest.mark.parametrize("version, module, keys", [
    ("2.1", "v2_1", LIMITS_21), ("2.35", "v2_1", LIMITS_21), ("2.36", "v2_36", LIMITS_236),
    ("2.38", "v2_36", LIMITS_236), ("2.39", "v2_39", LIMITS_239), ("2.47", "v2_39", LIMITS_239),
])
def test_limits_shape_per_microversion(api, member, version, module, keys):
    response = api(member.token, version).get("/compute/v2.1/limits")
    assert_schema(tempest(module, "limits").get_limit, response)
    body = response.json()["limits"]
    assert body["rate"] == [] and set(body["absolute"]) == keys


def test_limits_values_follow_quotas_and_usage(api, member):
    Quota.objects.create(project_id=member.project_id, resource="cores", hard_limit=7)
    Quota.objects.create(project_id=member.project_id, resource="metadata_items", hard_limit=3)
    boot_record(member, vcpus=2, ram=1024)
    boot_record(member, vcpus=1, ram=512)
    Instance.objects.create(display_name="gone", project_id=member.project_id, user_id=member.user_id,
                            flavor_id="1", vcpus=8, memory_mb=8, deleted=True)
    absolute = api(member.token, "2.1").get("/compute/v2.1/limits").json()["limits"]["absolute"]
    assert absolute["maxTotalCores"] == 7 and absolute["maxTotalInstances"] == 10
    assert absolute["maxServerMeta"] == absolute["maxImageMeta"] == 3
    assert (absolute["totalInstancesUsed"], absolute["totalCoresUsed"], absolute["totalRAMUsed"]) == (2, 3, 1536)
    assert absolute["totalFloatingIpsUsed"] == 0 and absolute["maxTotalRAMSize"] == 51200


def test_limits_of_another_project_are_for_admins(api, admin, member, other):
    boot_record(other)
    shown = api(admin.token).get(f"/compute/v2.1/limits?tenant_id={other.project_id}")
    assert shown.json()["limits"]["absolute"]["totalInstancesUsed"] == 1
    assert api(member.token).get(f"/compute/v2.1/limits?tenant_id={other.project_id}").status_code == 403
    assert api(member.token).get("/compute/v2.1/limits").json()["limits"]["absolute"]["totalInstancesUsed"] == 0


# --- quota sets ----------------------------------------------------------------------------------
def qs_url(project_id: str, suffix: str = "") -> str:
    return f"/compute/v2.1/os-quota-sets/{project_id}{suffix}"


@pytest.mark.parametrize("version, module, keys", [
    ("2.1", "v2_1", QUOTAS_21), ("2.35", "v2_1", QUOTAS_21), ("2.36", "v2_36", QUOTAS_236),
    ("2.47", "v2_36", QUOTAS_236),
])
def test_quota_set_shapes_per_microversion(api, admin, member, version, module, keys):
    schema = tempest(module, "quotas")
    client = api(admin.token, version)
    shown = client.get(qs_url(member.project_id))
    assert_schema(schema.get_quota_set, shown)
    assert set(shown.json()["quota_set"]) == keys | {"id"} and shown.json()["quota_set"]["id"] == member.project_id
    defaults = client.get(qs_url(member.project_id, "/defaults"))
    assert_schema(schema.get_quota_set, defaults)
    assert set(defaults.json()["quota_set"]) == keys | {"id"}
    detail = client.get(qs_url(member.project_id, "/detail"))
    assert_schema(schema.get_quota_set_details, detail)
    body = detail.json()["quota_set"]
    assert set(body) == keys | {"id"}
    assert all(set(body[k]) == {"in_use", "limit", "reserved"} for k in keys)
    updated = client.put(qs_url(member.project_id), {"quota_set": {"instances": 12}}, format="json")
    assert_schema(schema.update_quota_set, updated)
    assert set(updated.json()["quota_set"]) == keys  # no "id" in an update answer, as Nova
    deleted = client.delete(qs_url(member.project_id))
    assert_schema(schema.delete_quota, deleted)


def test_quota_update_respects_usage_unless_forced(api, admin, member):
    boot_record(member, vcpus=4)
    boot_record(member, vcpus=4)
    client = api(admin.token, "2.47")
    refused = client.put(qs_url(member.project_id), {"quota_set": {"instances": 1}}, format="json")
    assert refused.status_code == 400
    assert "must be greater than or equal to already used and reserved 2" in refused.json()["badRequest"]["message"]
    assert not Quota.objects.filter(project_id=member.project_id).exists()
    forced = client.put(qs_url(member.project_id), {"quota_set": {"instances": 1, "force": True}}, format="json")
    assert forced.status_code == 200 and forced.json()["quota_set"]["instances"] == 1
    unlimited = client.put(qs_url(member.project_id), {"quota_set": {"cores": -1, "ram": "4096"}}, format="json")
    assert unlimited.json()["quota_set"]["cores"] == -1 and unlimited.json()["quota_set"]["ram"] == 4096
    detail = client.get(qs_url(member.project_id, "/detail")).json()["quota_set"]
    assert detail["cores"] == {"in_use": 8, "limit": -1, "reserved": 0}
    assert detail["instances"] == {"in_use": 2, "limit": 1, "reserved": 0}
    # The members' own view agrees.
    assert api(member.token).get(qs_url(member.project_id)).json()["quota_set"]["cores"] == -1
    reverted = client.delete(qs_url(member.project_id))
    assert reverted.status_code == 202 and reverted.content == b""
    assert client.get(qs_url(member.project_id)).json()["quota_set"]["instances"] == 10


def test_per_user_quotas(api, admin, member, reader):
    client = api(admin.token, "2.47")
    url = qs_url(member.project_id) + f"?user_id={member.user_id}"
    client.put(qs_url(member.project_id), {"quota_set": {"instances": 8}}, format="json")
    set_user = client.put(url, {"quota_set": {"instances": 3}}, format="json")
    assert set_user.status_code == 200 and set_user.json()["quota_set"]["instances"] == 3
    assert client.get(url).json()["quota_set"]["instances"] == 3
    assert client.get(qs_url(member.project_id)).json()["quota_set"]["instances"] == 8
    # Another user of the project may get at most what the project has left (8 - 3).
    other_user = qs_url(member.project_id) + f"?user_id={reader.user_id}"
    too_much = client.put(other_user, {"quota_set": {"instances": 6}}, format="json")
    assert too_much.status_code == 400 and "less than or equal to 5" in too_much.json()["badRequest"]["message"]
    # Nor may the project go below what its users were given.
    assert client.put(qs_url(member.project_id), {"quota_set": {"instances": 2}},
                      format="json").status_code == 400
    # User usage counts only that user's instances; key pairs show 0 as in Nova.
    boot_record(member)
    KeyPair.objects.create(name="k", user_id=member.user_id, fingerprint="f", public_key="p")
    detail = client.get(qs_url(member.project_id, "/detail") + f"?user_id={member.user_id}").json()["quota_set"]
    assert detail["instances"]["in_use"] == 1 and detail["key_pairs"]["in_use"] == 0
    assert client.delete(url).status_code == 202
    assert client.get(url).json()["quota_set"]["instances"] == 8


@pytest.mark.parametrize("version, quota_set, named", [
    ("2.1", {"instances": 1.5}, "instances"),
    ("2.1", {"instances": True}, "instances"),
    ("2.1", {"instances": -2}, "instances"),
    ("2.1", {"instances": 2**31}, "instances"),
    ("2.1", {"instances": "lots"}, "instances"),
    ("2.1", {"instances": None}, "instances"),
    ("2.1", {"widgets": 1}, "widgets"),
    ("2.1", {"force": "perhaps"}, "force"),
    ("2.36", {"floating_ips": 5}, "floating_ips"),
    ("2.36", {"security_groups": 5}, "security_groups"),
])
def test_bad_quota_updates_are_400(api, admin, member, version, quota_set, named):
    response = api(admin.token, version).put(qs_url(member.project_id), {"quota_set": quota_set}, format="json")
    assert response.status_code == 400, response.content
    assert named in response.json()["badRequest"]["message"]
    assert not Quota.objects.filter(project_id=member.project_id).exists()


@pytest.mark.parametrize("body", [{}, [], {"quota_set": 5}, {"quota_set": {}, "x": 1}])
def test_malformed_quota_bodies(api, admin, member, body):
    assert api(admin.token).put(qs_url(member.project_id), body, format="json").status_code == 400


def test_network_quotas_are_still_settable_before_236(api, admin, member):
    response = api(admin.token, "2.35").put(qs_url(member.project_id), {"quota_set": {"floating_ips": 3}},
                                            format="json")
    assert response.status_code == 200 and response.json()["quota_set"]["floating_ips"] == 3


def test_unknown_project_is_400(api, admin):
    response = api(admin.token).get(qs_url("no-such-project"))
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"] == "Project ID no-such-project is not a valid project."


def test_quota_policy(api, member, reader, other):
    for account in (member, reader):
        client = api(account.token)
        assert client.get(qs_url(member.project_id)).status_code == 200
        assert client.get(qs_url(member.project_id, "/detail")).status_code == 200
        assert client.put(qs_url(member.project_id), {"quota_set": {"instances": 50}},
                          format="json").status_code == 403
        assert client.delete(qs_url(member.project_id)).status_code == 403
    client = api(other.token)
    assert client.get(qs_url(member.project_id)).status_code == 403
    assert client.get(qs_url(member.project_id, "/detail")).status_code == 403
    assert client.get(qs_url(member.project_id, "/defaults")).status_code == 200
    assert not Quota.objects.exists()


# --- quota class sets --------------------------------------------------------------------------
def test_quota_class_set_default(api, admin, member):
    client = api(admin.token, "2.1")
    shown = client.get("/compute/v2.1/os-quota-class-sets/default")
    assert_schema(class_schema.get_quota_class_set, shown)
    body = shown.json()["quota_class_set"]
    assert body["id"] == "default" and set(body) == (QUOTAS_21 - {"server_groups", "server_group_members"}) | {"id"}
    updated = client.put("/compute/v2.1/os-quota-class-sets/default",
                         {"quota_class_set": {"instances": 33, "server_groups": 4}}, format="json")
    assert_schema(class_schema.update_quota_class_set, updated)
    assert updated.json()["quota_class_set"]["instances"] == 33
    assert QuotaClass.objects.get(class_name="default", resource="server_groups").hard_limit == 4
    # The default class is every project's default.
    assert api(member.token).get(qs_url(member.project_id)).json()["quota_set"]["instances"] == 33
    assert api(member.token).get(qs_url(member.project_id, "/defaults")).json()["quota_set"]["instances"] == 33
    assert client.put("/compute/v2.1/os-quota-class-sets/default", {"quota_class_set": {"instances": "x"}},
                      format="json").status_code == 400
    assert client.put("/compute/v2.1/os-quota-class-sets/default", {"quota_class_set": {"force": True}},
                      format="json").status_code == 400


def test_quota_class_sets_are_for_admins(api, member):
    client = api(member.token)
    assert client.get("/compute/v2.1/os-quota-class-sets/default").status_code == 403
    assert client.put("/compute/v2.1/os-quota-class-sets/default", {"quota_class_set": {"instances": 1}},
                      format="json").status_code == 403
