"""The compute API's image proxy: ``/v2.1/images`` in Nova's shape, served from image_app.

Nova deprecated these proxies at microversion 2.36: from then on every route
here is a 404, as Nova answers. Below 2.36 they list, show and delete the
images the Image API would, with the same visibility and policy rules
(image_app.listing and image_app.operations), converted to Nova's field names.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from cloud.api.errors import BadRequest, Forbidden
from cloud.api.routing import route
from cloud.api.views import parse_bool
from compute_app import quotas
from compute_app.api.base import ComputeAPIView, ProxyAPIView, api_base, next_link, page_params, resource_links
from compute_app.api.metadata import Edit, MetadataItemView, MetadataOwner, MetadataView
from image_app import fields, listing, operations
from image_app.api.render import iso
from image_app.models import Image
from image_app.visibility import get_visible_image, visible_images

LAST_METADATA_VERSION = "2.38"  # the image metadata proxy lasts until 2.38, the others until 2.35

# Glance status -> (Nova status, progress), as Nova's image view maps them.
STATUS = {
    "active": ("ACTIVE", 100),
    "queued": ("SAVING", 25),
    "saving": ("SAVING", 50),
    "deleted": ("DELETED", 0),
    "pending_delete": ("DELETED", 0),
    "killed": ("ERROR", 0),
}
# Nova status filter values -> the Glance statuses they stand for.
STATUS_FILTER = {"ACTIVE": ["active"], "SAVING": ["queued", "saving"], "DELETED": ["deleted", "pending_delete"],
                 "ERROR": ["killed"]}


def links(request, image_id: str) -> list[dict[str, str]]:
    """self and bookmark (compute), plus Nova's ``alternate`` link to the image service."""
    image_url = request.build_absolute_uri("/image").rstrip("/")
    return [*resource_links(request, f"images/{image_id}"),
            {"rel": "alternate", "type": "application/vnd.openstack.image", "href": f"{image_url}/images/{image_id}"}]


def basic(request, image: Image) -> dict[str, Any]:
    return {"id": image.id, "name": image.name, "links": links(request, image.id)}


def detail(request, image: Image) -> dict[str, Any]:
    status, progress = STATUS.get(image.status, ("UNKNOWN", 0))
    metadata = dict(image.properties or {})
    body: dict[str, Any] = {
        "id": image.id,
        "name": image.name,
        "minRam": image.min_ram or 0,
        "minDisk": image.min_disk or 0,
        "metadata": metadata,
        "created": iso(image.created_at),
        "updated": iso(image.updated_at),
        "status": status,
        "progress": progress,
        "OS-EXT-IMG-SIZE:size": image.size,
        "links": links(request, image.id),
    }
    server = metadata.get("instance_uuid")
    if server:  # a snapshot names the server it was taken from
        base = api_base(request)
        body["server"] = {"id": server, "links": [{"rel": "self", "href": f"{base}/v2.1/servers/{server}"},
                                                  {"rel": "bookmark", "href": f"{base}/servers/{server}"}]}
    disk_config = metadata.get("auto_disk_config")
    if disk_config is not None:
        try:
            body["OS-DCF:diskConfig"] = "AUTO" if parse_bool(disk_config, "auto_disk_config") else "MANUAL"
        except BadRequest:  # a malformed property is shown as MANUAL, never a 500
            body["OS-DCF:diskConfig"] = "MANUAL"
    return body


def glance_filters(request) -> dict[str, list[str]]:
    """Nova's image filters in Glance's terms (unknown parameters are ignored, as Nova does)."""
    params = request.query_params
    result: dict[str, list[str]] = {}
    if params.get("name"):
        result["name"] = [params["name"]]
    if params.get("status"):
        statuses = STATUS_FILTER.get(params["status"].upper(), [params["status"].lower()])
        result["status"] = ["in:" + ",".join(statuses)]
    if params.get("changes-since"):
        result["updated_at"] = ["gte:" + params["changes-since"]]
    if params.get("server"):
        # Nova accepts a server id or its URL: the id is the last path segment.
        result["instance_uuid"] = [params["server"].rstrip("/").rsplit("/", 1)[-1]]
    if params.get("type"):
        result["image_type"] = [params["type"]]
    for nova, glance in (("minRam", "min_ram"), ("minDisk", "min_disk")):
        if params.get(nova):
            result[glance] = ["gte:" + params[nova]]
    for key in params:
        if key.startswith("property-") and len(key) > len("property-"):
            result[key[len("property-"):]] = params.getlist(key)
    return result


class ImageProxyView(ProxyAPIView):
    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.authorize("os_compute_api:images")


class ImagesView(ImageProxyView):
    detailed = False

    def get(self, request):
        limit, marker = page_params(request, settings.API_MAX_LIMIT)
        images = listing.filtered(self.ctx, listing.Params(glance_filters(request)))
        spec = listing.sort_spec(listing.Params({}))
        result = listing.page(images, spec, limit, marker, scope=visible_images(self.ctx))
        render = detail if self.detailed else basic
        body: dict[str, Any] = {"images": [render(request, image) for image in result.items]}
        if result.more and result.items:
            collection = "images/detail" if self.detailed else "images"
            body["images_links"] = [next_link(request, collection, result.items[-1].id)]
        return JsonResponse(body)


class ImagesDetailView(ImagesView):
    detailed = True


class ImageView(ImageProxyView):
    def get(self, request, image_id: str):
        return JsonResponse({"image": detail(request, get_visible_image(self.ctx, image_id))})

    def delete(self, request, image_id: str):
        operations.delete_image(self.ctx, get_visible_image(self.ctx, image_id))
        return HttpResponse(status=204)


class ImageMetadata(MetadataOwner):
    """An image's custom properties, changed through image_app with Glance's rules
    (owner only, reserved names refused, property quota) and the project's
    ``metadata_items`` quota, as Nova checks it."""

    kwarg = "image_id"

    def read(self, view: ComputeAPIView, owner_id: str) -> dict[str, str]:
        return dict(get_visible_image(view.ctx, owner_id).properties or {})

    def change(self, view: ComputeAPIView, owner_id: str, rule: str, edit: Edit) -> dict[str, str]:
        def checked(current: dict[str, str]) -> dict[str, str]:
            result = edit(current)
            if len(result) > len(current):
                quotas.check_metadata_items(view.ctx.project_id or "", len(result))
            return result

        return operations.change_properties(view.ctx, get_visible_image(view.ctx, owner_id), checked)

    def validate(self, items: dict[str, Any], field: str) -> dict[str, str]:
        items = super().validate(items, field)
        for key in items:
            if key in fields.BASE:  # stored apart from custom properties: not metadata
                raise Forbidden(f"Attribute '{key}' is not image metadata; change it through the image API.")
        return {fields.property_name(key): fields.property_value(key, value) for key, value in items.items()}


class ImageMetadataView(ImageProxyView, MetadataView):
    last_version = LAST_METADATA_VERSION
    owner = ImageMetadata()


class ImageMetadataItemView(ImageProxyView, MetadataItemView):
    last_version = LAST_METADATA_VERSION
    owner = ImageMetadata()


urlpatterns = [
    route(r"/v2.1/images", ImagesView.as_view()),
    route(r"/v2.1/images/detail", ImagesDetailView.as_view()),
    route(r"/v2.1/images/(?P<image_id>[^/]+)", ImageView.as_view()),
    route(r"/v2.1/images/(?P<image_id>[^/]+)/metadata", ImageMetadataView.as_view()),
    route(r"/v2.1/images/(?P<image_id>[^/]+)/metadata/(?P<key>[^/]+)", ImageMetadataItemView.as_view()),
]
