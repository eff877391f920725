"""Images in the Django admin: operators inspect records, fix visibility or protection.

Sizes, hashes and status belong to the upload path (image_app.operations) and
are read-only here, so the admin cannot make a record disagree with its data.
"""

from __future__ import annotations

from django.contrib import admin

from image_app import store
from image_app.models import Image, ImageMember


class ImageMemberInline(admin.TabularInline):
    model = ImageMember
    extra = 0
    fields = ("member", "status", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "status", "visibility", "owner", "disk_format", "size", "protected", "created_at")
    list_filter = ("status", "visibility", "disk_format", "container_format", "protected", "os_hidden")
    search_fields = ("id", "name", "owner", "checksum")
    ordering = ("-created_at",)
    readonly_fields = ("id", "status", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value",
                       "created_at", "updated_at")
    inlines = [ImageMemberInline]

    # Deleting a record here removes its data too, as the API's delete does.
    def delete_model(self, request, obj: Image) -> None:
        super().delete_model(request, obj)
        store.remove(obj.id)

    def delete_queryset(self, request, queryset) -> None:
        ids = list(queryset.values_list("id", flat=True))
        super().delete_queryset(request, queryset)
        for image_id in ids:
            store.remove(image_id)


@admin.register(ImageMember)
class ImageMemberAdmin(admin.ModelAdmin):
    list_display = ("image", "member", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("image__id", "image__name", "member")
    raw_id_fields = ("image",)
