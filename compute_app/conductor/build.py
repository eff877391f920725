"""What the conductor does with build results: activate, reschedule, or fail."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from compute_app import messages, server_groups, states
from compute_app.instances import guest_spec, record_event, set_error, transition
from compute_app.models import ComputeNode, Instance
from compute_app.scheduler import claims
from compute_app.scheduler.select import disk_gb

LOG = logging.getLogger(__name__)
EVENT = "compute__do_build_and_run_instance"
BUILDING_TASKS = states.ts.BUILD_STEPS


def _when(timestamp: float | None):
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def build_succeeded(uuid: str, host: str, attempt: int, started_at: float | None, power_state: int,
                    network_info: dict[str, Any] | None) -> None:
    now = timezone.now()
    with transaction.atomic():
        done = transition(uuid, task_states=BUILDING_TASKS, vm_states=[states.BUILDING], on_host=host,
                          where={"build_attempts": attempt}, vm_state=states.ACTIVE, task_state=None,
                          power_state=power_state, launched_at=now, progress=100,
                          network_info=network_info or {}, alternates=[])
        if done:
            record_event(uuid, "create", EVENT, success=True, host=host, started_at=_when(started_at),
                         finish_action=True)
            ComputeNode.objects.filter(host=host, failed_builds__gt=0).update(failed_builds=0)
            return
    # A late or duplicate result. If the cloud no longer wants this guest on
    # this host (deleted, timed out, rescheduled), have the host remove it.
    instance = Instance.objects.filter(uuid=uuid).only("deleted", "host", "task_state", "vm_state").first()
    wanted_here = (instance is not None and not instance.deleted and instance.host == host
                   and instance.task_state != states.ts.DELETING and instance.vm_state != states.ERROR)
    if not wanted_here:
        LOG.info("stale build result for %s on %s: removing the guest", uuid, host)
        messages.send(messages.DESTROY_ORPHAN, host=host, uuid=uuid)


def build_failed(uuid: str, host: str, attempt: int, started_at: float | None, reason: str, details: str,
                 reschedule: bool) -> None:
    with transaction.atomic():
        instance = (Instance.objects.select_for_update()
                    .filter(uuid=uuid, deleted=False, vm_state=states.BUILDING, host=host,
                            task_state__in=BUILDING_TASKS, build_attempts=attempt).first())
        if instance is None:
            return  # deleted, timed out or already handled: nothing to undo
        record_event(uuid, "create", EVENT, success=False, host=host, started_at=_when(started_at),
                     details=reason, traceback=details or None)
        claims.release(uuid)
        ComputeNode.objects.filter(host=host).update(failed_builds=F("failed_builds") + 1)
        tried = list((instance.request_spec or {}).get("tried_hosts", [])) + [host]
        if reschedule and attempt < settings.SCHEDULER_MAX_ATTEMPTS and _reschedule(instance, tried, attempt):
            return
        hosts = ", ".join(tried)
        if not reschedule:
            message = f"Build of instance failed on host {host}: {reason}"
        else:
            message = (f"Build of instance failed on {len(tried)} host(s) ({hosts}); no alternate host "
                       f"left to retry. Last error on {host}: {reason}")
        set_error(uuid, message, host=host, details=details, task_states=BUILDING_TASKS,
                  vm_states=[states.BUILDING])
        record_event(uuid, "create", "conductor_build_instances", success=False, details=message,
                     finish_action=True)


def _reschedule(instance: Instance, tried: list[str], attempt: int) -> bool:
    """Claim the next alternate that still has room and send the build there."""
    alternates = list(instance.alternates or [])
    disk = disk_gb(instance)
    group = server_groups.group_of(instance.uuid)
    while alternates:
        alternate = alternates.pop(0)
        if alternate["host"] in tried:
            continue
        if group is not None and group.policy in server_groups.STRICT and not server_groups.lock_and_check(
                group.uuid, group.policy, instance.uuid, alternate["host"]):
            continue  # other members moved since the alternates were chosen
        if not claims.claim(alternate["node_id"], instance.uuid, instance.vcpus, instance.memory_mb, disk):
            continue
        spec = dict(instance.request_spec or {}, tried_hosts=tried)
        if not transition(instance.uuid, task_states=BUILDING_TASKS, vm_states=[states.BUILDING],
                          on_host=instance.host, host=alternate["host"], node=alternate["node"],
                          launched_on=alternate["host"], task_state=states.ts.SPAWNING,
                          build_attempts=attempt + 1, alternates=alternates, request_spec=spec):
            claims.release(instance.uuid)
            return False
        instance.host, instance.node = alternate["host"], alternate["node"]
        LOG.info("rescheduling %s to %s (attempt %d)", instance.uuid, alternate["host"], attempt + 1)
        messages.send_on_commit(messages.BUILD_INSTANCE, host=alternate["host"], spec=guest_spec(instance),
                                attempt=attempt + 1, deadline=time.time() + settings.BUILD_TIMEOUT)
        return True
    return False
