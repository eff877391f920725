"""The catalog as resources: ``/v3/services``, ``/v3/endpoints``, ``/v3/regions`` (read-only).

The catalog is written by ``manage.py bootstrap`` from the CLOUD_*_URL and
CLOUD_REGION settings, so there is no API to change it.
"""

from __future__ import annotations

from rest_framework.response import Response

from identity_app.api.common import IdentityView, get_or_404, member, query_bool
from identity_app.api.render import endpoint_json, region_json, service_json
from identity_app.models import CatalogService, Endpoint, Region


class ServicesView(IdentityView):
    def get(self, request) -> Response:
        self.authorize("identity:list_services")
        services = CatalogService.objects.order_by("type", "id")
        if "type" in request.query_params:
            services = services.filter(type=request.query_params["type"])
        if "name" in request.query_params:
            services = services.filter(name=request.query_params["name"])
        return self.collection("services", [service_json(s, self.link) for s in services])


class ServiceView(IdentityView):
    def get(self, request, service_id: str) -> Response:
        self.authorize("identity:get_service")
        return member("service", service_json(get_or_404(CatalogService, service_id, "service"), self.link))


class EndpointsView(IdentityView):
    def get(self, request) -> Response:
        self.authorize("identity:list_endpoints")
        endpoints = Endpoint.objects.order_by("service_id", "interface", "id")
        params = request.query_params
        for param, field in (("interface", "interface"), ("service_id", "service_id"), ("region_id", "region_id")):
            if param in params:
                endpoints = endpoints.filter(**{field: params[param]})
        enabled = query_bool(request, "enabled")
        if enabled is not None:
            endpoints = endpoints.filter(enabled=enabled)
        return self.collection("endpoints", [endpoint_json(e, self.link) for e in endpoints])


class EndpointView(IdentityView):
    def get(self, request, endpoint_id: str) -> Response:
        self.authorize("identity:get_endpoint")
        return member("endpoint", endpoint_json(get_or_404(Endpoint, endpoint_id, "endpoint"), self.link))


class RegionsView(IdentityView):
    def get(self, request) -> Response:
        self.authorize("identity:list_regions")
        regions = Region.objects.order_by("id")
        return self.collection("regions", [region_json(r, self.link) for r in regions])


class RegionView(IdentityView):
    def get(self, request, region_id: str) -> Response:
        self.authorize("identity:get_region")
        return member("region", region_json(get_or_404(Region, region_id, "region"), self.link))
