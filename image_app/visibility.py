"""Which images a caller may see: the one rule shared by the image API and compute.

Two questions, answered differently as in Glance:

* may I *read* this image (show, download, boot)? :func:`visible_images`;
* does it appear in my image *list*? :func:`listed_images`: the list leaves
  out community images of other projects and shared images whose offer I have
  not accepted, unless a ``visibility`` or ``member_status`` filter asks.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cloud.api.errors import BadRequest, NotFound
from cloud.context import RequestContext
from image_app.models import Image, ImageMember

GONE = ("deleted", "pending_delete")
MEMBER_FILTERS = ("pending", "accepted", "rejected", "all")


def _shared_with(project: str | None, statuses: tuple[str, ...]) -> Q:
    # A subquery rather than a join: no duplicate rows, so no DISTINCT on every column.
    members = ImageMember.objects.filter(member=project, status__in=statuses).values("image_id")
    return Q(visibility="shared", id__in=members)


def visible_images(context: RequestContext) -> QuerySet[Image]:
    """Public, community, own, and shared-with-me (accepted or pending) images.

    Admins see every image, as in Glance.
    """
    images = Image.objects.exclude(status__in=GONE)
    if context.is_admin:
        return images
    project = context.project_id
    if not project:  # an unscoped token owns nothing (owner=None would match ownerless images)
        return images.filter(visibility__in=["public", "community"])
    return images.filter(
        Q(visibility__in=["public", "community"])
        | Q(owner=project)
        | _shared_with(project, ("accepted", "pending"))
    )


def get_visible_image(context: RequestContext, image_id: str) -> Image:
    """The image, or 404 when it does not exist or the caller may not see it."""
    try:
        return visible_images(context).get(id=str(image_id))
    except Image.DoesNotExist:
        raise NotFound(f"Image {image_id} could not be found.") from None


def listed_images(context: RequestContext, visibility: str | None = None,
                  member_status: str | None = None) -> QuerySet[Image]:
    """The images of a list request before the other filters (Glance's list semantics)."""
    if visibility not in (None, "public", "private", "shared", "community", "all"):
        raise BadRequest(f"Invalid visibility value: {visibility}")
    member_status = member_status or "accepted"
    if member_status not in MEMBER_FILTERS:
        raise BadRequest(f"Invalid member_status value: {member_status}")
    statuses = ("pending", "accepted", "rejected") if member_status == "all" else (member_status,)
    images = Image.objects.exclude(status__in=GONE)
    project = context.project_id
    own = Q(owner=project) if project else Q(pk__in=[])
    if context.is_admin:
        if visibility is None:
            return images.filter(~Q(visibility="community") | own)
        return images if visibility == "all" else images.filter(visibility=visibility)
    shared = _shared_with(project, statuses)
    conditions = {
        None: Q(visibility="public") | own | shared,
        "all": Q(visibility__in=["public", "community"]) | own | shared,
        "public": Q(visibility="public"),
        "community": Q(visibility="community"),
        "private": Q(visibility="private") & own,
        "shared": Q(visibility="shared") & (own | shared),
    }
    return images.filter(conditions[visibility])
