"""Compute records in the Django admin.

What has rules of its own stays read-only here and changes only through the
code that keeps those rules: an instance's state belongs to the state
machine, claims and usage to the scheduler and conductor. Deleting servers is
an admin action that goes through the same path as ``DELETE /servers/{id}``
(claims released, host told), never a bare row delete. Operator knobs
(flavors, aggregates, quotas, service enablement, allocation ratios) are
editable.
"""

from __future__ import annotations

from django.contrib import admin, messages

from cloud.admin_readonly import ReadOnlyMixin
from cloud.api.errors import APIError
from cloud.context import RequestContext
from compute_app.models import (
    Aggregate,
    AggregateHost,
    Allocation,
    ComputeNode,
    Flavor,
    Instance,
    InstanceAction,
    InstanceActionEvent,
    InstanceFault,
    KeyPair,
    Quota,
    QuotaClass,
    ServerGroup,
    ServerGroupMember,
    Service,
)
from compute_app.operations.delete import delete_server


class FaultInline(ReadOnlyMixin, admin.TabularInline):
    model = InstanceFault
    extra = 0
    fields = ("created_at", "code", "message", "host")


class ActionInline(ReadOnlyMixin, admin.TabularInline):
    model = InstanceAction
    extra = 0
    fields = ("action", "request_id", "user_id", "start_time", "finish_time", "message")
    show_change_link = True


@admin.register(Instance)
class InstanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("uuid", "display_name", "vm_state", "task_state", "power_state", "host", "project_id",
                    "flavor_id", "created_at")
    list_filter = ("vm_state", "task_state", "deleted", "host", "availability_zone")
    search_fields = ("uuid", "display_name", "hostname", "project_id", "user_id", "host")
    ordering = ("-created_at",)
    inlines = [FaultInline, ActionInline]
    actions = ["delete_servers"]
    exclude = ("user_data", "key_data")  # guest secrets stay out of the operators' pages

    @admin.action(description="Delete the selected servers (as DELETE /servers/{id})")
    def delete_servers(self, request, queryset) -> None:
        context = RequestContext.admin()
        context.user_name = f"django-admin:{request.user.get_username()}"
        done = 0
        for uuid in queryset.filter(deleted=False).values_list("uuid", flat=True):
            try:
                delete_server(uuid, context)
                done += 1
            except APIError as exc:
                self.message_user(request, f"{uuid}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{done} server(s) are being deleted.")


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = InstanceActionEvent
    extra = 0
    fields = ("event", "result", "host", "start_time", "finish_time", "details")


@admin.register(InstanceAction)
class InstanceActionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("instance_id", "action", "request_id", "start_time", "finish_time", "message")
    list_filter = ("action",)
    search_fields = ("instance__uuid", "request_id", "user_id", "project_id")
    inlines = [EventInline]


@admin.register(Flavor)
class FlavorAdmin(admin.ModelAdmin):
    list_display = ("flavorid", "name", "vcpus", "memory_mb", "root_gb", "ephemeral_gb", "swap", "is_public",
                    "disabled")
    list_filter = ("is_public", "disabled")
    search_fields = ("flavorid", "name")


@admin.register(KeyPair)
class KeyPairAdmin(admin.ModelAdmin):
    list_display = ("name", "user_id", "type", "fingerprint", "created_at")
    search_fields = ("name", "user_id", "fingerprint")
    readonly_fields = ("name", "user_id", "project_id", "type", "fingerprint", "public_key", "created_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """Enable, disable and force down as os-services does; the rest is the heartbeat's."""

    list_display = ("binary", "host", "disabled", "disabled_reason", "forced_down", "last_seen_at")
    list_filter = ("binary", "disabled", "forced_down")
    search_fields = ("host", "binary")
    fields = ("binary", "host", "topic", "disabled", "disabled_reason", "forced_down", "last_seen_at",
              "report_count")
    readonly_fields = ("binary", "host", "topic", "last_seen_at", "report_count")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ComputeNode)
class ComputeNodeAdmin(admin.ModelAdmin):
    """Allocation ratios and reservations are the operator's; usage is the scheduler's claims."""

    list_display = ("hypervisor_hostname", "host", "hypervisor_type", "vcpus", "vcpus_used", "memory_mb",
                    "memory_mb_used", "local_gb", "local_gb_used", "running_vms", "reported_at")
    search_fields = ("host", "hypervisor_hostname")
    readonly_fields = ("uuid", "host", "hypervisor_hostname", "hypervisor_type", "hypervisor_version", "host_ip",
                       "cpu_info", "vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used",
                       "local_gb_used", "running_vms", "failed_builds", "reported", "reported_at", "created_at",
                       "updated_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("consumer", "node", "vcpus", "memory_mb", "disk_gb", "created_at")
    search_fields = ("consumer", "node__host")


class AggregateHostInline(admin.TabularInline):
    model = AggregateHost
    extra = 1


@admin.register(Aggregate)
class AggregateAdmin(admin.ModelAdmin):
    list_display = ("name", "uuid", "metadata", "created_at")
    search_fields = ("name", "uuid")
    readonly_fields = ("uuid",)
    inlines = [AggregateHostInline]


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("project_id", "user_id", "resource", "hard_limit")
    list_filter = ("resource",)
    search_fields = ("project_id", "user_id")


@admin.register(QuotaClass)
class QuotaClassAdmin(admin.ModelAdmin):
    list_display = ("class_name", "resource", "hard_limit")


class MemberInline(ReadOnlyMixin, admin.TabularInline):
    model = ServerGroupMember
    extra = 0


@admin.register(ServerGroup)
class ServerGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "uuid", "policy", "project_id", "created_at")
    list_filter = ("policy",)
    search_fields = ("name", "uuid", "project_id")
    readonly_fields = ("uuid", "name", "policy", "project_id", "user_id", "created_at")
    inlines = [MemberInline]

    def has_add_permission(self, request) -> bool:
        return False
