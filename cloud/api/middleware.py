"""Middleware for every HTTP request: request ids and last-resort error bodies."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse

from cloud.api.errors import classify, error_response
from cloud.context import new_request_id, reset_request_id, set_request_id

LOG = logging.getLogger(__name__)

API_PREFIXES = ("/identity", "/compute", "/image", "/network")
# C0 control characters and DEL have no business in a URL path or query value.
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path == "/"


class RequestIdMiddleware:
    """Gives each request a ``req-<uuid>`` id, logged and returned in headers.

    The id is set in a context variable before anything else runs, so log lines
    and the Celery tasks a request causes carry it (see cloud/celery.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        request.request_id = request_id
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-OpenStack-Request-Id"] = request_id
        response["X-Compute-Request-Id"] = request_id
        return response


class ErrorMiddleware:
    """Refuses unusable URLs early and turns any escaped exception into JSON.

    DRF views format their own errors; this catches what happens outside them
    (URL resolution, plain Django views) for the API paths. The admin site keeps
    Django's own pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request.path):
            raw_path = request.META.get("PATH_INFO", "").encode("utf-8", "surrogateescape")
            query = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
            if _CONTROL.search(unquote_to_bytes(raw_path)) or _CONTROL.search(
                unquote_to_bytes(query.replace(b"+", b" "))
            ):
                return error_response(400, "Control characters are not allowed in the URL.", request.path)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        status, message, headers = classify(exception)
        if status >= 500:
            LOG.exception("Unexpected error handling %s %s", request.method, request.path)
        return error_response(status, message, request.path, headers)


def json_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: unknown API URLs get a JSON body, not an HTML page."""
    return error_response(404, "The resource could not be found.", request.path)


def json_500(request: HttpRequest) -> HttpResponse:
    return error_response(500, "Unexpected API error. Please report this with the request id.", request.path)


def json_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(400, "Bad request.", request.path)


def json_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(403, "Forbidden.", request.path)



