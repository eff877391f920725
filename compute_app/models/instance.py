from __future__ import annotations

from django.db import models
from django.utils import timezone

from cloud.ids import new_uuid
from compute_app import states


class Instance(models.Model):
    """A server. Rows are soft-deleted (``deleted``) so actions and usage history
    survive, as in Nova; quota counts only rows that are not deleted.

    State fields change only through compute_app.instances (compare-and-swap on
    ``task_state``), never by saving a stale copy of the row.
    """

    uuid = models.CharField(primary_key=True, max_length=36, default=new_uuid)
    display_name = models.CharField(max_length=255)
    display_description = models.TextField(null=True, blank=True)
    project_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64)
    image_ref = models.CharField(max_length=255, blank=True, default="")
    # The flavor as it was at boot (or at the last resize): id, name, sizes, extra specs.
    flavor = models.JSONField(default=dict)
    flavor_id = models.CharField(max_length=255, db_index=True)
    vcpus = models.PositiveIntegerField(default=0)
    memory_mb = models.PositiveIntegerField(default=0)
    root_gb = models.PositiveIntegerField(default=0)
    ephemeral_gb = models.PositiveIntegerField(default=0)
    swap = models.PositiveIntegerField(default=0)

    vm_state = models.CharField(max_length=32, default=states.BUILDING)
    task_state = models.CharField(max_length=64, null=True, blank=True, default=states.ts.SCHEDULING)
    power_state = models.IntegerField(default=states.power_states.NOSTATE)
    state_changed_at = models.DateTimeField(default=timezone.now)

    host = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    node = models.CharField(max_length=255, null=True, blank=True)
    launched_on = models.CharField(max_length=255, null=True, blank=True)
    availability_zone = models.CharField(max_length=255, null=True, blank=True)

    key_name = models.CharField(max_length=255, null=True, blank=True)
    key_data = models.TextField(null=True, blank=True)
    user_data = models.TextField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    system_metadata = models.JSONField(default=dict, blank=True)
    config_drive = models.CharField(max_length=255, blank=True, default="")
    access_ip_v4 = models.GenericIPAddressField(protocol="IPv4", null=True, blank=True)
    access_ip_v6 = models.GenericIPAddressField(protocol="IPv6", null=True, blank=True)
    auto_disk_config = models.BooleanField(default=False)
    hostname = models.CharField(max_length=255, blank=True, default="")
    launch_index = models.IntegerField(default=0)
    reservation_id = models.CharField(max_length=255, blank=True, default="")
    root_device_name = models.CharField(max_length=255, null=True, blank=True)
    kernel_id = models.CharField(max_length=255, blank=True, default="")
    ramdisk_id = models.CharField(max_length=255, blank=True, default="")
    progress = models.IntegerField(default=0)

    locked = models.BooleanField(default=False)
    locked_by = models.CharField(max_length=8, null=True, blank=True)  # "owner" or "admin"
    locked_reason = models.CharField(max_length=255, null=True, blank=True)

    security_groups = models.JSONField(default=list, blank=True)  # [{"name": ...}]
    requested_networks = models.JSONField(default=list, blank=True)
    # Addresses as the API shows them: {"<network>": [{"addr", "version", "OS-EXT-IPS:type",
    # "OS-EXT-IPS-MAC:mac_addr"}]}
    network_info = models.JSONField(default=dict, blank=True)
    block_device_mapping = models.JSONField(default=list, blank=True)
    # What the scheduler needs to (re)schedule: hints, requested AZ, image properties.
    request_spec = models.JSONField(default=dict, blank=True)
    # Hosts tried and alternates left, for rescheduling after a failed build.
    build_attempts = models.IntegerField(default=0)
    alternates = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["project_id", "deleted"], name="instance_project_deleted"),
            models.Index(fields=["vm_state", "task_state"], name="instance_states"),
            models.Index(fields=["created_at", "uuid"], name="instance_created_uuid"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.uuid})"

    @property
    def status(self) -> str:
        return states.api_status(self.vm_state, self.task_state)


class InstanceFault(models.Model):
    """Why an instance went to ERROR (or an action failed), readable by its owner."""

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="faults")
    code = models.IntegerField(default=500)
    message = models.CharField(max_length=1024)
    details = models.TextField(blank=True, default="")
    host = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class InstanceTag(models.Model):
    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="tag_set")
    tag = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instance", "tag"], name="instance_tag_once")]
        indexes = [models.Index(fields=["tag"], name="instance_tag")]
