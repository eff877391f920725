"""Choosing a host for an instance and making the choice stick (claims)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from compute_app import server_groups, states
from compute_app.instances import transition
from compute_app.models import Instance
from compute_app.scheduler import claims
from compute_app.scheduler.filters import explain, run_filters
from compute_app.scheduler.host_state import HostState, RequestSpec
from compute_app.scheduler.weighers import weigh

SUPERSEDED = "superseded"
ALL_TAKEN = "No valid host was found. Every candidate host was taken by concurrent requests."


class _ClaimLost(Exception):
    """Rolls back the instance update when the node's resources (or, for a server
    group, the host under its policy) were taken meanwhile."""


@dataclass
class Placement:
    host: HostState | None
    alternates: list[HostState] = field(default_factory=list)
    failure: str | None = None  # why host is None: SUPERSEDED, ALL_TAKEN or "No valid host..."


def disk_gb(instance: Instance) -> int:
    return instance.root_gb + instance.ephemeral_gb + math.ceil(instance.swap / 1024)


def request_spec_for(instance: Instance, ignore_hosts: list[str] | None = None) -> RequestSpec:
    stored = instance.request_spec or {}
    image = stored.get("image") or {}
    return RequestSpec(
        vcpus=instance.vcpus, memory_mb=instance.memory_mb, disk_gb=disk_gb(instance),
        availability_zone=stored.get("availability_zone"),
        force_host=stored.get("force_host"), force_node=stored.get("force_node"),
        flavor_extra_specs=(instance.flavor or {}).get("extra_specs", {}),
        image_properties=image.get("properties", {}),
        ignore_hosts=list(ignore_hosts or []),
        scheduler_hints=stored.get("scheduler_hints", {}),
        **_group_fields(instance, stored.get("scheduler_hints") or {}),
        **_host_hint_fields(stored.get("scheduler_hints") or {}),
    )


def _host_hint_fields(hints: dict) -> dict:
    """Where the servers named by ``same_host`` / ``different_host`` run now."""
    fields: dict = {}
    for hint, key in (("same_host", "same_hosts"), ("different_host", "different_hosts")):
        if hint in hints:
            uuids = hints[hint] if isinstance(hints[hint], list) else [hints[hint]]
            fields[key] = sorted(set(Instance.objects.filter(uuid__in=uuids, deleted=False, host__isnull=False)
                                     .values_list("host", flat=True)))
    return fields


def _group_fields(instance: Instance, hints: dict) -> dict:
    """The instance's server group, and where its other members are now."""
    if "group" not in hints:
        return {}  # no query for the common case
    group = server_groups.group_of(instance.uuid)
    if group is None:
        return {}  # deleted since: nothing to honour
    return {"group_id": group.uuid, "group_policy": group.policy,
            "group_hosts": server_groups.member_hosts(group.uuid, instance.uuid)}


def rank(hosts: list[HostState], spec: RequestSpec) -> tuple[list[HostState], str | None]:
    """Candidates best first, or an explanation of why there are none."""
    passed, removed = run_filters(hosts, spec)
    if not passed:
        return [], explain(len(hosts), removed)
    return weigh(passed, spec), None


def alternates_of(ranked: list[HostState], chosen: int) -> list[HostState]:
    rest = [h for h in ranked[chosen + 1:] if h.host != ranked[chosen].host]
    return rest[: max(0, settings.SCHEDULER_MAX_ATTEMPTS - 1)]


def as_refs(hosts: list[HostState]) -> list[dict]:
    return [{"host": h.host, "node": h.node, "node_id": h.node_id} for h in hosts]


def place(instance: Instance, hosts: list[HostState], spec: RequestSpec,
          on_placed: Callable[[HostState, list[HostState]], None]) -> Placement:
    """Claim the best host that still has room and move the instance to ``spawning`` there.

    The instance update (row locked first, see claims.py), the claim and
    ``on_placed`` (events, messages on commit) share one transaction: either
    the instance is placed with its resources held, or nothing changed.
    """
    ranked, failure = rank(hosts, spec)
    for index, candidate in enumerate(ranked):
        alternates = alternates_of(ranked, index)
        try:
            with transaction.atomic():
                if spec.group_policy in server_groups.STRICT and not server_groups.lock_and_check(
                        spec.group_id, spec.group_policy, instance.uuid, candidate.host):
                    raise _ClaimLost  # another member took this host meanwhile
                if not transition(instance.uuid, task_states=[states.ts.SCHEDULING], vm_states=[states.BUILDING],
                                  on_host=None, host=candidate.host, node=candidate.node,
                                  launched_on=candidate.host, task_state=states.ts.SPAWNING,
                                  availability_zone=instance.availability_zone or candidate.availability_zone,
                                  build_attempts=1, alternates=as_refs(alternates)):
                    return Placement(None, failure=SUPERSEDED)  # deleted or placed meanwhile
                if not claims.claim(candidate.node_id, instance.uuid, spec.vcpus, spec.memory_mb, spec.disk_gb):
                    raise _ClaimLost
                on_placed(candidate, alternates)
        except _ClaimLost:
            continue
        candidate.consume(spec.vcpus, spec.memory_mb, spec.disk_gb)
        return Placement(candidate, alternates=alternates)
    return Placement(None, failure=ALL_TAKEN if ranked else failure)
