"""``/v2/images/{id}/members``: offering a shared image to other projects.

The owner adds and removes members; only a member itself accepts or rejects
the offer (and an accepted image then appears in its list). Members see
their own membership only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse

from cloud.api import validation as v
from cloud.api.errors import BadRequest, Conflict, Forbidden, NotFound
from cloud.api.views import body_object
from image_app import fields, operations
from image_app.api.base import ImageAPIView
from image_app.api.render import json, member_body
from image_app.models import Image, ImageMember


def _member_id(value) -> str:
    if not isinstance(value, str) or not value or len(value) > 64 or v.has_control_chars(value):
        raise BadRequest("Invalid input for field/attribute member: must be a project id of 1 to 64 characters.")
    return value


class MembersBase(ImageAPIView):
    def owned(self, image: Image, rule: str) -> None:
        self.authorize(rule, operations.target(self.ctx, image))
        if image.visibility != "shared":
            raise Forbidden(f"Image {image.id} is not shared: only shared images have members.")

    def member(self, image: Image, member_id: str) -> ImageMember:
        member = ImageMember.objects.filter(image=image, member=member_id).first()
        is_owner = self.ctx.is_admin or image.owner == self.ctx.project_id
        if member is None or not (is_owner or member_id == self.ctx.project_id):
            raise NotFound(f"Member {member_id} not found for image {image.id}.")
        return member


class MembersView(MembersBase):
    def get(self, request, image_id: str):
        image = self.image(image_id)
        self.authorize("get_members", operations.target(self.ctx, image))
        members = ImageMember.objects.filter(image=image).order_by("created_at", "id")
        if not (self.ctx.is_admin or image.owner == self.ctx.project_id):
            members = members.filter(member=self.ctx.project_id)
        return json({"members": [member_body(m) for m in members], "schema": "/v2/schemas/members"})

    def post(self, request, image_id: str):
        image = self.image(image_id)
        self.owned(image, "add_member")
        member_id = _member_id(body_object(request).get("member"))
        if ImageMember.objects.filter(image=image).count() >= settings.IMAGE_MEMBER_QUOTA:
            raise fields.QuotaExceeded(f"Maximum number of image members exceeded ({settings.IMAGE_MEMBER_QUOTA}).")
        try:
            with transaction.atomic():
                member = ImageMember.objects.create(image=image, member=member_id)
        except IntegrityError:
            raise Conflict(f"Member {member_id} already exists for image {image.id}.") from None
        return json(member_body(member))


class MemberView(MembersBase):
    def get(self, request, image_id: str, member_id: str):
        image = self.image(image_id)
        self.authorize("get_member", operations.target(self.ctx, image))
        return json(member_body(self.member(image, member_id)))

    def put(self, request, image_id: str, member_id: str):
        image = self.image(image_id)
        member = self.member(image, member_id)
        # Only the member decides about an offer made to it, as in Glance.
        if member_id != self.ctx.project_id:
            raise Forbidden("Only the member itself may change the status of its membership.")
        self.authorize("modify_member", operations.target(self.ctx, image))
        status = body_object(request).get("status")
        if status not in fields.MEMBER_STATUSES:
            raise BadRequest(f"Invalid input for field/attribute status: must be one of "
                             f"{', '.join(fields.MEMBER_STATUSES)}.")
        member.status = status
        member.save(update_fields=["status", "updated_at"])
        return json(member_body(member))

    def delete(self, request, image_id: str, member_id: str):
        image = self.image(image_id)
        self.owned(image, "delete_member")
        member = self.member(image, member_id)
        member.delete()
        return HttpResponse(status=204)
