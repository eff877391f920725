"""POST /servers: shapes, validation and policy (in-process, PostgreSQL)."""

from __future__ import annotations

import base64

import pytest
from tempest.lib.api_schema.response.compute.v2_1 import servers as schema_v21

from compute_app.models import Instance, InstanceAction, KeyPair, Quota, Service
from tests.schemas import assert_schema
from tests.servers.conftest import OMIT


def test_create_answers_202_with_admin_pass_and_records_the_instance(boot, member):
    user, project, token = member
    response = boot(token, version="2.1", networks=OMIT)
    assert_schema(schema_v21.create_server_with_admin_pass, response)
    body = response.json()["server"]
    assert response["Location"].endswith(f"/compute/v2.1/servers/{body['id']}")
    assert body["security_groups"] == [{"name": "default"}] and len(body["adminPass"]) >= 8
    instance = Instance.objects.get(uuid=body["id"])
    assert (instance.vm_state, instance.task_state, instance.project_id) == ("building", "scheduling", project.id)
    assert instance.flavor["name"] == "m1.tiny" and instance.memory_mb == 512
    assert InstanceAction.objects.filter(instance=instance, action="create").exists()


def test_multi_create_names_and_reservation(boot, member):
    _, _, token = member
    response = boot(token, min_count=3, max_count=3, return_reservation_id=True)
    reservation = response.json()["reservation_id"]
    names = sorted(Instance.objects.filter(reservation_id=reservation).values_list("display_name", flat=True))
    assert names == ["vm-1", "vm-2", "vm-3"]


@pytest.mark.parametrize("server, fragment", [
    ({"name": None}, "name"),
    ({"networks": None}, "networks"),
    ({"name": 12345}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"name": " padded "}, "name"),
    ({"name": "bad\x07bell"}, "name"),
    ({"flavorRef": "nope"}, "Flavor nope could not be found"),
    ({"imageRef": "00000000-0000-0000-0000-000000000000"}, "could not be found"),
    ({"user_data": "not base64!!"}, "user_data"),
    ({"metadata": {"k": 1}}, "metadata"),
    ({"metadata": "x"}, "metadata"),
    ({"min_count": 3, "max_count": 2}, "min_count"),
    ({"min_count": 0}, "min_count"),
    ({"max_count": True}, "max_count"),
    ({"min_count": 99999999999999999999}, "out of range"),
    ({"accessIPv4": "300.1.1.1"}, "accessIPv4"),
    ({"accessIPv6": "1.2.3.4"}, "accessIPv6"),
    ({"key_name": "missing"}, "Invalid key_name"),
    ({"availability_zone": "atlantis"}, "availability zone is not available"),
    ({"networks": "everything"}, "networks"),
    ({"networks": [{"uuid": "6b6f1b5a-8d3c-4b6b-9a1e-1e6f1d7c2a11"}]}, "could not be found"),
    ({"OS-DCF:diskConfig": "MAYBE"}, "diskConfig"),
    ({"description": "too early"}, "description"),
    ({"block_device_mapping_v2": [{"source_type": "volume", "destination_type": "volume", "uuid": "x",
                                   "boot_index": 0}]}, "volumes are not supported"),
])
def test_bad_requests_are_400_naming_the_problem(boot, member, server, fragment):
    _, _, token = member
    old = "description" in server  # a 2.19 field sent at 2.1 (where networks may not be "auto")
    response = boot(token, version="2.1" if old else "2.47", expect=400,
                    **({"networks": OMIT} if old else {}), **server)
    assert fragment in response.json()["badRequest"]["message"]


def test_missing_required_fields(api, member, image):
    _, _, token = member
    client = api(token, "2.47")
    for missing in ("name", "flavorRef", "networks"):
        server = {"name": "vm", "imageRef": image.id, "flavorRef": "1", "networks": "none"}
        del server[missing]
        response = client.post("/compute/v2.1/servers", {"server": server}, format="json")
        assert response.status_code == 400 and missing in response.json()["badRequest"]["message"]
    assert client.post("/compute/v2.1/servers", {"nope": 1}, format="json").status_code == 400
    assert client.post("/compute/v2.1/servers", [1, 2], format="json").status_code == 400


def test_image_checks(boot, member, image):
    _, _, token = member
    image.status = "queued"
    image.save()
    assert "is not active" in boot(token, expect=400).json()["badRequest"]["message"]
    image.status, image.min_ram = "active", 4096
    image.save()
    assert "memory is too small" in boot(token, expect=400).json()["badRequest"]["message"]
    image.min_ram, image.size = 0, 5 * 1024**3
    image.save()
    assert "disk is too small" in boot(token, expect=400).json()["badRequest"]["message"]


def test_bdm_with_local_image_as_the_cli_sends_it(boot, member, image):
    _, _, token = member
    bdm = [{"uuid": image.id, "boot_index": 0, "source_type": "image", "destination_type": "local",
            "delete_on_termination": True}]
    server_id = boot(token, block_device_mapping_v2=bdm).json()["server"]["id"]
    assert Instance.objects.get(uuid=server_id).image_ref == image.id


def test_keypair_and_user_data_are_recorded(boot, member):
    user, project, token = member
    KeyPair.objects.create(name="k1", user_id=user.id, project_id=project.id, fingerprint="f",
                           public_key="ssh-ed25519 AAAA test")
    user_data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
    server_id = boot(token, key_name="k1", user_data=user_data, metadata={"role": "web"}).json()["server"]["id"]
    instance = Instance.objects.get(uuid=server_id)
    assert (instance.key_name, instance.key_data, instance.user_data) == ("k1", "ssh-ed25519 AAAA test", user_data)
    assert instance.metadata == {"role": "web"}


def test_quota_exceeded_is_403_and_creates_nothing(boot, member):
    _, project, token = member
    Quota.objects.create(project_id=project.id, resource="instances", hard_limit=1)
    boot(token)
    response = boot(token, expect=403)
    assert response.json()["forbidden"]["message"].startswith("Quota exceeded for instances")
    assert Instance.objects.filter(project_id=project.id).count() == 1
    Quota.objects.filter(project_id=project.id).update(hard_limit=3)
    # max_count beyond quota: as many as fit, at least min_count.
    boot(token, min_count=1, max_count=5)
    assert Instance.objects.filter(project_id=project.id).count() == 3
    Quota.objects.create(project_id=project.id, resource="metadata_items", hard_limit=1)
    response = boot(token, expect=403, metadata={"a": "1", "b": "2"})
    assert "metadata_items" in response.json()["forbidden"]["message"]


def test_readers_cannot_create_and_forcing_a_host_is_for_admins(boot, make_account, admin):
    _, _, reader_token = make_account(("reader",))
    boot(reader_token, expect=403)
    _, _, member_token = make_account(("member",))
    Service.objects.create(binary="nova-compute", host="node-1", topic="compute")
    boot(member_token, expect=403, availability_zone="nova:node-1")
    _, _, admin_token = admin
    server_id = boot(admin_token, availability_zone="nova:node-1").json()["server"]["id"]
    assert Instance.objects.get(uuid=server_id).request_spec["force_host"] == "node-1"


def test_unauthenticated_is_401(api, image):
    response = api(None, "2.47").post("/compute/v2.1/servers", {"server": {}}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Keystone uri=")
    response = api("not-a-token", "2.47").get("/compute/v2.1/servers")
    assert response.status_code == 401


@pytest.mark.parametrize("hints", [
    {"same_host": "not-a-uuid"}, {"different_host": ["6e2a4b3c-0000-4000-8000-000000000000", 7]},
    {"different_host": []}, {"group": "not-a-uuid"}, {"group": "6e2a4b3c-0000-4000-8000-000000000000"},
])
def test_bad_scheduler_hints_are_400(api, member, image, hints):
    _, _, token = member
    response = api(token, "2.47").post("/compute/v2.1/servers", {
        "server": {"name": "vm", "imageRef": image.id, "flavorRef": "1", "networks": "none"},
        "os:scheduler_hints": hints}, format="json")
    assert response.status_code == 400, response.content
    assert not Instance.objects.exists()
