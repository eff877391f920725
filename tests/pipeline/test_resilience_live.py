"""No instance stays in BUILD or DELETING forever, whatever process dies mid-task.

A dedicated cloud with a short BUILD_TIMEOUT/DELETE_TIMEOUT, because these
tests SIGKILL workers.
"""

from __future__ import annotations

import pytest

from tests.harness import LiveCloud, make_workdir, running, wait_for

pytestmark = [pytest.mark.live, pytest.mark.slow]
BUILD_TIMEOUT = 6


@pytest.fixture(scope="module")
def cloud():
    cloud = LiveCloud(workdir=make_workdir("cloud-resilience-"), fake_hosts=["slow-1"],
                      extra_env={"BUILD_TIMEOUT": str(BUILD_TIMEOUT), "DELETE_TIMEOUT": str(BUILD_TIMEOUT),
                                 "SWEEP_INTERVAL": "0.5"})
    with running(cloud):
        yield cloud


def _allocations(cloud: LiveCloud, server_id: str) -> list:
    return cloud.sql("SELECT node_id FROM compute_app_allocation WHERE consumer = %s", (server_id,))


def test_compute_killed_mid_build_goes_to_error_and_releases_claim(cloud):
    admin = cloud.client(microversion="2.47")
    image = cloud.insert_image()
    cloud.set_fake_config({"build_delay": {"slow-1": 60}})
    server_id = cloud.boot(admin, image).json()["server"]["id"]
    wait_for(lambda: (cloud.server(admin, server_id) or {}).get("OS-EXT-STS:task_state") == "spawning",
             timeout=20, what="spawning on the host")
    assert _allocations(cloud, server_id)
    compute = next(p for p in cloud.procs if p.name.startswith("compute"))
    compute.kill()  # SIGKILL, mid-build
    cloud.procs.remove(compute)

    server = cloud.wait_status(admin, server_id, ("ERROR",), timeout=BUILD_TIMEOUT + 20)
    assert server["fault"]["message"].startswith(f"Build timed out after {BUILD_TIMEOUT} seconds on host slow-1")
    assert _allocations(cloud, server_id) == []
    # The host comes back: nothing rebuilds the guest, and the ERROR server can be deleted.
    cloud.set_fake_config({})
    cloud.start_compute(["slow-1"])
    assert admin.delete(f"{cloud.url}/compute/v2.1/servers/{server_id}").status_code == 204
    cloud.wait_gone(admin, server_id, timeout=BUILD_TIMEOUT + 20)
    assert cloud.server(admin, server_id) is None


def test_scheduler_down_build_times_out_then_late_message_is_harmless(cloud):
    admin = cloud.client(microversion="2.47")
    image = cloud.insert_image()
    scheduler = cloud.proc("scheduler")
    scheduler.kill()
    cloud.procs.remove(scheduler)
    server_id = cloud.boot(admin, image).json()["server"]["id"]
    server = cloud.wait_status(admin, server_id, ("ERROR",), timeout=BUILD_TIMEOUT + 20)
    assert "before a host was chosen" in server["fault"]["message"]
    # The queued scheduling message is consumed when a scheduler returns; it must not revive the server.
    cloud.start_worker("scheduler", ["scheduler"])
    cloud.wait_for_services(["nova-scheduler"], [])
    follow_up = cloud.boot(admin, image).json()["server"]["id"]
    cloud.wait_status(admin, follow_up)
    assert cloud.server(admin, server_id)["status"] == "ERROR"
    for sid in (server_id, follow_up):
        admin.delete(f"{cloud.url}/compute/v2.1/servers/{sid}")
        cloud.wait_gone(admin, sid, timeout=BUILD_TIMEOUT + 20)


def test_delete_unanswered_by_a_dead_host_completes(cloud):
    admin = cloud.client(microversion="2.47")
    image = cloud.insert_image()
    server_id = cloud.boot(admin, image).json()["server"]["id"]
    cloud.wait_status(admin, server_id)
    compute = next(p for p in cloud.procs if p.name.startswith("compute"))
    compute.kill()
    cloud.procs.remove(compute)
    # The service still looks up (its last heartbeat is recent): the API asks the host, which never answers.
    assert admin.delete(f"{cloud.url}/compute/v2.1/servers/{server_id}").status_code == 204
    cloud.wait_gone(admin, server_id, timeout=BUILD_TIMEOUT + 20)
    assert _allocations(cloud, server_id) == []
    cloud.start_compute(["slow-1"])
