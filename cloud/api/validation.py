"""Field validators shared by the APIs: each raises BadRequest naming the field."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import unicodedata
from typing import Any

from cloud.api.errors import BadRequest


def _invalid(field: str, why: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {field}. {why}")


def has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def name(value: Any, field: str = "name", *, max_length: int = 255, allow_edge_spaces: bool = False) -> str:
    """A display name: 1..max_length printable characters, no leading/trailing spaces."""
    if not isinstance(value, str):
        raise _invalid(field, f"Value: {value!r}. {value!r} is not of type 'string'")
    if not value:
        raise _invalid(field, "Value: ''. '' is too short")
    if len(value) > max_length:
        raise _invalid(field, f"Value is longer than {max_length} characters")
    if has_control_chars(value):
        raise _invalid(field, "Control characters are not allowed")
    if not allow_edge_spaces and value != value.strip():
        raise _invalid(field, "Leading and trailing whitespace is not allowed")
    return value


def is_printable(char: str) -> bool:
    """Nova's notion of a printable character in names.

    Not "other" (control, format, surrogate, private, unassigned) and no
    separator but a plain space (Zs); and only the Basic Multilingual Plane,
    because Nova's name regex is built from U+0000..U+FFFE.
    """
    if ord(char) >= 0xFFFF:
        return False
    category = unicodedata.category(char)
    return not category.startswith("C") and (not category.startswith("Z") or category == "Zs")


def printable_name(value: Any, field: str = "name", *, max_length: int = 255) -> str:
    """Nova's ``name`` format: 1..max_length printable characters, no edge whitespace."""
    if not isinstance(value, str):
        raise _invalid(field, f"Value: {_short(value)}. {_short(value)} is not of type 'string'")
    if not value:
        raise _invalid(field, "Value: ''. '' is too short")
    if len(value) > max_length:
        raise _invalid(field, f"Value is longer than {max_length} characters")
    if not all(is_printable(char) for char in value):
        raise _invalid(field, f"Value: {_short(value)}. printable characters. Can not start or end with whitespace.")
    if unicodedata.category(value[0]) == "Zs" or unicodedata.category(value[-1]) == "Zs":
        raise _invalid(field, f"Value: {_short(value)}. printable characters. Can not start or end with whitespace.")
    return value


def _short(value: Any, limit: int = 64) -> str:
    """repr() for messages, cut so an over-long value does not flood the response."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def optional_text(value: Any, field: str, *, max_length: int = 255) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(field, f"Value: {value!r}. {value!r} is not of type 'string'")
    if len(value) > max_length:
        raise _invalid(field, f"Value is longer than {max_length} characters")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise _invalid(field, "Control characters are not allowed")
    return value


def integer(value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None,
            allow_string: bool = True) -> int:
    """An int (or a string of digits when ``allow_string``), within bounds; never a bool or float."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _invalid(field, f"Value: {value!r}. {value!r} is not of type 'integer'")
    if isinstance(value, str):
        text = value.strip()
        if not allow_string or not text.lstrip("-").isdigit() or len(text) > 20:
            raise _invalid(field, f"Value: {value!r}. {value!r} is not of type 'integer'")
        value = int(text)
    if minimum is not None and value < minimum:
        raise _invalid(field, f"Value: {value}. {value} is less than the minimum of {minimum}")
    if maximum is not None and value > maximum:
        raise _invalid(field, f"Value: {value}. {value} is greater than the maximum of {maximum}")
    return value


def boolean(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
        return value.strip().lower() in ("true", "1", "yes", "on")
    raise _invalid(field, f"Value: {value!r}. {value!r} is not of type 'boolean'")


def string_map(value: Any, field: str, *, key_max: int = 255, value_max: int = 255) -> dict[str, str]:
    """A flat {string: string} object, as server metadata."""
    if not isinstance(value, dict):
        raise _invalid(field, f"Value: {value!r}. {value!r} is not of type 'object'")
    for key, item in value.items():
        if not key or len(key) > key_max:
            raise _invalid(field, f"Keys must be 1 to {key_max} characters")
        if not isinstance(item, str):
            raise _invalid(field, f"Value: {item!r}. {item!r} is not of type 'string'")
        if len(item) > value_max:
            raise _invalid(field, f"Values must be at most {value_max} characters")
        if has_control_chars(key):
            raise _invalid(field, "Control characters are not allowed in keys")
    return dict(value)


def base64_text(value: Any, field: str, *, max_length: int = 65535) -> str:
    if not isinstance(value, str):
        raise _invalid(field, f"Value: {value!r}. {value!r} is not of type 'string'")
    if len(value) > max_length:
        raise _invalid(field, f"Value is longer than {max_length} characters")
    try:
        base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise _invalid(field, "Value is not valid base64") from None
    return value


def ip_address(value: Any, field: str, version: int) -> str | None:
    if value in (None, ""):
        return None
    try:
        address = ipaddress.ip_address(value if isinstance(value, str) else "")
    except ValueError:
        raise _invalid(field, f"Value: {value!r} is not a valid IPv{version} address") from None
    if address.version != version:
        raise _invalid(field, f"Value: {value!r} is not a valid IPv{version} address")
    return str(address)


def ref_id(value: Any, field: str) -> str:
    """An id or a URL ending in the id (Nova accepts both for imageRef/flavorRef)."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise _invalid(field, f"Value: {value!r} is not a valid reference")
    text = str(value).strip()
    if not text or len(text) > 255 or has_control_chars(text):
        raise _invalid(field, f"Value: {value!r} is not a valid reference")
    return text.rstrip("/").rsplit("/", 1)[-1]
