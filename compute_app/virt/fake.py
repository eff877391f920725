"""The fake driver: in-memory guests with configurable capacity and failures.

For tests and scale runs only. One worker process may serve many fake hosts.
Knobs come from the JSON file named by FAKE_DRIVER_CONFIG, re-read when it
changes, so a test can inject a failure into a running worker:

    {"defaults": {"vcpus": 32, "memory_mb": 131072, "local_gb": 2048},
     "hosts": {"fake-1": {"memory_mb": 1024}},
     "fail_build": {"fake-1": "disk on fire"},      # host -> fault message
     "build_delay": {"fake-2": 30.0}}               # host -> seconds (or one number)
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from django.conf import settings

from compute_app.states import power_states
from compute_app.virt.driver import BuildError, ComputeDriver, GuestInfo, GuestSpec, HostReport

DEFAULT_CAPACITY = {"vcpus": 32, "memory_mb": 131072, "local_gb": 2048}


class _Config:
    """The knobs file, cached until its modification time changes."""

    def __init__(self, path: str):
        self.path = path
        self._mtime: float | None = None
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self) -> dict[str, Any]:
        if not self.path:
            return {}
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            return {}
        with self._lock:
            if mtime != self._mtime:
                try:
                    with open(self.path) as handle:
                        self._data = json.load(handle)
                except (OSError, ValueError):
                    return self._data  # a half-written file: keep the last good one
                self._mtime = mtime
            return self._data


_config = _Config(settings.FAKE_DRIVER_CONFIG)


def _per_host(value: Any, host: str, default: Any = None) -> Any:
    if isinstance(value, dict):
        return value.get(host, value.get("*", default))
    return default if value is None else value


class FakeDriver(ComputeDriver):
    hypervisor_type = "fake"

    def __init__(self, host: str):
        super().__init__(host)
        self._guests: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def _capacity(self) -> dict[str, int]:
        config = _config.get()
        capacity = dict(DEFAULT_CAPACITY)
        capacity.update(config.get("defaults", {}))
        capacity.update(config.get("hosts", {}).get(self.host, {}))
        return capacity

    def host_report(self) -> HostReport:
        capacity = self._capacity()
        with self._lock:
            guests = list(self._guests.values())
        return HostReport(
            hypervisor_hostname=self.host,
            hypervisor_type=self.hypervisor_type,
            hypervisor_version=1000,
            vcpus=int(capacity["vcpus"]),
            memory_mb=int(capacity["memory_mb"]),
            local_gb=int(capacity["local_gb"]),
            vcpus_used=sum(g["vcpus"] for g in guests),
            memory_mb_used=sum(g["memory_mb"] for g in guests),
            local_gb_used=sum(g["root_gb"] + g["ephemeral_gb"] for g in guests),
            running_vms=len(guests),
            cpu_info={"arch": "x86_64", "model": "fake", "vendor": "fake",
                      "topology": {"cores": int(capacity["vcpus"]), "threads": 1, "sockets": 1}},
            guests={g["uuid"]: g["power_state"] for g in guests},
        )

    def list_guests(self) -> dict[str, int]:
        with self._lock:
            return {uuid: g["power_state"] for uuid, g in self._guests.items()}

    def spawn(self, spec: GuestSpec) -> GuestInfo:
        with self._lock:
            existing = self._guests.get(spec.uuid)
        if existing is not None:
            return GuestInfo(power_state=existing["power_state"])
        config = _config.get()
        delay = float(_per_host(config.get("build_delay"), self.host, 0.0) or 0.0)
        if delay > 0:
            time.sleep(delay)  # simulates a slow hypervisor; not a test wait
        failure = _per_host(config.get("fail_build"), self.host)
        if failure:
            raise BuildError(str(failure) if failure is not True else f"Injected build failure on {self.host}")
        guest = {
            "uuid": spec.uuid, "name": spec.name, "vcpus": spec.vcpus, "memory_mb": spec.memory_mb,
            "root_gb": spec.root_gb, "ephemeral_gb": spec.ephemeral_gb,
            "power_state": power_states.RUNNING, "console": [f"{spec.hostname} login:"],
        }
        with self._lock:
            self._guests.setdefault(spec.uuid, guest)
        return GuestInfo(power_state=power_states.RUNNING)

    def destroy(self, uuid: str) -> None:
        with self._lock:
            self._guests.pop(uuid, None)

    def power_state(self, uuid: str) -> int:
        with self._lock:
            guest = self._guests.get(uuid)
        return guest["power_state"] if guest else power_states.NOSTATE

    def get_console_output(self, uuid: str) -> str:
        with self._lock:
            guest = self._guests.get(uuid)
        return "\n".join(guest["console"]) + "\n" if guest else ""
