"""Tasks of compute hosts (queue ``compute.<host>``): the hypervisor work.

These run on hypervisor hosts without database access: they get a full
GuestSpec in the message and report every outcome to the conductor. Each task
is idempotent, because the broker delivers at least once.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from typing import Any

from celery import shared_task

from compute_app import messages
from compute_app.virt.driver import DriverError, GuestSpec, get_driver

LOG = logging.getLogger(__name__)


@shared_task(name=messages.PING, bind=True, ignore_result=False)
def ping(self, host: str) -> dict[str, Any]:
    """Answers which worker, on which queue, served a task sent to ``host``."""
    delivery = self.request.delivery_info or {}
    return {
        "host": host,
        "worker": self.request.hostname,
        "queue": delivery.get("routing_key"),
        "pid": os.getpid(),
        "node": socket.gethostname(),
        "request_id": getattr(self.request, "request_id", None),
    }


@shared_task(name=messages.BUILD_INSTANCE)
def build_instance(host: str, spec: dict[str, Any], attempt: int, deadline: float) -> None:
    """Create the guest on this host and report the result to the conductor."""
    started_at = time.time()
    uuid = spec["uuid"]
    report = {"uuid": uuid, "host": host, "attempt": attempt, "started_at": started_at}
    if time.time() > deadline:
        # The build timed out while queued; the conductor has moved on already.
        messages.send(messages.BUILD_FAILED, reason="The build request expired before the host started it.",
                      details="", reschedule=False, **report)
        return
    try:
        info = get_driver(host).spawn(GuestSpec.from_dict(spec))
    except DriverError as exc:
        LOG.warning("build of %s failed on %s: %s", uuid, host, exc)
        messages.send(messages.BUILD_FAILED, reason=str(exc), details="", reschedule=True, **report)
        return
    except Exception as exc:  # noqa: BLE001 - any driver bug becomes a readable fault
        LOG.exception("unexpected error building %s on %s", uuid, host)
        messages.send(messages.BUILD_FAILED, reason=f"Unexpected error: {type(exc).__name__}",
                      details=traceback.format_exc(limit=20), reschedule=True, **report)
        return
    messages.send(messages.BUILD_SUCCEEDED, power_state=info.power_state, network_info=info.network_info,
                  **report)


@shared_task(name=messages.TERMINATE_INSTANCE)
def terminate_instance(host: str, uuid: str) -> None:
    get_driver(host).destroy(uuid)
    messages.send(messages.TERMINATE_DONE, uuid=uuid, host=host)


@shared_task(name=messages.DESTROY_ORPHAN)
def destroy_orphan(host: str, uuid: str) -> None:
    """Remove a guest the cloud no longer wants on this host (late or duplicate build)."""
    get_driver(host).destroy(uuid)
