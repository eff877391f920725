"""Response shapes of flavors, in one place for every microversion.

Within 2.1 ... 2.47 the flavor shape does not change; the later steps that
will land here are 2.55 (``description``), 2.61 (``extra_specs`` in the
flavor) and 2.75 (``swap`` always an integer). Each range gets its own
function below so a new microversion is one new function and one line in
:func:`_detail_shape`, never an ``if`` in a view.
"""

from __future__ import annotations

from typing import Any, Callable

from compute_app.api.base import next_link, resource_links
from compute_app.api.microversion import APIVersion
from compute_app.models import Flavor, FlavorAccess

COLLECTION = "flavors"


def _links(request, flavor: Flavor) -> list[dict[str, str]]:
    return resource_links(request, f"{COLLECTION}/{flavor.flavorid}")


def _basic_v21(request, flavor: Flavor) -> dict[str, Any]:
    return {"id": flavor.flavorid, "name": flavor.name, "links": _links(request, flavor)}


def _detail_v21(request, flavor: Flavor) -> dict[str, Any]:
    return {
        "id": flavor.flavorid,
        "name": flavor.name,
        "ram": flavor.memory_mb,
        "disk": flavor.root_gb,
        "vcpus": flavor.vcpus,
        # Nova shows "no swap" as an empty string (until 2.75).
        "swap": flavor.swap or "",
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
        "OS-FLV-DISABLED:disabled": flavor.disabled,
        "os-flavor-access:is_public": flavor.is_public,
        "rxtx_factor": flavor.rxtx_factor or "",
        "links": _links(request, flavor),
    }


def _basic_shape(version: APIVersion) -> Callable[[Any, Flavor], dict[str, Any]]:
    return _basic_v21


def _detail_shape(version: APIVersion) -> Callable[[Any, Flavor], dict[str, Any]]:
    return _detail_v21


def basic(request, flavor: Flavor, version: APIVersion) -> dict[str, Any]:
    return _basic_shape(version)(request, flavor)


def detail(request, flavor: Flavor, version: APIVersion) -> dict[str, Any]:
    return _detail_shape(version)(request, flavor)


def show(request, flavor: Flavor, version: APIVersion) -> dict[str, Any]:
    return {"flavor": detail(request, flavor, version)}


def collection(request, flavors: list[Flavor], version: APIVersion, *, detailed: bool,
               limit: int) -> dict[str, Any]:
    """``{"flavors": [...]}`` plus ``flavors_links`` when the page is full (Nova's rule)."""
    shape = _detail_shape(version) if detailed else _basic_shape(version)
    body: dict[str, Any] = {"flavors": [shape(request, flavor) for flavor in flavors]}
    if limit and len(flavors) == limit:
        path = f"{COLLECTION}/detail" if detailed else COLLECTION
        body["flavors_links"] = [next_link(request, path, flavors[-1].flavorid)]
    return body


def access_list(flavor: Flavor) -> dict[str, Any]:
    rows = FlavorAccess.objects.filter(flavor=flavor).order_by("id").values_list("project_id", flat=True)
    return {"flavor_access": [{"flavor_id": flavor.flavorid, "tenant_id": project} for project in rows]}
