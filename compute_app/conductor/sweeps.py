"""Periodic repairs run by every conductor (compute_app.servicegroup.worker).

Whatever dies mid-task (API, scheduler, conductor or compute process), these
give each instance a way out: a build that makes no progress for BUILD_TIMEOUT
seconds goes to ERROR with a fault, a delete that gets no answer for
DELETE_TIMEOUT seconds is completed here. Both are compare-and-swap updates,
so several conductors sweeping at once do no harm.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from compute_app import messages, states
from compute_app.instances import mark_deleted, record_event, set_error
from compute_app.models import Instance

LOG = logging.getLogger(__name__)
BATCH = 200
TOKEN_PURGE_INTERVAL = 3600.0
_last_token_purge = 0.0


def run_sweeps() -> None:
    expire_builds()
    expire_deletes()
    expire_uploads()
    purge_tokens()


def expire_uploads() -> int:
    """An image left ``saving`` by an API process that died mid-upload goes back to
    ``queued`` (its data was never committed), so it can be uploaded again."""
    from image_app import store
    from image_app.models import Image

    cutoff = timezone.now() - timedelta(seconds=settings.IMAGE_SAVING_TIMEOUT)
    count = Image.objects.filter(status="saving", updated_at__lt=cutoff).update(status="queued",
                                                                              updated_at=timezone.now())
    if count:
        LOG.warning("%d image upload(s) abandoned mid-way: back to queued", count)
        store.remove_stale_parts(settings.IMAGE_SAVING_TIMEOUT)
    return count


def purge_tokens() -> None:
    """Expired token records are useless; drop them hourly so the table stays small."""
    global _last_token_purge
    now = time.monotonic()
    if now - _last_token_purge < TOKEN_PURGE_INTERVAL:
        return
    _last_token_purge = now
    from identity_app.tokens import purge_expired

    purged = purge_expired()
    if purged:
        LOG.info("purged %d expired tokens", purged)


def expire_builds() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.BUILD_TIMEOUT)
    stuck = Instance.objects.filter(deleted=False, vm_state=states.BUILDING, state_changed_at__lt=cutoff)
    count = 0
    for instance in stuck.only("uuid", "host", "task_state", "state_changed_at")[:BATCH]:
        where = f"on host {instance.host}" if instance.host else "before a host was chosen"
        message = (f"Build timed out after {settings.BUILD_TIMEOUT:.0f} seconds {where} "
                   f"(last step: {instance.task_state or 'none'}).")
        if set_error(instance.uuid, message, code=500, host=instance.host, vm_states=[states.BUILDING],
                     where={"state_changed_at": instance.state_changed_at}):
            count += 1
            LOG.warning("instance %s: %s", instance.uuid, message)
            record_event(instance.uuid, "create", "conductor_build_timeout", success=False, details=message,
                         finish_action=True)
            if instance.host:
                # If the host comes back and finishes the build, the guest must go.
                messages.send(messages.DESTROY_ORPHAN, host=instance.host, uuid=instance.uuid)
    return count


def expire_deletes() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.DELETE_TIMEOUT)
    stuck = Instance.objects.filter(deleted=False, task_state=states.ts.DELETING, state_changed_at__lt=cutoff)
    count = 0
    for instance in stuck.only("uuid", "host", "state_changed_at")[:BATCH]:
        if mark_deleted(instance.uuid, task_states=[states.ts.DELETING],
                        where={"state_changed_at": instance.state_changed_at}):
            count += 1
            LOG.warning("instance %s: host %s did not confirm the delete; deleted locally",
                        instance.uuid, instance.host)
            if instance.host:
                messages.send(messages.DESTROY_ORPHAN, host=instance.host, uuid=instance.uuid)
    return count
