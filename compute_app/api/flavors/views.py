"""GET /flavors[/detail], POST /flavors (admin), GET and DELETE /flavors/{id} (admin)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from cloud.api.errors import Conflict, NotFound
from compute_app.api.base import ComputeAPIView
from compute_app.api.flavors import builder, params, queries
from compute_app.models import Flavor


class FlavorsView(ComputeAPIView):
    """GET /flavors (id, name, links) and POST /flavors."""

    detailed = False

    def get(self, request):
        flavors, limit = queries.page(request, self.ctx)
        return JsonResponse(builder.collection(request, flavors, self.version, detailed=self.detailed,
                                               limit=limit))

    def post(self, request):
        self.authorize("os_compute_api:os-flavor-manage:create", {})
        spec = params.parse_create(request.data)
        flavor = _create(spec)
        # Nova answers 200 (not 201) here, for backwards compatibility.
        return JsonResponse(builder.show(request, flavor, self.version))


class FlavorsDetailView(FlavorsView):
    detailed = True
    http_method_names = ["get", "head", "options"]


class FlavorView(ComputeAPIView):
    def get(self, request, flavor_id: str):
        flavor = queries.get_flavor(self.ctx, flavor_id)
        return JsonResponse(builder.show(request, flavor, self.version))

    def delete(self, request, flavor_id: str):
        self.authorize("os_compute_api:os-flavor-manage:delete", {})
        deleted, _ = Flavor.objects.filter(flavorid=flavor_id).delete()
        if not deleted:
            raise NotFound(f"Flavor {flavor_id} could not be found.")
        # Instances keep their own copy of the flavor (Instance.flavor), so they are unaffected.
        return HttpResponse(status=202)


def _create(spec: params.FlavorSpec) -> Flavor:
    """Insert the flavor, or 409 naming what already exists (id is checked first, as Nova)."""
    def conflict() -> Conflict:
        if Flavor.objects.filter(flavorid=spec.flavorid).exists():
            return Conflict(f"Flavor with ID {spec.flavorid} already exists.")
        return Conflict(f"Flavor with name {spec.name} already exists.")

    if Flavor.objects.filter(flavorid=spec.flavorid).exists() or Flavor.objects.filter(name=spec.name).exists():
        raise conflict()
    try:
        # The unique constraints decide races between two concurrent creates.
        with transaction.atomic():
            return Flavor.objects.create(
                flavorid=spec.flavorid, name=spec.name, memory_mb=spec.memory_mb, vcpus=spec.vcpus,
                root_gb=spec.root_gb, ephemeral_gb=spec.ephemeral_gb, swap=spec.swap,
                rxtx_factor=spec.rxtx_factor, is_public=spec.is_public,
            )
    except IntegrityError:
        raise conflict() from None
