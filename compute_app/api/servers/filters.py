"""GET /servers and /servers/detail: filters, sorting and pagination, as Nova.

Non-admins may filter by a fixed set of keys; other keys are ignored (Nova
does the same). Admins may use every filter. Pagination is by ``marker``
(the last server id seen) over a stable sort that ends with the uuid.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from cloud import policy
from cloud.api.errors import BadRequest
from cloud.api.views import parse_bool
from cloud.context import RequestContext
from compute_app import states
from compute_app.api.base import page_params
from compute_app.api.microversion import APIVersion
from compute_app.models import Instance

USER_FILTERS = {"name", "status", "image", "flavor", "changes-since", "ip", "ip6", "reservation_id",
                "tags", "tags-any", "not-tags", "not-tags-any", "all_tenants", "sort_key", "sort_dir",
                "limit", "marker", "deleted", "availability_zone"}
SORT_KEYS = {
    "created_at": "created_at", "updated_at": "updated_at", "display_name": "display_name",
    "uuid": "uuid", "vm_state": "vm_state", "task_state": "task_state", "power_state": "power_state",
    "launched_at": "launched_at", "terminated_at": "terminated_at", "availability_zone": "availability_zone",
    "host": "host", "node": "node", "image_ref": "image_ref", "flavor_id": "flavor_id",
    "project_id": "project_id", "user_id": "user_id", "key_name": "key_name", "hostname": "hostname",
    "launch_index": "launch_index", "locked": "locked", "progress": "progress",
    "display_description": "display_description", "config_drive": "config_drive",
}
ADMIN_ONLY_SORT_KEYS = {"host", "node", "project_id", "user_id", "power_state"}


def _parse_time(value: str, name: str) -> datetime:
    parsed = parse_datetime(value.replace(" ", "+")) if value else None
    if parsed is None:
        raise BadRequest(f"Invalid input for query parameter '{name}': {value[:40]!r} is not a date-time.")
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _status_filter(query: QuerySet, status: str, version: APIVersion) -> QuerySet:
    pairs = states.vm_states_for_status(status)
    if pairs is None:
        if version.at_least("2.38"):
            raise BadRequest(f"Invalid status value: {status[:40]}")
        return query.none()
    condition = Q()
    for vm_state, task_state in pairs:
        if task_state == "*":
            condition |= Q(vm_state=vm_state)
        else:
            condition |= Q(vm_state=vm_state, task_state=task_state)
    return query.filter(condition)


def _tags(value: str) -> list[str]:
    return [t for t in value.split(",") if t]


def filtered(request, context: RequestContext, version: APIVersion) -> QuerySet:
    """The servers this request selects, before pagination."""
    params = request.query_params
    is_admin = context.is_admin
    all_tenants = False
    if "all_tenants" in params:
        raw = params.get("all_tenants")
        all_tenants = True if raw in ("", None) else parse_bool(raw, "all_tenants")
        if all_tenants:
            policy.authorize(context, "os_compute_api:servers:detail:get_all_tenants",
                             {"project_id": context.project_id})
    query = Instance.objects.all()
    if not all_tenants:
        # As Nova (lp:1185290): without all_tenants, tenant_id/project_id are ignored and the
        # caller's own project is listed, admins included.
        query = query.filter(project_id=context.project_id)
    elif is_admin and (params.get("project_id") or params.get("tenant_id")):
        query = query.filter(project_id=params.get("project_id") or params.get("tenant_id"))

    allowed = None if is_admin else USER_FILTERS
    def wanted(key: str) -> str | None:
        if allowed is not None and key not in allowed:
            return None
        return params.get(key)

    changes_since = wanted("changes-since")
    deleted = wanted("deleted")
    if changes_since:
        # Deleted servers are part of "what changed", as in Nova.
        query = query.filter(updated_at__gte=_parse_time(changes_since, "changes-since"))
    elif deleted is not None and is_admin and parse_bool(deleted, "deleted"):
        query = query.filter(deleted=True)
    else:
        query = query.filter(deleted=False)
    if (name := wanted("name")) is not None:
        try:
            re.compile(name)
        except re.error:
            raise BadRequest(f"Invalid regular expression in 'name': {name[:40]!r}") from None
        query = query.filter(display_name__regex=name)
    if (status := wanted("status")) is not None:
        query = _status_filter(query, status, version)
    if (image := wanted("image")) is not None:
        query = query.filter(image_ref=image.rstrip("/").rsplit("/", 1)[-1])
    if (flavor := wanted("flavor")) is not None:
        query = query.filter(flavor_id=flavor.rstrip("/").rsplit("/", 1)[-1])
    for key in ("host", "node", "user_id", "key_name", "hostname", "vm_state", "task_state"):
        if (value := wanted(key)) is not None:
            query = query.filter(**{key: value})
    if (zone := wanted("availability_zone")) is not None:
        query = query.filter(availability_zone=zone)
    if (reservation := wanted("reservation_id")) is not None:
        query = query.filter(reservation_id=reservation)
    if (ip := wanted("ip") or wanted("ip6")) is not None:
        query = _ip_filter(query, ip)
    if version.at_least("2.26"):
        query = _tag_filters(query, wanted)
    return query


def _ip_filter(query: QuerySet, pattern: str) -> QuerySet:
    try:
        regex = re.compile(pattern)
    except re.error:
        raise BadRequest(f"Invalid regular expression in 'ip': {pattern[:40]!r}") from None
    # Addresses live in a JSON document; match in Python over the candidates.
    matching = [uuid for uuid, info in query.values_list("uuid", "network_info")
                if any(regex.search(str(a.get("addr", ""))) for nets in (info or {}).values() for a in nets)]
    return query.filter(uuid__in=matching)


def _tag_filters(query: QuerySet, wanted) -> QuerySet:
    if tags := wanted("tags"):
        for tag in _tags(tags):
            query = query.filter(tag_set__tag=tag)
    if tags_any := wanted("tags-any"):
        query = query.filter(tag_set__tag__in=_tags(tags_any))
    if not_tags := wanted("not-tags"):
        wanted_tags = _tags(not_tags)
        having_all = Instance.objects.all()
        for tag in wanted_tags:
            having_all = having_all.filter(tag_set__tag=tag)
        query = query.exclude(uuid__in=having_all.values("uuid"))
    if not_any := wanted("not-tags-any"):
        query = query.exclude(tag_set__tag__in=_tags(not_any))
    return query.distinct()


def sorted_page(request, query: QuerySet, context: RequestContext) -> tuple[list[Instance], bool]:
    """One page (and whether there may be more) in the requested order."""
    params = request.query_params
    keys = params.getlist("sort_key") or ["created_at"]
    dirs = params.getlist("sort_dir") or []
    order = []
    for index, key in enumerate(keys):
        field = SORT_KEYS.get(key)
        if field is None or (key in ADMIN_ONLY_SORT_KEYS and not context.is_admin):
            raise BadRequest(f"Invalid sort_key {key[:40]!r}.")
        direction = dirs[index] if index < len(dirs) else (dirs[0] if dirs else "desc")
        if direction not in ("asc", "desc"):
            raise BadRequest(f"Invalid sort_dir {direction[:10]!r}: use asc or desc.")
        order.append(f"-{field}" if direction == "desc" else field)
    last_direction = "-" if order and order[-1].startswith("-") else ""
    if not any(o.lstrip("-") == "uuid" for o in order):
        order.append(f"{last_direction}uuid")
    query = query.order_by(*order)
    limit, marker = page_params(request, settings.API_MAX_LIMIT)
    if marker:
        query = _after_marker(query, marker, order)
    page = list(query[: limit + 1]) if limit else []
    more = len(page) > limit
    return page[:limit], more


def _after_marker(query: QuerySet, marker: str, order: list[str]) -> QuerySet:
    anchor = Instance.objects.filter(uuid=marker[:36]).first()
    if anchor is None:
        raise BadRequest(f"marker [{marker[:40]}] not found")
    # Keyset pagination: rows strictly after the anchor in the (key..., uuid) order.
    condition = Q()
    equal = Q()
    for item in order:
        field = item.lstrip("-")
        value = getattr(anchor, field)
        after = Q(**{f"{field}__lt" if item.startswith("-") else f"{field}__gt": value})
        if value is None:
            after = Q(**{f"{field}__isnull": False}) if not item.startswith("-") else Q(pk__in=[])
        condition |= equal & after
        equal &= Q(**{field: value}) if value is not None else Q(**{f"{field}__isnull": True})
    return query.filter(condition)
