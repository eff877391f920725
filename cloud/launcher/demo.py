"""Talking to the freshly started cloud through its public APIs, as any OpenStack client would:
wait for the services, upload the demo image, boot the demo server.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Callable

import requests

from cloud.launcher.console import StepFailed

DEMO_IMAGE = "demo-image"
DEMO_SERVER = "demo-server"
# A blank 1 MiB raw disk: enough for the fake driver, which never reads it. A bootable
# image comes with the libvirt driver.
DEMO_IMAGE_BYTES = 1024 * 1024
MICROVERSION = "2.47"


class APIClient:
    def __init__(self, base_url: str, check_alive: Callable[[], None] = lambda: None) -> None:
        self.base_url = base_url.rstrip("/")
        self.check_alive = check_alive  # raises when a process of the cloud died
        self.http = requests.Session()

    # --- helpers -------------------------------------------------------------
    def wait(self, what: str, predicate: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
        """Poll until ``predicate`` returns something truthy; connection errors count as "not yet"."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                result = predicate()
                if result:
                    return result
            except requests.RequestException as exc:
                last = f" (last error: {type(exc).__name__})"
            time.sleep(interval)
        raise StepFailed(f"timed out after {timeout:.0f}s waiting for {what}{last}")

    def call(self, method: str, path: str, token: str | None = None, expect: tuple[int, ...] = (200,),
             **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["X-Auth-Token"] = token
        if path.startswith("/compute/"):
            headers.setdefault("OpenStack-API-Version", f"compute {MICROVERSION}")
        response = self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)
        if response.status_code not in expect:
            raise StepFailed(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response

    # --- identity ----------------------------------------------------------------
    def api_up(self) -> bool:
        return self.http.get(f"{self.base_url}/identity/v3", timeout=5).status_code == 200

    def token(self, user: str, password: str, project: str) -> str:
        body = {"auth": {"identity": {"methods": ["password"], "password": {
            "user": {"name": user, "domain": {"name": "Default"}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
        return self.call("POST", "/identity/v3/auth/tokens", expect=(201,), json=body).headers["X-Subject-Token"]

    # --- services ---------------------------------------------------------------------
    def services_up(self, token: str, wanted: list[tuple[str, str]], since: datetime) -> bool:
        """True when every (binary, host) in ``wanted`` is up with a heartbeat after ``since``."""
        services = self.call("GET", "/compute/v2.1/os-services", token).json()["services"]
        fresh = set()
        for service in services:
            seen = service.get("updated_at")
            if service["state"] == "up" and seen and _parse_time(seen) >= since:
                fresh.add((service["binary"], service["host"]))
        return set(wanted) <= fresh

    # --- demo image and server -------------------------------------------------------------
    def ensure_demo_image(self, token: str) -> tuple[str, bool]:
        """(image id, created now): an active public image named demo-image, uploaded if missing."""
        images = self.call("GET", f"/image/v2/images?name={DEMO_IMAGE}", token).json()["images"]
        active = [image for image in images if image["status"] == "active"]
        if active:
            return active[0]["id"], False
        queued = [image for image in images if image["status"] == "queued"]
        if queued:  # an earlier run stopped between creating the record and uploading
            image_id = queued[0]["id"]
        else:
            body = {"name": DEMO_IMAGE, "disk_format": "raw", "container_format": "bare", "visibility": "public",
                    "min_disk": 0, "min_ram": 0}
            image_id = self.call("POST", "/image/v2/images", token, expect=(201,), json=body).json()["id"]
        self.call("PUT", f"/image/v2/images/{image_id}/file", token, expect=(204,),
                  headers={"Content-Type": "application/octet-stream"}, data=bytes(DEMO_IMAGE_BYTES))
        status = self.call("GET", f"/image/v2/images/{image_id}", token).json()["status"]
        if status != "active":
            raise StepFailed(f"the demo image {image_id} is {status!r} after its upload, not active")
        return image_id, True

    def ensure_demo_server(self, token: str, image_id: str, flavor: str = "1") -> tuple[str, bool]:
        """(server id, created now): the demo user's server named demo-server; one in ERROR is replaced."""
        servers = self.call("GET", f"/compute/v2.1/servers/detail?name=^{DEMO_SERVER}$", token).json()["servers"]
        for server in servers:
            if server["status"] == "ERROR":
                self.call("DELETE", f"/compute/v2.1/servers/{server['id']}", token, expect=(204,))
            else:
                return server["id"], False
        body = {"server": {"name": DEMO_SERVER, "imageRef": image_id, "flavorRef": flavor, "networks": "auto"}}
        server = self.call("POST", "/compute/v2.1/servers", token, expect=(202,), json=body).json()["server"]
        return server["id"], True

    def server(self, token: str, server_id: str) -> dict[str, Any]:
        return self.call("GET", f"/compute/v2.1/servers/{server_id}", token).json()["server"]

    def wait_active(self, token: str, server_id: str, timeout: float) -> dict[str, Any]:
        def active() -> dict[str, Any] | None:
            server = self.server(token, server_id)
            if server["status"] == "ERROR":
                fault = (server.get("fault") or {}).get("message", "no fault recorded")
                raise StepFailed(f"the demo server {server_id} went to ERROR: {fault}")
            return server if server["status"] == "ACTIVE" else None
        return self.wait(f"the demo server {server_id} to become ACTIVE", active, timeout)


def _parse_time(text: str) -> datetime:
    """Nova's naive UTC timestamps (``2024-01-02T03:04:05.000000``)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
