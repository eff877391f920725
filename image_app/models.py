"""Image records, with Glance v2's fields."""

from __future__ import annotations

from django.db import models

from cloud.ids import new_uuid


class Image(models.Model):
    STATUSES = ["queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated",
                "uploading", "importing"]
    VISIBILITIES = ["public", "private", "shared", "community"]

    id = models.CharField(primary_key=True, max_length=36, default=new_uuid)
    name = models.CharField(max_length=255, null=True, blank=True)
    status = models.CharField(max_length=32, default="queued", db_index=True)
    visibility = models.CharField(max_length=16, default="shared", db_index=True)
    protected = models.BooleanField(default=False)
    os_hidden = models.BooleanField(default=False)
    owner = models.CharField(max_length=64, null=True, blank=True, db_index=True)  # project id
    disk_format = models.CharField(max_length=32, null=True, blank=True)
    container_format = models.CharField(max_length=32, null=True, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    virtual_size = models.BigIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=32, null=True, blank=True)  # md5, as Glance
    os_hash_algo = models.CharField(max_length=64, null=True, blank=True)
    os_hash_value = models.CharField(max_length=128, null=True, blank=True)
    min_disk = models.PositiveIntegerField(default=0)
    min_ram = models.PositiveIntegerField(default=0)
    properties = models.JSONField(default=dict, blank=True)  # custom (additional) properties
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name or self.id


class ImageMember(models.Model):
    """A project an image with visibility ``shared`` is offered to."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="members")
    member = models.CharField(max_length=64)
    status = models.CharField(max_length=16, default="pending")  # pending / accepted / rejected
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "member"], name="image_member_once")]
