"""Server metadata (/servers/{id}/metadata): shapes, merge and replace, quota, states, policy."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from tempest.lib.api_schema.response.compute.v2_1 import servers as schemas

from compute_app.models import Instance, Quota
from tests.schemas import assert_schema
from tests.servers.conftest import make_active


@pytest.fixture
def server(api, boot, member):
    _, _, token = member
    server_id = boot(token, metadata={"a": "1"}).json()["server"]["id"]
    make_active(server_id)
    return server_id


def test_list_merge_replace_and_items(api, member, server):
    client = api(member[2], "2.47")
    base = f"/compute/v2.1/servers/{server}/metadata"
    listed = client.get(base)
    assert_schema(schemas.list_server_metadata, listed)
    assert listed.json() == {"metadata": {"a": "1"}}

    merged = client.post(base, {"metadata": {"b": "2", "a": "one"}}, format="json")
    assert_schema(schemas.update_server_metadata, merged)
    assert merged.json() == {"metadata": {"a": "one", "b": "2"}}
    assert client.post(base, {"metadata": {}}, format="json").json() == {"metadata": {"a": "one", "b": "2"}}

    item = client.put(f"{base}/c", {"meta": {"c": "3"}}, format="json")
    assert_schema(schemas.set_show_server_metadata_item, item)
    assert item.json() == {"meta": {"c": "3"}}
    assert client.get(f"{base}/c").json() == {"meta": {"c": "3"}}
    assert client.get(f"{base}/zz").status_code == 404

    deleted = client.delete(f"{base}/b")
    assert_schema(schemas.delete_server_metadata_item, deleted)
    assert client.delete(f"{base}/b").status_code == 404

    replaced = client.put(base, {"metadata": {"only": "this"}}, format="json")
    assert_schema(schemas.set_server_metadata, replaced)
    assert replaced.json() == {"metadata": {"only": "this"}}
    # The server itself shows the same metadata.
    assert client.get(f"/compute/v2.1/servers/{server}").json()["server"]["metadata"] == {"only": "this"}


@pytest.mark.parametrize("method, path, body", [
    ("post", "", {"metadata": {"": "blank key"}}),
    ("post", "", {"metadata": {"k" * 256: "v"}}),
    ("post", "", {"metadata": {"k": "v" * 256}}),
    ("post", "", {"metadata": {"k": 1}}),
    ("post", "", {"metadata": ["k"]}),
    ("put", "", {"meta": {"k": "v"}}),
    ("put", "/k", {"meta": {"other": "v"}}),
    ("put", "/k", {"meta": {"k": "v", "j": "w"}}),
    ("put", "/k", {"meta": {}}),
    ("put", "/k", {"metadata": {"k": "v"}}),
])
def test_bad_bodies_are_400(api, member, server, method, path, body):
    client = api(member[2], "2.47")
    response = getattr(client, method)(f"/compute/v2.1/servers/{server}/metadata{path}", body, format="json")
    assert response.status_code == 400, response.content
    assert "badRequest" in response.json()
    assert Instance.objects.get(uuid=server).metadata == {"a": "1"}


def test_quota_counts_the_result(api, member, server):
    Quota.objects.create(project_id=member[1].id, user_id="", resource="metadata_items", hard_limit=2)
    client = api(member[2], "2.47")
    base = f"/compute/v2.1/servers/{server}/metadata"
    assert client.post(base, {"metadata": {"b": "2"}}, format="json").status_code == 200
    over = client.post(base, {"metadata": {"c": "3"}}, format="json")
    assert over.status_code == 403 and "metadata_items" in over.json()["forbidden"]["message"]
    assert client.put(f"{base}/c", {"meta": {"c": "3"}}, format="json").status_code == 403
    assert client.put(base, {"metadata": {"x": "1", "y": "2", "z": "3"}}, format="json").status_code == 403
    # Replacing values keeps the count: allowed at the limit.
    assert client.put(f"{base}/b", {"meta": {"b": "two"}}, format="json").status_code == 200
    assert Instance.objects.get(uuid=server).metadata == {"a": "1", "b": "two"}


def test_states_locks_and_policy(api, member, admin, make_account, server):
    base = f"/compute/v2.1/servers/{server}/metadata"
    client = api(member[2], "2.47")
    Instance.objects.filter(uuid=server).update(vm_state="building", task_state="spawning")
    assert client.post(base, {"metadata": {"b": "2"}}, format="json").status_code == 409
    assert client.get(base).status_code == 200  # reading is always fine
    Instance.objects.filter(uuid=server).update(vm_state="active", task_state=None, locked=True)
    assert client.delete(f"{base}/a").status_code == 409
    assert api(admin[2], "2.47").delete(f"{base}/a").status_code == 204  # admins pass locks
    Instance.objects.filter(uuid=server).update(locked=False)

    reader = make_account(("reader",), project=member[1])
    assert api(reader[2], "2.47").get(base).status_code == 200
    assert api(reader[2], "2.47").post(base, {"metadata": {"b": "2"}}, format="json").status_code == 403
    outsider = make_account(("member",))
    assert api(outsider[2], "2.47").get(base).status_code == 404
    assert api(outsider[2], "2.47").post(base, {"metadata": {"b": "2"}}, format="json").status_code == 404
    assert client.get("/compute/v2.1/servers/no-such-server/metadata").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_merges_keep_every_key(api, member, server):
    """Each merge reads and writes under the row lock: no key is lost to a race."""
    errors: list[str] = []

    def merge(index: int) -> None:
        try:
            response = api(member[2], "2.47").post(f"/compute/v2.1/servers/{server}/metadata",
                                                  {"metadata": {f"k{index}": str(index)}}, format="json")
            if response.status_code != 200:
                errors.append(response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Instance.objects.get(uuid=server).metadata == {"a": "1", **{f"k{i}": str(i) for i in range(8)}}
