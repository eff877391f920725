"""Response shapes of servers, per microversion (the one place they differ).

``detail()`` is Nova's full server view; ``update_view()`` the reduced one that
PUT returned before 2.75. Each microversion step is one visible ``if`` here:
2.3 extended attributes, 2.9 locked, 2.16 host_status, 2.19 description,
2.26 tags, 2.47 embedded flavor.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloud import policy
from compute_app.api.base import api_base, nova_time, resource_links
from compute_app.api.microversion import APIVersion
from compute_app.models import Instance, Service

PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")
FAULT_STATUSES = ("ERROR", "DELETED")


def isotime(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def host_id(instance: Instance) -> str:
    """Opaque per-project host identifier: same host, same project -> same hostId."""
    if not instance.host:
        return ""
    return hashlib.sha224((instance.project_id + instance.host).encode()).hexdigest()


def instance_name(instance: Instance) -> str:
    return f"instance-{instance.uuid}"


@dataclass
class ViewOptions:
    """What the caller may see, decided once per request (not per server)."""

    version: APIVersion
    extended_attrs: bool = False
    host_status: bool = False
    extra_specs: bool = False
    is_admin: bool = False

    @classmethod
    def for_request(cls, request) -> ViewOptions:
        context = request.auth
        version: APIVersion = request.api_version
        return cls(
            version=version,
            extended_attrs=policy.check(context, "os_compute_api:os-extended-server-attributes"),
            host_status=version.at_least("2.16") and policy.check(context,
                                                                  "os_compute_api:servers:show:host_status"),
            extra_specs=version.at_least("2.47") and policy.check(context,
                                                                  "os_compute_api:os-flavor-extra-specs:index"),
            is_admin=context.is_admin,
        )


def basic(request, instance: Instance) -> dict[str, Any]:
    return {"id": instance.uuid, "name": instance.display_name,
            "links": resource_links(request, f"servers/{instance.uuid}")}


def created(request, instance: Instance, admin_pass: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": instance.uuid,
        "links": resource_links(request, f"servers/{instance.uuid}"),
        "OS-DCF:diskConfig": "AUTO" if instance.auto_disk_config else "MANUAL",
        "security_groups": [{"name": g["name"]} for g in instance.security_groups] or [{"name": "default"}],
    }
    if admin_pass is not None:
        body["adminPass"] = admin_pass
    return body


def _image(request, instance: Instance) -> dict[str, Any] | str:
    if not instance.image_ref:
        return ""  # booted from a volume
    return {"id": instance.image_ref,
            "links": [{"rel": "bookmark", "href": f"{api_base(request)}/images/{instance.image_ref}"}]}


def _flavor(request, instance: Instance, options: ViewOptions) -> dict[str, Any]:
    flavor = instance.flavor or {}
    if options.version.at_least("2.47"):
        body = {"vcpus": instance.vcpus, "ram": instance.memory_mb, "disk": instance.root_gb,
                "ephemeral": instance.ephemeral_gb, "swap": instance.swap,
                "original_name": flavor.get("name", "")}
        if options.extra_specs:
            body["extra_specs"] = dict(flavor.get("extra_specs", {}))
        return body
    flavor_id = flavor.get("flavorid") or instance.flavor_id
    return {"id": flavor_id,
            "links": [{"rel": "bookmark", "href": f"{api_base(request)}/flavors/{flavor_id}"}]}


def _addresses(instance: Instance, extended: bool) -> dict[str, list[dict[str, Any]]]:
    addresses: dict[str, list[dict[str, Any]]] = {}
    for network, entries in (instance.network_info or {}).items():
        items = []
        for entry in entries:
            item = {"version": entry.get("version", 4), "addr": entry.get("addr")}
            if extended:
                item["OS-EXT-IPS:type"] = entry.get("OS-EXT-IPS:type", "fixed")
                item["OS-EXT-IPS-MAC:mac_addr"] = entry.get("OS-EXT-IPS-MAC:mac_addr")
            items.append(item)
        addresses[network] = items
    return addresses


def _fault(instance: Instance, options: ViewOptions) -> dict[str, Any] | None:
    fault = getattr(instance, "latest_fault", None)
    if fault is None:
        return None
    body = {"code": fault.code, "created": isotime(fault.created_at), "message": fault.message}
    # Details may hold a traceback: only admins see those of internal errors.
    if fault.details and (options.is_admin or fault.code != 500):
        body["details"] = fault.details
    return body


def _host_status(instance: Instance, services: dict[str, Service] | None) -> str:
    if not instance.host:
        return ""
    service = (services or {}).get(instance.host)
    if service is None:
        return "UNKNOWN"
    if service.forced_down or not service.is_up():
        return "DOWN"
    return "MAINTENANCE" if service.disabled else "UP"


def common(request, instance: Instance, options: ViewOptions, *, extended_addresses: bool) -> dict[str, Any]:
    status = instance.status
    body: dict[str, Any] = {
        "id": instance.uuid,
        "name": instance.display_name,
        "status": status,
        "tenant_id": instance.project_id,
        "user_id": instance.user_id,
        "metadata": dict(instance.metadata or {}),
        "hostId": host_id(instance),
        "image": _image(request, instance),
        "flavor": _flavor(request, instance, options),
        "created": isotime(instance.created_at),
        "updated": isotime(instance.updated_at),
        "addresses": _addresses(instance, extended_addresses),
        "accessIPv4": instance.access_ip_v4 or "",
        "accessIPv6": instance.access_ip_v6 or "",
        "links": resource_links(request, f"servers/{instance.uuid}"),
        "OS-DCF:diskConfig": "AUTO" if instance.auto_disk_config else "MANUAL",
    }
    if status in FAULT_STATUSES:
        fault = _fault(instance, options)
        if fault:
            body["fault"] = fault
    if status in PROGRESS_STATUSES:
        body["progress"] = instance.progress
    return body


def _versioned_tail(body: dict[str, Any], instance: Instance, options: ViewOptions) -> None:
    version = options.version
    if version.at_least("2.9"):
        body["locked"] = bool(instance.locked)
    if version.at_least("2.19"):
        body["description"] = instance.display_description
    if version.at_least("2.26"):
        body["tags"] = instance_tags(instance)


def instance_tags(instance: Instance) -> list[str]:
    prefetched = getattr(instance, "_prefetched_objects_cache", {}).get("tag_set")
    tags = prefetched if prefetched is not None else instance.tag_set.all()
    return sorted(t.tag for t in tags)


def detail(request, instance: Instance, options: ViewOptions,
           services: dict[str, Service] | None = None) -> dict[str, Any]:
    """The full server view (GET /servers/{id}, /servers/detail)."""
    body = common(request, instance, options, extended_addresses=True)
    body["OS-EXT-AZ:availability_zone"] = instance.availability_zone or ""
    body["config_drive"] = instance.config_drive
    body["key_name"] = instance.key_name
    body["OS-SRV-USG:launched_at"] = nova_time(instance.launched_at)
    body["OS-SRV-USG:terminated_at"] = nova_time(instance.terminated_at)
    if instance.security_groups:
        body["security_groups"] = [{"name": g["name"]} for g in instance.security_groups]
    if options.extended_attrs:
        body["OS-EXT-SRV-ATTR:host"] = instance.host
        body["OS-EXT-SRV-ATTR:instance_name"] = instance_name(instance)
        body["OS-EXT-SRV-ATTR:hypervisor_hostname"] = instance.node
        if options.version.at_least("2.3"):
            body["OS-EXT-SRV-ATTR:reservation_id"] = instance.reservation_id
            body["OS-EXT-SRV-ATTR:launch_index"] = instance.launch_index
            body["OS-EXT-SRV-ATTR:hostname"] = instance.hostname
            body["OS-EXT-SRV-ATTR:kernel_id"] = instance.kernel_id
            body["OS-EXT-SRV-ATTR:ramdisk_id"] = instance.ramdisk_id
            body["OS-EXT-SRV-ATTR:root_device_name"] = instance.root_device_name
            body["OS-EXT-SRV-ATTR:user_data"] = instance.user_data
    body["OS-EXT-STS:task_state"] = instance.task_state
    body["OS-EXT-STS:vm_state"] = instance.vm_state
    body["OS-EXT-STS:power_state"] = instance.power_state
    body["os-extended-volumes:volumes_attached"] = []  # no block storage service yet
    if options.host_status:
        body["host_status"] = _host_status(instance, services)
    _versioned_tail(body, instance, options)
    return body


def update_view(request, instance: Instance, options: ViewOptions) -> dict[str, Any]:
    """What PUT /servers/{id} returns (Nova's reduced view until 2.75)."""
    body = common(request, instance, options, extended_addresses=False)
    _versioned_tail(body, instance, options)
    return body
