"""OpenStack-style errors for every API.

Views raise :class:`APIError` subclasses; :func:`exception_handler` (DRF) and
:func:`error_response` (plain Django views and middleware) turn them, and any
other exception, into the body OpenStack clients expect:

* compute, image and network: ``{"itemNotFound": {"code": 404, "message": ...}}``
* identity (Keystone): ``{"error": {"code": 401, "title": "Unauthorized", "message": ...}}``

Nothing here ever puts a traceback in a response.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError, IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf

LOG = logging.getLogger(__name__)

# Nova's fault names by status code (nova/api/openstack/wsgi.py uses the same
# keys); anything unlisted is a "computeFault".
FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    406: "notAcceptable",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


class APIError(Exception):
    """An error with an HTTP status and a message safe to show the caller."""

    status = 500
    default_message = "An unexpected error occurred."

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None):
        self.message = message or self.default_message
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(APIError):
    status = 400
    default_message = "The request is invalid."


class Unauthorized(APIError):
    status = 401
    default_message = "The request you have made requires authentication."


class Forbidden(APIError):
    status = 403
    default_message = "You are not authorized to perform the requested action."


class QuotaExceeded(Forbidden):
    """Nova answers an exhausted quota on create with 403 forbidden."""


class NotFound(APIError):
    status = 404
    default_message = "The resource could not be found."


class MethodNotAllowed(APIError):
    status = 405
    default_message = "The method is not allowed for this resource."


class NotAcceptable(APIError):
    status = 406
    default_message = "The requested version or media type is not supported."


class Conflict(APIError):
    status = 409
    default_message = "The request conflicts with the current state of the resource."


class RequestTooLarge(APIError):
    status = 413
    default_message = "The request body is too large."


class UnsupportedMediaType(APIError):
    status = 415
    default_message = "The request media type is not supported."


class NotImplementedAPI(APIError):
    status = 501
    default_message = "This operation is not implemented."


class ServiceUnavailable(APIError):
    status = 503
    default_message = "The service is unavailable; try again later."


def error_style_for_path(path: str) -> str:
    return "identity" if path.startswith("/identity") else "compute"


def error_body(status: int, message: str, style: str = "compute") -> dict[str, Any]:
    if style == "identity":
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        return {"error": {"code": status, "title": title, "message": message}}
    return {FAULT_NAMES.get(status, "computeFault"): {"code": status, "message": message}}


def error_response(status: int, message: str, path: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(error_body(status, message, error_style_for_path(path)), status=status)
    if status == 401:
        response["WWW-Authenticate"] = f'Keystone uri="{settings.PUBLIC_URL}/identity"'
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def describe_validation_error(detail: Any, prefix: str = "") -> str:
    """One readable sentence naming the first offending field."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                return describe_validation_error(value, prefix)
            return describe_validation_error(value, name)
    if isinstance(detail, list) and detail:
        return describe_validation_error(detail[0], prefix)
    text = str(detail)
    return f"Invalid input for field '{prefix}': {text}" if prefix else text


def classify(exc: BaseException) -> tuple[int, str, dict[str, str]]:
    """Status, message and extra headers for any exception."""
    if isinstance(exc, APIError):
        return exc.status, exc.message, exc.headers
    if isinstance(exc, drf.ValidationError):
        return 400, describe_validation_error(exc.detail), {}
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        message = str(exc.detail) if isinstance(exc, drf.AuthenticationFailed) else Unauthorized.default_message
        return 401, message, {}
    if isinstance(exc, drf.APIException):
        headers = {}
        if isinstance(exc, drf.MethodNotAllowed):
            return 405, str(exc.detail), headers
        return exc.status_code, str(exc.detail), headers
    if isinstance(exc, Http404):
        return 404, NotFound.default_message, {}
    if isinstance(exc, DjangoPermissionDenied):
        return 403, Forbidden.default_message, {}
    if isinstance(exc, DataError):
        # A value the database cannot hold (out-of-range number, NUL byte) that
        # validation missed: still the caller's input, never a 500.
        return 400, "A value in the request is out of range or not valid.", {}
    if isinstance(exc, IntegrityError):
        return 409, "The request conflicts with an existing resource.", {}
    return 500, "Unexpected API error. Please report this with the request id.", {}


def exception_handler(exc: Exception, context: dict[str, Any]):
    """DRF exception handler: every error leaves as an OpenStack-style body."""
    request = context.get("request")
    path = request.path if request is not None else ""
    status, message, headers = classify(exc)
    if status >= 500:
        LOG.exception("Unexpected error handling %s %s", getattr(request, "method", "?"), path)
    return error_response(status, message, path, headers)
