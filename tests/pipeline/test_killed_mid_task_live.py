"""A scheduler or conductor SIGKILLed in the middle of a task loses nothing.

Tasks are acknowledged only when they finish (``acks_late``), and every step
is a compare-and-swap in one transaction. So when the process dies mid-task,
its database transaction rolls back, the broker delivers the message again to
the next worker, and the build completes as if nothing had happened.

"Mid-task" is made exact rather than timed: the test holds a row lock that the
task's UPDATE needs, waits until PostgreSQL shows the worker's UPDATE waiting
on it, then kills the worker. RabbitMQ redelivers as soon as the dead
worker's connection drops; Redis after CELERY_VISIBILITY_TIMEOUT (shortened
here), when a worker restores unacknowledged messages, e.g. at its start.
"""

from __future__ import annotations

import psycopg2
import pytest

from tests.harness import LiveCloud, make_workdir, running, wait_for

pytestmark = [pytest.mark.live, pytest.mark.slow]

# Long enough that the build timeout sweep can never be what ends the build here.
BUILD_TIMEOUT = 120
VISIBILITY_TIMEOUT = 2
# The statement each role is killed in: the conductor's CAS to ACTIVE, the scheduler's claim.
WAITING_STATEMENT = {
    "conductor": "UPDATE \"compute_app_instance\"",
    "scheduler": "vcpus_used = vcpus_used +",
}


@pytest.fixture(params=["redis", "rabbitmq"])
def cloud(request):
    if request.param == "rabbitmq":
        broker_url = request.getfixturevalue("rabbitmq_url")
    else:
        broker_url = "redis://127.0.0.1:6379/0"
    cloud = LiveCloud(workdir=make_workdir("cloud-killed-"), fake_hosts=["kill-1"], broker_url=broker_url,
                      extra_env={"BUILD_TIMEOUT": str(BUILD_TIMEOUT),
                                 "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)})
    with running(cloud):
        yield cloud


class RowLock:
    """Holds ``SELECT ... FOR UPDATE`` locks in a transaction of the test's own."""

    def __init__(self, cloud: LiveCloud):
        self.conn = psycopg2.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={cloud.db_name}")

    def take(self, query: str, params: tuple = ()) -> None:
        with self.conn.cursor() as cursor:
            cursor.execute(query, params)
            assert cursor.fetchall(), "nothing to lock"

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def blocked_on(cloud: LiveCloud, statement: str) -> bool:
    rows = cloud.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                     "AND query LIKE %s", (cloud.db_name, f"%{statement}%"))
    return rows[0][0] > 0


def kill_and_replace(cloud: LiveCloud, role: str) -> None:
    worker = cloud.proc(role)
    worker.kill()  # SIGKILL
    cloud.procs.remove(worker)
    wait_for(lambda: not worker.alive(), timeout=10, what=f"{role} to die")


@pytest.mark.parametrize("role", ["scheduler", "conductor"])
def test_worker_killed_mid_task_loses_nothing(cloud, role):
    admin = cloud.client(microversion="2.47")
    image = cloud.insert_image()
    lock = RowLock(cloud)
    try:
        if role == "scheduler":
            # The claim updates the compute node: lock it before the server exists.
            lock.take("SELECT id FROM compute_app_computenode FOR UPDATE")
            server_id = cloud.boot(admin, image).json()["server"]["id"]
        else:
            # The host's result is applied to the instance row: lock it once the host is building.
            cloud.set_fake_config({"build_delay": {"kill-1": 1}})
            server_id = cloud.boot(admin, image).json()["server"]["id"]
            wait_for(lambda: (cloud.server(admin, server_id) or {}).get("OS-EXT-STS:task_state") == "spawning",
                     timeout=30, what="spawning on the host")
            lock.take("SELECT uuid FROM compute_app_instance WHERE uuid = %s FOR UPDATE", (server_id,))
        wait_for(lambda: blocked_on(cloud, WAITING_STATEMENT[role]), timeout=30,
                 what=f"the {role}'s task to wait on the lock")
        kill_and_replace(cloud, role)
    finally:
        lock.release()
    # Nothing the dead worker did is left: the build has not moved on without it.
    assert cloud.server(admin, server_id)["status"] == "BUILD"
    cloud.start_worker(role, [role])

    server = cloud.wait_status(admin, server_id, ("ACTIVE", "ERROR"), timeout=60)
    assert server["status"] == "ACTIVE", server.get("fault")
    # Exactly one claim held, and the create action finished once, successfully.
    assert cloud.sql("SELECT count(*) FROM compute_app_allocation WHERE consumer = %s", (server_id,)) == [(1,)]
    events = cloud.sql(
        "SELECT e.event, e.result FROM compute_app_instanceactionevent e JOIN compute_app_instanceaction a "
        "ON a.id = e.action_id WHERE a.instance_id = %s ORDER BY e.id", (server_id,))
    assert events == [("scheduler_select_destinations", "Success"), ("compute__do_build_and_run_instance", "Success")]
    assert admin.delete(f"{cloud.url}/compute/v2.1/servers/{server_id}").status_code == 204
    cloud.wait_gone(admin, server_id, timeout=30)
