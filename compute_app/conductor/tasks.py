"""Tasks of the conductor (queue ``conductor``): hosts' reports and results.

Hosts have no database access; every outcome they produce lands here and is
applied with compare-and-swap updates, so duplicates and late arrivals are
harmless (see compute_app.instances.transition).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from compute_app import messages, states
from compute_app.conductor import build
from compute_app.conductor.hosts import record_host_report
from compute_app.instances import mark_deleted, record_event
from compute_app.servicegroup.heartbeat import record_heartbeat

# Deadlocks and dropped connections are worth another try; the tasks are idempotent.
RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 0.2, "max_retries": 5}


@shared_task(name=messages.HOST_REPORT, **RETRY)
def host_report(host: str, binary: str, topic: str, report: dict[str, Any]) -> None:
    record_host_report(host, binary, topic, report)


@shared_task(name=messages.SERVICE_HEARTBEAT, **RETRY)
def service_heartbeat(host: str, binary: str, topic: str) -> None:
    record_heartbeat(binary, host, topic)


@shared_task(name=messages.BUILD_SUCCEEDED, **RETRY)
def build_succeeded(uuid: str, host: str, attempt: int, started_at: float | None = None, power_state: int = 1,
                    network_info: dict[str, Any] | None = None) -> None:
    build.build_succeeded(uuid, host, attempt, started_at, power_state, network_info)


@shared_task(name=messages.BUILD_FAILED, **RETRY)
def build_failed(uuid: str, host: str, attempt: int, reason: str, started_at: float | None = None,
                 details: str = "", reschedule: bool = True) -> None:
    build.build_failed(uuid, host, attempt, started_at, reason, details, reschedule)


@shared_task(name=messages.TERMINATE_DONE, **RETRY)
def terminate_done(uuid: str, host: str) -> None:
    if mark_deleted(uuid, task_states=[states.ts.DELETING]):
        record_event(uuid, "delete", "compute_terminate_instance", success=True, host=host, finish_action=True)
