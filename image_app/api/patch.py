"""``PATCH /v2/images/{id}``: Glance's JSON-patch media types.

``application/openstack-images-v2.1-json-patch`` is a subset of RFC 6902:
a list of ``{"op": "add"|"replace"|"remove", "path": "/<attr>", "value": ...}``
with one-level paths. The deprecated v2.0 type writes each change as
``{"replace": "/<attr>", "value": ...}``. Glance's rules, kept here:

* read-only and reserved attributes: 403, the whole patch refused;
* removing a base property: 403; replacing or removing a custom property
  that does not exist: 409; ``add`` overwrites (v2.1) or 409 (v2.0);
* ``disk_format``/``container_format`` only change while the image is queued;
* any other bad value or operation: 400. Changes apply all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloud.api.errors import BadRequest, Conflict, Forbidden
from cloud.api.parsers import StrictJSONParser
from cloud.context import RequestContext
from image_app import fields, operations
from image_app.models import Image

PATCH_V21 = "application/openstack-images-v2.1-json-patch"
PATCH_V20 = "application/openstack-images-v2.0-json-patch"
OPS = ("add", "replace", "remove")


class PatchV21Parser(StrictJSONParser):
    media_type = PATCH_V21


class PatchV20Parser(StrictJSONParser):
    media_type = PATCH_V20


@dataclass
class Change:
    op: str
    name: str
    value: Any = None


def _pointer(path: Any) -> str:
    """The attribute a one-level JSON pointer names (``~1`` is "/", ``~0`` is "~")."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise BadRequest(f"Invalid JSON pointer {path!r}: it must start with '/'.")
    segments = path[1:].split("/")
    if len(segments) != 1 or not segments[0]:
        raise BadRequest(f"Invalid path {path!r}: nested paths are not allowed.")
    text = segments[0]
    if "~" in text.replace("~0", "").replace("~1", ""):
        raise BadRequest(f"Invalid JSON pointer {path!r}: '~' must be followed by 0 or 1.")
    return text.replace("~1", "/").replace("~0", "~")


def parse(body: Any, media_type: str) -> list[Change]:
    if not isinstance(body, list):
        raise BadRequest("A JSON patch must be a list of changes.")
    changes = []
    for item in body:
        if not isinstance(item, dict):
            raise BadRequest("Each change of a JSON patch must be an object.")
        if media_type == PATCH_V20:
            ops = [op for op in OPS if op in item]
            if len(ops) != 1:
                raise BadRequest("Each change must name exactly one operation: add, replace or remove.")
            op, path = ops[0], item[ops[0]]
        else:
            op, path = item.get("op"), item.get("path")
            if op not in OPS:
                raise BadRequest(f"Invalid operation {op!r}: must be one of add, replace, remove.")
        if op != "remove" and "value" not in item:
            raise BadRequest(f"Operation '{op}' needs a 'value'.")
        changes.append(Change(op, _pointer(path), item.get("value")))
    return changes


def apply(context: RequestContext, image: Image, changes: list[Change], media_type: str) -> Image:
    """Validate every change, check the rights they need, then save them together."""
    operations.authorize_modify(context, image)
    base = {name: getattr(image, name) for name in fields.WRITABLE}
    custom = dict(image.properties or {})
    for change in changes:
        fields.check_writable(change.name)
        if change.name in fields.WRITABLE:
            _apply_base(image, base, change)
        else:
            _apply_custom(custom, change, media_type)
    fields.check_property_quota(len(custom))
    if base["owner"] != image.owner and not context.is_admin:
        raise Forbidden("Only administrators may change the owner of an image.")
    if base["visibility"] != image.visibility:
        operations.authorize_visibility(context, base["visibility"], base["owner"])
    for name, value in base.items():
        setattr(image, name, value)
    image.properties = custom
    image.save(update_fields=[*fields.WRITABLE, "properties", "updated_at"])
    return image


def _apply_base(image: Image, base: dict[str, Any], change: Change) -> None:
    if change.op == "remove":
        raise Forbidden(f"Property {change.name} may not be removed.")
    value = fields.base_value(change.name, change.value)
    if (change.name in ("disk_format", "container_format") and image.status != "queued"
            and value != getattr(image, change.name)):
        raise Forbidden(f"Attribute {change.name} can be only replaced for a queued image.")
    base[change.name] = value


def _apply_custom(custom: dict[str, str], change: Change, media_type: str) -> None:
    name = fields.property_name(change.name)
    exists = name in custom
    if change.op == "remove":
        if not exists:
            raise Conflict(f"Property {name} does not exist.")
        del custom[name]
        return
    if change.op == "replace" and not exists:
        raise Conflict(f"Property {name} does not exist.")
    if change.op == "add" and exists and media_type == PATCH_V20:
        raise Conflict(f"Property {name} already present.")
    custom[name] = fields.property_value(name, change.value)
