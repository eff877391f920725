"""Checking responses against Tempest's own response schemas (strict: no extra keys)."""

from __future__ import annotations

from typing import Any

from tempest.lib.common.rest_client import RestClient


class _Resp(dict):
    """What Tempest's validator expects of a response: a header dict with ``status``."""

    def __init__(self, status: int, headers: dict[str, str] | None = None):
        super().__init__({k.lower(): v for k, v in (headers or {}).items()})
        self.status = status


def assert_schema(schema: dict[str, Any], response) -> None:
    """Validate a Django test-client or requests response against a Tempest schema."""
    status = response.status_code
    body = response.json() if getattr(response, "content", b"") else None
    headers = dict(response.headers.items()) if hasattr(response, "headers") else {}
    RestClient.validate_response(schema, _Resp(status, headers), body)
