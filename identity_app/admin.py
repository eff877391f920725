"""Identity records in the Django admin: read-mostly.

Operators look things up here and can disable users/projects or revoke tokens
(actions that also revoke the affected tokens); creating and editing goes
through the identity API, which validates input. Password hashes are never
shown; tokens exist on the server only as SHA-256 hashes (the record keys).
"""

from __future__ import annotations

from django.contrib import admin, messages

from cloud.admin_readonly import ReadOnlyMixin
from identity_app import tokens
from identity_app.models import (
    CatalogService,
    Domain,
    Endpoint,
    ImpliedRole,
    Project,
    Region,
    Role,
    RoleAssignment,
    Token,
    User,
)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdmin):
    list_display = ("name", "id", "enabled")
    search_fields = ("name", "id")
    fields = ("id", "name", "description", "enabled")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("name", "id", "domain", "enabled")
    list_filter = ("enabled", "domain")
    search_fields = ("name", "id")
    fields = ("id", "name", "domain", "parent", "description", "enabled", "tags")
    actions = ["disable"]

    @admin.action(description="Disable the selected projects (revokes their tokens)")
    def disable(self, request, queryset) -> None:
        for project in queryset:
            Project.objects.filter(pk=project.pk).update(enabled=False)
            tokens.revoke_for(project_id=project.pk)
        messages.info(request, f"Disabled {queryset.count()} project(s).")


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("name", "id", "domain", "enabled", "default_project")
    list_filter = ("enabled", "domain")
    search_fields = ("name", "id", "email")
    # "password" (a hash) is deliberately left out.
    fields = ("id", "name", "domain", "email", "description", "enabled", "default_project",
              "password_expires_at", "created_at")
    actions = ["disable"]

    @admin.action(description="Disable the selected users (revokes their tokens)")
    def disable(self, request, queryset) -> None:
        for user in queryset:
            User.objects.filter(pk=user.pk).update(enabled=False)
            tokens.revoke_for(user_id=user.pk)
        messages.info(request, f"Disabled {queryset.count()} user(s).")


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ("name", "id", "description")
    search_fields = ("name", "id")
    fields = ("id", "name", "description")


@admin.register(ImpliedRole)
class ImpliedRoleAdmin(ReadOnlyAdmin):
    list_display = ("prior", "implied")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "project", "domain")
    list_filter = ("role",)
    search_fields = ("user__name", "project__name", "user__id", "project__id")


@admin.register(Token)
class TokenAdmin(ReadOnlyAdmin):
    list_display = ("audit_id", "user", "project", "domain", "issued_at", "expires_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("audit_id", "user__name", "user__id")
    # id_hash is only the record key (a one-way hash): not a field worth showing or searching.
    fields = ("audit_id", "audit_chain_id", "user", "project", "domain", "roles", "methods", "issued_at",
              "expires_at", "revoked")
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        count = queryset.update(revoked=True)
        messages.info(request, f"Revoked {count} token(s).")


@admin.register(CatalogService)
class CatalogServiceAdmin(ReadOnlyAdmin):
    list_display = ("type", "name", "id", "enabled")


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdmin):
    list_display = ("service", "interface", "region", "url", "enabled")
    list_filter = ("interface", "region")


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("id", "description")
