"""Deleting a server, from any state."""

from __future__ import annotations

from django.db import transaction

from cloud.api.errors import Conflict, NotFound
from cloud.context import RequestContext
from compute_app import messages, states
from compute_app.instances import mark_deleted, record_event, start_action, transition
from compute_app.models import Instance, Service


def compute_host_up(host: str | None) -> bool:
    if not host:
        return False
    service = Service.objects.filter(binary="nova-compute", host=host).first()
    return service is not None and service.is_up()


def check_not_locked(instance: Instance, context: RequestContext) -> None:
    """A locked server refuses changes from non-admins (Nova's lock semantics)."""
    if instance.locked and not context.is_admin:
        raise Conflict(f"Instance {instance.uuid} is locked")


def delete_server(instance_uuid: str, context: RequestContext) -> None:
    """Delete now when no host holds the guest (or its host is down); else ask the host.

    Either way the instance ends deleted: the host confirms through the
    conductor, and a host that never answers is handled by the conductor's
    delete timeout sweep (compute_app.conductor.sweeps).
    """
    with transaction.atomic():
        instance = Instance.objects.select_for_update().filter(uuid=instance_uuid, deleted=False).first()
        if instance is None:
            raise NotFound(f"Instance {instance_uuid} could not be found.")
        check_not_locked(instance, context)
        if instance.task_state == states.ts.DELETING:
            return  # already on its way out; deleting is idempotent
        start_action(instance.uuid, "delete", context)
        if not compute_host_up(instance.host):
            mark_deleted(instance.uuid)
            record_event(instance.uuid, "delete", "api_local_delete", success=True, finish_action=True)
            if instance.host:
                # When the host comes back it must not keep running the guest.
                messages.send_on_commit(messages.DESTROY_ORPHAN, host=instance.host, uuid=instance.uuid)
            return
        transition(instance.uuid, task_state=states.ts.DELETING)
        messages.send_on_commit(messages.TERMINATE_INSTANCE, host=instance.host, uuid=instance.uuid)
