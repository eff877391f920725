"""A snapshot of every compute node as the scheduler sees it.

Filters and weighers work on these plain objects only, so they can be tested
without a database or a broker.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone


@dataclass
class HostState:
    host: str
    node: str
    node_id: int = 0
    enabled: bool = True
    up: bool = True
    availability_zone: str = "nova"
    hypervisor_type: str = "fake"
    vcpus_total: int = 0
    vcpus_used: int = 0
    vcpus_limit: int = 0
    memory_mb_total: int = 0
    memory_mb_used: int = 0
    memory_mb_limit: int = 0
    local_gb_total: int = 0
    local_gb_used: int = 0
    local_gb_limit: int = 0
    failed_builds: int = 0
    num_instances: int = 0
    aggregates_metadata: list[dict[str, str]] = field(default_factory=list)
    cpu_arch: str = "x86_64"

    @property
    def free_vcpus(self) -> int:
        return self.vcpus_limit - self.vcpus_used

    @property
    def free_ram_mb(self) -> int:
        return self.memory_mb_limit - self.memory_mb_used

    @property
    def free_disk_gb(self) -> int:
        return self.local_gb_limit - self.local_gb_used

    def consume(self, vcpus: int, memory_mb: int, disk_gb: int) -> None:
        """Account a claim made during this scheduling pass (multi-create)."""
        self.vcpus_used += vcpus
        self.memory_mb_used += memory_mb
        self.local_gb_used += disk_gb
        self.num_instances += 1


@dataclass
class RequestSpec:
    """What one instance asks of a host."""

    vcpus: int
    memory_mb: int
    disk_gb: int
    availability_zone: str | None = None
    force_host: str | None = None
    force_node: str | None = None
    flavor_extra_specs: dict[str, str] = field(default_factory=dict)
    image_properties: dict[str, Any] = field(default_factory=dict)
    ignore_hosts: list[str] = field(default_factory=list)
    scheduler_hints: dict[str, Any] = field(default_factory=dict)
    # The server group the instance is in: its id, policy, and how many of its
    # other members each host already holds.
    group_id: str | None = None
    group_policy: str | None = None
    group_hosts: dict[str, int] = field(default_factory=dict)
    # Hosts of the servers named by the same_host / different_host hints (None: no hint).
    same_hosts: list[str] | None = None
    different_hosts: list[str] = field(default_factory=list)


_NODE_FIELDS = ("id", "host", "hypervisor_hostname", "hypervisor_type", "vcpus", "vcpus_used", "memory_mb",
                "memory_mb_used", "local_gb", "local_gb_used", "running_vms", "reserved_host_memory_mb",
                "reserved_host_disk_mb", "reserved_host_cpus", "cpu_allocation_ratio", "ram_allocation_ratio",
                "disk_allocation_ratio", "failed_builds", "cpu_info")


_snapshot: tuple[float, list[HostState]] | None = None
_snapshot_lock = threading.Lock()


def cached_host_states(refresh: bool = False) -> list[HostState]:
    """The host snapshot, reloaded when older than SCHEDULER_SNAPSHOT_SECONDS.

    Reading every node for every request is most of a scheduling decision's
    cost at high rates. A slightly old snapshot is safe: claims are checked
    by the database, a lost claim forces a reload (``refresh``), and claims
    made by this process are applied to the snapshot as they happen
    (HostState.consume). 0 seconds turns the cache off.
    """
    global _snapshot
    max_age = settings.SCHEDULER_SNAPSHOT_SECONDS
    now = time.monotonic()
    with _snapshot_lock:
        if refresh or max_age <= 0 or _snapshot is None or now - _snapshot[0] > max_age:
            _snapshot = (now, load_host_states())
        return _snapshot[1]


def load_host_states() -> list[HostState]:
    """Every compute node, with its service's state and its aggregates, in 3 narrow queries.

    Runs for every scheduling request, so it reads plain values rather than
    model objects (and never the nodes' potentially large ``reported`` JSON).
    """
    from compute_app.models import AggregateHost, ComputeNode, Service

    now = timezone.now()
    down_after = settings.SERVICE_DOWN_TIME
    services = {
        host: (not disabled, not forced_down and seen is not None and (now - seen).total_seconds() <= down_after)
        for host, disabled, forced_down, seen in Service.objects.filter(binary="nova-compute").values_list(
            "host", "disabled", "forced_down", "last_seen_at")
    }
    aggregates: dict[str, list[dict[str, str]]] = {}
    for host, metadata in AggregateHost.objects.values_list("host", "aggregate__metadata"):
        aggregates.setdefault(host, []).append(metadata or {})
    states = []
    for row in ComputeNode.objects.values(*_NODE_FIELDS):
        node = ComputeNode(**row)  # unsaved, for the limit properties only
        enabled, up = services.get(node.host, (False, False))
        zone = next((m["availability_zone"] for m in aggregates.get(node.host, [])
                     if m.get("availability_zone")), settings.DEFAULT_AVAILABILITY_ZONE)
        states.append(HostState(
            host=node.host, node=node.hypervisor_hostname, node_id=node.id, enabled=enabled, up=up,
            availability_zone=zone, hypervisor_type=node.hypervisor_type,
            vcpus_total=node.vcpus, vcpus_used=node.vcpus_used, vcpus_limit=node.vcpus_limit,
            memory_mb_total=node.memory_mb, memory_mb_used=node.memory_mb_used,
            memory_mb_limit=node.memory_mb_limit,
            local_gb_total=node.local_gb, local_gb_used=node.local_gb_used, local_gb_limit=node.local_gb_limit,
            failed_builds=node.failed_builds, num_instances=node.running_vms,
            aggregates_metadata=aggregates.get(node.host, []),
            cpu_arch=(node.cpu_info or {}).get("arch", "x86_64"),
        ))
    return states
