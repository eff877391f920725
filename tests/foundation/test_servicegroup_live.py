"""Services register, heartbeat, and are reported down once silent for SERVICE_DOWN_TIME.

A cloud of its own (workers are killed here), with heartbeats every 0.5 s, a 3 s down time and
everything logging at DEBUG, so the secrets check at the end sees the most talkative logs.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.foundation.conftest import stop_cloud
from tests.foundation.secrets import assert_no_secrets_in_logs
from tests.harness import ADMIN_PASSWORD, DEMO_PASSWORD, LiveCloud, make_workdir, remove_workdir, wait_for

pytestmark = pytest.mark.live

DOWN_TIME = 3.0
SERVICES = "/compute/v2.1/os-services"


@pytest.fixture(scope="module")
def cloud(request):
    cloud = LiveCloud(workdir=make_workdir("cloud-services-"), fake_hosts=["sg-a"], extra_env={
        "REPORT_INTERVAL": "0.5", "SERVICE_DOWN_TIME": str(DOWN_TIME), "LOG_LEVEL": "DEBUG", "DEBUG": "1",
    })
    failed_before = request.session.testsfailed
    try:
        cloud.start()
        yield cloud
    finally:
        failed = request.session.testsfailed > failed_before
        if failed:
            print(f"\n=== services cloud logs in {cloud.workdir} ===")
            for proc in cloud.procs:
                print(f"--- {proc.name} ---\n{proc.log()[-3000:]}")
        stop_cloud(cloud)
        if not failed:
            remove_workdir(cloud.workdir)


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.client(microversion="2.11")


def listing(cloud, admin) -> dict[tuple[str, str], dict]:
    response = admin.get(cloud.url + SERVICES, timeout=10)
    assert response.status_code == 200, response.text
    return {(s["binary"], s["host"]): s for s in response.json()["services"]}


def age(service: dict) -> float:
    """Seconds since the service's last heartbeat, from the API's naive UTC ``updated_at``."""
    seen = datetime.strptime(service["updated_at"], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
    return (datetime.now(UTC) - seen).total_seconds()


def test_control_and_compute_services_are_up(cloud, admin):
    ctl = f"ctl-{cloud.run_id}"
    found = wait_for(lambda: (lambda s: s if len(s) == 3 and all(v["state"] == "up" for v in s.values())
                              else None)(listing(cloud, admin)), timeout=30, what="three services up")
    assert set(found) == {("nova-scheduler", ctl), ("nova-conductor", ctl), ("nova-compute", "sg-a")}
    for service in found.values():
        assert service["status"] == "enabled" and service["forced_down"] is False
        assert age(service) < DOWN_TIME
    assert found[("nova-compute", "sg-a")]["zone"] == "nova"
    assert found[("nova-conductor", ctl)]["zone"] == "internal"
    # The API heartbeats too, but is left out of the listing, as in Nova.
    assert cloud.sql("SELECT count(*) FROM compute_app_service WHERE \"binary\" = 'nova-osapi_compute'") == [(1,)]
    # Heartbeats keep coming: the count grows while we watch.
    counts = lambda: dict(cloud.sql('SELECT "binary", report_count FROM compute_app_service'))  # noqa: E731
    before = counts()
    wait_for(lambda: all(counts()[b] > before[b] for b in before), timeout=10, what="heartbeats to advance")


def test_a_killed_compute_is_reported_down_then_up_again(cloud, admin):
    host = "sg-b"
    worker = cloud.start_compute([host], name="compute-sg-b")
    key = ("nova-compute", host)
    wait_for(lambda: listing(cloud, admin).get(key, {}).get("state") == "up", timeout=30,
             what=f"{host} up")

    worker.kill()  # SIGKILL: no goodbye, the heartbeats just stop
    killed_at = time.monotonic()
    down = wait_for(lambda: (lambda s: s if s[key]["state"] == "down" else None)(listing(cloud, admin)),
                    timeout=DOWN_TIME + 15, what=f"{host} reported down")
    waited = time.monotonic() - killed_at
    # Down because silent for the down time: the last heartbeat is at least that old, and
    # the API did not give up on it much before that either.
    assert age(down[key]) >= DOWN_TIME
    assert waited >= DOWN_TIME - 1.0, f"reported down {waited:.1f}s after the kill"
    # Only that one: the other services keep reporting.
    assert [k for k, s in down.items() if s["state"] != "up"] == [key]

    cloud.start_compute([host], name="compute-sg-b-again")
    wait_for(lambda: listing(cloud, admin)[key]["state"] == "up", timeout=30, what=f"{host} up again")


def test_a_disabled_or_forced_down_compute_gets_no_servers(cloud, admin):
    """What the admin API changes, the scheduler obeys."""
    session = cloud.client(microversion="2.47")
    image = cloud.insert_image("services-image")
    hosts = ["sg-a", "sg-b"]
    body = {"host": "sg-a", "binary": "nova-compute"}
    assert admin.put(f"{cloud.url}{SERVICES}/disable", json=body, timeout=10).status_code == 200
    force = {"host": "sg-b", "binary": "nova-compute", "forced_down": True}
    assert admin.put(f"{cloud.url}{SERVICES}/force-down", json=force, timeout=10).status_code == 200
    try:
        server_id = cloud.boot(session, image).json()["server"]["id"]
        server = cloud.wait_status(session, server_id, ("ERROR",))
        assert server["fault"]["message"].startswith("No valid host"), server["fault"]
    finally:
        admin.put(f"{cloud.url}{SERVICES}/enable", json=body, timeout=10)
        admin.put(f"{cloud.url}{SERVICES}/force-down", json={**force, "forced_down": False}, timeout=10)
    server_id = cloud.boot(session, image).json()["server"]["id"]
    assert cloud.wait_status(session, server_id)["OS-EXT-SRV-ATTR:host"] in hosts


def test_no_secrets_in_these_logs(cloud):
    """After all of the above at DEBUG: no token and no password in any log of this cloud."""
    token = cloud.token()
    cloud.client(token).get(f"{cloud.url}/compute/v2.1/servers", timeout=10)
    assert_no_secrets_in_logs(cloud, [token, ADMIN_PASSWORD, DEMO_PASSWORD])
