"""Request ids: every response carries one, and the work a request causes carries it on.

Nova's headers: ``X-OpenStack-Request-Id`` and ``X-Compute-Request-Id``, both ``req-<uuid>``.
The id travels in the Celery message headers (cloud/celery.py) to the scheduler, the compute
host and back to the conductor, and lands in the instance action and in their log lines.
"""

from __future__ import annotations

import re

import pytest
import requests

from tests.foundation.secrets import remember
from tests.harness import wait_for

pytestmark = pytest.mark.live

REQUEST_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
VERSION = "2.47"


def request_id(response: requests.Response) -> str:
    rid = response.headers.get("X-OpenStack-Request-Id")
    assert rid and REQUEST_ID.match(rid), f"{response.request.method} {response.url}: {rid!r}"
    assert response.headers.get("X-Compute-Request-Id") == rid
    return rid


@pytest.fixture(scope="module")
def token(live_cloud) -> str:
    return remember(live_cloud.token())


def test_every_response_carries_a_fresh_request_id(live_cloud, token):
    url = live_cloud.url
    auth = {"X-Auth-Token": token}
    calls = [
        ("GET", f"{url}/compute/v2.1/servers", auth, None, 200),
        ("GET", f"{url}/compute/v2.1/flavors/1", auth, None, 200),
        ("GET", f"{url}/compute/v2.1", auth, None, 200),
        ("GET", f"{url}/identity/v3", {}, None, 200),
        ("GET", f"{url}/image/v2/images", auth, None, 200),
        ("POST", f"{url}/compute/v2.1/servers", auth, b'{"server": {}}', 400),
        ("GET", f"{url}/compute/v2.1/servers", {}, None, 401),
        ("GET", f"{url}/compute/v2.1/servers", {"X-Auth-Token": "bogus"}, None, 401),
        ("GET", f"{url}/compute/v2.1/os-services", {"X-Auth-Token": live_cloud.token("demo", "demo-secret-pw",
                                                                                     "demo")}, None, 403),
        ("GET", f"{url}/compute/v2.1/servers/00000000-0000-0000-0000-000000000000", auth, None, 404),
        ("GET", f"{url}/compute/v2.1/no-such-resource", auth, None, 404),
        ("GET", f"{url}/no-such-api", {}, None, 404),
        ("DELETE", f"{url}/compute/v2.1/servers", auth, None, 405),
        ("GET", f"{url}/compute/v2.1/servers", {**auth, "OpenStack-API-Version": "compute 9.9"}, None, 406),
        ("POST", f"{url}/compute/v2.1/servers", {**auth, "Content-Type": "application/json"},
         b'{"x": "' + b"y" * 200000 + b'"}', 413),
        ("POST", f"{url}/compute/v2.1/servers", {**auth, "Content-Type": "text/plain"}, b"{}", 415),
        ("GET", f"{url}/compute/v2.1/servers/a%00b", auth, None, 400),
    ]
    seen = set()
    for method, target, headers, body, status in calls:
        if body is not None:
            headers = {"Content-Type": "application/json", **headers}
        response = requests.request(method, target, headers=headers, data=body, timeout=30)
        assert response.status_code == status, (method, target, response.status_code, response.text[:200])
        seen.add(request_id(response))
    assert len(seen) == len(calls), "request ids must not repeat"


def test_a_client_cannot_choose_the_request_id(live_cloud, token):
    forced = "req-00000000-0000-4000-8000-000000000000"
    response = requests.get(f"{live_cloud.url}/compute/v2.1/servers", timeout=30,
                            headers={"X-Auth-Token": token, "X-OpenStack-Request-Id": forced})
    assert request_id(response) != forced


def test_the_instance_action_records_the_request_id(live_cloud, token):
    session = live_cloud.client(token, VERSION)
    image = live_cloud.insert_image("request-id-image")
    response = live_cloud.boot(session, image)
    rid = request_id(response)
    server_id = response.json()["server"]["id"]
    live_cloud.wait_status(session, server_id)
    actions = session.get(f"{live_cloud.url}/compute/v2.1/servers/{server_id}/os-instance-actions",
                          timeout=30).json()["instanceActions"]
    assert [(a["action"], a["request_id"]) for a in actions] == [("create", rid)]
    delete = session.delete(f"{live_cloud.url}/compute/v2.1/servers/{server_id}", timeout=30)
    live_cloud.wait_gone(session, server_id)
    rows = live_cloud.sql("SELECT request_id FROM compute_app_instanceaction WHERE instance_id = %s "
                          "AND action = 'delete'", (server_id,))
    assert rows == [(request_id(delete),)]


def test_tasks_caused_by_a_request_log_its_id(live_cloud, token):
    """A build failing on every host makes the compute hosts and the conductor log lines;
    each names the request id of the POST that caused them."""
    session = live_cloud.client(token, VERSION)
    image = live_cloud.insert_image("request-id-failing-image")
    live_cloud.set_fake_config({"fail_build": {"*": "request id probe"}})
    try:
        response = live_cloud.boot(session, image)
        rid = request_id(response)
        server_id = response.json()["server"]["id"]
        server = live_cloud.wait_status(session, server_id, ("ERROR",))
    finally:
        live_cloud.set_fake_config({})
    assert "request id probe" in server["fault"]["message"]

    def lines(prefix: str, text: str) -> list[str]:
        return [line for proc in live_cloud.procs if proc.name.startswith(prefix)
                for line in proc.log().splitlines() if f"[{rid}]" in line and text in line]

    # On each compute host: "build of <uuid> failed on <host>: request id probe".
    compute = wait_for(lambda: lines("compute", f"build of {server_id} failed"), timeout=30,
                       what="compute log lines with the request id")
    assert all("request id probe" in line for line in compute)
    # The conductor rescheduled it (to the alternate host) under the same id.
    wait_for(lambda: lines("conductor", f"rescheduling {server_id}"), timeout=30,
             what="conductor log line with the request id")
    # And no worker line about this server carries another request id (the API's access
    # log names it too, for later requests with ids of their own).
    for proc in live_cloud.procs:
        if proc.name == "api":
            continue
        for line in proc.log().splitlines():
            if server_id in line:
                assert f"[{rid}]" in line, f"{proc.name}: {line}"
    session.delete(f"{live_cloud.url}/compute/v2.1/servers/{server_id}", timeout=30)
    live_cloud.wait_gone(session, server_id)
