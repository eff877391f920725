"""The admin ``os-services`` API: which daemons run where, and are they up.

Shapes follow Nova for microversions 2.1 to 2.52 (the integer ``id`` era;
2.53 switched to uuids and to ``PUT /os-services/{uuid}``, beyond our maximum):

* ``GET /os-services`` (filters ``host`` and ``binary``): every service but the
  API ones, which Nova leaves out because they heartbeat differently and would
  look down (nova bug 1543625). ``forced_down`` appears from 2.11.
* ``PUT /os-services/{enable,disable,disable-log-reason}`` and, from 2.11,
  ``force-down``: the body names ``host`` and ``binary``; only nova-compute
  services can be changed, as in Nova.
* ``DELETE /os-services/{id}``: refused (409) while the host still has servers.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.http import HttpResponse, JsonResponse

from cloud.api.errors import BadRequest, Conflict, NotFound
from cloud.api.routing import route
from cloud.api.views import body_object, parse_bool
from compute_app.api.base import ComputeAPIView, nova_time
from compute_app.models import AggregateHost, ComputeNode, Instance, Service
from compute_app.servicegroup.heartbeat import API_BINARY
from compute_app.zones import COMPUTE_BINARY, service_zones

# Not RPC services: Nova hides them from this API (see the module docstring).
HIDDEN_BINARIES = (API_BINARY, "nova-metadata")
_HOST_RE = re.compile(r"^[a-zA-Z0-9-._]*$")  # Nova's "fqdn" schema for the body's host


def service_view(service: Service, zone: str, with_forced_down: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": service.id,
        "binary": service.binary,
        "host": service.host,
        "zone": zone,
        "status": "disabled" if service.disabled else "enabled",
        "state": "up" if service.is_up() else "down",
        # Nova shows the last heartbeat time here (its heartbeat saves the row).
        "updated_at": nova_time(service.last_seen_at or service.updated_at),
        "disabled_reason": service.disabled_reason,
    }
    if with_forced_down:
        body["forced_down"] = service.forced_down
    return body


class ServicesView(ComputeAPIView):
    def get(self, request):
        self.authorize("os_compute_api:os-services:list")
        services = Service.objects.exclude(binary__in=HIDDEN_BINARIES)
        # Nova filters on exact values and ignores empty ones.
        host = request.query_params.get("host")
        binary = request.query_params.get("binary")
        if host:
            services = services.filter(host=host)
        if binary:
            services = services.filter(binary=binary)
        services = list(services.order_by("id"))
        with_forced_down = self.version.at_least("2.11")
        return JsonResponse({"services": [
            service_view(s, zone, with_forced_down) for s, zone in service_zones(services)
        ]})


def _text(body: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    """A 1..255 character string field, as Nova's update schema."""
    if key not in body:
        if required:
            raise BadRequest(f"Invalid input for field/attribute {key}. '{key}' is a required property")
        return None
    value = body[key]
    if not isinstance(value, str) or not 1 <= len(value) <= 255:
        raise BadRequest(f"Invalid input for field/attribute {key}. Value must be a string of 1 to 255 characters.")
    return value


def _update_body(request) -> tuple[dict[str, Any], str, str]:
    allowed = {"host", "binary", "disabled_reason"}
    if request.api_version.at_least("2.11"):
        allowed.add("forced_down")
    body = body_object(request)
    extra = sorted(set(body) - allowed)
    if extra:
        raise BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, extra))} "
                         f"{'was' if len(extra) == 1 else 'were'} unexpected)")
    host = _text(body, "host")
    binary = _text(body, "binary")
    if not _HOST_RE.match(host):
        raise BadRequest(f"Invalid input for field/attribute host. Value: {host[:64]!r} does not match "
                         f"'{_HOST_RE.pattern}'")
    _text(body, "disabled_reason", required=False)
    return body, host, binary


class ServiceView(ComputeAPIView):
    """``PUT /os-services/<action>`` with ``{"host": ..., "binary": ...}`` (the form
    before 2.53), and ``DELETE /os-services/<integer id>``."""

    def put(self, request, service_id: str):
        action = service_id  # before 2.53 the path names an action, not a service
        body, host, binary = _update_body(request)
        self.authorize("os_compute_api:os-services:update")
        actions = ["enable", "disable", "disable-log-reason"]
        if self.version.at_least("2.11"):
            actions.append("force-down")
        if action not in actions:
            raise NotFound("Unknown action")
        if binary != COMPUTE_BINARY:
            raise BadRequest(f"Updating a {binary} service is not supported. "
                             f"Only nova-compute services can be updated.")
        result: dict[str, Any] = {"host": host, "binary": binary}
        if action == "force-down":
            if "forced_down" not in body:
                raise BadRequest("Missing forced_down field")
            forced_down = parse_bool(body["forced_down"], "forced_down")
            changes: dict[str, Any] = {"forced_down": forced_down}
            result["forced_down"] = forced_down
        elif action == "enable":
            changes = {"disabled": False, "disabled_reason": None}
            result["status"] = "enabled"
        else:
            # As Nova: only disable-log-reason records a reason; plain disable clears it.
            reason = body.get("disabled_reason") if action == "disable-log-reason" else None
            if action == "disable-log-reason" and reason is None:
                raise BadRequest("Missing disabled reason field")
            changes = {"disabled": True, "disabled_reason": reason}
            result["status"] = "disabled"
            if reason:
                result["disabled_reason"] = reason
        if not Service.objects.filter(host=host, binary=binary).update(**changes):
            raise NotFound(f"Could not find binary {binary} on host {host}.")
        return JsonResponse({"service": result})

    def delete(self, request, service_id: str):
        self.authorize("os_compute_api:os-services:delete")
        if not service_id.isascii() or not service_id.isdigit() or len(service_id) > 18:
            raise BadRequest(f"Invalid input for field/attribute id. Value: {service_id[:64]!r} "
                             "is not an integer")
        with transaction.atomic():
            service = Service.objects.select_for_update().filter(id=int(service_id)).first()
            if service is None or service.binary in HIDDEN_BINARIES:
                raise NotFound(f"Service {service_id} not found.")
            if service.binary == COMPUTE_BINARY:
                if Instance.objects.filter(host=service.host, deleted=False).exists():
                    raise Conflict("Unable to delete compute service that is hosting instances. "
                                   "Migrate or delete the instances first.")
                # As Nova: the host leaves its aggregates and its nodes go with it.
                AggregateHost.objects.filter(host=service.host).delete()
                ComputeNode.objects.filter(host=service.host).delete()
            service.delete()
        return HttpResponse(status=204)


urlpatterns = [
    route(r"/v2.1/os-services", ServicesView.as_view()),
    route(r"/v2.1/os-services/(?P<service_id>[^/]+)", ServiceView.as_view()),
]
