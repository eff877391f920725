"""Version discovery: ``GET /identity`` (300, all versions) and ``GET /identity/v3``."""

from __future__ import annotations

from django.http import JsonResponse
from rest_framework.views import APIView as DRFView

VERSION_ID = "v3.14"
UPDATED = "2020-04-07T00:00:00Z"
MEDIA_TYPES = [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]


def base_url(request) -> str:
    """Absolute URL of /identity as this client reached it."""
    return request.build_absolute_uri("/identity").rstrip("/")


def v3_document(request) -> dict:
    return {
        "id": VERSION_ID,
        "status": "stable",
        "updated": UPDATED,
        "links": [{"rel": "self", "href": f"{base_url(request)}/v3/"}],
        "media-types": MEDIA_TYPES,
    }


class UnauthenticatedView(DRFView):
    authentication_classes: list = []
    permission_classes: list = []


class VersionsView(UnauthenticatedView):
    def get(self, request):
        return JsonResponse({"versions": {"values": [v3_document(request)]}}, status=300)


class V3View(UnauthenticatedView):
    def get(self, request):
        return JsonResponse({"version": v3_document(request)})
