from __future__ import annotations

from django.db import models

from cloud.ids import new_uuid


class ComputeNode(models.Model):
    """A hypervisor: capacity reported by its host, usage claimed by the scheduler.

    ``*_used`` columns only change through compute_app.scheduler.claims, by
    conditional UPDATEs, so two schedulers can never hand out the same last
    slot. ``total * allocation_ratio - reserved`` is what may be claimed.
    """

    uuid = models.CharField(max_length=36, unique=True, default=new_uuid)
    host = models.CharField(max_length=255, db_index=True)
    hypervisor_hostname = models.CharField(max_length=255)
    hypervisor_type = models.CharField(max_length=255, default="fake")
    hypervisor_version = models.BigIntegerField(default=1000)
    host_ip = models.CharField(max_length=64, default="127.0.0.1")
    cpu_info = models.JSONField(default=dict, blank=True)
    vcpus = models.PositiveIntegerField(default=0)
    memory_mb = models.PositiveIntegerField(default=0)
    local_gb = models.PositiveIntegerField(default=0)
    vcpus_used = models.IntegerField(default=0)
    memory_mb_used = models.IntegerField(default=0)
    local_gb_used = models.IntegerField(default=0)
    running_vms = models.IntegerField(default=0)
    reserved_host_memory_mb = models.PositiveIntegerField(default=0)
    reserved_host_disk_mb = models.PositiveIntegerField(default=0)
    reserved_host_cpus = models.PositiveIntegerField(default=0)
    cpu_allocation_ratio = models.FloatField(default=16.0)
    ram_allocation_ratio = models.FloatField(default=1.5)
    disk_allocation_ratio = models.FloatField(default=1.0)
    failed_builds = models.IntegerField(default=0)
    # What the host itself last reported (guests it runs, free resources).
    reported = models.JSONField(default=dict, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "hypervisor_hostname"], name="compute_node_once")
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.hypervisor_hostname

    @property
    def vcpus_limit(self) -> int:
        return int((self.vcpus - self.reserved_host_cpus) * self.cpu_allocation_ratio)

    @property
    def memory_mb_limit(self) -> int:
        return int(self.memory_mb * self.ram_allocation_ratio) - self.reserved_host_memory_mb

    @property
    def local_gb_limit(self) -> int:
        return int(self.local_gb * self.disk_allocation_ratio) - self.reserved_host_disk_mb // 1024


class Allocation(models.Model):
    """Resources an instance holds on a node. One row per consumer: deleting the
    row is what releases the resources, so a release can never happen twice."""

    consumer = models.CharField(max_length=36, unique=True)  # instance (later: migration) uuid
    node = models.ForeignKey(ComputeNode, on_delete=models.CASCADE, related_name="allocations")
    vcpus = models.PositiveIntegerField(default=0)
    memory_mb = models.PositiveIntegerField(default=0)
    disk_gb = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
