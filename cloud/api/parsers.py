"""Request body parsing that turns every kind of bad input into a clear 4xx.

The standard parsers let some inputs through as 500s: bodies that are not
UTF-8, JSON nested deeply enough to exhaust the recursion limit, NaN or
Infinity, integers with thousands of digits, NUL bytes that PostgreSQL cannot
store. :func:`loads` refuses all of them before a view sees the data.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings
from rest_framework.parsers import BaseParser

from cloud.api.errors import BadRequest, RequestTooLarge

# Integers beyond a signed 64-bit column are never meaningful in these APIs.
_INT_LIMIT = 2**63 - 1


def _reject_constant(name: str) -> Any:
    raise BadRequest(f"Malformed JSON in request body: {name} is not allowed.")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise BadRequest("Malformed JSON in request body: number out of range.")
    return value


def _parse_int(text: str) -> int:
    if len(text) > 20:
        raise BadRequest("Malformed JSON in request body: number out of range.")
    value = int(text)
    if abs(value) > _INT_LIMIT:
        raise BadRequest("Malformed JSON in request body: number out of range.")
    return value


# JSON's "\ud800" escapes decode to lone surrogates, which no UTF-8 encoder (the
# database driver's included) accepts: refused here, they would surface as a 500.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, what: str = "string") -> None:
    if "\x00" in value:
        raise BadRequest(f"Invalid {what} in request: NUL characters are not allowed.")
    if _SURROGATE.search(value):
        raise BadRequest(f"Invalid {what} in request: unpaired surrogate characters are not allowed.")


def _check_tree(data: Any, max_depth: int) -> None:
    """Iteratively check nesting depth and strings (no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            check_text(node)
        elif isinstance(node, (dict, list)):
            if depth > max_depth:
                raise BadRequest(f"Request body is nested deeper than {max_depth} levels.")
            if isinstance(node, dict):
                for key, value in node.items():
                    check_text(key, "key")
                    stack.append((value, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in node)


def loads(raw: bytes, max_bytes: int | None = None, max_depth: int | None = None) -> Any:
    """Decode a JSON request body, or raise BadRequest / RequestTooLarge."""
    max_bytes = settings.MAX_JSON_BODY_BYTES if max_bytes is None else max_bytes
    max_depth = settings.MAX_JSON_DEPTH if max_depth is None else max_depth
    if len(raw) > max_bytes:
        raise RequestTooLarge(f"Request body is larger than {max_bytes} bytes.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("Request body is not valid UTF-8.") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None
    # Cheap guard before parsing: the json module recurses per nesting level.
    if text.count("[") + text.count("{") > max_depth and _max_bracket_depth(text) > max_depth:
        raise BadRequest(f"Request body is nested deeper than {max_depth} levels.")
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, parse_float=_parse_float, parse_int=_parse_int
        )
    except BadRequest:
        raise
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"Malformed JSON in request body: {_short(exc)}") from None
    _check_tree(data, max_depth)
    return data


def _max_bracket_depth(text: str) -> int:
    """Upper bound of JSON nesting, ignoring brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def read_limited(stream, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` (+1 to detect overflow) from a request stream."""
    if stream is None:
        return b""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RequestTooLarge(f"Request body is larger than {max_bytes} bytes.")
    return data


class StrictJSONParser(BaseParser):
    """DRF parser for ``application/json`` built on :func:`loads`."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        max_bytes = settings.MAX_JSON_BODY_BYTES
        return loads(read_limited(stream, max_bytes), max_bytes=max_bytes)
