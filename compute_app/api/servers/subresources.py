"""Sub-resources of a server: tags (2.26+), ips, instance actions."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from cloud.api.errors import BadRequest, Conflict, NotFound
from cloud.api.views import body_object
from compute_app import states
from compute_app.api.base import ComputeAPIView, api_base, nova_time
from compute_app.api.servers.builder import _addresses
from compute_app.api.servers.lookups import get_server
from compute_app.models import Instance, InstanceAction, InstanceTag

MAX_TAGS = 50
TAGGABLE_STATES = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED, states.SHELVED,
                   states.SHELVED_OFFLOADED, states.ERROR, states.RESCUED, states.RESIZED)


def _target(instance: Instance) -> dict[str, Any]:
    return {"project_id": instance.project_id, "user_id": instance.user_id}


def valid_tag(tag: Any) -> str:
    if not isinstance(tag, str) or not 1 <= len(tag) <= 60 or "/" in tag or "," in tag or "\x00" in tag:
        raise BadRequest(f"Invalid tag {str(tag)[:60]!r}: 1 to 60 characters, no '/' or ','.")
    return tag


class _TagBase(ComputeAPIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.api_version.at_least("2.26"):
            raise NotFound("The resource could not be found.")

    def server(self, server_id: str, rule: str, writing: bool) -> Instance:
        instance = get_server(self.ctx, server_id)
        self.authorize(rule, _target(instance))
        if writing and instance.vm_state not in TAGGABLE_STATES:
            raise Conflict(f"Cannot change tags of instance {instance.uuid} while it is in vm_state "
                           f"{instance.vm_state}")
        return instance

    @staticmethod
    def tags(instance: Instance) -> list[str]:
        return sorted(instance.tag_set.values_list("tag", flat=True))


class TagsView(_TagBase):
    def get(self, request, server_id: str):
        instance = self.server(server_id, "os_compute_api:server-tags:index", writing=False)
        return JsonResponse({"tags": self.tags(instance)})

    def put(self, request, server_id: str):
        instance = self.server(server_id, "os_compute_api:server-tags:update_all", writing=True)
        tags = body_object(request).get("tags")
        if not isinstance(tags, list):
            raise BadRequest("Invalid input: 'tags' is a required list.")
        tags = sorted({valid_tag(t) for t in tags})
        if len(tags) > MAX_TAGS:
            raise BadRequest(f"The number of tags exceeds the per-server limit {MAX_TAGS}")
        with transaction.atomic():
            instance.tag_set.all().delete()
            InstanceTag.objects.bulk_create([InstanceTag(instance=instance, tag=t) for t in tags])
        return JsonResponse({"tags": tags})

    def delete(self, request, server_id: str):
        instance = self.server(server_id, "os_compute_api:server-tags:delete_all", writing=True)
        instance.tag_set.all().delete()
        return HttpResponse(status=204)


class TagView(_TagBase):
    def get(self, request, server_id: str, tag: str):
        instance = self.server(server_id, "os_compute_api:server-tags:show", writing=False)
        if not instance.tag_set.filter(tag=tag).exists():
            raise NotFound(f"Tag {tag[:60]} could not be found on instance {instance.uuid}.")
        return HttpResponse(status=204)

    def put(self, request, server_id: str, tag: str):
        instance = self.server(server_id, "os_compute_api:server-tags:update", writing=True)
        valid_tag(tag)
        status = 204
        with transaction.atomic():
            if not instance.tag_set.filter(tag=tag).exists():
                if instance.tag_set.count() >= MAX_TAGS:
                    raise BadRequest(f"The number of tags exceeds the per-server limit {MAX_TAGS}")
                try:
                    with transaction.atomic():
                        InstanceTag.objects.create(instance=instance, tag=tag)
                    status = 201
                except IntegrityError:
                    pass  # added concurrently: the tag is there, as asked
        response = HttpResponse(status=status)
        response["Location"] = f"{api_base(request)}/v2.1/servers/{instance.uuid}/tags/{tag}"
        return response

    def delete(self, request, server_id: str, tag: str):
        instance = self.server(server_id, "os_compute_api:server-tags:delete", writing=True)
        deleted, _ = instance.tag_set.filter(tag=tag).delete()
        if not deleted:
            raise NotFound(f"Tag {tag[:60]} could not be found on instance {instance.uuid}.")
        return HttpResponse(status=204)


class IpsView(ComputeAPIView):
    """GET /servers/{id}/ips and /ips/{network}."""

    def get(self, request, server_id: str, network: str | None = None):
        instance = get_server(self.ctx, server_id)
        self.authorize("os_compute_api:servers:show", _target(instance))
        addresses = _addresses(instance, extended=False)
        if network is None:
            return JsonResponse({"addresses": addresses})
        if network not in addresses:
            raise NotFound(f"Instance is not a member of specified network {network[:60]}")
        return JsonResponse({network: addresses[network]})


def _action(action: InstanceAction) -> dict[str, Any]:
    return {"action": action.action, "instance_uuid": action.instance_id, "message": action.message,
            "project_id": action.project_id, "request_id": action.request_id,
            "start_time": nova_time(action.start_time), "user_id": action.user_id}


class InstanceActionsView(ComputeAPIView):
    def get(self, request, server_id: str):
        instance = get_server(self.ctx, server_id, include_deleted=self.version.at_least("2.21"))
        self.authorize("os_compute_api:os-instance-actions:list", _target(instance))
        actions = InstanceAction.objects.filter(instance=instance).order_by("-start_time", "-id")
        return JsonResponse({"instanceActions": [_action(a) for a in actions]})


class InstanceActionView(ComputeAPIView):
    def get(self, request, server_id: str, request_id: str):
        instance = get_server(self.ctx, server_id, include_deleted=self.version.at_least("2.21"))
        self.authorize("os_compute_api:os-instance-actions:show", _target(instance))
        action = (InstanceAction.objects.filter(instance=instance, request_id=request_id[:255])
                  .order_by("-start_time").first())
        if action is None:
            raise NotFound(f"Action for request_id {request_id[:60]} on instance {instance.uuid} not found")
        body = _action(action)
        if self.can("os_compute_api:os-instance-actions:events", _target(instance)):
            body["events"] = [
                {"event": e.event, "start_time": nova_time(e.start_time), "finish_time": nova_time(e.finish_time),
                 "result": e.result, "traceback": e.traceback}
                for e in action.events.all()
            ]
        return JsonResponse({"instanceAction": body})
