"""``PUT/DELETE /v2/images/{id}/tags/{tag}`` (204; adding an existing tag is a no-op)."""

from __future__ import annotations

from django.http import HttpResponse

from image_app import operations
from image_app.api.base import ImageAPIView


class TagView(ImageAPIView):
    def put(self, request, image_id: str, tag: str):
        operations.add_tag(self.ctx, self.image(image_id), tag)
        return HttpResponse(status=204)

    def delete(self, request, image_id: str, tag: str):
        operations.delete_tag(self.ctx, self.image(image_id), tag)
        return HttpResponse(status=204)
