"""Server metadata, ``/servers/{id}/metadata[/{key}]`` (views: compute_app.api.metadata).

Changes are refused (409) while the server is locked (except for admins),
in a state other than active, paused, suspended or stopped, or busy with a
task, as Nova refuses them; the result may hold no more items than the
project's ``metadata_items`` quota. The row is locked from read to write, so
concurrent merges never lose each other's keys.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cloud.api.errors import Conflict
from compute_app import quotas, states
from compute_app.api.base import ComputeAPIView
from compute_app.api.metadata import Edit, MetadataItemView, MetadataOwner, MetadataView
from compute_app.api.servers.lookups import get_server
from compute_app.models import Instance
from compute_app.operations.delete import check_not_locked

CHANGEABLE_STATES = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED)


class ServerMetadata(MetadataOwner):
    kwarg = "server_id"

    def server(self, view: ComputeAPIView, server_id: str, rule: str) -> Instance:
        instance = get_server(view.ctx, server_id)
        view.authorize(f"os_compute_api:server-metadata:{rule}",
                       {"project_id": instance.project_id, "user_id": instance.user_id})
        return instance

    def read(self, view: ComputeAPIView, owner_id: str) -> dict[str, str]:
        rule = "show" if "key" in view.kwargs else "index"
        return dict(self.server(view, owner_id, rule).metadata or {})

    def change(self, view: ComputeAPIView, owner_id: str, rule: str, edit: Edit) -> dict[str, str]:
        instance = self.server(view, owner_id, rule)
        check_not_locked(instance, view.ctx)
        with transaction.atomic():
            row = Instance.objects.select_for_update().get(uuid=instance.uuid)
            if row.vm_state not in CHANGEABLE_STATES or row.task_state is not None:
                busy = f", task_state {row.task_state}" if row.task_state else ""
                raise Conflict(f"Cannot 'update_instance_metadata' instance {row.uuid} while it is in "
                               f"vm_state {row.vm_state}{busy}")
            metadata = edit(dict(row.metadata or {}))
            if len(metadata) > len(row.metadata or {}):
                quotas.check_metadata_items(row.project_id, len(metadata))
            Instance.objects.filter(uuid=row.uuid).update(metadata=metadata, updated_at=timezone.now())
        return metadata


class ServerMetadataView(MetadataView):
    owner = ServerMetadata()


class ServerMetadataItemView(MetadataItemView):
    owner = ServerMetadata()
