"""Fixtures of the image API tests: accounts in separate projects, a private image store."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from image_app.models import Image

PATCH = "application/openstack-images-v2.1-json-patch"
OCTET = "application/octet-stream"


@pytest.fixture(autouse=True)
def image_store(settings, tmp_path) -> Path:
    """Each test gets its own empty store, so "no file left behind" is checkable."""
    store = tmp_path / "image-store"
    settings.IMAGE_STORE_DIR = store
    return store


def store_files(store: Path) -> list[str]:
    """Everything in the store, temporary files included."""
    return sorted(p.name for p in store.iterdir()) if store.exists() else []


@pytest.fixture
def member(make_account):
    return make_account(("member", "reader"))


@pytest.fixture
def other(make_account):
    """A member of another project."""
    return make_account(("member", "reader"))


@pytest.fixture
def admin(make_account):
    return make_account(("admin", "member", "reader"))


class Glance:
    """A thin client for /image/v2 as one user (DRF's test client underneath)."""

    def __init__(self, client, account):
        self.client = client
        self.user, self.project, self.token = account

    def get(self, path: str, **params: Any):
        return self.client.get(f"/image/v2{path}", params)

    def create(self, expect: int = 201, **body: Any):
        response = self.client.post("/image/v2/images", body, format="json")
        assert response.status_code == expect, response.content
        return response.json()

    def patch(self, image_id: str, changes: list[dict], content_type: str = PATCH):
        import json

        return self.client.generic("PATCH", f"/image/v2/images/{image_id}", json.dumps(changes),
                                   content_type=content_type)

    def upload(self, image_id: str, data: bytes, *, content_type: str = OCTET, length: int | None = None,
               stream=None):
        """PUT .../file; ``length`` overrides Content-Length, ``stream`` replaces the body stream."""
        extra: dict[str, Any] = {}
        if length is not None:
            extra["CONTENT_LENGTH"] = str(length)
        if stream is not None or length is not None:
            extra["wsgi.input"] = stream if stream is not None else io.BytesIO(data)
        return self.client.generic("PUT", f"/image/v2/images/{image_id}/file", data, content_type=content_type,
                                   **extra)

    def download(self, image_id: str):
        return self.client.get(f"/image/v2/images/{image_id}/file")

    def delete(self, image_id: str):
        return self.client.delete(f"/image/v2/images/{image_id}")

    def active_image(self, data: bytes = b"image-bytes", **body: Any) -> dict:
        body.setdefault("disk_format", "raw")
        body.setdefault("container_format", "bare")
        image = self.create(**body)
        response = self.upload(image["id"], data)
        assert response.status_code == 204, response.content
        return self.get(f"/images/{image['id']}").json()


@pytest.fixture
def glance(api):
    def make(account) -> Glance:
        return Glance(api(account[2]), account)
    return make


def status_of(image_id: str) -> str:
    return Image.objects.get(id=image_id).status
