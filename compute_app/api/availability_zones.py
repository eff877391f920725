"""GET /os-availability-zone[/detail], as Nova computes zones from services.

Zones come from compute_app.zones. A zone is available when at least one enabled
service is in it, and listed as not available when only disabled ones are.

The plain list hides the internal zone and shows ``hosts: null``. The
detail (admin) also shows, per available zone, each host's enabled services
(API services excepted) with ``available`` = the service is up (recent
heartbeat, not forced down) and ``active`` = it is enabled.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.utils import timezone

from cloud.api.routing import route
from compute_app.api.base import ComputeAPIView, nova_time
from compute_app.models import Service
from compute_app.zones import INTERNAL_ZONE, service_zones

# Not listed per host in the detail view, as in Nova (they are not maintained like the others).
API_BINARIES = ("nova-osapi_compute", "nova-metadata")


def split_zones(zoned: list[tuple[Service, str]]) -> tuple[list[str], list[str]]:
    """(available, not available) zone names, in the order services first name them."""
    available: list[str] = []
    for service, zone in zoned:
        if not service.disabled and zone not in available:
            available.append(zone)
    unavailable: list[str] = []
    for service, zone in zoned:
        if service.disabled and zone not in available and zone not in unavailable:
            unavailable.append(zone)
    return available, unavailable


def _zone(name: str, available: bool, hosts: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"zoneName": name, "zoneState": {"available": available}, "hosts": hosts}


class AvailabilityZonesView(ComputeAPIView):
    def get(self, request):
        self.authorize("os_compute_api:os-availability-zone:list", {})
        available, unavailable = split_zones(service_zones(list(Service.objects.order_by("id"))))
        zones = [_zone(z, True) for z in available if z != INTERNAL_ZONE]
        zones += [_zone(z, False) for z in unavailable if z != INTERNAL_ZONE]
        return JsonResponse({"availabilityZoneInfo": zones})


class AvailabilityZonesDetailView(ComputeAPIView):
    def get(self, request):
        self.authorize("os_compute_api:os-availability-zone:detail", {})
        zoned = service_zones(list(Service.objects.order_by("id")))
        available, unavailable = split_zones(zoned)
        now = timezone.now()
        hosts_by_zone: dict[str, dict[str, dict[str, Any]]] = {}
        for service, zone in zoned:
            if service.disabled or service.binary in API_BINARIES:
                continue
            host = hosts_by_zone.setdefault(zone, {}).setdefault(service.host, {})
            host[service.binary] = {
                "available": service.is_up(now),
                "active": not service.disabled,
                "updated_at": nova_time(service.last_seen_at),
            }
        zones = [_zone(z, True, hosts_by_zone.get(z, {})) for z in available]
        zones += [_zone(z, False) for z in unavailable]
        return JsonResponse({"availabilityZoneInfo": zones})


urlpatterns = [
    route(r"/v2.1/os-availability-zone", AvailabilityZonesView.as_view()),
    route(r"/v2.1/os-availability-zone/detail", AvailabilityZonesDetailView.as_view()),
]
