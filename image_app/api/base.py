"""Base view of the image API: the caller's context and image lookups."""

from __future__ import annotations

from cloud.api.views import APIView
from image_app.models import Image
from image_app.visibility import get_visible_image


class ImageAPIView(APIView):
    """Another project's private image is a 404 here, never a 403 (it must not leak)."""

    def image(self, image_id: str) -> Image:
        return get_visible_image(self.ctx, image_id)
