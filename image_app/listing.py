"""Image list queries: Glance's filters, sort keys and marker pagination.

Used by ``GET /image/v2/images`` and by the compute API's image proxy (which
translates Nova's filter names first). Pagination is by keyset: the page after
a marker is "rows that sort after the marker row", so pages stay consistent
while images are added, whatever the sort keys.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import Exact
from django.utils.dateparse import parse_datetime

from cloud.api import validation as v
from cloud.api.errors import BadRequest
from cloud.context import RequestContext
from image_app import fields
from image_app.models import Image
from image_app.visibility import listed_images

SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "virtual_size", "id", "created_at",
             "updated_at", "min_disk", "min_ram", "owner", "visibility", "protected", "os_hidden")
IN_FIELDS = ("id", "name", "status", "container_format", "disk_format")
NOT_FILTERS = {"limit", "marker", "sort", "sort_key", "sort_dir", "visibility", "member_status", "os_hidden"}
OPERATORS = {"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte", "eq": "exact", "neq": "neq"}
MAX_BIGINT = 2**63 - 1


class Params:
    """Query parameters with ``getlist``: a Django QueryDict, or a plain dict of lists."""

    def __init__(self, data: Mapping[str, Any]):
        self._data = data

    def get(self, key: str, default: str | None = None) -> str | None:
        values = self.getlist(key)
        return values[-1] if values else default

    def getlist(self, key: str) -> list[str]:
        if hasattr(self._data, "getlist"):
            return list(self._data.getlist(key))
        value = self._data.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple)) else [value]

    def keys(self) -> list[str]:
        return list(self._data.keys())


def _split_in(value: str) -> list[str]:
    """``in:a,b,"c,d"``: a comma list where quoted items may hold commas, as Glance parses it."""
    try:
        return next(csv.reader([value], skipinitialspace=True))
    except (csv.Error, StopIteration):
        raise BadRequest(f"Invalid 'in' filter value: {value!r}") from None


def _timestamp(name: str, text: str) -> datetime:
    try:
        parsed = parse_datetime(text.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadRequest(f"Invalid input for query parameter '{name}': {text!r} is not an ISO 8601 time.")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _integer(name: str, text: str) -> int:
    return v.integer(text, name, minimum=0, maximum=MAX_BIGINT)


def _compare(images: QuerySet[Image], name: str, raw: str, parse) -> QuerySet[Image]:
    """``name=[op:]value`` with Glance's operators gt, gte, lt, lte, eq, neq."""
    op, sep, rest = raw.partition(":")
    if sep and op in OPERATORS:
        value = parse(name, rest)
    else:
        op, value = "eq", parse(name, raw)
    if op == "neq":
        return images.exclude(**{name: value})
    return images.filter(**{f"{name}__{OPERATORS[op]}": value})


def _boolean(name: str, raw: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise BadRequest(f"Invalid input for query parameter '{name}': must be 'true' or 'false'.")
    return raw.lower() == "true"


def filtered(context: RequestContext, params: Params) -> QuerySet[Image]:
    """The images a list request selects (visibility rules first, then every filter)."""
    images = listed_images(context, params.get("visibility"), params.get("member_status"))
    hidden = params.get("os_hidden")
    images = images.filter(os_hidden=_boolean("os_hidden", hidden) if hidden is not None else False)
    tags: list[str] = []
    for name in params.keys():
        if name in NOT_FILTERS:
            continue
        for raw in params.getlist(name):
            if name == "tag":
                tags.append(raw)
            else:
                images = _filter(images, name, raw)
    return _with_tags(images, tags) if tags else images


def _filter(images: QuerySet[Image], name: str, raw: str) -> QuerySet[Image]:
    if name in IN_FIELDS:
        if raw.startswith("in:"):
            return images.filter(**{f"{name}__in": _split_in(raw[3:])})
        return images.filter(**{name: raw})
    if name == "owner":
        return images.filter(owner=raw)
    if name == "protected":
        return images.filter(protected=_boolean(name, raw))
    if name in ("size_min", "size_max"):
        lookup = "size__gte" if name == "size_min" else "size__lte"
        return images.filter(**{lookup: _integer(name, raw)})
    if name in ("created_at", "updated_at"):
        return _compare(images, name, raw, _timestamp)
    if name in ("min_ram", "min_disk", "size", "virtual_size"):
        return _compare(images, name, raw, _integer)
    if name in ("checksum", "os_hash_algo", "os_hash_value"):
        return images.filter(**{name: raw})
    if name in fields.BASE:
        raise BadRequest(f"Filtering on '{name}' is not supported.")
    # Anything else is a custom property, compared as the string it always is.
    return images.filter(Exact(KeyTextTransform(name, "properties"), raw))


def _with_tags(images: QuerySet[Image], tags: list[str]) -> QuerySet[Image]:
    """Images carrying every one of ``tags`` (Glance's repeated ``tag`` is a conjunction)."""
    if connection.vendor == "postgresql":
        return images.filter(tags__contains=tags)  # jsonb @>, one indexable condition
    wanted = set(tags)  # SQLite has no JSON containment: decide in Python (trial installs only)
    ids = [pk for pk, have in images.values_list("id", "tags") if wanted <= set(have or [])]
    return images.filter(id__in=ids)


# --- sorting ------------------------------------------------------------------------
def _sort_key(key: str, direction: str) -> tuple[str, str]:
    if key not in SORT_KEYS:
        raise BadRequest(f"Invalid sort key: {key!r}. Valid keys: {', '.join(SORT_KEYS)}.")
    if direction not in ("asc", "desc"):
        raise BadRequest(f"Invalid sort direction: {direction!r}. Use 'asc' or 'desc'.")
    return key, direction


def sort_spec(params: Params) -> list[tuple[str, str]]:
    """``sort=k:dir,...`` or ``sort_key``/``sort_dir`` (repeatable); default ``created_at`` desc.

    ``id`` is always appended last, so the order is total and markers are exact.
    """
    sort = params.get("sort")
    keys, dirs = params.getlist("sort_key"), params.getlist("sort_dir")
    if sort is not None and (keys or dirs):
        raise BadRequest("The 'sort' parameter cannot be combined with 'sort_key' or 'sort_dir'.")
    if sort is not None:
        spec = []
        for part in sort.split(","):
            key, _, direction = part.strip().partition(":")
            spec.append(_sort_key(key.strip(), (direction or "desc").strip()))
    else:
        keys = keys or ["created_at"]
        if len(dirs) > 1 and len(dirs) != len(keys):
            raise BadRequest("The number of sort_dir values must be one or match the number of sort_key values.")
        dirs = dirs * len(keys) if len(dirs) == 1 else (dirs or ["desc"] * len(keys))
        spec = [_sort_key(k, d) for k, d in zip(keys, dirs, strict=True)]
    names = [k for k, _ in spec]
    if len(set(names)) != len(names):
        raise BadRequest("A sort key may be given only once.")
    if "id" not in names:
        spec.append(("id", spec[-1][1]))
    return spec


def ordered(images: QuerySet[Image], spec: list[tuple[str, str]]) -> QuerySet[Image]:
    # NULL sorts as the smallest value in both directions (the keyset filter relies on it).
    return images.order_by(*[F(k).asc(nulls_first=True) if d == "asc" else F(k).desc(nulls_last=True)
                             for k, d in spec])


def _beyond(key: str, direction: str, value: Any) -> Q:
    if direction == "asc":
        return Q(**{f"{key}__isnull": False}) if value is None else Q(**{f"{key}__gt": value})
    if value is None:
        return Q(pk__in=[])  # nothing sorts after NULL when descending
    return Q(**{f"{key}__lt": value}) | Q(**{f"{key}__isnull": True})


def after(spec: list[tuple[str, str]], marker: Image) -> Q:
    """Rows that sort strictly after ``marker`` under ``spec``."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, direction in spec:
        value = getattr(marker, key)
        condition |= equal & _beyond(key, direction, value)
        equal &= Q(**{f"{key}__isnull": True}) if value is None else Q(**{key: value})
    return condition


@dataclass
class Page:
    items: list[Image]
    more: bool


def page(images: QuerySet[Image], spec: list[tuple[str, str]], limit: int, marker: str | None,
         scope: QuerySet[Image]) -> Page:
    """One page of ``limit`` images after ``marker``, an image id in ``scope`` (else 400).

    The marker need not match the filters (Glance allows that), only be visible.
    """
    if marker:
        try:
            marker_image = scope.get(id=marker)
        except Image.DoesNotExist:
            raise BadRequest(f"Marker {marker} could not be found.") from None
        images = images.filter(after(spec, marker_image))
    rows = list(ordered(images, spec)[: limit + 1])
    return Page(rows[:limit], len(rows) > limit)
