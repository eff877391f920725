"""A Django admin mixin shared by the apps: records whose data belongs to code
(tokens, instance states, claims) are shown but never added, edited or deleted."""

from __future__ import annotations


class ReadOnlyMixin:
    """Lists and detail pages, no add/change/delete (for ModelAdmin and inlines alike)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
