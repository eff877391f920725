"""HTTP views of /servers (list, detail, create, show, update, delete)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse

from cloud.api import validation as v
from cloud.api.views import body_object
from compute_app.api.base import ComputeAPIView, next_link
from compute_app.api.servers import builder, create, filters
from compute_app.api.servers.lookups import get_server
from compute_app.instances import transition
from compute_app.models import Instance, InstanceFault, Service
from compute_app.operations.delete import check_not_locked, delete_server


def _target(instance: Instance) -> dict[str, Any]:
    return {"project_id": instance.project_id, "user_id": instance.user_id}


def load_view_data(instances: list[Instance], options: builder.ViewOptions) -> dict[str, Service] | None:
    """Attach the latest fault to servers that show one; return services for host_status."""
    faulty = [i.uuid for i in instances if i.status in builder.FAULT_STATUSES]
    if faulty:
        latest: dict[str, InstanceFault] = {}
        for fault in InstanceFault.objects.filter(instance_id__in=faulty).order_by("-created_at", "-id"):
            latest.setdefault(fault.instance_id, fault)
        for instance in instances:
            instance.latest_fault = latest.get(instance.uuid)
    if options.host_status:
        hosts = {i.host for i in instances if i.host}
        return {s.host: s for s in Service.objects.filter(binary="nova-compute", host__in=hosts)}
    return None


class ServerListView(ComputeAPIView):
    """GET /servers (id, name, links); subclasses add detail or creation."""

    detailed = False

    def get(self, request):
        self.authorize("os_compute_api:servers:detail" if self.detailed else "os_compute_api:servers:index")
        query = filters.filtered(request, self.ctx, self.version)
        if self.detailed and self.version.at_least("2.26"):
            query = query.prefetch_related("tag_set")
        page, more = filters.sorted_page(request, query, self.ctx)
        collection = "servers/detail" if self.detailed else "servers"
        if self.detailed:
            options = builder.ViewOptions.for_request(request)
            services = load_view_data(page, options)
            servers = [builder.detail(request, i, options, services) for i in page]
        else:
            servers = [builder.basic(request, i) for i in page]
        body: dict[str, Any] = {"servers": servers}
        if more and page:
            body["servers_links"] = [next_link(request, collection, page[-1].uuid)]
        return JsonResponse(body)


class ServersView(ServerListView):
    def post(self, request):
        self.authorize("os_compute_api:servers:create")
        data = body_object(request)
        parsed = create.parse(data, self.ctx, self.version)
        instances, reservation_id = create.create_servers(parsed, self.ctx)
        if parsed.return_reservation_id:
            return JsonResponse({"reservation_id": reservation_id}, status=202)
        first = instances[0]
        admin_pass = parsed.admin_pass or create.generate_password()
        response = JsonResponse({"server": builder.created(request, first, admin_pass)}, status=202)
        response["Location"] = builder.resource_links(request, f"servers/{first.uuid}")[0]["href"]
        return response


class ServersDetailView(ServerListView):
    detailed = True


class ServerView(ComputeAPIView):
    """GET, PUT and DELETE /servers/{id}."""

    def get(self, request, server_id: str):
        instance = get_server(self.ctx, server_id)
        self.authorize("os_compute_api:servers:show", _target(instance))
        options = builder.ViewOptions.for_request(request)
        services = load_view_data([instance], options)
        return JsonResponse({"server": builder.detail(request, instance, options, services)})

    def put(self, request, server_id: str):
        instance = get_server(self.ctx, server_id)
        self.authorize("os_compute_api:servers:update", _target(instance))
        check_not_locked(instance, self.ctx)
        changes = _update_fields(body_object(request, "server"), self.version)
        if changes:
            transition(instance.uuid, **changes)
            instance = get_server(self.ctx, server_id)
        options = builder.ViewOptions.for_request(request)
        load_view_data([instance], options)
        return JsonResponse({"server": builder.update_view(request, instance, options)})

    def delete(self, request, server_id: str):
        instance = get_server(self.ctx, server_id)
        self.authorize("os_compute_api:servers:delete", _target(instance))
        delete_server(instance.uuid, self.ctx)
        return HttpResponse(status=204)


def _update_fields(server: dict[str, Any], version) -> dict[str, Any]:
    from cloud.api.errors import BadRequest

    allowed = {"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}
    if version.at_least("2.19"):
        allowed.add("description")
    unknown = set(server) - allowed
    if unknown:
        raise BadRequest(f"Invalid input for field/attribute server. Additional properties are not allowed "
                         f"({', '.join(sorted(unknown))} were unexpected)")
    changes: dict[str, Any] = {}
    if "name" in server:
        changes["display_name"] = v.name(server["name"], "name")
    if "accessIPv4" in server:
        changes["access_ip_v4"] = v.ip_address(server["accessIPv4"], "accessIPv4", 4)
    if "accessIPv6" in server:
        changes["access_ip_v6"] = v.ip_address(server["accessIPv6"], "accessIPv6", 6)
    if "OS-DCF:diskConfig" in server:
        if server["OS-DCF:diskConfig"] not in ("AUTO", "MANUAL"):
            raise BadRequest("Invalid input for field/attribute OS-DCF:diskConfig. Value must be AUTO or MANUAL.")
        changes["auto_disk_config"] = server["OS-DCF:diskConfig"] == "AUTO"
    if "description" in server:
        changes["display_description"] = v.optional_text(server["description"], "description")
    return changes
