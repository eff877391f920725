"""Host weighers: spread by free RAM, CPU and disk; penalise recent build failures.

Each weigher's raw values are normalised to 0..1 across the candidate hosts
(as Nova does) and multiplied by its multiplier; the host with the highest
sum wins. Positive multipliers spread instances; negative ones stack them.
"""

from __future__ import annotations

from collections.abc import Callable

from compute_app.scheduler.host_state import HostState, RequestSpec

Weigher = Callable[[HostState, RequestSpec], float]

DEFAULT_WEIGHERS: list[tuple[str, float, Weigher]] = [
    ("RAMWeigher", 1.0, lambda h, s: h.free_ram_mb),
    ("CPUWeigher", 1.0, lambda h, s: h.free_vcpus),
    ("DiskWeigher", 1.0, lambda h, s: h.free_disk_gb),
    ("BuildFailureWeigher", -1000.0, lambda h, s: h.failed_builds),
    # Soft group policies: more members on a host attract (affinity) or repel (anti-affinity).
    ("ServerGroupSoftAffinityWeigher", 1.0,
     lambda h, s: s.group_hosts.get(h.host, 0) if s.group_policy == "soft-affinity" else 0),
    ("ServerGroupSoftAntiAffinityWeigher", -1.0,
     lambda h, s: s.group_hosts.get(h.host, 0) if s.group_policy == "soft-anti-affinity" else 0),
]


def _normalise(values: list[float]) -> list[float]:
    low, high = min(values), max(values)
    if high == low:
        return [0.0 for _ in values]
    return [(v - low) / (high - low) for v in values]


def weigh(hosts: list[HostState], spec: RequestSpec,
          weighers: list[tuple[str, float, Weigher]] | None = None) -> list[HostState]:
    """Hosts ordered best first (ties broken by host name, for stable results)."""
    if len(hosts) <= 1:
        return list(hosts)
    totals = [0.0] * len(hosts)
    for _name, multiplier, weigher in weighers or DEFAULT_WEIGHERS:
        if multiplier == 0:
            continue
        for index, value in enumerate(_normalise([float(weigher(h, spec)) for h in hosts])):
            totals[index] += multiplier * value
    order = sorted(range(len(hosts)), key=lambda i: (-totals[i], hosts[i].host, hosts[i].node))
    return [hosts[i] for i in order]
