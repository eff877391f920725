"""Which flavors a caller sees, and the list filters, order and paging, as Nova.

Visibility: admins see every flavor; everybody else sees public flavors and
the private ones their project was given access to. A flavor outside that
set is a 404, exactly as if it did not exist.

Listing: non-admins get public-or-accessible, enabled flavors and cannot
change that with ``is_public``; admins get the same by default, and
``is_public=false`` (private only) or ``is_public=none`` (everything).
Paging is keyset pagination over ``(sort_key, id)``: the marker flavor
(looked up among the visible ones, not only the filtered ones, as Nova)
fixes a position and the page holds the rows strictly after it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from cloud.api.errors import BadRequest, NotFound
from cloud.context import RequestContext
from compute_app.api.base import page_params
from compute_app.models import Flavor, FlavorAccess

# Nova's VALID_SORT_KEYS (nova/api/openstack/compute/schemas/flavors.py), all model fields here.
SORT_KEYS = (
    "created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id", "is_public", "memory_mb",
    "name", "root_gb", "rxtx_factor", "swap", "updated_at", "vcpu_weight", "vcpus",
)
SORT_DIRS = ("asc", "desc")
_TRUE = {"1", "t", "true", "on", "y", "yes"}
_FALSE = {"0", "f", "false", "off", "n", "no"}


def _accessible(project_id: str | None) -> Q:
    has_access = Exists(FlavorAccess.objects.filter(flavor=OuterRef("pk"), project_id=project_id or ""))
    return Q(is_public=True) | Q(has_access)


def visible(context: RequestContext) -> QuerySet:
    query = Flavor.objects.all()
    if not context.is_admin:
        query = query.filter(_accessible(context.project_id))
    return query


def get_flavor(context: RequestContext, flavor_id: str) -> Flavor:
    flavor = visible(context).filter(flavorid=flavor_id).first()
    if flavor is None:
        raise NotFound(f"Flavor {flavor_id} could not be found.")
    return flavor


def _last(request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    return values[-1] if values else None


def _parse_is_public(raw: str | None) -> bool | None:
    """Admin's ``is_public``: absent -> True, "none" -> everything, else a strict boolean."""
    if raw is None:
        return True
    text = raw.strip().lower()
    if text == "none":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadRequest(f"Invalid is_public filter [{raw[:40]}]")


def _minimum(request, name: str) -> int | None:
    raw = _last(request, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"Invalid {name} filter [{raw[:40]}]") from None


def filtered(request, context: RequestContext) -> QuerySet:
    query = visible(context)
    if context.is_admin:
        is_public = _parse_is_public(_last(request, "is_public"))
        if is_public is True:
            query = query.filter(_accessible(context.project_id))
        elif is_public is False:
            query = query.filter(is_public=False)
    else:
        query = query.filter(disabled=False)
    min_ram = _minimum(request, "minRam")
    if min_ram is not None:
        query = query.filter(memory_mb__gte=min_ram)
    min_disk = _minimum(request, "minDisk")
    if min_disk is not None:
        query = query.filter(root_gb__gte=min_disk)
    return query


def _sort_params(request) -> tuple[str, str]:
    # Every value of a repeated parameter is checked (Nova's schema validates
    # the whole list), the last one is used.
    for key in request.query_params.getlist("sort_key"):
        if key not in SORT_KEYS:
            raise BadRequest(f"Invalid input for query parameters sort_key. Value: {key[:40]}. "
                             f"'{key[:40]}' is not one of {list(SORT_KEYS)}")
    for direction in request.query_params.getlist("sort_dir"):
        if direction not in SORT_DIRS:
            raise BadRequest(f"Invalid input for query parameters sort_dir. Value: {direction[:40]}. "
                             f"'{direction[:40]}' is not one of {list(SORT_DIRS)}")
    return _last(request, "sort_key") or "flavorid", _last(request, "sort_dir") or "asc"


def _after(key: str, direction: str, anchor: Flavor) -> Q:
    """Rows strictly after ``anchor`` in ``(key, id)`` order; NULLs sort first ascending."""
    value: Any = getattr(anchor, key)
    if direction == "asc":
        tie_break = Q(id__gt=anchor.id)
        if value is None:
            return Q(**{f"{key}__isnull": False}) | (Q(**{f"{key}__isnull": True}) & tie_break)
        return Q(**{f"{key}__gt": value}) | (Q(**{key: value}) & tie_break)
    tie_break = Q(id__lt=anchor.id)
    if value is None:
        return Q(**{f"{key}__isnull": True}) & tie_break
    return Q(**{f"{key}__lt": value}) | Q(**{f"{key}__isnull": True}) | (Q(**{key: value}) & tie_break)


def page(request, context: RequestContext) -> tuple[list[Flavor], int]:
    """The flavors of this page and the effective limit (for the next link)."""
    query = filtered(request, context)
    key, direction = _sort_params(request)
    limit, marker = page_params(request, settings.API_MAX_LIMIT)
    if direction == "asc":
        query = query.order_by(F(key).asc(nulls_first=True), "id")
    else:
        query = query.order_by(F(key).desc(nulls_last=True), "-id")
    if marker is not None:
        anchor = visible(context).filter(flavorid=marker).first()
        if anchor is None:
            raise BadRequest(f"marker [{marker[:255]}] not found")
        query = query.filter(_after(key, direction, anchor))
    return (list(query[:limit]) if limit else []), limit
