"""Base view of the compute API: microversion negotiation and its headers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cloud.api.errors import NotFound
from cloud.api.views import APIView, query_int
from compute_app.api.microversion import MIN_VERSION, APIVersion, add_version_headers, requested_version


class ComputeAPIView(APIView):
    """Every compute view: ``request.api_version`` is set before the handler runs
    (also before authentication, so a bad version is refused first, as Nova does)
    and every response, errors included, carries the version headers."""

    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        request.api_version = requested_version(request.META)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)
        version = getattr(request, "api_version", None)
        add_version_headers(response, version if isinstance(version, APIVersion) else MIN_VERSION)
        return response

    @property
    def version(self) -> APIVersion:
        return self.request.api_version


class ProxyAPIView(ComputeAPIView):
    """The proxy APIs Nova deprecated at 2.36 (images, security groups, ...):
    from the microversion after ``last_version`` on, every route is a 404, as in Nova."""

    last_version = "2.35"

    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not request.api_version.matches(maximum=self.last_version):
            raise NotFound(f"This proxy API is not available after microversion {self.last_version}.")


def nova_time(value: datetime | None) -> str | None:
    """Nova's naive ISO timestamps of database times, in UTC: ``2014-05-07T12:06:13.681238``."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def page_params(request, max_limit: int) -> tuple[int, str | None]:
    """``limit`` (capped by the configured maximum) and ``marker`` query parameters."""
    limit = query_int(request, "limit", max_limit, minimum=0, maximum=2**31 - 1)
    return min(limit, max_limit), request.query_params.get("marker") or None


def api_base(request) -> str:
    """Absolute URL of /compute as this client reached it."""
    return request.build_absolute_uri("/compute").rstrip("/")


def resource_links(request, path: str) -> list[dict[str, str]]:
    """Nova's ``links`` of a resource: ``self`` (versioned) and ``bookmark`` (unversioned).

    ``path`` is relative to the API root, e.g. ``"servers/<uuid>"``.
    """
    base = api_base(request)
    return [{"rel": "self", "href": f"{base}/v2.1/{path}"}, {"rel": "bookmark", "href": f"{base}/{path}"}]


def next_link(request, path: str, marker: str) -> dict[str, str]:
    """``{"rel": "next", ...}``: the same query with ``marker`` set to the last item."""
    params = request.query_params.copy()
    params["marker"] = marker
    return {"rel": "next", "href": f"{api_base(request)}/v2.1/{path}?{params.urlencode()}"}
