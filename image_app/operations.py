"""What the image API does to images: create, delete, upload data, tag.

Shared by the Glance API (image_app.api) and the compute API's image proxy,
so both apply the same policy and state rules. Status changes are
compare-and-swap updates on ``status``: two uploads to one image cannot both
start, and an image deleted during its upload does not come back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cloud import policy
from cloud.api.errors import BadRequest, Conflict, Forbidden, NotFound
from cloud.context import RequestContext
from image_app import fields, formats, store
from image_app.models import Image

LOG = logging.getLogger(__name__)
GONE = ("deleted", "pending_delete")


def target(context: RequestContext, image: Image) -> dict[str, Any]:
    """Policy target of an image: its owner is the project the rules compare with."""
    return {"project_id": image.owner, "user_id": context.user_id, "owner": image.owner}


def authorize_visibility(context: RequestContext, visibility: str, owner: str | None) -> None:
    """Publishing to everyone is a separate right (admin-only by default, as Glance)."""
    rule = {"public": "publicize_image", "community": "communitize_image"}.get(visibility)
    if rule:
        policy.authorize(context, rule, {"project_id": owner, "user_id": context.user_id})


def split_attributes(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validated base properties and custom properties of a create request."""
    base: dict[str, Any] = {}
    custom: dict[str, str] = {}
    for key, value in data.items():
        if key == "id":
            base["id"] = fields.image_id(value)
        elif key in fields.WRITABLE:
            base[key] = fields.base_value(key, value)
        else:
            custom[fields.property_name(key)] = fields.property_value(key, value)
    fields.check_property_quota(len(custom))
    return base, custom


def create_image(context: RequestContext, data: Any) -> Image:
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    base, custom = split_attributes(data)
    owner = base.pop("owner", context.project_id)
    if owner != context.project_id and not context.is_admin:
        raise Forbidden(f"You are not permitted to create images owned by '{owner}'.")
    policy.authorize(context, "add_image", {"project_id": owner, "user_id": context.user_id, "owner": owner})
    visibility = base.setdefault("visibility", "shared")  # Glance's default since v2.5
    authorize_visibility(context, visibility, owner)
    image = Image(owner=owner, properties=custom, status="queued", **base)
    try:
        with transaction.atomic():
            image.save(force_insert=True)
    except IntegrityError:
        raise Conflict(f"Image with identifier {image.id} already exists!") from None
    return image


def delete_image(context: RequestContext, image: Image) -> None:
    """Soft-delete the record (its id is never reused, as in Glance) and remove the data."""
    policy.authorize(context, "delete_image", target(context, image))
    # protected=False in the same UPDATE: a concurrent "protect" cannot be overtaken.
    deleted = (Image.objects.filter(id=image.id, protected=False).exclude(status__in=GONE)
               .update(status="deleted", updated_at=timezone.now()))
    if not deleted:
        if Image.objects.filter(id=image.id, protected=True).exclude(status__in=GONE).exists():
            raise Forbidden(f"Image {image.id} is protected and cannot be deleted.")
        raise NotFound(f"Image {image.id} could not be found.")
    store.remove(image.id)


def upload(context: RequestContext, image: Image, read: Callable[[int], bytes], length: int | None) -> Image:
    """Store the data of a queued image and make it active, or leave it queued with no data.

    ``length`` is the announced Content-Length (None for a chunked body).
    """
    policy.authorize(context, "upload_image", target(context, image))
    cap = settings.IMAGE_SIZE_CAP
    if length is not None and length > cap:
        raise fields.QuotaExceeded(f"Image exceeds the maximum image size of {cap} bytes.")
    if image.status != "queued":
        raise Conflict(f"Image {image.id} is {image.status}: data can only be uploaded to a queued image.")
    if not image.disk_format or not image.container_format:
        # The format checks need to know what the data claims to be, as Glance requires.
        raise BadRequest("Properties disk_format, container_format must be set prior to saving data.")
    # The claim: only one request moves queued -> saving, any other one gets 409.
    if not Image.objects.filter(id=image.id, status="queued").update(status="saving", updated_at=timezone.now()):
        raise Conflict(f"Image {image.id} is already being uploaded or has data.")
    try:
        pending = store.receive(image.id, read, expected=length, cap=cap)
    except BaseException:
        _release(image.id)
        raise
    try:
        virtual_size = formats.check(image.disk_format, pending.header, pending.size)
        store.commit(pending, image.id)
    except BaseException:
        store.discard(pending)
        _release(image.id)
        raise
    activated = Image.objects.filter(id=image.id, status="saving").update(
        status="active", size=pending.size, virtual_size=virtual_size, checksum=pending.checksum,
        os_hash_algo=store.HASH_ALGO, os_hash_value=pending.hash_value, updated_at=timezone.now(),
    )
    if not activated:
        # Deleted while the data was arriving: the data must not outlive the record.
        store.remove(image.id)
        raise Conflict(f"Image {image.id} was deleted during the upload.")
    return Image.objects.get(id=image.id)


def _release(image_id: str) -> None:
    """A failed upload puts the image back to queued (unless it was deleted meanwhile)."""
    try:
        Image.objects.filter(id=image_id, status="saving").update(status="queued", updated_at=timezone.now())
    except Exception:  # noqa: BLE001 - the original error matters more; log this one
        LOG.exception("Could not put image %s back to queued after a failed upload", image_id)


def set_deactivated(context: RequestContext, image: Image, deactivated: bool) -> None:
    """``actions/deactivate`` and ``actions/reactivate``: only between active and deactivated."""
    rule, wanted, other = ("deactivate", "deactivated", "active") if deactivated else ("reactivate", "active",
                                                                                        "deactivated")
    policy.authorize(context, rule, target(context, image))
    if image.status == wanted:
        return
    if not Image.objects.filter(id=image.id, status=other).update(status=wanted, updated_at=timezone.now()):
        raise BadRequest(f"Not allowed to {rule} image {image.id} in status '{image.status}'.")


def authorize_modify(context: RequestContext, image: Image) -> None:
    policy.authorize(context, "modify_image", target(context, image))


def add_tag(context: RequestContext, image: Image, tag: str) -> None:
    authorize_modify(context, image)
    tag = fields.tag(tag)
    with transaction.atomic():
        locked = Image.objects.select_for_update().get(id=image.id)
        if tag in locked.tags:
            return
        fields.check_tag_quota(len(locked.tags) + 1)
        locked.tags = [*locked.tags, tag]
        locked.save(update_fields=["tags", "updated_at"])


def delete_tag(context: RequestContext, image: Image, tag: str) -> None:
    authorize_modify(context, image)
    with transaction.atomic():
        locked = Image.objects.select_for_update().get(id=image.id)
        if tag not in locked.tags:
            raise NotFound(f"Tag {tag} not found on image {image.id}.")
        locked.tags = [t for t in locked.tags if t != tag]
        locked.save(update_fields=["tags", "updated_at"])


def change_properties(context: RequestContext, image: Image,
                      edit: Callable[[dict[str, str]], dict[str, str]]) -> dict[str, str]:
    """Apply ``edit`` to the custom properties under a row lock; the new properties.

    For callers that edit properties as a whole (the compute API's image
    metadata); the names and values ``edit`` adds must be valid already.
    """
    authorize_modify(context, image)
    with transaction.atomic():
        locked = Image.objects.select_for_update().get(id=image.id)
        properties = edit(dict(locked.properties or {}))
        if len(properties) > len(locked.properties or {}):
            fields.check_property_quota(len(properties))
        locked.properties = properties
        locked.save(update_fields=["properties", "updated_at"])
    return properties
