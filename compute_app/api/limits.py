"""GET /limits: the project's absolute limits and usage (rate limits are always empty).

The shape per microversion lives in the tables below: 2.36 removed the
floating IP and security group limits (nova-network proxies), 2.39 removed
``maxImageMeta`` (the image API is Glance's).
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from cloud.api.routing import route
from compute_app import quotas
from compute_app.api.base import ComputeAPIView
from compute_app.api.microversion import APIVersion, by_version

# Quota resource -> the absolute limit names it is shown as.
LIMIT_NAMES: dict[str, tuple[str, ...]] = {
    "ram": ("maxTotalRAMSize",),
    "instances": ("maxTotalInstances",),
    "cores": ("maxTotalCores",),
    "key_pairs": ("maxTotalKeypairs",),
    "floating_ips": ("maxTotalFloatingIps",),
    "metadata_items": ("maxServerMeta", "maxImageMeta"),
    "injected_files": ("maxPersonality",),
    "injected_file_content_bytes": ("maxPersonalitySize",),
    "security_groups": ("maxSecurityGroups",),
    "security_group_rules": ("maxSecurityGroupRules",),
    "server_groups": ("maxServerGroups",),
    "server_group_members": ("maxServerGroupMembers",),
}
# Usage name -> quota resource.
USED_NAMES: dict[str, str] = {
    "totalRAMUsed": "ram",
    "totalCoresUsed": "cores",
    "totalInstancesUsed": "instances",
    "totalFloatingIpsUsed": "floating_ips",
    "totalSecurityGroupsUsed": "security_groups",
    "totalServerGroupsUsed": "server_groups",
}
HIDDEN_RESOURCES: list[tuple[str, tuple[str, ...]]] = [
    ("2.1", ()),
    ("2.36", ("floating_ips", "security_groups", "security_group_rules")),
]
HIDDEN_NAMES: list[tuple[str, tuple[str, ...]]] = [("2.1", ()), ("2.39", ("maxImageMeta",))]


def build(limits: dict[str, int], used: dict[str, int], version: APIVersion) -> dict[str, Any]:
    hidden_resources = set(by_version(HIDDEN_RESOURCES, version))
    hidden_names = set(by_version(HIDDEN_NAMES, version))
    absolute: dict[str, int] = {}
    for resource, names in LIMIT_NAMES.items():
        if resource in hidden_resources:
            continue
        for name in names:
            if name not in hidden_names:
                absolute[name] = limits[resource]
    for name, resource in USED_NAMES.items():
        if resource not in hidden_resources:
            absolute[name] = used[resource]
    return {"limits": {"rate": [], "absolute": absolute}}


class LimitsView(ComputeAPIView):
    def get(self, request):
        self.authorize("os_compute_api:limits", {})
        project_id = self.ctx.project_id or ""
        if "tenant_id" in request.query_params:
            project_id = request.query_params.get("tenant_id", "")
            self.authorize("os_compute_api:limits:other_project")
        # Project-wide limits and usage, as Nova's get_project_quotas.
        body = build(quotas.project_limits(project_id), quotas.reported_usage(project_id), self.version)
        return JsonResponse(body)


urlpatterns = [route(r"/v2.1/limits", LimitsView.as_view())]
