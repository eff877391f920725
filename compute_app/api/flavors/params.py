"""Validation of ``POST /flavors`` bodies, with Nova's rules and ranges.

Nova's schema (v2.1 ... 2.54): ``name`` (its printable-name format), ``ram``
and ``vcpus`` 1..2**31-1, ``disk``/``OS-FLV-EXT-DATA:ephemeral``/``swap``
0..2**31-1 (each an integer or a string of digits; never a float or a
boolean), ``rxtx_factor`` a positive number, ``id`` a string of
``[a-zA-Z0-9. _-]`` (or a number, or null for a generated uuid), and
``os-flavor-access:is_public`` a boolean. Anything else is refused.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from cloud.api import validation as v
from cloud.api.errors import BadRequest

MAX_INT = 0x7FFFFFFF  # Nova's db constant: flavor sizes are 32-bit columns there
SQL_SP_FLOAT_MAX = 3.40282e38
_DIGITS = re.compile(r"^[0-9]+$")
_RXTX = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_FLAVOR_ID = re.compile(r"^(?! )[a-zA-Z0-9. _-]+(?<! )$")

ALLOWED = {"name", "id", "ram", "vcpus", "disk", "OS-FLV-EXT-DATA:ephemeral", "swap", "rxtx_factor",
           "os-flavor-access:is_public"}
REQUIRED = ("name", "ram", "vcpus", "disk")


def invalid(field: str, why: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {field}. {why}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 64 else text[:64] + "..."


def size(value: Any, field: str, minimum: int) -> int:
    """An integer (or digit string) in ``minimum``..MAX_INT."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid(field, f"Value: {_show(value)}. {_show(value)} is not of type 'integer', 'string'")
    if isinstance(value, str):
        if not _DIGITS.match(value):
            raise invalid(field, f"Value: {_show(value)}. {_show(value)} does not match '^[0-9]+$'")
        if len(value) > 20:
            raise invalid(field, f"Value: {_show(value)}. It is greater than the maximum of {MAX_INT}")
        value = int(value)
    if value < minimum:
        raise invalid(field, f"Value: {value}. {value} is less than the minimum of {minimum}")
    if value > MAX_INT:
        raise invalid(field, f"Value: {value}. {value} is greater than the maximum of {MAX_INT}")
    return value


def rxtx_factor(value: Any) -> float:
    field = "rxtx_factor"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise invalid(field, f"Value: {_show(value)}. {_show(value)} is not of type 'number', 'string'")
    if isinstance(value, str) and not _RXTX.match(value):
        raise invalid(field, f"Value: {_show(value)}. {_show(value)} does not match '^[0-9]+(\\.[0-9]+)?$'")
    number = float(value)
    if not 0 < number <= SQL_SP_FLOAT_MAX:
        raise invalid(field, f"'rxtx_factor' argument must be a float between 0 and {SQL_SP_FLOAT_MAX:g}")
    return number


def flavor_id(value: Any) -> str:
    """The requested id, or a new uuid when absent/null (Nova also treats 0 and "" as absent)."""
    if value is None:
        return str(uuid.uuid4())
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise invalid("id", f"Value: {_show(value)}. {_show(value)} is not of type 'string', 'number', 'null'")
    if isinstance(value, str):
        if not 1 <= len(value) <= 255:
            raise invalid("id", f"Value: {_show(value)}. Length must be 1 to 255 characters")
        if not _FLAVOR_ID.match(value):
            raise invalid("id", f"Value: {_show(value)}. {_show(value)} does not match "
                                "'^(?! )[a-zA-Z0-9. _-]+(?<! )$'")
        return value
    if not value:
        return str(uuid.uuid4())
    # Ids arrive as JSON numbers from old clients; Nova stores their text.
    return str(value)


@dataclass
class FlavorSpec:
    flavorid: str
    name: str
    memory_mb: int
    vcpus: int
    root_gb: int
    ephemeral_gb: int
    swap: int
    rxtx_factor: float
    is_public: bool


def parse_create(body: Any) -> FlavorSpec:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    extra = sorted(set(body) - {"flavor"})
    if extra:
        raise BadRequest(f"Additional properties are not allowed ({_show(extra[0])} was unexpected)")
    if "flavor" not in body:
        raise BadRequest("Invalid input for field/attribute flavor. 'flavor' is a required property")
    data = body["flavor"]
    if not isinstance(data, dict):
        raise invalid("flavor", f"Value: {_show(data)}. {_show(data)} is not of type 'object'")
    unknown = sorted(set(data) - ALLOWED)
    if unknown:
        raise invalid("flavor", f"Additional properties are not allowed ({_show(unknown[0])} was unexpected)")
    for field in REQUIRED:
        if field not in data:
            raise invalid("flavor", f"'{field}' is a required property")
    return FlavorSpec(
        flavorid=flavor_id(data.get("id")),
        name=v.printable_name(data["name"], "name").strip(),
        memory_mb=size(data["ram"], "ram", 1),
        vcpus=size(data["vcpus"], "vcpus", 1),
        root_gb=size(data["disk"], "disk", 0),
        ephemeral_gb=size(data.get("OS-FLV-EXT-DATA:ephemeral", 0), "OS-FLV-EXT-DATA:ephemeral", 0),
        swap=size(data.get("swap", 0), "swap", 0),
        rxtx_factor=rxtx_factor(data.get("rxtx_factor", 1.0)),
        is_public=v.boolean(data.get("os-flavor-access:is_public", True), "os-flavor-access:is_public"),
    )
