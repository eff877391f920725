"""/flavors/{id}/os-extra_specs: read by anyone who sees the flavor, written by admins.

Keys match ``^[a-zA-Z0-9-_:. ]{1,255}$``; values are strings of at most 255
characters or numbers (stored as their text, as Nova's string column does).
Create and update answer with the request body, as Nova does; reads always
show strings. Writes lock the flavor row so two admins setting different
keys at once cannot lose one another's key.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.http import HttpResponse, JsonResponse

from cloud.api.errors import BadRequest, NotFound
from compute_app.api.base import ComputeAPIView
from compute_app.api.flavors.queries import get_flavor
from compute_app.models import Flavor

_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
MAX_VALUE_LENGTH = 255


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 64 else text[:64] + "..."


def validate_specs(specs: Any, field: str = "extra_specs") -> dict[str, str]:
    """The specs as they will be stored (numbers as text), or 400 naming the bad key."""
    if not isinstance(specs, dict):
        raise BadRequest(f"Invalid input for field/attribute {field}. Value: {_short(specs)}. "
                         f"{_short(specs)} is not of type 'object'")
    stored: dict[str, str] = {}
    for key, value in specs.items():
        if not _KEY.match(key):
            raise BadRequest(f"Invalid input for field/attribute {field}. Additional properties are not "
                             f"allowed ({_short(key)} was unexpected)")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise BadRequest(f"Invalid input for field/attribute {key}. Value: {_short(value)}. "
                             f"{_short(value)} is not of type 'string', 'number'")
        text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_VALUE_LENGTH:
            raise BadRequest(f"Invalid input for field/attribute {key}. extra_specs value has a length "
                             f"greater than {MAX_VALUE_LENGTH}")
        stored[key] = text
    return stored


def _merge(flavor: Flavor, specs: dict[str, str]) -> None:
    with transaction.atomic():
        locked = Flavor.objects.select_for_update().get(pk=flavor.pk)
        locked.extra_specs = {**(locked.extra_specs or {}), **specs}
        locked.save(update_fields=["extra_specs", "updated_at"])


def _as_text(specs: dict[str, Any]) -> dict[str, str]:
    return {key: value if isinstance(value, str) else str(value) for key, value in (specs or {}).items()}


class ExtraSpecsView(ComputeAPIView):
    def get(self, request, flavor_id: str):
        self.authorize("os_compute_api:os-flavor-extra-specs:index", {"project_id": self.ctx.project_id})
        flavor = get_flavor(self.ctx, flavor_id)
        return JsonResponse({"extra_specs": _as_text(flavor.extra_specs)})

    def post(self, request, flavor_id: str):
        self.authorize("os_compute_api:os-flavor-extra-specs:create", {})
        body = request.data
        if not isinstance(body, dict) or "extra_specs" not in body:
            raise BadRequest("Invalid input for field/attribute extra_specs. 'extra_specs' is a required property")
        extra = sorted(set(body) - {"extra_specs"})
        if extra:
            raise BadRequest(f"Additional properties are not allowed ({_short(extra[0])} was unexpected)")
        specs = validate_specs(body["extra_specs"])
        flavor = get_flavor(self.ctx, flavor_id)
        _merge(flavor, specs)
        return JsonResponse(body)


class ExtraSpecView(ComputeAPIView):
    def get(self, request, flavor_id: str, key: str):
        self.authorize("os_compute_api:os-flavor-extra-specs:show", {"project_id": self.ctx.project_id})
        flavor = get_flavor(self.ctx, flavor_id)
        specs = _as_text(flavor.extra_specs)
        if key not in specs:
            raise NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
        return JsonResponse({key: specs[key]})

    def put(self, request, flavor_id: str, key: str):
        self.authorize("os_compute_api:os-flavor-extra-specs:update", {})
        body = request.data
        if not isinstance(body, dict) or len(body) != 1:
            raise BadRequest("Invalid input for field/attribute extra_specs. The body must hold exactly "
                             "one key and its value.")
        specs = validate_specs(body, "extra_specs")
        if key not in body:
            raise BadRequest("Request body and URI mismatch")
        flavor = get_flavor(self.ctx, flavor_id)
        _merge(flavor, specs)
        return JsonResponse(body)

    def delete(self, request, flavor_id: str, key: str):
        self.authorize("os_compute_api:os-flavor-extra-specs:delete", {})
        flavor = get_flavor(self.ctx, flavor_id)
        with transaction.atomic():
            locked = Flavor.objects.select_for_update().get(pk=flavor.pk)
            specs = dict(locked.extra_specs or {})
            if key not in specs:
                raise NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
            del specs[key]
            locked.extra_specs = specs
            locked.save(update_fields=["extra_specs", "updated_at"])
        # Nova answers 200 with an empty body here.
        return HttpResponse(status=200)
