"""Quota sets (/os-quota-sets/{project}) and quota class sets (/os-quota-class-sets/{class}).

Limits and usage come from :mod:`compute_app.quotas`; this module validates
requests and shapes responses. Which resources a response shows depends on
the microversion (the tables below): 2.36 dropped the network ones from quota
sets; quota class sets show the server group ones only from 2.50.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse

from cloud.api import validation as v
from cloud.api.errors import BadRequest
from cloud.api.routing import route
from compute_app import quotas
from compute_app.api.base import ComputeAPIView
from compute_app.api.microversion import APIVersion, by_version

MAX_INT = 0x7FFFFFFF
_QUOTA_VALUE = re.compile(r"^-?[0-9]+$")
ALL_RESOURCES = tuple(sorted(quotas.DEFAULTS))
SERVER_GROUP_RESOURCES = ("server_groups", "server_group_members")

# Resources hidden from quota set responses (and refused in updates), per microversion.
QUOTA_SET_HIDDEN: list[tuple[str, tuple[str, ...]]] = [("2.1", ()), ("2.36", quotas.NETWORK_RESOURCES)]
# Quota class sets before 2.50 neither show the server group resources nor hide network ones.
CLASS_SET_HIDDEN: list[tuple[str, tuple[str, ...]]] = [("2.1", SERVER_GROUP_RESOURCES)]
CLASS_SET_SETTABLE: list[tuple[str, tuple[str, ...]]] = [("2.1", ALL_RESOURCES)]


def project_exists(project_id: str) -> bool:
    """Whether the identity service knows the project (always True with a remote Keystone:
    Nova, too, lets a request through when it cannot ask)."""
    if settings.IDENTITY_BACKEND != "local":
        return True
    from identity_app.models import Project

    return Project.objects.filter(id=project_id).exists()


def verify_project_id(project_id: str) -> None:
    if not project_exists(project_id):
        raise BadRequest(f"Project ID {project_id} is not a valid project.")


def _shown(version: APIVersion, hidden_table: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    hidden = set(by_version(hidden_table, version))
    return [resource for resource in ALL_RESOURCES if resource not in hidden]


def quota_body(values: dict[str, Any], resources: list[str], set_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": set_id} if set_id is not None else {}
    body.update({resource: values[resource] for resource in resources})
    return body


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 64 else text[:64] + "..."


def quota_value(value: Any, field: str) -> int:
    """-1 (unlimited) .. 2**31-1, as an integer or a string of digits; never a float or boolean."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRequest(f"Invalid input for field/attribute {field}. Value: {_short(value)}. "
                         f"{_short(value)} is not of type 'integer', 'string'")
    if isinstance(value, str):
        if not _QUOTA_VALUE.match(value) or len(value) > 20:
            raise BadRequest(f"Invalid input for field/attribute {field}. Value: {_short(value)}. "
                             f"{_short(value)} does not match '^-?[0-9]+$'")
        value = int(value)
    if value < -1:
        raise BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. "
                         f"{value} is less than the minimum of -1")
    if value > MAX_INT:
        raise BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. "
                         f"{value} is greater than the maximum of {MAX_INT}")
    return value


def parse_update(body: Any, key: str, settable: list[str], *, allow_force: bool) -> tuple[dict[str, int], bool]:
    """``({resource: limit}, force)`` from ``{key: {...}}``, or 400 naming the bad field."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    extra = sorted(set(body) - {key})
    if extra:
        raise BadRequest(f"Additional properties are not allowed ({_short(extra[0])} was unexpected)")
    if key not in body:
        raise BadRequest(f"Invalid input for field/attribute {key}. '{key}' is a required property")
    data = body[key]
    if not isinstance(data, dict):
        raise BadRequest(f"Invalid input for field/attribute {key}. Value: {_short(data)}. "
                         f"{_short(data)} is not of type 'object'")
    allowed = set(settable) | ({"force"} if allow_force else set())
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise BadRequest(f"Invalid input for field/attribute {key}. Additional properties are not allowed "
                         f"({_short(unknown[0])} was unexpected)")
    force = v.boolean(data["force"], "force") if "force" in data else False
    limits = {resource: quota_value(value, resource) for resource, value in data.items() if resource != "force"}
    return limits, force


def _check_range(resource: str, limit: int, minimum: int, maximum: int) -> None:
    def inf(value: int) -> float:
        return float("inf") if value == quotas.UNLIMITED else value

    if inf(limit) < inf(minimum):
        raise BadRequest(f"Quota limit {limit} for {resource} must be greater than or equal to already used "
                         f"and reserved {minimum}.")
    if inf(limit) > inf(maximum):
        raise BadRequest(f"Quota limit {limit} for {resource} must be less than or equal to {maximum}.")


def _first(request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    return values[0] if values and values[0] else None


class QuotaSetView(ComputeAPIView):
    """GET / PUT / DELETE /os-quota-sets/{project_id}[?user_id=]."""

    def get(self, request, project_id: str):
        self.authorize("os_compute_api:os-quota-sets:show", {"project_id": project_id})
        verify_project_id(project_id)
        limits = quotas.project_limits(project_id, _first(request, "user_id"))
        shown = _shown(self.version, QUOTA_SET_HIDDEN)
        return JsonResponse({"quota_set": quota_body(limits, shown, project_id)})

    def put(self, request, project_id: str):
        self.authorize("os_compute_api:os-quota-sets:update", {"project_id": project_id})
        verify_project_id(project_id)
        user_id = _first(request, "user_id")
        shown = _shown(self.version, QUOTA_SET_HIDDEN)
        limits, force = parse_update(request.data, "quota_set", shown, allow_force=True)
        with transaction.atomic():
            # Serialise with creates in the project: usage cannot grow between check and save.
            quotas.lock_project(project_id)
            if not force:
                ranges = quotas.settable_range(project_id, user_id)
                for resource, limit in limits.items():
                    _check_range(resource, limit, *ranges[resource])
            quotas.set_limits(project_id, limits, user_id)
        # As Nova, the update answer has no "id".
        values = quotas.project_limits(project_id, user_id)
        return JsonResponse({"quota_set": quota_body(values, shown, None)})

    def delete(self, request, project_id: str):
        self.authorize("os_compute_api:os-quota-sets:delete", {"project_id": project_id})
        quotas.clear_limits(project_id, _first(request, "user_id"))
        return HttpResponse(status=202)


class QuotaSetDefaultsView(ComputeAPIView):
    def get(self, request, project_id: str):
        self.authorize("os_compute_api:os-quota-sets:defaults", {"project_id": project_id})
        verify_project_id(project_id)
        shown = _shown(self.version, QUOTA_SET_HIDDEN)
        return JsonResponse({"quota_set": quota_body(quotas.default_limits(), shown, project_id)})


class QuotaSetDetailView(ComputeAPIView):
    def get(self, request, project_id: str):
        self.authorize("os_compute_api:os-quota-sets:detail", {"project_id": project_id})
        verify_project_id(project_id)
        user_id = _first(request, "user_id")
        limits = quotas.project_limits(project_id, user_id)
        used = quotas.reported_usage(project_id, user_id)
        # Quotas are counted, never reserved, so "reserved" is always 0 (as in Nova since Pike).
        values = {r: {"in_use": used[r], "limit": limits[r], "reserved": 0} for r in ALL_RESOURCES}
        shown = _shown(self.version, QUOTA_SET_HIDDEN)
        return JsonResponse({"quota_set": quota_body(values, shown, project_id)})


class QuotaClassSetView(ComputeAPIView):
    """GET / PUT /os-quota-class-sets/{class}; the ``default`` class sets every project's defaults."""

    def get(self, request, class_name: str):
        self.authorize("os_compute_api:os-quota-class-sets:show", {})
        shown = _shown(self.version, CLASS_SET_HIDDEN)
        return JsonResponse({"quota_class_set": quota_body(quotas.class_limits(class_name), shown, class_name)})

    def put(self, request, class_name: str):
        self.authorize("os_compute_api:os-quota-class-sets:update", {})
        if not 1 <= len(class_name) <= 255:
            raise BadRequest("quota_class_name has a length greater than 255")
        settable = list(by_version(CLASS_SET_SETTABLE, self.version))
        limits, _ = parse_update(request.data, "quota_class_set", settable, allow_force=False)
        quotas.set_class_limits(class_name, limits)
        shown = _shown(self.version, CLASS_SET_HIDDEN)
        return JsonResponse({"quota_class_set": quota_body(quotas.class_limits(class_name), shown, None)})


PROJECT = r"/v2.1/os-quota-sets/(?P<project_id>[^/]+)"

urlpatterns = [
    route(PROJECT + r"/defaults", QuotaSetDefaultsView.as_view()),
    route(PROJECT + r"/detail", QuotaSetDetailView.as_view()),
    route(PROJECT, QuotaSetView.as_view()),
    route(r"/v2.1/os-quota-class-sets/(?P<class_name>[^/]+)", QuotaClassSetView.as_view()),
]
