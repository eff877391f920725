"""The interface every hypervisor driver implements, and the per-host registry.

Drivers run inside compute workers, which have no database: everything a
driver needs arrives in a :class:`GuestSpec` built by the conductor/scheduler,
and everything it learns goes back in task results and :class:`HostReport`.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings


class DriverError(Exception):
    """A failure the user may read (it becomes the instance fault message)."""


class BuildError(DriverError):
    """The guest could not be built on this host; another host may succeed."""


class GuestNotFound(DriverError):
    pass


@dataclass
class GuestSpec:
    """Everything needed to create a guest, as sent in the build message."""

    uuid: str
    name: str
    hostname: str
    vcpus: int
    memory_mb: int
    root_gb: int
    ephemeral_gb: int = 0
    swap_mb: int = 0
    flavor: dict[str, Any] = field(default_factory=dict)
    image: dict[str, Any] = field(default_factory=dict)
    key_data: str | None = None
    user_data: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    requested_networks: Any = None
    security_groups: list[str] = field(default_factory=list)
    block_device_mapping: list[dict[str, Any]] = field(default_factory=list)
    availability_zone: str | None = None
    project_id: str = ""
    user_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GuestSpec:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class GuestInfo:
    power_state: int
    network_info: dict[str, Any] = field(default_factory=dict)


@dataclass
class HostReport:
    """Capacity and what is running, reported every REPORT_INTERVAL seconds."""

    hypervisor_hostname: str
    hypervisor_type: str
    hypervisor_version: int
    vcpus: int
    memory_mb: int
    local_gb: int
    vcpus_used: int
    memory_mb_used: int
    local_gb_used: int
    running_vms: int
    host_ip: str = "127.0.0.1"
    cpu_info: dict[str, Any] = field(default_factory=dict)
    guests: dict[str, int] = field(default_factory=dict)  # uuid -> power state

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ComputeDriver:
    """Base class. Lifecycle operations beyond build/destroy come with the
    lifecycle issue; a driver that lacks one raises NotImplementedError."""

    hypervisor_type = "unknown"

    def __init__(self, host: str):
        self.host = host

    # --- host ------------------------------------------------------------------------
    def init_host(self) -> None:
        """Called once when the worker starts serving the host."""

    def host_report(self) -> HostReport:
        raise NotImplementedError

    def list_guests(self) -> dict[str, int]:
        """uuid -> power state of every guest this driver manages on the host."""
        raise NotImplementedError

    # --- guests ------------------------------------------------------------------------
    def spawn(self, spec: GuestSpec) -> GuestInfo:
        """Create and start the guest. Must be idempotent: a redelivered build
        message for a guest that already exists returns its current state."""
        raise NotImplementedError

    def destroy(self, uuid: str) -> None:
        """Remove the guest and everything it left on the host; no error if absent."""
        raise NotImplementedError

    def power_state(self, uuid: str) -> int:
        raise NotImplementedError

    def get_console_output(self, uuid: str) -> str:
        raise NotImplementedError


_drivers: dict[str, ComputeDriver] = {}
_lock = threading.Lock()


def driver_class(name: str) -> type[ComputeDriver]:
    if name == "fake":
        from compute_app.virt.fake import FakeDriver

        return FakeDriver
    raise ValueError(f"unknown COMPUTE_DRIVER {name!r} (available: fake)")


def get_driver(host: str) -> ComputeDriver:
    """The driver instance serving ``host`` in this worker process."""
    driver = _drivers.get(host)
    if driver is None:
        with _lock:
            driver = _drivers.get(host)
            if driver is None:
                driver = driver_class(settings.COMPUTE_DRIVER)(host)
                driver.init_host()
                _drivers[host] = driver
    return driver
