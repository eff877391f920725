"""Issue acceptance: the whole boot with unmodified OpenStack clients.

openstacksdk and the ``openstack`` CLI: upload an image, create a keypair,
``server create --wait``, list, show, rename, delete, see it gone. Then the
same create/list with python-novaclient.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.harness import wait_for

pytestmark = [pytest.mark.live, pytest.mark.clients]


def _json(result) -> object:
    return json.loads(result.stdout)


def test_openstacksdk_boot_cycle(live_cloud, tmp_path):
    conn = live_cloud.sdk()
    name = f"sdk-{uuid.uuid4().hex[:6]}"
    image = conn.image.create_image(name=f"{name}-img", data=b"\x00" * 4096, disk_format="raw",
                                    container_format="bare", visibility="private")
    try:
        image = conn.image.get_image(image.id)
        assert image.status == "active" and image.size == 4096
        keypair = conn.compute.create_keypair(name=f"{name}-key")
        assert keypair.private_key and keypair.fingerprint
        flavor = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
        server = conn.compute.create_server(name=name, image_id=image.id, flavor_id=flavor.id,
                                            key_name=keypair.name, networks="auto")
        server = conn.compute.wait_for_server(server, status="ACTIVE", wait=60)
        assert server.key_name == keypair.name and server.flavor.original_name == "m1.tiny"
        assert server.id in {s.id for s in conn.compute.servers()}
        conn.compute.update_server(server, name=f"{name}-renamed")
        assert conn.compute.get_server(server.id).name == f"{name}-renamed"
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=60)
        assert conn.compute.find_server(server.id) is None
        conn.compute.delete_keypair(keypair)
    finally:
        conn.image.delete_image(image, ignore_missing=True)


def test_openstack_cli_boot_cycle(live_cloud, tmp_path):
    name = f"cli-{uuid.uuid4().hex[:6]}"
    data = tmp_path / "disk.raw"
    data.write_bytes(b"\x01" * 8192)
    image = _json(live_cloud.cli("image", "create", "--file", str(data), "--disk-format", "raw",
                                 "--container-format", "bare", f"{name}-img", "-f", "json"))
    keyfile = tmp_path / "key.pem"
    live_cloud.cli("keypair", "create", "--private-key", str(keyfile), f"{name}-key")
    assert "PRIVATE KEY" in keyfile.read_text()
    # --security-group is looked up in os-security-groups (no network service in the catalog).
    server = _json(live_cloud.cli("server", "create", "--image", image["id"], "--flavor", "m1.tiny",
                                  "--key-name", f"{name}-key", "--security-group", "default",
                                  "--property", "role=web", "--wait", name, "-f", "json", timeout=180))
    assert server["status"] == "ACTIVE"
    # Server metadata: set and unset (POST and DELETE /servers/{id}/metadata).
    live_cloud.cli("server", "set", "--property", "tier=1", server["id"])
    live_cloud.cli("server", "unset", "--property", "role", server["id"])
    assert _json(live_cloud.cli("server", "show", server["id"], "-f", "json"))["properties"] == {"tier": "1"}
    listed = _json(live_cloud.cli("server", "list", "-f", "json"))
    assert name in {s["Name"] for s in listed}
    shown = _json(live_cloud.cli("server", "show", name, "-f", "json"))
    assert shown["id"] == server["id"] and shown["key_name"] == f"{name}-key"
    live_cloud.cli("server", "set", "--name", f"{name}-renamed", server["id"])
    assert _json(live_cloud.cli("server", "show", server["id"], "-f", "json"))["name"] == f"{name}-renamed"
    live_cloud.cli("server", "delete", "--wait", server["id"], timeout=180)
    gone = live_cloud.cli("server", "show", server["id"], check=False)
    assert gone.returncode != 0 and "No Server found" in gone.stderr
    live_cloud.cli("keypair", "delete", f"{name}-key")
    live_cloud.cli("image", "delete", image["id"])


def test_novaclient_create_and_list(live_cloud):
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from novaclient import client as nova_client

    from tests.harness import ADMIN_PASSWORD

    auth = v3.Password(auth_url=f"{live_cloud.identity_url}/v3", username="admin", password=ADMIN_PASSWORD,
                       project_name="admin", user_domain_name="Default", project_domain_name="Default")
    nova = nova_client.Client("2.47", session=session.Session(auth=auth))
    image_id = live_cloud.insert_image("nova-image")
    server = nova.servers.create(name="nova-1", image=image_id, flavor="1", nics="auto")
    wait_for(lambda: nova.servers.get(server.id).status == "ACTIVE", timeout=60, what="ACTIVE via novaclient")
    assert server.id in {s.id for s in nova.servers.list()}
    assert nova.servers.get(server.id).name == "nova-1"
    nova.servers.delete(server.id)
    wait_for(lambda: server.id not in {s.id for s in nova.servers.list()}, timeout=60, what="deleted")
