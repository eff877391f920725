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


def send(name: str, **kwargs: Any) -> None:
    """Fire-and-forget: results come back as messages, never as return values."""
    app.send_task(name, kwargs=kwargs)


def send_on_commit(name: str, **kwargs: Any) -> None:
    """Send once the current transaction commits (now, outside a transaction).

    A message about rows the receiver cannot yet see would race the commit.
    """
    from django.db import transaction

    transaction.on_commit(lambda: send(name, **kwargs))
