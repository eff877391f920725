"""Which images a caller may see: the one rule shared by the image API and compute."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cloud.api.errors import NotFound
from cloud.context import RequestContext
from image_app.models import Image


def visible_images(context: RequestContext) -> QuerySet[Image]:
    """Public, community, own, and shared-with-me (accepted or pending) images.

    Admins see every image, as in Glance.
    """
    images = Image.objects.exclude(status__in=["deleted", "pending_delete"])
    if context.is_admin:
        return images
    project = context.project_id
    return images.filter(
        Q(visibility__in=["public", "community"])
        | Q(owner=project)
        | Q(visibility="shared", members__member=project, members__status__in=["accepted", "pending"])
    ).distinct()


def get_visible_image(context: RequestContext, image_id: str) -> Image:
    """The image, or 404 when it does not exist or the caller may not see it."""
    try:
        return visible_images(context).get(id=str(image_id))
    except Image.DoesNotExist:
        raise NotFound(f"Image {image_id} could not be found.") from None
