"""Flavors, key pairs, limits, quotas and zones driven by unmodified clients against the live cloud.

openstacksdk discovers the compute API from the catalog and negotiates its
microversion from our version documents; the ``openstack`` CLI does the
everyday operator and user commands.
"""

from __future__ import annotations

import json
import uuid

import pytest

pytestmark = [pytest.mark.live, pytest.mark.clients]


def _json(result) -> object:
    return json.loads(result.stdout)


def test_openstacksdk_discovers_and_manages(live_cloud):
    conn = live_cloud.sdk()
    endpoint = conn.compute.get_endpoint_data()
    assert endpoint.url.rstrip("/").endswith("/compute/v2.1")
    assert (str(endpoint.min_microversion), str(endpoint.max_microversion)) in {("(2, 1)", "(2, 47)"),
                                                                              ("2.1", "2.47")}
    name = f"sdk-{uuid.uuid4().hex[:6]}"
    flavor = conn.compute.create_flavor(name=name, ram=256, vcpus=1, disk=1, is_public=False)
    try:
        assert flavor.is_public is False and flavor.ram == 256
        project_id = conn.current_project_id
        conn.compute.flavor_add_tenant_access(flavor, project_id)
        access = conn.compute.get_flavor_access(flavor)
        assert [a["tenant_id"] for a in access] == [project_id]
        conn.compute.create_flavor_extra_specs(flavor, {"hw:cpu_policy": "shared"})
        assert conn.compute.fetch_flavor_extra_specs(flavor).extra_specs == {"hw:cpu_policy": "shared"}
        assert conn.compute.find_flavor(name, ignore_missing=False).id == flavor.id
        assert flavor.id in {f.id for f in conn.compute.flavors(is_public=None)}
    finally:
        conn.compute.delete_flavor(flavor, ignore_missing=True)
    assert conn.compute.find_flavor(flavor.id) is None

    keypair = conn.compute.create_keypair(name=f"{name}-key")
    try:
        assert keypair.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----") and keypair.type == "ssh"
        fetched = conn.compute.get_keypair(keypair.name)
        assert fetched.fingerprint == keypair.fingerprint and fetched.public_key == keypair.public_key
        assert keypair.name in {k.name for k in conn.compute.keypairs()}
    finally:
        conn.compute.delete_keypair(keypair, ignore_missing=True)
    assert conn.compute.find_keypair(keypair.name) is None

    limits = conn.compute.get_limits()
    assert limits.absolute.instances == 10 and limits.absolute.keypairs == 100
    quota = conn.compute.get_quota_set(conn.current_project_id)
    assert quota.instances == 10
    zones = {z.name: z.state for z in conn.compute.availability_zones()}
    assert zones["nova"] == {"available": True} and "internal" not in zones


def test_openstack_cli(live_cloud, tmp_path):
    cli = live_cloud.cli
    name = f"cli-{uuid.uuid4().hex[:6]}"
    created = _json(cli("flavor", "create", "--private", "--ram", "128", "--vcpus", "1", "--disk", "2",
                        "--property", "hw:mem_page_size=small", name, "-f", "json"))
    assert created["os-flavor-access:is_public"] is False and created["ram"] == 128
    shown = _json(cli("flavor", "show", name, "-f", "json"))
    assert shown["id"] == created["id"] and shown["properties"] == {"hw:mem_page_size": "small"}
    listed = _json(cli("flavor", "list", "--all", "-f", "json"))
    assert name in {f["Name"] for f in listed}
    assert name not in {f["Name"] for f in _json(cli("flavor", "list", "-f", "json"))}  # public only by default
    cli("flavor", "delete", name)
    assert cli("flavor", "show", name, check=False).returncode != 0

    keyfile = tmp_path / "key.pem"
    # The current CLI generates the key locally and imports its public half.
    cli("keypair", "create", "--private-key", str(keyfile), f"{name}-key")
    assert "PRIVATE KEY-----" in keyfile.read_text()
    assert f"{name}-key" in {k["Name"] for k in _json(cli("keypair", "list", "-f", "json"))}
    key = _json(cli("keypair", "show", f"{name}-key", "-f", "json"))
    assert key["name"] == f"{name}-key" and key["fingerprint"].count(":") == 15
    cli("keypair", "delete", f"{name}-key")
    assert f"{name}-key" not in {k["Name"] for k in _json(cli("keypair", "list", "-f", "json"))}

    quota = _json(cli("quota", "show", "-f", "json"))
    as_dict = {row["Resource"]: row["Limit"] for row in quota} if isinstance(quota, list) else quota
    assert as_dict["instances"] == 10 and as_dict["cores"] == 20
    limits = {row["Name"]: row["Value"] for row in _json(cli("limits", "show", "--absolute", "-f", "json"))}
    # The CLI shows openstacksdk's attribute names for our maxTotalInstances, totalCoresUsed, ...
    assert limits["instances"] == 10 and limits["keypairs"] == 100
    assert isinstance(limits["total_cores_used"], int)  # other live tests may be running servers
    zones = _json(cli("availability", "zone", "list", "-f", "json"))
    assert {"Zone Name": "nova", "Zone Status": "available"} in zones
