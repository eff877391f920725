"""Version discovery: GET /compute (all versions) and GET /compute/v2.1 (this one).

Both are unauthenticated, as in Nova, and are what keystoneauth/openstacksdk
read to negotiate a microversion (``version`` is the maximum, ``min_version``
the minimum). Hrefs are absolute, built from the URL the client used.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from rest_framework.permissions import AllowAny

from cloud.api.errors import APIError
from cloud.api.routing import route
from compute_app.api.base import ComputeAPIView, api_base
from compute_app.api.microversion import MAX_VERSION, MIN_VERSION, requested_version

DOCS_URL = "http://docs.openstack.org/"

VERSIONS: dict[str, dict[str, Any]] = {
    "v2.0": {
        "id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
        "updated": "2011-01-21T11:33:21Z", "path": "v2",
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}],
    },
    "v2.1": {
        "id": "v2.1", "status": "CURRENT", "version": str(MAX_VERSION), "min_version": str(MIN_VERSION),
        "updated": "2013-07-23T11:33:21Z", "path": "v2.1",
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.compute+json;version=2.1"}],
    },
}


def _summary(request, version: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": version["id"], "status": version["status"], "version": version["version"],
        "min_version": version["min_version"], "updated": version["updated"],
        "links": [{"rel": "self", "href": f"{api_base(request)}/{version['path']}/"}],
    }


def _detail(request, version: dict[str, Any]) -> dict[str, Any]:
    body = _summary(request, version)
    body["links"].append({"rel": "describedby", "type": "text/html", "href": DOCS_URL})
    body["media-types"] = version["media-types"]
    return body


class VersionDiscoveryView(ComputeAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        # The version documents are not under microversion control (Nova's
        # root "isn't under the microversion control"): a header a client
        # got wrong must not break discovery, so it falls back to 2.1.
        try:
            request.api_version = requested_version(request.META)
        except APIError:
            request.api_version = MIN_VERSION
        super(ComputeAPIView, self).initial(request, *args, **kwargs)


class VersionsView(VersionDiscoveryView):
    def get(self, request):
        return JsonResponse({"versions": [_summary(request, VERSIONS[key]) for key in sorted(VERSIONS)]})


class VersionView(VersionDiscoveryView):
    """One version's document. The legacy v2.0 document is served because the
    version list links to it (Tempest follows every link); the v2.0 API itself,
    Nova's pre-microversion dialect, is not."""

    version_id = "v2.1"

    def get(self, request):
        return JsonResponse({"version": _detail(request, VERSIONS[self.version_id])})


urlpatterns = [
    route(r"", VersionsView.as_view()),
    route(r"/v2.1", VersionView.as_view(version_id="v2.1")),
    route(r"/v2", VersionView.as_view(version_id="v2.0")),
]
