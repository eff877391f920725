"""os-services in process: Nova's shapes (checked with Tempest's schemas), filters, updates, policy."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from tempest.lib.api_schema.response.compute.v2_1 import services as schema_21
from tempest.lib.api_schema.response.compute.v2_11 import services as schema_211

from compute_app.models import Aggregate, AggregateHost, ComputeNode, Instance, Service
from tests.schemas import assert_schema

URL = "/compute/v2.1/os-services"


@pytest.fixture
def services(db):
    Service.objects.all().delete()
    now = timezone.now()

    def service(binary: str, host: str, **fields) -> Service:
        return Service.objects.create(binary=binary, host=host, last_seen_at=fields.pop("seen", now), **fields)

    made = {
        "scheduler": service("nova-scheduler", "ctl"),
        "conductor": service("nova-conductor", "ctl"),
        "api": service("nova-osapi_compute", "ctl"),
        "up": service("nova-compute", "node-up"),
        "down": service("nova-compute", "node-down", seen=now - timedelta(hours=1)),
        "zoned": service("nova-compute", "node-zoned", disabled=True, disabled_reason="maintenance"),
        "forced": service("nova-compute", "node-forced", forced_down=True),
    }
    aggregate = Aggregate.objects.create(name="agg-z", metadata={"availability_zone": "zone-z"})
    AggregateHost.objects.create(aggregate=aggregate, host="node-zoned")
    return made


@pytest.fixture
def admin_api(api, make_account):
    _, _, token = make_account(("admin",))
    return lambda version="2.1": api(token, version)


def by_host_binary(body: dict) -> dict[tuple[str, str], dict]:
    return {(s["host"], s["binary"]): s for s in body["services"]}


def test_list_has_novas_shape_and_hides_api_services(admin_api, services):
    response = admin_api("2.1").get(URL)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert_schema(schema_21.list_services, response)
    found = by_host_binary(response.json())
    assert ("ctl", "nova-osapi_compute") not in found
    assert set(found) == {("ctl", "nova-scheduler"), ("ctl", "nova-conductor"), ("node-up", "nova-compute"),
                          ("node-down", "nova-compute"), ("node-zoned", "nova-compute"),
                          ("node-forced", "nova-compute")}
    up = found[("node-up", "nova-compute")]
    assert up["id"] == services["up"].id and isinstance(up["id"], int)
    assert (up["state"], up["status"], up["zone"], up["disabled_reason"]) == ("up", "enabled", "nova", None)
    assert found[("node-down", "nova-compute")]["state"] == "down"
    assert found[("node-forced", "nova-compute")]["state"] == "down"  # forced down, despite a fresh heartbeat
    zoned = found[("node-zoned", "nova-compute")]
    assert (zoned["status"], zoned["disabled_reason"], zoned["zone"]) == ("disabled", "maintenance", "zone-z")
    assert found[("ctl", "nova-scheduler")]["zone"] == "internal"
    # Nova's naive timestamp with microseconds, the heartbeat time.
    expected = services["up"].last_seen_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    assert up["updated_at"] == expected
    assert "forced_down" not in up


def test_forced_down_shown_from_2_11(admin_api, services):
    response = admin_api("2.11").get(URL)
    assert_schema(schema_211.list_services, response)
    found = by_host_binary(response.json())
    assert found[("node-forced", "nova-compute")]["forced_down"] is True
    assert found[("node-up", "nova-compute")]["forced_down"] is False


@pytest.mark.parametrize("query, expected", [
    ("?host=ctl", {("ctl", "nova-scheduler"), ("ctl", "nova-conductor")}),
    ("?binary=nova-scheduler", {("ctl", "nova-scheduler")}),
    ("?host=node-up&binary=nova-compute", {("node-up", "nova-compute")}),
    ("?host=node-up&binary=nova-scheduler", set()),
    ("?host=no-such-host", set()),
    ("?binary=nova-osapi_compute", set()),
])
def test_filters(admin_api, services, query, expected):
    response = admin_api().get(URL + query)
    assert response.status_code == 200
    assert set(by_host_binary(response.json())) == expected


def test_non_admins_are_refused(api, make_account, services):
    _, _, token = make_account(("member",))
    response = api(token, "2.1").get(URL)
    assert response.status_code == 403
    assert response.json()["forbidden"]["message"] == "Policy doesn't allow os_compute_api:os-services:list " \
                                                     "to be performed."
    body = {"host": "node-up", "binary": "nova-compute"}
    assert api(token, "2.1").put(f"{URL}/disable", body, format="json").status_code == 403
    assert not Service.objects.get(id=services["up"].id).disabled


def test_disable_enable_and_log_reason(admin_api, services):
    client = admin_api()
    body = {"host": "node-up", "binary": "nova-compute"}
    response = client.put(f"{URL}/disable", body, format="json")
    assert response.status_code == 200, response.content
    assert_schema(schema_21.enable_disable_service, response)
    assert response.json() == {"service": {"host": "node-up", "binary": "nova-compute", "status": "disabled"}}
    assert Service.objects.get(id=services["up"].id).disabled

    response = client.put(f"{URL}/disable-log-reason", {**body, "disabled_reason": "disk swap"}, format="json")
    assert_schema(schema_21.disable_log_reason, response)
    assert response.json()["service"]["disabled_reason"] == "disk swap"
    listed = by_host_binary(client.get(URL).json())[("node-up", "nova-compute")]
    assert (listed["status"], listed["disabled_reason"]) == ("disabled", "disk swap")

    # Plain disable ignores a reason and clears the old one, as Nova's does.
    client.put(f"{URL}/disable", {**body, "disabled_reason": "ignored"}, format="json")
    assert Service.objects.get(id=services["up"].id).disabled_reason is None

    response = client.put(f"{URL}/enable", body, format="json")
    assert_schema(schema_21.enable_disable_service, response)
    service = Service.objects.get(id=services["up"].id)
    assert (service.disabled, service.disabled_reason) == (False, None)


def test_force_down_needs_2_11(admin_api, services):
    body = {"host": "node-up", "binary": "nova-compute", "forced_down": True}
    assert admin_api("2.10").put(f"{URL}/force-down", body, format="json").status_code == 400  # unknown field
    response = admin_api("2.10").put(f"{URL}/force-down", {"host": "node-up", "binary": "nova-compute"},
                                     format="json")
    assert response.status_code == 404 and response.json()["itemNotFound"]["message"] == "Unknown action"
    response = admin_api("2.11").put(f"{URL}/force-down", body, format="json")
    assert response.status_code == 200, response.content
    assert_schema(schema_211.update_forced_down, response)
    assert Service.objects.get(id=services["up"].id).forced_down
    listed = by_host_binary(admin_api("2.11").get(URL).json())[("node-up", "nova-compute")]
    assert (listed["state"], listed["forced_down"]) == ("down", True)
    response = admin_api("2.11").put(f"{URL}/force-down", {**body, "forced_down": "false"}, format="json")
    assert response.json()["service"]["forced_down"] is False
    assert not Service.objects.get(id=services["up"].id).forced_down


@pytest.mark.parametrize("action, body, status", [
    ("disable", {"host": "node-up"}, 400),  # binary missing
    ("disable", {"binary": "nova-compute"}, 400),  # host missing
    ("disable", {"host": "node up", "binary": "nova-compute"}, 400),  # not a host name
    ("disable", {"host": "node-up", "binary": "nova-compute", "extra": 1}, 400),
    ("disable", {"host": "node-up", "binary": ""}, 400),
    ("disable", {"host": "x" * 256, "binary": "nova-compute"}, 400),
    ("disable", {"host": "node-up", "binary": 7}, 400),
    ("disable-log-reason", {"host": "node-up", "binary": "nova-compute"}, 400),  # reason missing
    ("disable-log-reason", {"host": "node-up", "binary": "nova-compute", "disabled_reason": ""}, 400),
    ("disable", {"host": "ctl", "binary": "nova-scheduler"}, 400),  # only computes can be updated
    ("disable", {"host": "nowhere", "binary": "nova-compute"}, 404),
    ("reboot", {"host": "node-up", "binary": "nova-compute"}, 404),  # unknown action
])
def test_update_refusals(admin_api, services, action, body, status):
    response = admin_api().put(f"{URL}/{action}", body, format="json")
    assert response.status_code == status, response.content
    assert set(response.json()) == {"badRequest" if status == 400 else "itemNotFound"}
    assert not Service.objects.filter(disabled=True).exclude(host="node-zoned").exists()


def test_update_with_a_non_object_body(admin_api, services):
    response = admin_api().generic("PUT", f"{URL}/disable", b"[1]", content_type="application/json")
    assert response.status_code == 400 and "badRequest" in response.json()


def test_delete(admin_api, services):
    client = admin_api()
    ComputeNode.objects.create(host="node-down", hypervisor_hostname="node-down")
    response = client.delete(f"{URL}/{services['down'].id}")
    assert response.status_code == 204 and response.content == b""
    assert not Service.objects.filter(id=services["down"].id).exists()
    assert not ComputeNode.objects.filter(host="node-down").exists()
    assert client.delete(f"{URL}/{services['down'].id}").status_code == 404
    assert client.delete(f"{URL}/{services['api'].id}").status_code == 404  # hidden here, as in the list
    for bad in ("abc", "1.5", "-1", "9" * 30):
        assert client.delete(f"{URL}/{bad}").status_code == 400, bad


def test_delete_refused_while_the_host_has_servers(admin_api, services):
    Instance.objects.create(host="node-up", node="node-up", project_id="p", user_id="u", vm_state="active")
    response = admin_api().delete(f"{URL}/{services['up'].id}")
    assert response.status_code == 409, response.content
    assert Service.objects.filter(id=services["up"].id).exists()
