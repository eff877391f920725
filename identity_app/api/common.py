"""Pieces every identity view shares: links, collections, query flags, input checks.

Keystone answers collections as ``{"<key>": [...], "links": {"self", "previous",
"next"}}`` and members with ``links.self``; the checks here turn any bad input
into a 400 that names the field, with lengths taken from the model fields so
the database never sees a value it cannot store.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import IntegrityError, models, transaction
from rest_framework.response import Response

from cloud.api.errors import BadRequest, Conflict, NotFound
from cloud.api.views import APIView
from identity_app.api.versions import base_url

# Descriptions are TEXT columns; a cap keeps one request from storing megabytes.
DESCRIPTION_MAX = 65535
# Keystone's default [identity] max_password_length.
PASSWORD_MAX = 4096
# Keystone's limits for project tags.
TAG_MAX = 255
TAGS_MAX = 80
# Attributes a client may never set directly: they are computed or immutable.
RESERVED = {"id", "links", "domain_id", "is_domain", "parent_id", "password", "enabled", "name",
            "description", "tags", "options", "default_project_id", "email", "password_expires_at",
            "extra"}
_FALSE_FLAGS = {"0", "false", "no", "off", "f", "n"}


class IdentityView(APIView):
    """Base of the identity views (authenticated unless a view says otherwise)."""

    def link(self, *parts: str) -> str:
        return "/".join([base_url(self.request), "v3", *parts])

    def collection(self, key: str, refs: list[dict[str, Any]]) -> Response:
        return Response({key: refs, "links": {
            "self": self.request.build_absolute_uri(), "previous": None, "next": None,
        }})

    def new_resource_domain(self, data: dict[str, Any], kind: str, rule: str):
        """The domain a new project or user goes in: ``domain_id``, else the caller's domain,
        else the default one. Authorized before the lookup, so domains cannot be probed."""
        from identity_app.bootstrap import DEFAULT_DOMAIN_ID
        from identity_app.models import Domain

        domain_id = (id_value(data["domain_id"], f"{kind}.domain_id") if data.get("domain_id") is not None
                     else self.ctx.domain_id or DEFAULT_DOMAIN_ID)
        self.authorize(rule, {"domain_id": domain_id})
        domain = Domain.objects.filter(id=domain_id).first()
        if domain is None:
            raise BadRequest(f"Invalid input for field '{kind}.domain_id': no domain {domain_id}.")
        return domain

    def visible(self, rule: str, target: dict[str, Any], kind: str, ident: str) -> None:
        """404 unless the caller may see the resource: never confirm that another project exists."""
        if not self.can(rule, target):
            raise NotFound(f"Could not find {kind}: {ident}.")


def member(key: str, ref: dict[str, Any], status: int = 200) -> Response:
    return Response({key: ref}, status=status)


def no_content() -> Response:
    return Response(status=204)


def get_or_404(model: type[models.Model], ident: str, kind: str, **related: Any) -> Any:
    query = model.objects.all()
    if related.get("select"):
        query = query.select_related(*related["select"])
    # An id longer than the column cannot exist; do not even ask the database.
    found = query.filter(pk=ident).first() if len(ident) <= (model._meta.pk.max_length or 64) else None
    if found is None:
        raise NotFound(f"Could not find {kind}: {ident[:64]}.")
    return found


def flag(request, name: str) -> bool:
    """Keystone's query flags: present means true (``?effective``), unless it says false."""
    if name not in request.query_params:
        return False
    return request.query_params.get(name, "").strip().lower() not in _FALSE_FLAGS


def is_true(value: str | None) -> bool:
    """A query value that says yes (an empty value counts: ``?is_domain``)."""
    return value is not None and value.strip().lower() in ("", "1", "true", "t", "yes", "y", "on")


def query_bool(request, name: str) -> bool | None:
    """An ``enabled``-style filter: absent is None; a value that is not a boolean is a 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    text = raw.strip().lower()
    if text in ("", "1", "true", "t", "yes", "y", "on"):
        return True
    if text in _FALSE_FLAGS:
        return False
    raise BadRequest(f"Invalid value for query parameter '{name}': expected a boolean.")


def filter_listing(request, query: models.QuerySet, exact: tuple[str, ...] = ("name", "domain_id")):
    """Keystone's list filters: exact matches on ``exact`` fields, and ``enabled``."""
    for name in exact:
        if name in request.query_params:
            query = query.filter(**{name: request.query_params[name]})
    enabled = query_bool(request, "enabled")
    return query if enabled is None else query.filter(enabled=enabled)


def save_unique(record: models.Model, kind: str, where: str = "") -> None:
    """Save, turning a unique-name clash into Keystone's 409."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise Conflict(f"Conflict occurred attempting to store {kind} - Duplicate entry found with name "
                       f"{record.name}{where}.") from None


def body_of(request, key: str) -> dict[str, Any]:
    """``request.data[key]`` as a dict, or a 400 naming what is wrong."""
    data = request.data
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    value = data.get(key)
    if value is None:
        raise BadRequest(f"Invalid input for field '{key}': '{key}' is a required property.")
    if not isinstance(value, dict):
        raise BadRequest(f"Invalid input for field '{key}': must be an object.")
    return value


def _invalid(field: str, why: str) -> BadRequest:
    return BadRequest(f"Invalid input for field '{field}': {why}")


def _has_control(text: str, allow_newlines: bool = False) -> bool:
    for char in text:
        if allow_newlines and char in "\t\n\r":
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            return True
    return False


def max_length(model: type[models.Model], field: str) -> int:
    return model._meta.get_field(field).max_length


def name_value(value: Any, field: str, limit: int) -> str:
    """A resource name: a string of 1..limit characters, not blank, no control characters."""
    if not isinstance(value, str):
        raise _invalid(field, "must be a string.")
    if not value.strip():
        raise _invalid(field, "must not be empty or blank.")
    if len(value) > limit:
        raise _invalid(field, f"must be at most {limit} characters.")
    if _has_control(value):
        raise _invalid(field, "control characters are not allowed.")
    return value


def text_value(value: Any, field: str, limit: int = DESCRIPTION_MAX, *, nullable: bool = True) -> str:
    """Free text (descriptions): may be empty or null (stored as empty)."""
    if value is None and nullable:
        return ""
    if not isinstance(value, str):
        raise _invalid(field, "must be a string.")
    if len(value) > limit:
        raise _invalid(field, f"must be at most {limit} characters.")
    if _has_control(value, allow_newlines=True):
        raise _invalid(field, "control characters are not allowed.")
    return value


def bool_value(value: Any, field: str) -> bool:
    """Keystone's schemas want a JSON boolean; the string "true" is a 400."""
    if not isinstance(value, bool):
        raise _invalid(field, "must be a boolean.")
    return value


def id_value(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 64 or _has_control(value):
        raise _invalid(field, "must be an id string of 1 to 64 characters.")
    return value


def password_value(value: Any, field: str = "password") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(field, "must be a string.")
    if len(value) > PASSWORD_MAX:
        raise _invalid(field, f"must be at most {PASSWORD_MAX} characters.")
    return value


def tags_value(value: Any, field: str = "tags") -> list[str]:
    if not isinstance(value, list):
        raise _invalid(field, "must be a list of strings.")
    if len(value) > TAGS_MAX:
        raise _invalid(field, f"at most {TAGS_MAX} tags are allowed.")
    for tag in value:
        if not isinstance(tag, str) or not tag.strip() or len(tag) > TAG_MAX:
            raise _invalid(field, f"each tag must be a string of 1 to {TAG_MAX} characters.")
        if "/" in tag or "," in tag or _has_control(tag):
            raise _invalid(field, "tags may not contain '/', ',' or control characters.")
    return list(dict.fromkeys(value))


def options_value(value: Any, field: str = "options") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(field, "must be an object.")
    return value


def extra_values(data: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Attributes Keystone keeps as-is in ``extra`` (e.g. a user's custom fields)."""
    extra = {}
    for key, value in data.items():
        if key in known or key in RESERVED:
            continue
        if len(key) > 255 or _has_control(key):
            raise _invalid(key[:64], "attribute names must be 1 to 255 printable characters.")
        extra[key] = value
    return extra
