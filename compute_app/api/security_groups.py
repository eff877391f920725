"""``GET /os-security-groups[/{id}]``: the security groups a server can be created with.

Until the network service keeps security groups, each project has exactly one,
its implicit ``default`` group (servers/create.py accepts no other name), and
no rules are enforced on guests yet. Nova deprecated this proxy at 2.36, but a
client with no network endpoint in the catalog still uses it at 2.1: the
openstack CLI's ``server create --security-group default`` looks the name up
here. The network service will serve real groups, and this proxy will read
them from there.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import JsonResponse

from cloud.api.errors import NotFound
from cloud.api.routing import route
from compute_app.api.base import ProxyAPIView

DEFAULT_NAME = "default"
# The default group's id is derived from its project, so it is stable without being stored.
_ID_NAMESPACE = uuid.UUID("5b0e7a8e-3f7c-4d36-9d55-6a4f3e1f0c21")


def default_group(project_id: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(_ID_NAMESPACE, project_id)),
        "name": DEFAULT_NAME,
        "description": "Default security group",
        "tenant_id": project_id,
        "rules": [],
    }


class SecurityGroupsView(ProxyAPIView):
    def get(self, request):
        self.authorize("os_compute_api:os-security-groups:get")
        return JsonResponse({"security_groups": [default_group(self.ctx.project_id or "")]})


class SecurityGroupView(ProxyAPIView):
    def get(self, request, group_id: str):
        self.authorize("os_compute_api:os-security-groups:show")
        group = default_group(self.ctx.project_id or "")
        if group_id != group["id"]:
            raise NotFound(f"Security group {group_id[:64]} not found.")
        return JsonResponse({"security_group": group})


urlpatterns = [
    route(r"/v2.1/os-security-groups", SecurityGroupsView.as_view()),
    route(r"/v2.1/os-security-groups/(?P<group_id>[^/]+)", SecurityGroupView.as_view()),
]
