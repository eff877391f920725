"""Recording what hosts report: liveness (Service) and capacity (ComputeNode)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from compute_app.models import ComputeNode
from compute_app.servicegroup.heartbeat import record_heartbeat

# Capacity fields a host is authoritative for. ``*_used`` are not among them:
# usage is what the scheduler has claimed (compute_app.scheduler.claims).
REPORTED_FIELDS = ("hypervisor_type", "hypervisor_version", "vcpus", "memory_mb", "local_gb", "running_vms",
                   "host_ip", "cpu_info")


def record_host_report(host: str, binary: str, topic: str, report: dict[str, Any]) -> None:
    record_heartbeat(binary, host, topic)
    values = {name: report[name] for name in REPORTED_FIELDS if name in report}
    values["reported"] = {"vcpus_used": report.get("vcpus_used"), "memory_mb_used": report.get("memory_mb_used"),
                          "local_gb_used": report.get("local_gb_used"), "guests": report.get("guests", {})}
    values["reported_at"] = timezone.now()
    node_name = report.get("hypervisor_hostname") or host
    updated = ComputeNode.objects.filter(host=host, hypervisor_hostname=node_name).update(**values)
    if not updated:
        ComputeNode.objects.bulk_create([ComputeNode(
            host=host, hypervisor_hostname=node_name,
            cpu_allocation_ratio=settings.CPU_ALLOCATION_RATIO,
            ram_allocation_ratio=settings.RAM_ALLOCATION_RATIO,
            disk_allocation_ratio=settings.DISK_ALLOCATION_RATIO,
            **values,
        )], ignore_conflicts=True)
