"""Availability zones, computed as Nova does: from aggregates and services.

A compute host's zone is the ``availability_zone`` metadata of its
aggregate(s), else ``DEFAULT_AVAILABILITY_ZONE``; every other service lives
in the ``internal`` zone. The os-services and os-availability-zone APIs both
show zones this way, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from compute_app.models import AggregateHost, Service

INTERNAL_ZONE = "internal"  # Nova's internal_service_availability_zone
COMPUTE_BINARY = "nova-compute"


def compute_zones(hosts: Iterable[str]) -> dict[str, str]:
    """Availability zone of each compute host: its aggregates' zones, else the default."""
    hosts = list(hosts)
    found: dict[str, set[str]] = {}
    for host, metadata in AggregateHost.objects.filter(host__in=hosts).values_list("host", "aggregate__metadata"):
        zone = (metadata or {}).get("availability_zone")
        if zone:
            found.setdefault(host, set()).add(str(zone))
    # A host in several zoned aggregates shows them joined, as Nova's service listing does.
    return {host: ",".join(sorted(found[host])) if host in found else settings.DEFAULT_AVAILABILITY_ZONE
            for host in hosts}


def service_zones(services: list[Service]) -> list[tuple[Service, str]]:
    """Each service with its zone (see the module docstring)."""
    zones = compute_zones({s.host for s in services if s.binary == COMPUTE_BINARY})
    return [(s, zones[s.host] if s.binary == COMPUTE_BINARY else INTERNAL_ZONE) for s in services]
