"""Resolving what a server request refers to, within what the caller may see."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from cloud.api.errors import BadRequest, NotFound
from cloud.context import RequestContext
from compute_app.models import AggregateHost, Flavor, Instance, KeyPair, Service


def visible_instances(context: RequestContext, *, all_projects: bool = False):
    """Servers the caller may look at: its project's, or every project's for admins asking so."""
    query = Instance.objects.all()
    if not (all_projects and context.is_admin):
        query = query.filter(project_id=context.project_id)
    return query


def get_server(context: RequestContext, server_id: str, *, include_deleted: bool = False) -> Instance:
    """The server, or 404 (also when it belongs to another project: never reveal it exists)."""
    query = Instance.objects.filter(uuid=str(server_id)[:36])
    if not context.is_admin:
        query = query.filter(project_id=context.project_id)
    if not include_deleted:
        query = query.filter(deleted=False)
    instance = query.first()
    if instance is None:
        raise NotFound(f"Instance {server_id} could not be found.")
    return instance


def find_flavor(flavor_id: str, context: RequestContext) -> Flavor:
    flavor = Flavor.objects.filter(flavorid=flavor_id, disabled=False).first()
    if flavor is not None and not flavor.is_public and not context.is_admin:
        if not flavor.access.filter(project_id=context.project_id).exists():
            flavor = None
    if flavor is None:
        raise BadRequest(f"Flavor {flavor_id} could not be found.")
    return flavor


def find_keypair(name: str, context: RequestContext) -> KeyPair:
    keypair = KeyPair.objects.filter(user_id=context.user_id, name=name).first()
    if keypair is None:
        raise BadRequest("Invalid key_name provided.")
    return keypair


def available_zones() -> set[str]:
    """Zones with at least one enabled compute service (Nova's "available" zones)."""
    hosts = set(Service.objects.filter(binary="nova-compute", disabled=False).values_list("host", flat=True))
    zones: set[str] = set()
    zoned_hosts: set[str] = set()
    rows = AggregateHost.objects.filter(host__in=hosts).values_list("host", "aggregate__metadata")
    for host, metadata in rows:
        zone = (metadata or {}).get("availability_zone")
        if zone:
            zones.add(zone)
            zoned_hosts.add(host)
    if hosts - zoned_hosts:
        zones.add(settings.DEFAULT_AVAILABILITY_ZONE)
    return zones


def resolve_zone(value: str, context: RequestContext) -> tuple[str | None, str | None, str | None]:
    """``az``, ``az:host`` or ``az:host:node`` -> (zone, forced host, forced node).

    Whether the caller may force a host is the policy check in create.parse().
    """
    zone, _, rest = value.partition(":")
    host, _, node = rest.partition(":")
    zone = zone or None
    if zone is not None and zone not in available_zones():
        raise BadRequest("The requested availability zone is not available")
    if host and not Service.objects.filter(Q(binary="nova-compute") & Q(host=host)).exists():
        raise BadRequest(f"Compute host {host} could not be found.")
    return zone, host or None, node or None
