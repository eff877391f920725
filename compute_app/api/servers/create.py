"""POST /servers: validate the request as Nova does, then create atomically.

Validation resolves every reference (flavor, image, keypair, zone) before the
transaction, so the transaction itself is short: take the project's quota
lock, count, insert the instances and their actions, and send one scheduler
message when (and only when) the rows are committed.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from cloud import policy
from cloud.api import validation as v
from cloud.api.errors import BadRequest
from cloud.context import RequestContext
from cloud.ids import is_uuid
from compute_app import messages, quotas, server_groups, states
from compute_app.api.microversion import APIVersion
from compute_app.api.servers.lookups import find_flavor, find_keypair, resolve_zone
from compute_app.instances import start_actions
from compute_app.models import Flavor, Instance, ServerGroup
from image_app.models import Image

MAX_COUNT = 1000
_HOSTNAME_BAD = re.compile(r"[^a-z0-9-]+")


@dataclass
class CreateRequest:
    name: str
    flavor: Flavor
    image: Image | None
    min_count: int = 1
    max_count: int = 1
    key_name: str | None = None
    key_data: str | None = None
    user_data: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    availability_zone: str | None = None
    force_host: str | None = None
    force_node: str | None = None
    networks: Any = None
    security_groups: list[dict[str, str]] = field(default_factory=list)
    block_device_mapping: list[dict[str, Any]] = field(default_factory=list)
    config_drive: bool = False
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    auto_disk_config: bool = False
    description: str | None = None
    admin_pass: str | None = None
    return_reservation_id: bool = False
    scheduler_hints: dict[str, Any] = field(default_factory=dict)
    server_group: ServerGroup | None = None


def generate_password(length: int = 12) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def hostname_for(display_name: str, uuid: str) -> str:
    """An RFC 952/1123 label derived from the display name, as Nova does."""
    label = _HOSTNAME_BAD.sub("-", display_name.lower().replace("_", "-")).strip("-.")[:63].strip("-")
    return label or f"server-{uuid}"[:63]


# --- parsing -------------------------------------------------------------------------
def parse(data: dict[str, Any], context: RequestContext, version: APIVersion) -> CreateRequest:
    server = data.get("server")
    if not isinstance(server, dict):
        raise BadRequest("Invalid input: 'server' is a required property and must be an object.")
    name = v.name(server.get("name"), "name") if "name" in server else _missing("name")
    flavor = find_flavor(v.ref_id(server.get("flavorRef", ""), "flavorRef") if "flavorRef" in server
                         else _missing("flavorRef"), context)
    bdms = _block_devices(server.get("block_device_mapping_v2"))
    if "block_device_mapping" in server:
        raise BadRequest("Block Device Mapping is Invalid: the legacy block_device_mapping is not supported; "
                         "use block_device_mapping_v2.")
    image = _boot_image(server.get("imageRef"), bdms, context)
    _check_image_fits(image, flavor)
    min_count = v.integer(server.get("min_count", 1), "min_count", minimum=1, maximum=MAX_COUNT)
    max_count = v.integer(server.get("max_count", min_count), "max_count", minimum=1, maximum=MAX_COUNT)
    if min_count > max_count:
        raise BadRequest("min_count must be <= max_count")
    request = CreateRequest(name=name, flavor=flavor, image=image, min_count=min_count, max_count=max_count,
                            block_device_mapping=bdms)
    if server.get("key_name") is not None:
        keypair = find_keypair(v.name(server["key_name"], "key_name"), context)
        request.key_name, request.key_data = keypair.name, keypair.public_key
    if server.get("user_data") is not None:
        request.user_data = v.base64_text(server["user_data"], "user_data")
    if "metadata" in server:
        request.metadata = v.string_map(server["metadata"], "metadata")
    if server.get("availability_zone") is not None:
        zone = v.optional_text(server["availability_zone"], "availability_zone")
        request.availability_zone, request.force_host, request.force_node = resolve_zone(zone or "", context)
    request.networks = _networks(server, version)
    request.security_groups = _security_groups(server.get("security_groups"))
    if server.get("config_drive") not in (None, ""):
        request.config_drive = v.boolean(server["config_drive"], "config_drive")
    request.access_ip_v4 = v.ip_address(server.get("accessIPv4"), "accessIPv4", 4)
    request.access_ip_v6 = v.ip_address(server.get("accessIPv6"), "accessIPv6", 6)
    disk_config = server.get("OS-DCF:diskConfig", "MANUAL")
    if disk_config not in ("AUTO", "MANUAL"):
        raise BadRequest("Invalid input for field/attribute OS-DCF:diskConfig. Value must be AUTO or MANUAL.")
    request.auto_disk_config = disk_config == "AUTO"
    if "description" in server:
        if not version.at_least("2.19"):
            raise BadRequest("Invalid input: 'description' is not allowed before microversion 2.19.")
        request.description = v.optional_text(server["description"], "description")
    if "adminPass" in server:
        request.admin_pass = v.optional_text(server["adminPass"], "adminPass")
    if "personality" in server:
        _personality(server["personality"], context)
    if "return_reservation_id" in server:
        request.return_reservation_id = v.boolean(server["return_reservation_id"], "return_reservation_id")
    hints = data.get("os:scheduler_hints", data.get("OS-SCH-HNT:scheduler_hints", {}))
    if not isinstance(hints, dict):
        raise BadRequest("Invalid input for field/attribute os:scheduler_hints. Must be an object.")
    for hint in ("same_host", "different_host"):
        if hint in hints:
            _server_uuids(hints[hint], hint)
    request.scheduler_hints = hints
    if "group" in hints:
        request.server_group = server_groups.group_from_hint(context, hints["group"])
    if request.force_host:
        policy.authorize(context, "os_compute_api:servers:create:forced_host",
                         {"project_id": context.project_id})
    return request


def _missing(field_name: str):
    raise BadRequest(f"Invalid input for field/attribute server. '{field_name}' is a required property")


def _block_devices(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 64:
        raise BadRequest("Invalid input for field/attribute block_device_mapping_v2. Must be a list.")
    allowed = {"uuid", "boot_index", "source_type", "destination_type", "delete_on_termination",
               "volume_size", "device_name", "device_type", "disk_bus", "guest_format", "tag",
               "volume_type", "no_device", "volume_id", "snapshot_id", "image_id"}
    result = []
    for index, bdm in enumerate(value):
        if not isinstance(bdm, dict):
            raise BadRequest(f"Block Device Mapping is Invalid: item {index} is not an object.")
        unknown = set(bdm) - allowed
        if unknown:
            raise BadRequest(f"Block Device Mapping is Invalid: unknown field(s) {sorted(unknown)}.")
        source = bdm.get("source_type", "blank")
        destination = bdm.get("destination_type", "local" if source in ("image", "blank") else "volume")
        if destination == "volume" or source in ("volume", "snapshot"):
            raise BadRequest("Block Device Mapping is Invalid: volumes are not supported by this cloud "
                             "(no block storage service); boot from an image with a local disk.")
        if source not in ("image", "blank") or destination != "local":
            raise BadRequest(f"Block Device Mapping is Invalid: source {source!r} to {destination!r}.")
        boot_index = bdm.get("boot_index")
        if boot_index is not None and boot_index != "none":
            boot_index = v.integer(boot_index, "boot_index", minimum=-1, maximum=64)
        if source == "image" and not bdm.get("uuid"):
            raise BadRequest("Block Device Mapping is Invalid: an image source needs a uuid.")
        if bdm.get("volume_size") is not None:
            v.integer(bdm["volume_size"], "volume_size", minimum=0, maximum=2**31 - 1)
        result.append({"source_type": source, "destination_type": destination, "boot_index": boot_index,
                       "uuid": bdm.get("uuid"), "guest_format": bdm.get("guest_format"),
                       "volume_size": bdm.get("volume_size"),
                       "delete_on_termination": bool(bdm.get("delete_on_termination", True))})
    return result


def _boot_image(image_ref: Any, bdms: list[dict[str, Any]], context: RequestContext) -> Image | None:
    from image_app.visibility import get_visible_image

    boot = next((b for b in bdms if b["source_type"] == "image" and b["boot_index"] == 0), None)
    ref = v.ref_id(image_ref, "imageRef") if image_ref not in (None, "") else None
    if boot is not None:
        boot_ref = v.ref_id(boot["uuid"], "block_device_mapping_v2.uuid")
        if ref and ref != boot_ref:
            raise BadRequest("Block Device Mapping is Invalid: the boot image differs from imageRef.")
        ref = boot_ref
    if ref is None:
        raise BadRequest("Invalid input for field/attribute imageRef. An image is required to boot "
                         "(volume-backed servers are not supported).")
    try:
        image = get_visible_image(context, ref)
    except Exception:  # noqa: BLE001 - NotFound, or a malformed id: both mean "no such image"
        raise BadRequest(f"Image {ref} could not be found.") from None
    if image.status != "active":
        raise BadRequest(f"Image {ref} is not active.")
    return image


def _check_image_fits(image: Image | None, flavor: Flavor) -> None:
    if image is None:
        return
    if image.min_ram and flavor.memory_mb < image.min_ram:
        raise BadRequest("Flavor's memory is too small for requested image.")
    if flavor.root_gb:
        if image.min_disk and flavor.root_gb < image.min_disk:
            raise BadRequest("Flavor's disk is too small for requested image.")
        if image.size and image.size > flavor.root_gb * 1024**3:
            raise BadRequest("Flavor's disk is too small for requested image.")


def _networks(server: dict[str, Any], version: APIVersion) -> Any:
    if "networks" not in server:
        if version.at_least("2.37"):
            _missing("networks")
        return "auto"
    value = server["networks"]
    if isinstance(value, str):
        if not version.at_least("2.37") or value not in ("auto", "none"):
            raise BadRequest(f"Invalid input for field/attribute networks. Value: {value[:40]!r}.")
        return value
    if not isinstance(value, list):
        raise BadRequest("Invalid input for field/attribute networks. Must be a list.")
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest("Invalid input for field/attribute networks. Items must be objects.")
        if item.get("port"):
            raise BadRequest(f"Port {v.ref_id(item['port'], 'networks.port')} could not be found.")
        if item.get("uuid"):
            # No network service yet: any named network is unknown.
            raise BadRequest(f"Network {v.ref_id(item['uuid'], 'networks.uuid')} could not be found.")
    return []


def _server_uuids(value: Any, field: str) -> None:
    """A server UUID or a list of them (the same_host / different_host hints)."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and is_uuid(item) for item in items):
        raise BadRequest(f"Invalid input for field/attribute {field}. Value must be a server UUID or a list "
                         "of them.")


def _security_groups(value: Any) -> list[dict[str, str]]:
    if value is None:
        return [{"name": "default"}]
    if not isinstance(value, list):
        raise BadRequest("Invalid input for field/attribute security_groups. Must be a list.")
    groups = []
    for item in value:
        if not isinstance(item, dict) or "name" not in item:
            raise BadRequest("Invalid input for field/attribute security_groups. Items need a 'name'.")
        name = v.name(item["name"], "security_groups.name")
        # Until the network service keeps security groups, every project has exactly one: its
        # implicit "default" group. Any other name does not exist (400, as Nova).
        if name != "default":
            raise BadRequest(f"Security group {name} not found.")
        groups.append({"name": name})
    return groups or [{"name": "default"}]


def _personality(value: Any, context: RequestContext) -> None:
    """Accepted for old clients (it was removed in 2.57), checked, and not injected."""
    if not isinstance(value, list):
        raise BadRequest("Invalid input for field/attribute personality. Must be a list.")
    limits = quotas.project_limits(context.project_id or "")
    if limits["injected_files"] != quotas.UNLIMITED and len(value) > limits["injected_files"]:
        from cloud.api.errors import QuotaExceeded

        raise QuotaExceeded("Personality file limit exceeded")
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise BadRequest("Invalid input for field/attribute personality. Items need a 'path'.")
        v.base64_text(item.get("contents", ""), "personality.contents")


# --- creating ------------------------------------------------------------------------------
def image_summary(image: Image | None) -> dict[str, Any]:
    if image is None:
        return {}
    return {"id": image.id, "name": image.name, "disk_format": image.disk_format,
            "container_format": image.container_format, "size": image.size, "checksum": image.checksum,
            "os_hash_algo": image.os_hash_algo, "os_hash_value": image.os_hash_value,
            "min_disk": image.min_disk, "min_ram": image.min_ram, "properties": dict(image.properties or {})}


def create_servers(request: CreateRequest, context: RequestContext) -> tuple[list[Instance], str]:
    """Insert the instances (as many of max_count as quota allows, at least min_count)."""
    flavor = request.flavor
    reservation_id = f"r-{secrets.token_hex(4)}"
    spec = {"image": image_summary(request.image), "availability_zone": request.availability_zone,
            "force_host": request.force_host, "force_node": request.force_node,
            "scheduler_hints": request.scheduler_hints}
    with transaction.atomic():
        quotas.check_metadata_items(context.project_id or "", len(request.metadata))
        count = quotas.reserve_instances(context.project_id or "", context.user_id or "",
                                         min_count=request.min_count, max_count=request.max_count,
                                         vcpus=flavor.vcpus, memory_mb=flavor.memory_mb)
        instances = [_new_instance(request, context, index, count, reservation_id, spec) for index in range(count)]
        Instance.objects.bulk_create(instances)
        uuids = [i.uuid for i in instances]
        if request.server_group is not None:
            server_groups.add_members(request.server_group, uuids)
        start_actions(uuids, "create", context)
        messages.send_on_commit(messages.SCHEDULE_INSTANCES, instance_uuids=uuids)
    return instances, reservation_id


def _new_instance(request: CreateRequest, context: RequestContext, index: int, count: int,
                  reservation_id: str, spec: dict[str, Any]) -> Instance:
    flavor = request.flavor
    instance = Instance(
        display_name=request.name if count == 1 else f"{request.name}-{index + 1}",
        display_description=request.description,
        project_id=context.project_id or "", user_id=context.user_id or "",
        image_ref=request.image.id if request.image else "",
        flavor=flavor.snapshot(), flavor_id=flavor.flavorid,
        vcpus=flavor.vcpus, memory_mb=flavor.memory_mb, root_gb=flavor.root_gb,
        ephemeral_gb=flavor.ephemeral_gb, swap=flavor.swap,
        vm_state=states.BUILDING, task_state=states.ts.SCHEDULING,
        availability_zone=request.availability_zone,
        key_name=request.key_name, key_data=request.key_data, user_data=request.user_data,
        metadata=request.metadata, config_drive="True" if request.config_drive else "",
        access_ip_v4=request.access_ip_v4, access_ip_v6=request.access_ip_v6,
        auto_disk_config=request.auto_disk_config, launch_index=index, reservation_id=reservation_id,
        security_groups=request.security_groups if request.networks != "none" else [],
        requested_networks=request.networks, block_device_mapping=request.block_device_mapping,
        request_spec=spec, root_device_name="/dev/vda",
        kernel_id=(request.image.properties or {}).get("kernel_id", "") if request.image else "",
        ramdisk_id=(request.image.properties or {}).get("ramdisk_id", "") if request.image else "",
    )
    instance.hostname = hostname_for(instance.display_name, instance.uuid)
    return instance


__all__ = ["CreateRequest", "create_servers", "generate_password", "parse"]
