"""Atomic resource claims on compute nodes.

A claim is one conditional UPDATE: the node's usage grows only if the result
stays within its limits, so two schedulers racing for the last slot cannot
both win, whatever their snapshots said. The Allocation row records what was
taken; deleting it (once) is what gives it back.

Lock order, to stay deadlock-free: callers lock the instance row first (a
state transition), then claim or release on nodes.
"""

from __future__ import annotations

from django.db import connection, transaction

from compute_app.models import Allocation, ComputeNode

_CLAIM_SQL = """
UPDATE compute_app_computenode
   SET vcpus_used = vcpus_used + %(vcpus)s,
       memory_mb_used = memory_mb_used + %(ram)s,
       local_gb_used = local_gb_used + %(disk)s
 WHERE id = %(node)s
   AND vcpus_used + %(vcpus)s <= CAST((vcpus - reserved_host_cpus) * cpu_allocation_ratio AS INTEGER)
   AND memory_mb_used + %(ram)s <= CAST(memory_mb * ram_allocation_ratio AS INTEGER) - reserved_host_memory_mb
   AND local_gb_used + %(disk)s <= CAST(local_gb * disk_allocation_ratio AS INTEGER)
                                   - reserved_host_disk_mb / 1024
"""

_RELEASE_SQL = """
UPDATE compute_app_computenode
   SET vcpus_used = vcpus_used - %(vcpus)s,
       memory_mb_used = memory_mb_used - %(ram)s,
       local_gb_used = local_gb_used - %(disk)s
 WHERE id = %(node)s
"""


def claim(node_id: int, consumer: str, vcpus: int, memory_mb: int, disk_gb: int) -> bool:
    """Take resources on a node for ``consumer``; False if they are not there.

    Idempotent: a consumer that already holds an allocation on this node keeps it.
    """
    # No savepoint: callers run this inside their own transaction (see place()),
    # and a failed claim changes nothing that would need rolling back.
    with transaction.atomic(savepoint=False):
        existing = Allocation.objects.filter(consumer=consumer).values_list("node_id", flat=True).first()
        if existing is not None:
            return existing == node_id
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, {"vcpus": vcpus, "ram": memory_mb, "disk": disk_gb, "node": node_id})
            if cursor.rowcount != 1:
                return False
        Allocation.objects.create(consumer=consumer, node_id=node_id, vcpus=vcpus, memory_mb=memory_mb,
                                  disk_gb=disk_gb)
    return True


def release(consumer: str) -> bool:
    """Give back what ``consumer`` holds; False if it held nothing (already released)."""
    with transaction.atomic(savepoint=False):
        allocation = Allocation.objects.select_for_update().filter(consumer=consumer).first()
        if allocation is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute(_RELEASE_SQL, {"vcpus": allocation.vcpus, "ram": allocation.memory_mb,
                                          "disk": allocation.disk_gb, "node": allocation.node_id})
        allocation.delete()
    return True


def node_for(host: str, node: str | None = None) -> ComputeNode | None:
    query = ComputeNode.objects.filter(host=host)
    if node:
        query = query.filter(hypervisor_hostname=node)
    return query.first()
