"""GET/PUT/DELETE of servers: exact shapes per microversion (Tempest's schemas), filters, paging, policy."""

from __future__ import annotations

import importlib

import pytest

from compute_app.models import Instance, InstanceFault, Service
from tests.schemas import assert_schema
from tests.servers.conftest import make_active


def tempest_schema(version: str, name: str):
    return getattr(importlib.import_module(f"tempest.lib.api_schema.response.compute.{version}.servers"), name)


# (microversion, tempest schema module holding get_server/list_servers_detail for it)
VERSIONS = [("2.1", "v2_1"), ("2.3", "v2_3"), ("2.9", "v2_9"), ("2.16", "v2_16"), ("2.19", "v2_19"),
            ("2.26", "v2_26"), ("2.47", "v2_47")]


@pytest.mark.parametrize("version, module", VERSIONS)
@pytest.mark.parametrize("role", ["admin", "member"])
def test_show_and_detail_match_tempest_schemas(api, boot, make_account, version, module, role):
    _, _, token = make_account((role,))
    server_id = boot(token, version="2.47").json()["server"]["id"]
    Service.objects.get_or_create(binary="nova-compute", host="node-1", defaults={"topic": "compute"})
    make_active(server_id)
    client = api(token, version)
    show = client.get(f"/compute/v2.1/servers/{server_id}")
    assert_schema(tempest_schema(module, "get_server"), show)
    detail = client.get("/compute/v2.1/servers/detail")
    assert_schema(tempest_schema(module, "list_servers_detail"), detail)
    body = show.json()["server"]
    assert ("OS-EXT-SRV-ATTR:host" in body) == (role == "admin")
    assert ("locked" in body) == (version not in ("2.1", "2.3"))
    if version == "2.47":
        assert body["flavor"]["original_name"] == "m1.tiny" and "id" not in body["flavor"]
    else:
        assert body["flavor"]["id"] == "1"
    assert show["OpenStack-API-Version"] == f"compute {version}"
    assert "OpenStack-API-Version" in show["Vary"]


def test_error_server_shows_its_fault(api, boot, member, admin):
    _, _, token = member
    server_id = boot(token).json()["server"]["id"]
    Instance.objects.filter(uuid=server_id).update(vm_state="error", task_state=None)
    InstanceFault.objects.create(instance_id=server_id, code=500, message="No valid host was found.",
                                 details="Traceback (most recent call last): secret internals")
    body = api(token, "2.47").get(f"/compute/v2.1/servers/{server_id}").json()["server"]
    assert body["status"] == "ERROR" and body["fault"]["message"] == "No valid host was found."
    assert "details" not in body["fault"]  # internal details are for admins only
    assert "details" in api(admin[2], "2.47").get(f"/compute/v2.1/servers/{server_id}").json()["server"]["fault"]


def test_list_is_project_scoped_and_other_projects_get_404(api, boot, make_account, admin):
    _, _, token_a = make_account(("member",))
    _, _, token_b = make_account(("member",))
    server_a = boot(token_a).json()["server"]["id"]
    client_b = api(token_b, "2.47")
    assert client_b.get("/compute/v2.1/servers").json()["servers"] == []
    for method in ("get", "delete"):
        assert getattr(client_b, method)(f"/compute/v2.1/servers/{server_a}").status_code == 404
    assert client_b.put(f"/compute/v2.1/servers/{server_a}", {"server": {"name": "x"}},
                        format="json").status_code == 404
    # all_tenants: admins see everyone's, members are refused.
    assert client_b.get("/compute/v2.1/servers?all_tenants=1").status_code == 403
    listed = api(admin[2], "2.47").get("/compute/v2.1/servers?all_tenants=1").json()["servers"]
    assert server_a in {s["id"] for s in listed}


def test_readers_read_but_cannot_write(api, boot, make_account):
    _, project, member_token = make_account(("member",))
    _, _, reader_token = make_account(("reader",), project=project)
    server_id = boot(member_token).json()["server"]["id"]
    reader = api(reader_token, "2.47")
    assert reader.get(f"/compute/v2.1/servers/{server_id}").status_code == 200
    assert reader.delete(f"/compute/v2.1/servers/{server_id}").status_code == 403
    assert reader.put(f"/compute/v2.1/servers/{server_id}", {"server": {"name": "x"}},
                      format="json").status_code == 403


def test_pagination_with_limit_and_marker(api, boot, member):
    _, _, token = member
    created = {boot(token, name=f"p{i}").json()["server"]["id"] for i in range(5)}
    client = api(token, "2.47")
    seen, url = [], "/compute/v2.1/servers?limit=2"
    while url:
        body = client.get(url).json()
        assert len(body["servers"]) <= 2
        seen += [s["id"] for s in body["servers"]]
        links = body.get("servers_links", [])
        url = links[0]["href"].split("/compute", 1)[1].replace("/compute", "") if links else None
        url = f"/compute{url}" if url else None
    assert sorted(seen) == sorted(created) and len(seen) == 5
    assert client.get("/compute/v2.1/servers?marker=nope").status_code == 400
    assert client.get("/compute/v2.1/servers?limit=-1").status_code == 400
    assert client.get("/compute/v2.1/servers?limit=99999999999999999999").status_code == 400


def test_filters(api, boot, member, image):
    _, _, token = member
    web = boot(token, name="web-1").json()["server"]["id"]
    boot(token, name="db-1")
    make_active(web)
    client = api(token, "2.47")

    def names(query: str) -> set[str]:
        response = client.get(f"/compute/v2.1/servers?{query}")
        assert response.status_code == 200, response.content
        return {s["name"] for s in response.json()["servers"]}

    assert names("name=^web") == {"web-1"}
    assert names("status=ACTIVE") == {"web-1"}
    assert names("status=BUILD") == {"db-1"}
    assert names(f"image={image.id}") == {"web-1", "db-1"}
    assert names("flavor=1") == {"web-1", "db-1"} and names("flavor=2") == set()
    assert names("changes-since=2000-01-01T00:00:00Z") == {"web-1", "db-1"}
    assert client.get("/compute/v2.1/servers?status=WHATEVER").status_code == 400  # 2.38+
    assert api(token, "2.37").get("/compute/v2.1/servers?status=WHATEVER").json()["servers"] == []
    assert client.get("/compute/v2.1/servers?name=(unclosed").status_code == 400
    assert client.get("/compute/v2.1/servers?changes-since=yesterday").status_code == 400
    assert client.get("/compute/v2.1/servers?sort_key=nope").status_code == 400
    ordered = client.get("/compute/v2.1/servers/detail?sort_key=display_name&sort_dir=asc").json()["servers"]
    assert [s["name"] for s in ordered] == ["db-1", "web-1"]


def test_rename_and_locked_servers(api, boot, member, admin):
    _, _, token = member
    server_id = boot(token).json()["server"]["id"]
    client = api(token, "2.47")
    response = client.put(f"/compute/v2.1/servers/{server_id}", {"server": {"name": "renamed",
                                                                            "description": "d"}}, format="json")
    assert_schema(tempest_schema("v2_47", "update_server"), response)
    assert response.json()["server"]["name"] == "renamed"
    assert client.put(f"/compute/v2.1/servers/{server_id}", {"server": {"name": ""}},
                      format="json").status_code == 400
    assert client.put(f"/compute/v2.1/servers/{server_id}", {"server": {"flavorRef": "2"}},
                      format="json").status_code == 400
    Instance.objects.filter(uuid=server_id).update(locked=True, locked_by="admin")
    assert client.put(f"/compute/v2.1/servers/{server_id}", {"server": {"name": "x"}},
                      format="json").status_code == 409
    assert client.delete(f"/compute/v2.1/servers/{server_id}").status_code == 409
    assert api(admin[2], "2.47").delete(f"/compute/v2.1/servers/{server_id}").status_code == 204


def test_delete_before_scheduling_is_immediate(api, boot, member):
    _, project, token = member
    server_id = boot(token).json()["server"]["id"]
    client = api(token, "2.47")
    assert client.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    assert client.get(f"/compute/v2.1/servers/{server_id}").status_code == 404
    instance = Instance.objects.get(uuid=server_id)
    assert instance.deleted and instance.vm_state == "deleted"
    # Deleted servers still show in changes-since listings, as DELETED.
    listed = client.get("/compute/v2.1/servers/detail?changes-since=2000-01-01T00:00:00Z").json()["servers"]
    assert [s["status"] for s in listed if s["id"] == server_id] == ["DELETED"]


def test_tags_api(api, boot, member):
    _, _, token = member
    server_id = boot(token).json()["server"]["id"]
    make_active(server_id)
    client = api(token, "2.26")
    base = f"/compute/v2.1/servers/{server_id}/tags"
    assert client.put(f"{base}/blue").status_code == 201
    assert client.put(f"{base}/blue").status_code == 204
    assert client.get(f"{base}/blue").status_code == 204
    assert client.get(f"{base}/red").status_code == 404
    assert_schema(tempest_schema("v2_26", "update_all_tags"),
                  client.put(base, {"tags": ["a", "b"]}, format="json"))
    assert client.get(base).json() == {"tags": ["a", "b"]}
    assert client.put(f"{base}/bad,tag").status_code == 400
    assert {s["name"] for s in client.get("/compute/v2.1/servers?tags=a,b").json()["servers"]} == {"vm"}
    assert client.get("/compute/v2.1/servers?not-tags-any=a").json()["servers"] == []
    assert client.delete(base).status_code == 204 and client.get(base).json() == {"tags": []}
    assert api(token, "2.25").get(base).status_code == 404


def test_instance_actions(api, boot, member, admin):
    _, _, token = member
    server_id = boot(token).json()["server"]["id"]
    client = api(token, "2.47")
    actions = client.get(f"/compute/v2.1/servers/{server_id}/os-instance-actions")
    assert_schema(tempest_schema("v2_1", "list_instance_actions"), actions)
    request_id = actions.json()["instanceActions"][0]["request_id"]
    shown = client.get(f"/compute/v2.1/servers/{server_id}/os-instance-actions/{request_id}")
    assert_schema(tempest_schema("v2_1", "show_instance_action"), shown)
    assert "events" not in shown.json()["instanceAction"]
    as_admin = api(admin[2], "2.47").get(f"/compute/v2.1/servers/{server_id}/os-instance-actions/{request_id}")
    assert as_admin.json()["instanceAction"]["events"] == []
