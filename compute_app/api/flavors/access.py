"""Access lists of private flavors: GET /flavors/{id}/os-flavor-access and the
``addTenantAccess`` / ``removeTenantAccess`` actions (admin only)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import JsonResponse

from cloud.api.errors import BadRequest, Conflict, NotFound
from compute_app.api.base import ComputeAPIView
from compute_app.api.flavors import builder
from compute_app.api.flavors.queries import get_flavor
from compute_app.api.quotas import verify_project_id
from compute_app.models import FlavorAccess

ACTIONS = ("addTenantAccess", "removeTenantAccess")


def _tenant(body: dict[str, Any], action: str) -> str:
    data = body[action]
    if not isinstance(data, dict):
        raise BadRequest(f"Invalid input for field/attribute {action}. Value: {data!r:.64}. "
                         "It is not of type 'object'")
    unknown = sorted(set(data) - {"tenant"})
    if unknown:
        raise BadRequest(f"Invalid input for field/attribute {action}. Additional properties are not "
                         f"allowed ({unknown[0]!r:.64} was unexpected)")
    if "tenant" not in data:
        raise BadRequest(f"Invalid input for field/attribute {action}. 'tenant' is a required property")
    tenant = data["tenant"]
    if not isinstance(tenant, str) or not 1 <= len(tenant) <= 255:
        raise BadRequest(f"Invalid input for field/attribute tenant. Value: {tenant!r:.64}. "
                         "It must be a string of 1 to 255 characters")
    return tenant


class FlavorAccessView(ComputeAPIView):
    def get(self, request, flavor_id: str):
        self.authorize("os_compute_api:os-flavor-access")
        flavor = get_flavor(self.ctx, flavor_id)
        if flavor.is_public:
            raise NotFound("Access list not available for public flavors.")
        return JsonResponse(builder.access_list(flavor))


class FlavorActionView(ComputeAPIView):
    """POST /flavors/{id}/action: the only flavor actions are the access ones."""

    def post(self, request, flavor_id: str):
        body = request.data
        if not isinstance(body, dict) or len(body) != 1:
            raise BadRequest("Malformed request body: exactly one action is expected.")
        action = next(iter(body))
        if action not in ACTIONS:
            raise BadRequest(f"There is no such action: {action[:64]}")
        if action == "addTenantAccess":
            return self._add(request, flavor_id, _tenant_checked(self, body, action))
        return self._remove(request, flavor_id, _tenant_checked(self, body, action))

    def _add(self, request, flavor_id: str, tenant: str) -> JsonResponse:
        verify_project_id(tenant)
        flavor = get_flavor(self.ctx, flavor_id)
        # 2.7 made adding a project to a public flavor a conflict instead of a silent no-op.
        if self.version.at_least("2.7") and flavor.is_public:
            raise Conflict("Can not add access to a public flavor.")
        try:
            with transaction.atomic():
                FlavorAccess.objects.create(flavor=flavor, project_id=tenant)
        except IntegrityError:
            raise Conflict(f"Flavor access already exists for flavor {flavor.flavorid} and project "
                           f"{tenant} combination.") from None
        return JsonResponse(builder.access_list(flavor))

    def _remove(self, request, flavor_id: str, tenant: str) -> JsonResponse:
        # Whether the project still exists does not matter for removing it (as Nova).
        flavor = get_flavor(self.ctx, flavor_id)
        deleted, _ = FlavorAccess.objects.filter(flavor=flavor, project_id=tenant).delete()
        if not deleted:
            raise NotFound(f"Flavor access not found for {flavor.flavorid} / {tenant} combination.")
        return JsonResponse(builder.access_list(flavor))


def _tenant_checked(view: FlavorActionView, body: dict[str, Any], action: str) -> str:
    rule = "add_tenant_access" if action == "addTenantAccess" else "remove_tenant_access"
    view.authorize(f"os_compute_api:os-flavor-access:{rule}", {})
    return _tenant(body, action)
