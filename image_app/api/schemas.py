"""``/v2/schemas/...``: the JSON schemas clients fetch to learn the image shape.

Built from image_app.fields, so the schema always states what the API
actually enforces (formats, visibilities, read-only attributes).
"""

from __future__ import annotations

from typing import Any

from image_app import fields
from image_app.api.base import ImageAPIView
from image_app.api.render import json

UUID_PATTERN = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$")


def _read_only(kind: Any, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "readOnly": True, "description": description, **extra}


def image_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "string", "pattern": UUID_PATTERN, "description": "An identifier for the image"},
        "name": {"type": ["null", "string"], "maxLength": 255, "description": "Descriptive name for the image"},
        "status": _read_only("string", "Status of the image", enum=list(fields.STATUSES)),
        "visibility": {"type": "string", "enum": list(fields.VISIBILITIES),
                       "description": "Scope of image accessibility"},
        "protected": {"type": "boolean", "description": "If true, image will not be deletable."},
        "os_hidden": {"type": "boolean", "description": "If true, image will not appear in default image list "
                                                        "response."},
        "owner": {"type": ["null", "string"], "maxLength": 64, "description": "Owner of the image"},
        "checksum": _read_only(["null", "string"], "md5 hash of image contents.", maxLength=32),
        "os_hash_algo": _read_only(["null", "string"], "Algorithm to calculate the os_hash_value", maxLength=64),
        "os_hash_value": _read_only(["null", "string"], "Hexdigest of the image contents using the algorithm "
                                    "specified by the os_hash_algo", maxLength=128),
        "min_ram": {"type": "integer", "minimum": 0, "maximum": fields.MAX_INT,
                    "description": "Amount of ram (in MB) required to boot image."},
        "min_disk": {"type": "integer", "minimum": 0, "maximum": fields.MAX_INT,
                     "description": "Amount of disk space (in GB) required to boot image."},
        "size": _read_only(["null", "integer"], "Size of image file in bytes"),
        "virtual_size": _read_only(["null", "integer"], "Virtual size of image in bytes"),
        "container_format": {"type": ["null", "string"], "enum": [None, *fields.CONTAINER_FORMATS],
                             "description": "Format of the container"},
        "disk_format": {"type": ["null", "string"], "enum": [None, *fields.DISK_FORMATS],
                        "description": "Format of the disk"},
        "created_at": _read_only("string", "Date and time of image registration"),
        "updated_at": _read_only("string", "Date and time of the last image modification"),
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 255},
                 "description": "List of strings related to the image"},
        "direct_url": _read_only("string", "URL to access the image file kept in external store"),
        "self": _read_only("string", "An image self url"),
        "file": _read_only("string", "An image file url"),
        "schema": _read_only("string", "An image schema url"),
        "locations": {"type": "array", "items": {"type": "object", "required": ["url", "metadata"], "properties": {
            "url": {"type": "string", "maxLength": 255}, "metadata": {"type": "object"}}},
            "description": "A set of URLs to access the image file kept in external store"},
    }
    return {
        "name": "image",
        "properties": properties,
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def images_schema() -> dict[str, Any]:
    return {
        "name": "images",
        "properties": {
            "images": {"type": "array", "items": image_schema()},
            "schema": {"type": "string"},
            "first": {"type": "string"},
            "next": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def member_schema() -> dict[str, Any]:
    return {
        "name": "member",
        "properties": {
            "image_id": {"type": "string", "pattern": UUID_PATTERN, "description": "An identifier for the image"},
            "member_id": {"type": "string", "description": "An identifier for the image member (tenantId)"},
            "status": {"type": "string", "enum": list(fields.MEMBER_STATUSES),
                       "description": "The status of this image member"},
            "created_at": {"type": "string", "description": "Date and time of image member creation"},
            "updated_at": {"type": "string", "description": "Date and time of last modification of image member"},
            "schema": {"type": "string", "readOnly": True},
        },
    }


def members_schema() -> dict[str, Any]:
    return {
        "name": "members",
        "properties": {"members": {"type": "array", "items": member_schema()}, "schema": {"type": "string"}},
        "links": [{"rel": "schema", "href": "{schema}"}],
    }


SCHEMAS = {"image": image_schema, "images": images_schema, "member": member_schema, "members": members_schema}


class SchemaView(ImageAPIView):
    def get(self, request, name: str):
        return json(SCHEMAS[name]())
