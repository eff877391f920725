"""Version discovery: ``GET /image`` lists the Image API versions (300, as Glance).

The catalog advertises ``<public>/image``; keystoneauth reads this list and
picks the CURRENT v2 entry, whose ``self`` link is the v2 root.
"""

from __future__ import annotations

from typing import Any

from rest_framework.views import APIView as DRFView

from image_app.api.render import json

CURRENT = (2, 9)  # Glance's v2.9 (Stein and later) is the shape this API serves
OLDEST_MINOR = 0


def base_url(request) -> str:
    """Absolute URL of /image as this client reached it."""
    return request.build_absolute_uri("/image").rstrip("/")


def versions_document(request) -> dict[str, Any]:
    href = f"{base_url(request)}/v2/"
    major, newest = CURRENT
    versions = [
        {"id": f"v{major}.{minor}", "status": "CURRENT" if minor == newest else "SUPPORTED",
         "links": [{"rel": "self", "href": href}]}
        for minor in range(newest, OLDEST_MINOR - 1, -1)
    ]
    return {"versions": versions}


class VersionsView(DRFView):
    """No token needed: clients discover versions before they authenticate.

    Like Glance, the root answers 300 (Multiple Choices) and an explicit
    ``/versions`` request answers 200 with the same document.
    """

    authentication_classes: list = []
    permission_classes: list = []
    explicit = False

    def get(self, request):
        return json(versions_document(request), status=200 if self.explicit else 300)
