"""Image and member bodies as Glance v2 returns them.

Links (``self``, ``file``, ``schema``, ``first``, ``next``) are relative to the
endpoint's root and start with ``/v2``, exactly as Glance writes them;
openstacksdk strips that prefix before following a ``next`` link.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import JsonResponse

from image_app.models import Image, ImageMember


def iso(value: datetime | None) -> str | None:
    """``2026-01-01T00:00:00Z``: Glance's timestamps, in UTC, without fractions."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def image_body(image: Image) -> dict[str, Any]:
    """Base properties always (null when unset), then custom properties flattened beside them."""
    body: dict[str, Any] = {
        "id": image.id,
        "name": image.name,
        "status": image.status,
        "visibility": image.visibility,
        "protected": image.protected,
        "os_hidden": image.os_hidden,
        "owner": image.owner,
        "disk_format": image.disk_format,
        "container_format": image.container_format,
        "size": image.size,
        "virtual_size": image.virtual_size,
        "checksum": image.checksum,
        "os_hash_algo": image.os_hash_algo,
        "os_hash_value": image.os_hash_value,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "tags": list(image.tags or []),
        "created_at": iso(image.created_at),
        "updated_at": iso(image.updated_at),
        "self": f"/v2/images/{image.id}",
        "file": f"/v2/images/{image.id}/file",
        "schema": "/v2/schemas/image",
    }
    for key, value in (image.properties or {}).items():
        body.setdefault(key, value)  # a base property always wins over a stray custom one
    return body


def member_body(member: ImageMember) -> dict[str, Any]:
    return {
        "image_id": member.image_id,
        "member_id": member.member,
        "status": member.status,
        "created_at": iso(member.created_at),
        "updated_at": iso(member.updated_at),
        "schema": "/v2/schemas/member",
    }


def json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JsonResponse:
    """A JSON response with Content-Type exactly ``application/json``."""
    response = JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False,
                                                                                 "separators": (",", ":")})
    for key, value in (headers or {}).items():
        response[key] = value
    return response
