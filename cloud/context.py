"""Who is asking, and under which request id.

A :class:`RequestContext` is built from a validated token by the API and
travels, as a plain dict, inside every Celery task the request causes. The
request id lives in a context variable so log lines from any layer carry it.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def new_request_id() -> str:
    return f"req-{uuid.uuid4()}"


def get_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds ``record.request_id`` so formatters can print it on every line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


@dataclass
class RequestContext:
    """The caller as policy sees it: identity, scope and effective roles."""

    user_id: str | None = None
    user_name: str | None = None
    user_domain_id: str | None = None
    project_id: str | None = None
    project_name: str | None = None
    project_domain_id: str | None = None
    domain_id: str | None = None  # set for domain-scoped tokens
    roles: list[str] = field(default_factory=list)
    system_scope: str | None = None
    request_id: str = "-"
    audit_id: str | None = None
    expires_at: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestContext:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @classmethod
    def admin(cls, request_id: str | None = None) -> RequestContext:
        """A context for work the cloud does on its own behalf (periodic sweeps)."""
        return cls(roles=["admin", "member", "reader"], request_id=request_id or new_request_id())
