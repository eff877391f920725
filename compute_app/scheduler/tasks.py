"""Tasks of the scheduler (queue ``scheduler``): place new instances on hosts."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from compute_app import messages, states
from compute_app.instances import guest_spec, record_event, set_error
from compute_app.models import Instance
from compute_app.scheduler.host_state import HostState, cached_host_states
from compute_app.scheduler.select import SUPERSEDED, place, request_spec_for

LOG = logging.getLogger(__name__)
EVENT = "scheduler_select_destinations"


@shared_task(name=messages.SCHEDULE_INSTANCES, autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=0.2, max_retries=5)
def schedule_instances(instance_uuids: list[str]) -> None:
    """Pick a host for each instance still waiting in ``scheduling`` and start its build.

    Safe to run twice: instances already placed are no longer in ``scheduling``.
    """
    instances = list(Instance.objects.filter(
        uuid__in=instance_uuids, deleted=False, vm_state=states.BUILDING, task_state=states.ts.SCHEDULING,
        host__isnull=True,
    ).order_by("launch_index"))
    if not instances:
        return
    hosts = cached_host_states()
    for instance in instances:
        started = timezone.now()
        spec = request_spec_for(instance)

        def on_placed(host: HostState, alternates: list[HostState], instance=instance, started=started) -> None:
            record_event(instance.uuid, "create", EVENT, success=True, host=settings.HOST, started_at=started)
            instance.host, instance.node = host.host, host.node
            messages.send_on_commit(messages.BUILD_INSTANCE, host=host.host, spec=guest_spec(instance),
                                    attempt=1, deadline=time.time() + settings.BUILD_TIMEOUT)

        placement = place(instance, hosts, spec, on_placed)
        if placement.host is None and placement.failure != SUPERSEDED:
            # The snapshot may be stale either way (a slot taken by another
            # scheduler, or freed by a delete), and so may the server group's
            # members: decide again on fresh data.
            hosts = cached_host_states(refresh=True)
            spec = request_spec_for(instance)
            placement = place(instance, hosts, spec, on_placed)
        if placement.host is None and placement.failure != SUPERSEDED:
            fail(instance, placement.failure or "No valid host was found.", started)


def fail(instance: Instance, message: str, started) -> None:
    LOG.info("no host for %s: %s", instance.uuid, message)
    with transaction.atomic():
        if set_error(instance.uuid, message, task_states=[states.ts.SCHEDULING], vm_states=[states.BUILDING]):
            record_event(instance.uuid, "create", EVENT, success=False, host=settings.HOST,
                         started_at=started, details=message, finish_action=True)
