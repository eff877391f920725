"""Sending tasks between daemons by name.

Workers of one role never import another role's code: a compute host sends
``conductor.build_succeeded`` by name and cloud/celery.py routes it. Keeping
the names here documents every message that crosses a process boundary.
"""

from __future__ import annotations

from typing import Any

from cloud.celery import app

# scheduler
SCHEDULE_INSTANCES = "scheduler.schedule_instances"
# conductor
HOST_REPORT = "conductor.host_report"
SERVICE_HEARTBEAT = "conductor.service_heartbeat"
BUILD_SUCCEEDED = "conductor.build_succeeded"
BUILD_FAILED = "conductor.build_failed"
TERMINATE_DONE = "conductor.terminate_done"
# compute (routed to compute.<host> by the ``host`` keyword)
PING = "compute.ping"
BUILD_INSTANCE = "compute.build_instance"
TERMINATE_INSTANCE = "compute.terminate_instance"
DESTROY_ORPHAN = "compute.destroy_orphan"


class _NoResult:
    """Stands in for AsyncResult: building a real one instantiates the result
    backend, per thread, which under ASGI means per request."""

    def __init__(self, task_id: str):
        self.id = task_id


def send(name: str, **kwargs: Any) -> None:
    """Fire-and-forget: results come back as messages, never as return values.

    ``ignore_result`` matters for speed too: without it Celery subscribes to a
    result channel for every message sent.
    """
    app.send_task(name, kwargs=kwargs, ignore_result=True, result_cls=_NoResult, argsrepr="()",
                  kwargsrepr=_short_repr(kwargs))


def _short_repr(kwargs: dict[str, Any]) -> str:
    """What Flower and logs show of a message: its scalar arguments only.

    Celery's own safe repr of every argument (whole guest specs included)
    costs more than the rest of sending, and would put user data in logs.
    """
    return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in kwargs.items()
                           if isinstance(v, (str, int, float, bool)) and k not in SECRET_KEYS) + "}"


SECRET_KEYS = {"admin_password", "password", "token"}


def send_on_commit(name: str, **kwargs: Any) -> None:
    """Send once the current transaction commits (now, outside a transaction).

    A message about rows the receiver cannot yet see would race the commit.
    """
    from django.db import transaction

    transaction.on_commit(lambda: send(name, **kwargs))
