"""Response shapes and status codes of key pairs, per microversion, in one place.

Each table lists ``(first microversion, value)``; the last entry not newer
than the request applies. 2.2 added ``type`` everywhere and changed create to
201 and delete to 204; 2.35 added paging links to the list.
"""

from __future__ import annotations

from typing import Any

from compute_app.api.base import next_link, nova_time
from compute_app.api.microversion import APIVersion, by_version
from compute_app.models import KeyPair

_BASIC = ("name", "public_key", "fingerprint")
_CREATED = _BASIC + ("user_id",)
# Nova still shows its soft-delete columns; keypairs are never updated or soft-deleted.
_SHOWN = _CREATED + ("created_at", "deleted", "deleted_at", "id", "updated_at")

INDEX_FIELDS: list[tuple[str, tuple[str, ...]]] = [("2.1", _BASIC), ("2.2", _BASIC + ("type",))]
CREATE_FIELDS: list[tuple[str, tuple[str, ...]]] = [("2.1", _CREATED), ("2.2", _CREATED + ("type",))]
SHOW_FIELDS: list[tuple[str, tuple[str, ...]]] = [("2.1", _SHOWN), ("2.2", _SHOWN + ("type",))]
CREATE_STATUS: list[tuple[str, int]] = [("2.1", 200), ("2.2", 201)]
DELETE_STATUS: list[tuple[str, int]] = [("2.1", 202), ("2.2", 204)]
INDEX_LINKS: list[tuple[str, bool]] = [("2.1", False), ("2.35", True)]
# Request fields accepted in the create body.
CREATE_PARAMS: list[tuple[str, frozenset[str]]] = [
    ("2.1", frozenset({"name", "public_key"})),
    ("2.2", frozenset({"name", "public_key", "type"})),
    ("2.10", frozenset({"name", "public_key", "type", "user_id"})),
]
USER_ID_PARAM: list[tuple[str, bool]] = [("2.1", False), ("2.10", True)]
PAGING: list[tuple[str, bool]] = [("2.1", False), ("2.35", True)]


def _value(keypair: KeyPair, field: str) -> Any:
    if field == "created_at":
        return nova_time(keypair.created_at)
    if field == "deleted":
        return False
    if field in ("deleted_at", "updated_at"):
        return None
    return getattr(keypair, field)


def _fields(keypair: KeyPair, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: _value(keypair, field) for field in fields}


def created(keypair: KeyPair, version: APIVersion, private_key: str | None) -> dict[str, Any]:
    body = _fields(keypair, by_version(CREATE_FIELDS, version))
    if private_key is not None:
        body["private_key"] = private_key
    return {"keypair": body}


def show(keypair: KeyPair, version: APIVersion) -> dict[str, Any]:
    return {"keypair": _fields(keypair, by_version(SHOW_FIELDS, version))}


def index(request, keypairs: list[KeyPair], version: APIVersion, page_size: int) -> dict[str, Any]:
    fields = by_version(INDEX_FIELDS, version)
    body: dict[str, Any] = {"keypairs": [{"keypair": _fields(k, fields)} for k in keypairs]}
    # Nova's rule: a next link whenever the page is full.
    if by_version(INDEX_LINKS, version) and page_size and len(keypairs) == page_size:
        body["keypairs_links"] = [next_link(request, "os-keypairs", keypairs[-1].name)]
    return body
