"""Scheduling against PostgreSQL, in-process: claims are atomic, snapshots may be stale."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from compute_app.instances import mark_deleted
from compute_app.models import Allocation, ComputeNode, Instance, Service
from compute_app.scheduler import claims, host_state
from compute_app.scheduler.tasks import schedule_instances


@pytest.fixture(autouse=True)
def fresh_snapshot():
    host_state._snapshot = None
    yield
    host_state._snapshot = None


def small_host(name: str = "h1", ram: int = 512) -> ComputeNode:
    Service.objects.create(binary="nova-compute", host=name, topic="compute", last_seen_at=timezone.now())
    return ComputeNode.objects.create(host=name, hypervisor_hostname=name, vcpus=1, memory_mb=ram, local_gb=10,
                                      cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
                                      disk_allocation_ratio=1.0)


def building(name: str, ram: int = 512) -> Instance:
    return Instance.objects.create(display_name=name, project_id="p", user_id="u", flavor_id="1", vcpus=1,
                                   memory_mb=ram, root_gb=1)


def test_a_stale_snapshot_never_causes_a_false_no_valid_host(db, settings):
    settings.SCHEDULER_SNAPSHOT_SECONDS = 3600  # the snapshot will not age out by itself
    small_host()
    first = building("first")
    schedule_instances([first.uuid])
    first.refresh_from_db()
    assert (first.host, first.task_state) == ("h1", "spawning")
    mark_deleted(first.uuid)  # frees the only slot, behind the snapshot's back
    second = building("second")
    schedule_instances([second.uuid])
    second.refresh_from_db()
    assert (second.vm_state, second.host) == ("building", "h1"), second.faults.first()


def test_no_room_is_an_error_with_the_reason(db):
    small_host(ram=256)
    instance = building("big", ram=512)
    schedule_instances([instance.uuid])
    instance.refresh_from_db()
    assert instance.vm_state == "error"
    assert instance.faults.get().message == ("No valid host was found. 1 host: RamFilter removed 1 "
                                             "(short by 256 MB).")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claims_for_the_last_slot_one_wins():
    node = small_host()
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim(index: int) -> None:
        barrier.wait()
        try:
            results.append(claims.claim(node.id, f"consumer-{index}", 1, 512, 1))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    node.refresh_from_db()
    assert (node.vcpus_used, node.memory_mb_used) == (1, 512)
    assert Allocation.objects.count() == 1
    winner = Allocation.objects.get().consumer
    assert claims.release(winner) and not claims.release(winner)  # released once, never twice
    node.refresh_from_db()
    assert (node.vcpus_used, node.memory_mb_used, node.local_gb_used) == (0, 0, 0)


def test_anti_affinity_is_rechecked_under_the_group_lock(db, settings):
    """A member scheduled on a stale view of its group must not join a host another member took."""
    from compute_app.models import ServerGroup, ServerGroupMember
    from compute_app.scheduler.select import place, request_spec_for

    settings.SCHEDULER_SNAPSHOT_SECONDS = 3600
    small_host("h1", ram=4096)
    small_host("h2", ram=2048)
    # h1 is bigger in every way, so the weighers prefer it even with one member on it.
    ComputeNode.objects.filter(host="h1").update(vcpus=8, local_gb=100)
    ComputeNode.objects.filter(host="h2").update(vcpus=4, local_gb=50)
    group = ServerGroup.objects.create(name="apart", policy="anti-affinity", project_id="p", user_id="u")
    first, second = building("first"), building("second")
    for instance in (first, second):
        instance.request_spec = {"scheduler_hints": {"group": group.uuid}}
        instance.save()
        ServerGroupMember.objects.create(group=group, instance_uuid=instance.uuid)
    stale = request_spec_for(second)  # taken before the first member is placed: no hosts to avoid
    schedule_instances([first.uuid])
    first.refresh_from_db()
    assert first.host == "h1"  # the emptier host
    hosts = host_state.cached_host_states(refresh=True)
    placement = place(second, hosts, stale, lambda host, alternates: None)
    second.refresh_from_db()
    assert placement.host is not None and placement.host.host == "h2" and second.host == "h2"


def test_a_reschedule_respects_anti_affinity(db):
    """An alternate chosen before another member landed there is skipped when the build fails."""
    from compute_app.conductor.build import build_failed
    from compute_app.models import ServerGroup, ServerGroupMember

    nodes = {name: small_host(name) for name in ("h1", "h2", "h3")}
    ComputeNode.objects.update(vcpus=8, memory_mb=8192)
    group = ServerGroup.objects.create(name="apart", policy="anti-affinity", project_id="p", user_id="u")
    other = building("other")
    Instance.objects.filter(uuid=other.uuid).update(host="h2", node="h2", vm_state="active", task_state=None)
    failing = building("failing")
    alternates = [{"host": h, "node": h, "node_id": nodes[h].id} for h in ("h2", "h3")]
    Instance.objects.filter(uuid=failing.uuid).update(host="h1", node="h1", task_state="spawning",
                                                      build_attempts=1, alternates=alternates)
    for member in (other, failing):
        ServerGroupMember.objects.create(group=group, instance_uuid=member.uuid)
    claims.claim(nodes["h1"].id, failing.uuid, 1, 512, 1)
    build_failed(failing.uuid, "h1", 1, None, "disk on fire", "", reschedule=True)
    failing.refresh_from_db()
    assert (failing.host, failing.build_attempts, failing.vm_state) == ("h3", 2, "building")
    assert Allocation.objects.get(consumer=failing.uuid).node_id == nodes["h3"].id
