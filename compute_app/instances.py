"""Changing instances: compare-and-swap state transitions, actions, events, faults.

Every state change goes through :func:`transition`, an UPDATE guarded by the
states the caller expects. A duplicated or late message finds the row in a
newer state, changes nothing and is told so, which is what makes at-least-once
delivery safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cloud.context import RequestContext
from compute_app import states
from compute_app.models import Instance, InstanceAction, InstanceActionEvent, InstanceFault

ANY = object()


def transition(uuid: str, *, task_states: Iterable[str | None] | object = ANY,
               vm_states: Iterable[str] | object = ANY, on_host: str | None | object = ANY,
               where: dict[str, Any] | None = None, **fields: Any) -> bool:
    """Apply ``fields`` if the instance is (still) in one of the expected states.

    ``task_states`` may include None (no task); ``on_host`` None means "not
    placed yet"; ``where`` adds any other ORM lookups. Returns False when another change got there first; the caller
    then decides what the stale event means.
    """
    query = Instance.objects.filter(uuid=uuid, deleted=False)
    if task_states is not ANY:
        wanted = list(task_states)  # type: ignore[call-overload]
        condition = Q(task_state__in=[t for t in wanted if t is not None])
        if None in wanted:
            condition |= Q(task_state__isnull=True)
        query = query.filter(condition)
    if vm_states is not ANY:
        query = query.filter(vm_state__in=list(vm_states))  # type: ignore[arg-type]
    if on_host is not ANY:
        query = query.filter(host=on_host)
    if where:
        query = query.filter(**where)
    if "vm_state" in fields or "task_state" in fields:
        fields.setdefault("state_changed_at", timezone.now())
    fields["updated_at"] = timezone.now()
    return query.update(**fields) == 1


# --- actions and events (os-instance-actions) -----------------------------------------
def start_action(instance_uuid: str, action: str, context: RequestContext,
                 message: str | None = None) -> InstanceAction:
    return InstanceAction.objects.create(
        instance_id=instance_uuid, action=action, request_id=context.request_id,
        user_id=context.user_id, project_id=context.project_id, message=message,
    )


def start_actions(instance_uuids: list[str], action: str, context: RequestContext) -> None:
    now = timezone.now()
    InstanceAction.objects.bulk_create([
        InstanceAction(instance_id=uuid, action=action, request_id=context.request_id,
                       user_id=context.user_id, project_id=context.project_id, start_time=now)
        for uuid in instance_uuids
    ])


def latest_action(instance_uuid: str, action: str) -> InstanceAction | None:
    return (InstanceAction.objects.filter(instance_id=instance_uuid, action=action)
            .order_by("-start_time", "-id").first())


def record_event(instance_uuid: str, action: str, event: str, *, success: bool, host: str | None = None,
                 started_at=None, details: str | None = None, traceback: str | None = None,
                 finish_action: bool = False, message: str | None = None) -> None:
    """Add a finished event to the instance's latest ``action``; optionally close the action.

    Runs on every build step, so it stays narrow: the action's id only, one
    insert, and an update of the action only when it finishes or fails.
    """
    now = timezone.now()
    action_id = (InstanceAction.objects.filter(instance_id=instance_uuid, action=action)
                 .order_by("-start_time", "-id").values_list("id", flat=True).first())
    if action_id is None:
        return
    InstanceActionEvent.objects.create(
        action_id=action_id, event=event, start_time=started_at or now, finish_time=now,
        result="Success" if success else "Error", host=host, details=details, traceback=traceback,
    )
    if finish_action or not success:
        updates: dict[str, Any] = {"updated_at": now}
        if finish_action:
            updates["finish_time"] = now
        if not success:
            updates["message"] = "Error"
        elif message:
            updates["message"] = message
        InstanceAction.objects.filter(pk=action_id).update(**updates)


def finish_action(instance_uuid: str, action: str) -> None:
    record = latest_action(instance_uuid, action)
    if record is not None and record.finish_time is None:
        now = timezone.now()
        InstanceAction.objects.filter(pk=record.pk).update(finish_time=now, updated_at=now)


# --- faults and terminal states ----------------------------------------------------------
def add_fault(instance_uuid: str, message: str, *, code: int = 500, details: str = "",
              host: str | None = None) -> None:
    InstanceFault.objects.create(instance_id=instance_uuid, code=code, message=message[:1024],
                                 details=details or "", host=host)


def set_error(instance_uuid: str, message: str, *, code: int = 500, details: str = "",
              host: str | None = None, task_states: Iterable[str | None] | object = ANY,
              vm_states: Iterable[str] | object = ANY, where: dict[str, Any] | None = None) -> bool:
    """Move to ERROR (if still in an expected state), record the fault, release the claim."""
    from compute_app.scheduler import claims

    with transaction.atomic():
        if not transition(instance_uuid, task_states=task_states, vm_states=vm_states, where=where,
                          vm_state=states.ERROR, task_state=None):
            return False
        add_fault(instance_uuid, message, code=code, details=details, host=host)
        claims.release(instance_uuid)
    return True


def mark_deleted(instance_uuid: str, *, task_states: Iterable[str | None] | object = ANY,
                 where: dict[str, Any] | None = None) -> bool:
    """Soft-delete the row and release its host claim; quota follows (it is counted)."""
    from compute_app.scheduler import claims

    now = timezone.now()
    with transaction.atomic():
        if not transition(instance_uuid, task_states=task_states, where=where, vm_state=states.DELETED,
                          task_state=None, power_state=states.power_states.NOSTATE,
                          deleted=True, deleted_at=now, terminated_at=now):
            return False
        claims.release(instance_uuid)
        finish_action(instance_uuid, "delete")
    return True


# --- what a host needs to build an instance --------------------------------------------
def guest_spec(instance: Instance) -> dict[str, Any]:
    """The build message body: everything the compute host needs, nothing it must look up."""
    spec = instance.request_spec or {}
    flavor = instance.flavor or {}
    return {
        "uuid": instance.uuid,
        "name": instance.display_name,
        "hostname": instance.hostname,
        "vcpus": instance.vcpus,
        "memory_mb": instance.memory_mb,
        "root_gb": instance.root_gb,
        "ephemeral_gb": instance.ephemeral_gb,
        "swap_mb": instance.swap,
        "flavor": {"name": flavor.get("name"), "flavorid": flavor.get("flavorid"),
                   "extra_specs": flavor.get("extra_specs", {})},
        "image": spec.get("image", {}),
        "key_data": instance.key_data,
        "user_data": instance.user_data,
        "metadata": instance.metadata,
        "requested_networks": instance.requested_networks,
        "security_groups": [g.get("name") for g in instance.security_groups],
        "block_device_mapping": instance.block_device_mapping,
        "availability_zone": instance.availability_zone,
        "project_id": instance.project_id,
        "user_id": instance.user_id,
    }
