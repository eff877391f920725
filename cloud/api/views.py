"""Base class and request helpers shared by the API views of every app."""

from __future__ import annotations

from typing import Any

from rest_framework import views

from cloud import policy
from cloud.api.errors import BadRequest
from cloud.context import RequestContext


class APIView(views.APIView):
    """A DRF view that knows the caller's context and the policy module."""

    @property
    def ctx(self) -> RequestContext:
        return self.request.auth

    def authorize(self, rule: str, target: dict[str, Any] | None = None) -> None:
        policy.authorize(self.ctx, rule, target)

    def can(self, rule: str, target: dict[str, Any] | None = None) -> bool:
        return policy.check(self.ctx, rule, target)


def body_object(request, key: str | None = None, *, required: bool = True) -> dict[str, Any]:
    """The JSON body (or ``body[key]``) as a dict, or a 400 that says what is wrong."""
    data = request.data
    if data is None or (hasattr(data, "__len__") and len(data) == 0 and not isinstance(data, dict)):
        data = {}
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    if key is None:
        return data
    if key not in data:
        if not required:
            return {}
        raise BadRequest(f"Invalid input: '{key}' is a required property.")
    value = data[key]
    if not isinstance(value, dict):
        raise BadRequest(f"Invalid input for field '{key}': must be an object.")
    return value


def query_int(request, name: str, default: int | None = None, *, minimum: int = 0,
              maximum: int = 2**31 - 1) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"Invalid input for query parameter '{name}': {raw!r} is not an integer.") from None
    if not minimum <= value <= maximum:
        raise BadRequest(
            f"Invalid input for query parameter '{name}': must be between {minimum} and {maximum}."
        )
    return value


_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def parse_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadRequest(f"Invalid input for '{name}': {value!r} is not a boolean.")


def query_bool(request, name: str, default: bool | None = None) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return parse_bool(raw, name)
