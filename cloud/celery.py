"""The Celery app, and the one place that names queues and routes tasks.

Queues (one worker command each, see README):

* ``scheduler``        - host selection and resource claims (nova-scheduler)
* ``conductor``        - build orchestration and every DB write for hosts (nova-conductor)
* ``compute.<host>``   - the hypervisor work of one host (nova-compute)
* ``network.<host>``   - bridges, DHCP, NAT of one host (nova-network)

Tasks are named ``<role>.<action>``; :func:`route_task` sends ``scheduler.*`` and
``conductor.*`` to their queue and ``compute.*``/``network.*`` to the queue of the
``host`` keyword argument, so a task for one host can only run on that host.

Delivery is at-least-once: tasks are acknowledged after they finish
(``acks_late``) and requeued if the worker dies (``reject_on_worker_lost``), so
every task must be idempotent. Messages are JSON only.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cloud.settings")

SCHEDULER_QUEUE = "scheduler"
CONDUCTOR_QUEUE = "conductor"
COMPUTE_TOPIC = "compute"
NETWORK_TOPIC = "network"
HOST_TOPICS = (COMPUTE_TOPIC, NETWORK_TOPIC)


def compute_queue(host: str) -> str:
    return f"{COMPUTE_TOPIC}.{host}"


def network_queue(host: str) -> str:
    return f"{NETWORK_TOPIC}.{host}"


def host_of_queue(queue: str) -> tuple[str, str] | None:
    """``"compute.node1"`` -> ``("compute", "node1")``; None for shared queues."""
    topic, dot, host = queue.partition(".")
    if dot and topic in HOST_TOPICS and host:
        return topic, host
    return None


def route_task(name: str, args: Any, kwargs: dict[str, Any], options: dict[str, Any], task=None, **kw):
    role = name.split(".", 1)[0]
    if role in (SCHEDULER_QUEUE, CONDUCTOR_QUEUE):
        return {"queue": role}
    if role in HOST_TOPICS:
        host = (kwargs or {}).get("host")
        if not host:
            raise ValueError(f"task {name} must be sent with a host= keyword argument")
        return {"queue": f"{role}.{host}"}
    return None


app = Celery("cloud")
# Read lazily, once Django settings are loaded (cloud/celery_config.py).
app.config_from_object("cloud.celery_config")
app.autodiscover_tasks(["compute_app.scheduler", "compute_app.conductor", "compute_app.compute",
                        "network_app", "cloud"], related_name="tasks")


# --- request ids travel with every task ----------------------------------------------
@signals.before_task_publish.connect
def _add_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    from cloud.context import get_request_id

    if headers is not None and "request_id" not in headers:
        headers["request_id"] = get_request_id()


@signals.task_prerun.connect
def _set_request_id(task=None, **kwargs: Any) -> None:
    from cloud.context import set_request_id

    request_id = getattr(task.request, "request_id", None) if task is not None else None
    set_request_id(request_id or "-")


@signals.setup_logging.connect
def _use_django_logging(**kwargs: Any) -> None:
    """Workers log as cloud/settings.py says (LOG_LEVEL, the request-id format).

    Without a receiver here Celery configures the root logger itself at the
    level of ``-l`` (WARNING unless given), so LOG_LEVEL would not reach the
    workers and their INFO lines (reschedules, sweeps) would be lost.
    """
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.worker_ready.connect
def _start_worker_services(sender=None, **kwargs: Any) -> None:
    """Every worker registers and heartbeats the services its queues stand for."""
    from compute_app.servicegroup.worker import start

    start(sender)


@signals.worker_shutdown.connect
def _stop_worker_services(sender=None, **kwargs: Any) -> None:
    from compute_app.servicegroup.worker import stop

    stop()
