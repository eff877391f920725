"""A task sent to ``compute.<host>`` runs on that host's worker and nowhere else, on Redis and on RabbitMQ.

Real Celery workers run as subprocesses (tests/harness.py); the test process
sends ``compute.ping``, which answers with the worker, queue and pid that ran it.
"""

from __future__ import annotations

import random

import pytest
import redis
from celery import Celery

from tests.foundation.conftest import REDIS, Broker, call_failed, stop_cloud
from tests.harness import LiveCloud, make_workdir, remove_workdir

pytestmark = pytest.mark.live


@pytest.fixture(params=["redis", "rabbitmq"])
def hosts(request):
    """Workers for hosts of one cloud on a broker of its own; yields (cloud, client Celery app)."""
    url = REDIS if request.param == "redis" else request.getfixturevalue("rabbitmq_url")
    # No heartbeats: nothing consumes the conductor queue here.
    cloud = LiveCloud(workdir=make_workdir("cloud-routing-"), broker_url=url, extra_env={"REPORT_INTERVAL": "0"})
    cloud.workdir.mkdir(parents=True, exist_ok=True)
    app = Broker(url, f"live{cloud.run_id}:").client_app()
    try:
        yield cloud, app
    finally:
        app.close()
        failed = call_failed(request)
        if failed:
            print(f"\n=== worker logs in {cloud.workdir} ===")
            for proc in cloud.procs:
                print(f"--- {proc.name} ---\n{proc.log()[-3000:]}")
        stop_cloud(cloud)
        if not failed:
            remove_workdir(cloud.workdir)


def queue_depth(app: Celery, queue: str) -> int:
    """Messages waiting in ``queue``, asked of the broker itself."""
    url = app.conf.broker_write_url  # broker_url would answer the test run's CELERY_BROKER_URL
    if url.startswith("redis"):
        # kombu's passive queue_declare ignores global_keyprefix; the list is plain Redis.
        prefix = app.conf.broker_transport_options.get("global_keyprefix", "")
        return redis.Redis.from_url(url).llen(f"{prefix}{queue}")
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=queue, passive=True).message_count


def test_host_tasks_run_only_on_that_hosts_worker(hosts):
    cloud, app = hosts
    names = {"a": f"rt-a-{cloud.run_id}", "b": f"rt-b-{cloud.run_id}", "c": f"rt-c-{cloud.run_id}"}
    workers = {names[k]: cloud.start_compute([names[k]], name=f"compute-{k}") for k in ("a", "b")}

    def check(host: str, answer: dict) -> None:
        worker = workers[host]
        assert answer["host"] == host
        assert answer["queue"] == f"compute.{host}", answer
        assert answer["pid"] == worker.popen.pid, f"{host}'s task ran in pid {answer['pid']}, not {worker.name}"
        assert answer["worker"].split("@")[0] == f"{worker.name}-{cloud.run_id}", answer

    # The first answer from each also waits for the worker to start.
    for host in workers:
        check(host, app.send_task("compute.ping", kwargs={"host": host}).get(timeout=90))

    # A task for a host without a worker is sent first: no other worker may take it.
    orphan = app.send_task("compute.ping", kwargs={"host": names["c"]})
    sequence = [names["a"], names["b"]] * 40
    random.shuffle(sequence)
    results = [(host, app.send_task("compute.ping", kwargs={"host": host})) for host in sequence]
    for host, result in results:
        check(host, result.get(timeout=30))
    # Both workers answered 80 later tasks, yet the orphan still waits in its own queue.
    assert queue_depth(app, f"compute.{names['c']}") == 1
    assert orphan.state == "PENDING"

    # Its host's worker, once started, runs it.
    workers[names["c"]] = cloud.start_compute([names["c"]], name="compute-c")
    check(names["c"], orphan.get(timeout=90))
    assert queue_depth(app, f"compute.{names['c']}") == 0


def test_a_task_without_a_host_is_refused_at_send(hosts):
    _, app = hosts
    with pytest.raises(ValueError, match="host= keyword"):
        app.send_task("compute.ping", kwargs={})
