from __future__ import annotations

import pytest

from compute_app.models import Instance
from image_app.models import Image


@pytest.fixture
def image(db):
    return Image.objects.create(name="cirros", status="active", visibility="public", disk_format="qcow2",
                                container_format="bare", size=1024)


@pytest.fixture
def member(make_account):
    return make_account(("member",))


@pytest.fixture
def admin(make_account):
    return make_account(("admin",))


OMIT = object()  # boot(networks=OMIT) leaves the key out of the request


@pytest.fixture
def boot(api, image):
    """POST /servers as ``token``; returns the response."""
    def create(token: str, version: str = "2.47", expect: int | None = 202, **server):
        body = {"server": {"name": "vm", "imageRef": image.id, "flavorRef": "1", "networks": "auto", **server}}
        body["server"] = {k: v for k, v in body["server"].items() if v is not OMIT}
        response = api(token, version).post("/compute/v2.1/servers", body, format="json")
        if expect is not None:
            assert response.status_code == expect, response.content
        return response
    return create


def make_active(server_id: str, host: str = "node-1") -> None:
    """Put a created server where a finished build would (no workers run in-process)."""
    Instance.objects.filter(uuid=server_id).update(vm_state="active", task_state=None, power_state=1, host=host,
                                                   node=host, availability_zone="nova")
