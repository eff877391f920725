"""``/os-server-groups``: create, list, show and delete server groups (Nova's shapes up to 2.63).

A group has one policy, given as the one-item list ``policies``: ``affinity``
or ``anti-affinity``, and from 2.15 ``soft-affinity`` or ``soft-anti-affinity``.
``project_id`` and ``user_id`` are shown from 2.13. Servers join a group at
creation with the ``group`` scheduler hint (compute_app.server_groups).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpResponse, JsonResponse

from cloud.api import validation as v
from cloud.api.errors import BadRequest
from cloud.api.routing import route
from cloud.api.views import body_object, parse_bool, query_int
from compute_app import quotas
from compute_app.api.base import ComputeAPIView
from compute_app.models import ServerGroup
from compute_app.server_groups import SOFT, STRICT, check_group_quota, get_group, members

SOFT_FROM = "2.15"


def _target(group: ServerGroup) -> dict[str, Any]:
    return {"project_id": group.project_id, "user_id": group.user_id}


class _ServerGroupsBase(ComputeAPIView):
    def view(self, group: ServerGroup, group_members: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"id": group.uuid, "name": group.name, "policies": [group.policy],
                                "members": group_members, "metadata": {}}
        if self.version.at_least("2.13"):
            body["project_id"] = group.project_id
            body["user_id"] = group.user_id
        return body

    def parse(self, data: dict[str, Any]) -> tuple[str, str]:
        unknown = set(data) - {"name", "policies"}
        if unknown:
            raise BadRequest("Invalid input for field/attribute server_group. Additional properties are not "
                             f"allowed ({', '.join(sorted(map(str, unknown)))[:200]} were unexpected)")
        if "name" not in data or "policies" not in data:
            raise BadRequest("Invalid input for field/attribute server_group: 'name' and 'policies' are required.")
        name = v.name(data["name"], "name", allow_edge_spaces=True)
        allowed = STRICT + (SOFT if self.version.at_least(SOFT_FROM) else ())
        policies = data["policies"]
        if not isinstance(policies, list) or len(policies) != 1 or policies[0] not in allowed:
            raise BadRequest("Invalid input for field/attribute policies. It must be a list of exactly one of: "
                             + ", ".join(allowed) + ".")
        return name, policies[0]


class ServerGroupsView(_ServerGroupsBase):
    def get(self, request):
        self.authorize("os_compute_api:os-server-groups:index")
        groups = ServerGroup.objects.all()
        all_projects = parse_bool(request.query_params.get("all_projects", "false"), "all_projects")
        if not (all_projects and self.can("os_compute_api:os-server-groups:index:all_projects")):
            groups = groups.filter(project_id=self.ctx.project_id)
        offset = query_int(request, "offset", 0) or 0
        limit = query_int(request, "limit")
        selected = list(groups[offset:offset + limit] if limit is not None else groups[offset:])
        found = members([g.uuid for g in selected])
        return JsonResponse({"server_groups": [self.view(g, found[g.uuid]) for g in selected]})

    def post(self, request):
        self.authorize("os_compute_api:os-server-groups:create")
        name, policy = self.parse(body_object(request, "server_group"))
        project_id = self.ctx.project_id or ""
        with transaction.atomic():
            quotas.lock_project(project_id)  # counting and creating must not interleave
            check_group_quota(project_id)
            group = ServerGroup.objects.create(name=name, policy=policy, project_id=project_id,
                                               user_id=self.ctx.user_id or "")
        return JsonResponse({"server_group": self.view(group, [])})


class ServerGroupView(_ServerGroupsBase):
    def get(self, request, group_id: str):
        group = get_group(self.ctx, group_id)
        self.authorize("os_compute_api:os-server-groups:show", _target(group))
        return JsonResponse({"server_group": self.view(group, members([group.uuid])[group.uuid])})

    def delete(self, request, group_id: str):
        group = get_group(self.ctx, group_id)
        self.authorize("os_compute_api:os-server-groups:delete", _target(group))
        group.delete()
        return HttpResponse(status=204)


urlpatterns = [
    route(r"/v2.1/os-server-groups", ServerGroupsView.as_view()),
    route(r"/v2.1/os-server-groups/(?P<group_id>[^/]+)", ServerGroupView.as_view()),
]
