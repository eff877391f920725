"""``/v2/images`` and ``/v2/images/{id}``: list, create, show, update (JSON patch), delete."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from cloud.api.views import query_int
from image_app import listing, operations
from image_app.api import patch
from image_app.api.base import ImageAPIView
from image_app.api.render import image_body, json
from image_app.api.versions import base_url
from image_app.visibility import visible_images


class ImagesView(ImageAPIView):
    def get(self, request):
        self.authorize("get_images")
        params = listing.Params(request.query_params)
        images = listing.filtered(self.ctx, params)
        spec = listing.sort_spec(params)
        limit = query_int(request, "limit", settings.IMAGE_LIST_DEFAULT_LIMIT, minimum=0, maximum=2**31 - 1)
        limit = min(limit, settings.API_MAX_LIMIT)
        result = listing.page(images, spec, limit, params.get("marker"), scope=visible_images(self.ctx))
        query = request.query_params.copy()
        query.pop("marker", None)
        body = {
            "images": [image_body(image) for image in result.items],
            "first": f"/v2/images?{query.urlencode()}" if query else "/v2/images",
            "schema": "/v2/schemas/images",
        }
        if result.more and result.items:
            query["marker"] = result.items[-1].id
            body["next"] = f"/v2/images?{query.urlencode()}"
        return json(body)

    def post(self, request):
        image = operations.create_image(self.ctx, request.data)
        location = f"{base_url(request)}/v2/images/{image.id}"
        return json(image_body(image), status=201, headers={"Location": location})


class ImageView(ImageAPIView):
    # PATCH bodies come only in Glance's JSON-patch media types; anything else is 415.
    parser_classes = [patch.PatchV21Parser, patch.PatchV20Parser]

    def get(self, request, image_id: str):
        image = self.image(image_id)
        self.authorize("get_image", operations.target(self.ctx, image))
        return json(image_body(image))

    def patch(self, request, image_id: str):
        image = self.image(image_id)
        media_type = request.content_type.split(";")[0].strip().lower()
        changes = patch.parse(request.data, media_type)
        image = patch.apply(self.ctx, image, changes, media_type)
        return json(image_body(image))

    def delete(self, request, image_id: str):
        operations.delete_image(self.ctx, self.image(image_id))
        return HttpResponse(status=204)


class ImageActionView(ImageAPIView):
    """``POST /v2/images/{id}/actions/deactivate|reactivate`` (204)."""

    def post(self, request, image_id: str, action: str):
        operations.set_deactivated(self.ctx, self.image(image_id), action == "deactivate")
        return HttpResponse(status=204)
