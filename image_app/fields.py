"""The image attributes and their rules, in one place (create, JSON patch and schemas use it).

Glance divides an image's attributes into *base* (core) properties, some of
them read-only, and *additional* (custom) properties whose values are always
strings. Writing a read-only or reserved attribute is a 403, a bad value is a
400 naming the attribute, exceeding a quota is a 413: as Glance answers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from cloud.api import validation as v
from cloud.api.errors import APIError, BadRequest, Forbidden
from cloud.ids import is_uuid

# Glance's default [image_format] disk_formats and container_formats.
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
VISIBILITIES = ("public", "private", "shared", "community")
STATUSES = ("queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated",
            "uploading", "importing")
MEMBER_STATUSES = ("pending", "accepted", "rejected")

# Set by the service only (the store computes sizes and hashes, the clock the times).
READ_ONLY = ("id", "status", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size",
             "created_at", "updated_at", "self", "file", "schema", "direct_url", "locations", "stores")
# Names Glance keeps for itself; neither base nor custom properties may use them.
RESERVED = ("location", "deleted", "deleted_at")
RESERVED_PREFIX = "os_glance"
# Base properties a caller may write (at creation, and by JSON patch).
WRITABLE = ("name", "visibility", "protected", "os_hidden", "owner", "disk_format", "container_format",
            "min_disk", "min_ram", "tags")
BASE = tuple(dict.fromkeys(READ_ONLY + WRITABLE))

MAX_INT = 2**31 - 1  # min_disk/min_ram are 32-bit columns, as in Glance's schema
MAX_PROPERTY_VALUE = 65535  # Glance stores property values as TEXT of this size


class QuotaExceeded(APIError):
    """Glance answers a full tag, property or member list with 413."""

    status = 413


def check_writable(name: str) -> None:
    """403 for attributes no caller may set (read-only, reserved, os_glance*)."""
    if name in READ_ONLY:
        raise Forbidden(f"Attribute '{name}' is read-only.")
    if name in RESERVED or name.startswith(RESERVED_PREFIX):
        raise Forbidden(f"Attribute '{name}' is reserved.")


def _invalid(name: str, why: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {name}. {why}")


def _enum(name: str, value: Any, choices: tuple[str, ...], nullable: bool) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or value not in choices:
        raise _invalid(name, f"Value: {value!r}. Must be one of: {', '.join(choices)}")
    return value


def _tag(value: Any, name: str = "tags") -> str:
    if not isinstance(value, str):
        raise _invalid(name, f"Value: {value!r}. {value!r} is not of type 'string'")
    if not value or len(value) > 255:
        raise _invalid(name, "A tag must be 1 to 255 characters long")
    if v.has_control_chars(value):
        raise _invalid(name, "Control characters are not allowed in a tag")
    return value


def tag(value: Any) -> str:
    """One tag (path parameter of PUT /tags/{tag})."""
    return _tag(value, "tag")


def tags(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _invalid("tags", f"Value: {value!r}. {value!r} is not of type 'array'")
    result = list(dict.fromkeys(_tag(item) for item in value))  # Glance keeps tags as a set
    check_tag_quota(len(result))
    return result


def check_tag_quota(count: int) -> None:
    if count > settings.IMAGE_TAG_QUOTA:
        raise QuotaExceeded(f"Maximum number of tags exceeded ({settings.IMAGE_TAG_QUOTA}).")


def check_property_quota(count: int) -> None:
    if count > settings.IMAGE_PROPERTY_QUOTA:
        raise QuotaExceeded(f"Maximum number of properties exceeded ({settings.IMAGE_PROPERTY_QUOTA}).")


def _name(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid("name", f"Value: {value!r}. {value!r} is not of type 'string'")
    if len(value) > 255:
        raise _invalid("name", "Value is longer than 255 characters")
    if v.has_control_chars(value):
        raise _invalid("name", "Control characters are not allowed")
    return value


def _owner(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 64 or v.has_control_chars(value):
        raise _invalid("owner", f"Value: {value!r} is not a valid project id")
    return value


def _size(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(name, f"Value: {value!r}. {value!r} is not of type 'integer'")
    return v.integer(value, name, minimum=0, maximum=MAX_INT)


def _boolean(name: str, value: Any) -> bool:
    # Glance's schema says "boolean": the string "true" is refused, not coerced.
    if not isinstance(value, bool):
        raise _invalid(name, f"Value: {value!r}. {value!r} is not of type 'boolean'")
    return value


def base_value(name: str, value: Any) -> Any:
    """The validated value of a writable base property (400 naming it when bad)."""
    if name == "name":
        return _name(value)
    if name == "visibility":
        return _enum(name, value, VISIBILITIES, nullable=False)
    if name in ("protected", "os_hidden"):
        return _boolean(name, value)
    if name == "owner":
        return _owner(value)
    if name == "disk_format":
        return _enum(name, value, DISK_FORMATS, nullable=True)
    if name == "container_format":
        return _enum(name, value, CONTAINER_FORMATS, nullable=True)
    if name in ("min_disk", "min_ram"):
        return _size(name, value)
    if name == "tags":
        return tags(value)
    raise Forbidden(f"Attribute '{name}' is read-only.")


def property_name(name: Any) -> str:
    """A custom property's name: not base, not reserved, 1..255 printable characters."""
    if not isinstance(name, str) or not name or len(name) > 255:
        raise BadRequest("Invalid property name: it must be 1 to 255 characters long.")
    if v.has_control_chars(name):
        raise BadRequest(f"Invalid property name {name!r}: control characters are not allowed.")
    check_writable(name)
    return name


def property_value(name: str, value: Any) -> str:
    """Custom property values are strings, as Glance's schema says (additionalProperties)."""
    if not isinstance(value, str):
        raise _invalid(name, f"Value: {value!r}. {value!r} is not of type 'string'")
    return v.optional_text(value, name, max_length=MAX_PROPERTY_VALUE) or ""


def image_id(value: Any) -> str:
    if not isinstance(value, str) or not is_uuid(value):
        raise _invalid("id", f"Value: {value!r}. {value!r} does not match a UUID")
    return value.lower()
