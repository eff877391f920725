"""Host filters: pure functions ``(host, spec) -> None`` (passes) or a reason string.

The reasons are collected per filter so a "No valid host" fault can say what
removed each host and by how much it fell short.
"""

from __future__ import annotations

from collections.abc import Callable

from compute_app.scheduler.host_state import HostState, RequestSpec

Filter = Callable[[HostState, RequestSpec], "str | None"]


def retry_filter(host: HostState, spec: RequestSpec) -> str | None:
    """Skip hosts where this instance already failed to build."""
    return "already tried" if host.host in spec.ignore_hosts else None


def compute_filter(host: HostState, spec: RequestSpec) -> str | None:
    if not host.enabled:
        return "service disabled"
    if not host.up:
        return "service down"
    return None


def force_host_filter(host: HostState, spec: RequestSpec) -> str | None:
    if spec.force_host and host.host != spec.force_host:
        return "not the requested host"
    if spec.force_node and host.node != spec.force_node:
        return "not the requested node"
    return None


def availability_zone_filter(host: HostState, spec: RequestSpec) -> str | None:
    if spec.availability_zone and host.availability_zone != spec.availability_zone:
        return f"in zone {host.availability_zone}"
    return None


def ram_filter(host: HostState, spec: RequestSpec) -> str | None:
    short = spec.memory_mb - host.free_ram_mb
    return f"short by {short} MB" if short > 0 else None


def disk_filter(host: HostState, spec: RequestSpec) -> str | None:
    short = spec.disk_gb - host.free_disk_gb
    return f"short by {short} GB" if short > 0 else None


def core_filter(host: HostState, spec: RequestSpec) -> str | None:
    short = spec.vcpus - host.free_vcpus
    return f"short by {short} vCPU" if short > 0 else None


def group_policy_violation(policy: str | None, hosts: dict[str, int], host: str) -> str | None:
    """Why a strict server group policy forbids ``host``, given where the other members are."""
    if policy == "anti-affinity" and hosts.get(host):
        return "holds a server of its anti-affinity group"
    if policy == "affinity" and hosts and host not in hosts:
        return "not the host of its affinity group"
    return None


def server_group_affinity_filter(host: HostState, spec: RequestSpec) -> str | None:
    if spec.group_policy != "affinity":
        return None
    return group_policy_violation(spec.group_policy, spec.group_hosts, host.host)


def server_group_anti_affinity_filter(host: HostState, spec: RequestSpec) -> str | None:
    if spec.group_policy != "anti-affinity":
        return None
    return group_policy_violation(spec.group_policy, spec.group_hosts, host.host)


def same_host_filter(host: HostState, spec: RequestSpec) -> str | None:
    if spec.same_hosts is not None and host.host not in spec.same_hosts:
        return "not the host of the same_host servers"
    return None


def different_host_filter(host: HostState, spec: RequestSpec) -> str | None:
    return "holds a different_host server" if host.host in spec.different_hosts else None


_ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "i686": "i386", "arm64": "aarch64"}


def image_properties_filter(host: HostState, spec: RequestSpec) -> str | None:
    """Image ``hw_architecture``/``architecture`` and ``img_hv_type``/``hypervisor_type``."""
    props = spec.image_properties or {}
    arch = props.get("hw_architecture") or props.get("architecture")
    if arch:
        wanted = _ARCH_ALIASES.get(str(arch).lower(), str(arch).lower())
        if wanted != host.cpu_arch:
            return f"architecture {host.cpu_arch}, image needs {wanted}"
    hv_type = props.get("img_hv_type") or props.get("hypervisor_type")
    if hv_type and str(hv_type).lower() not in (host.hypervisor_type.lower(), _hv_alias(host.hypervisor_type)):
        return f"hypervisor {host.hypervisor_type}, image needs {hv_type}"
    return None


def _hv_alias(hypervisor_type: str) -> str:
    # libvirt reports QEMU for both TCG and KVM guests; images say "qemu" or "kvm".
    return "kvm" if hypervisor_type.lower() == "qemu" else hypervisor_type.lower()


def aggregate_extra_specs_filter(host: HostState, spec: RequestSpec) -> str | None:
    """Flavor extra specs scoped ``aggregate_instance_extra_specs:`` (or unscoped keys)
    must match the metadata of one of the host's aggregates."""
    wanted: dict[str, str] = {}
    for key, value in (spec.flavor_extra_specs or {}).items():
        scope, sep, name = key.partition(":")
        if sep and scope != "aggregate_instance_extra_specs":
            continue  # another filter's or the driver's key (hw:, quota:, ...)
        wanted[name if sep else key] = str(value)
    if not wanted:
        return None
    metadata: dict[str, set[str]] = {}
    for agg in host.aggregates_metadata:
        for key, value in agg.items():
            metadata.setdefault(key, set()).update(v.strip() for v in str(value).split(","))
    for key, value in wanted.items():
        if not _matches(metadata.get(key), value):
            return f"aggregate metadata {key} does not match {value}"
    return None


def _matches(available: set[str] | None, requirement: str) -> bool:
    """Equality, or the ``<in>``, ``<or>`` and ``s==``-style operators Nova accepts."""
    if available is None:
        return False
    words = requirement.split()
    if len(words) >= 2 and words[0] == "<in>":
        return any(words[1] in a for a in available)
    if len(words) >= 2 and words[0] == "<or>":
        return bool(available & set(words[1::2]))
    if len(words) == 2 and words[0] in ("s==", "="):
        return words[1] in available
    return requirement in available


# Order matters only for the wording of faults: cheap structural checks first.
DEFAULT_FILTERS: list[tuple[str, Filter]] = [
    ("RetryFilter", retry_filter),
    ("ComputeFilter", compute_filter),
    ("ForceHostFilter", force_host_filter),
    ("AvailabilityZoneFilter", availability_zone_filter),
    ("ImagePropertiesFilter", image_properties_filter),
    ("AggregateInstanceExtraSpecsFilter", aggregate_extra_specs_filter),
    ("ServerGroupAffinityFilter", server_group_affinity_filter),
    ("ServerGroupAntiAffinityFilter", server_group_anti_affinity_filter),
    ("SameHostFilter", same_host_filter),
    ("DifferentHostFilter", different_host_filter),
    ("RamFilter", ram_filter),
    ("DiskFilter", disk_filter),
    ("CoreFilter", core_filter),
]


def run_filters(hosts: list[HostState], spec: RequestSpec,
                filters: list[tuple[str, Filter]] | None = None) -> tuple[list[HostState], dict[str, list[str]]]:
    """Hosts that pass every filter, and for each filter the reasons it removed hosts."""
    removed: dict[str, list[str]] = {}
    remaining = list(hosts)
    for name, check in filters or DEFAULT_FILTERS:
        kept = []
        for host in remaining:
            reason = check(host, spec)
            if reason is None:
                kept.append(host)
            else:
                removed.setdefault(name, []).append(reason)
        remaining = kept
    return remaining, removed


def explain(total: int, removed: dict[str, list[str]]) -> str:
    """'No valid host was found. 3 hosts: RamFilter removed 2 (short by 512 MB), ...'"""
    parts = []
    for name, reasons in removed.items():
        distinct = sorted(set(reasons), key=reasons.index)
        detail = ", ".join(_summarise(distinct))
        parts.append(f"{name} removed {len(reasons)} ({detail})")
    hosts = f"{total} host" + ("" if total == 1 else "s")
    if total == 0:
        return "No valid host was found. There are no compute hosts."
    return f"No valid host was found. {hosts}: " + "; ".join(parts) + "."


def _summarise(reasons: list[str]) -> list[str]:
    shortfalls: dict[str, list[int]] = {}
    others = []
    for reason in reasons:
        words = reason.split()
        if len(words) == 4 and words[:2] == ["short", "by"] and words[2].isdigit():
            shortfalls.setdefault(words[3], []).append(int(words[2]))
        else:
            others.append(reason)
    summary = [f"short by {min(v)} {unit}" if min(v) == max(v) else f"short by {min(v)}-{max(v)} {unit}"
               for unit, v in shortfalls.items()]
    return summary + others[:3]


__all__ = ["DEFAULT_FILTERS", "explain", "run_filters"]
