"""The image service driven by unmodified clients against the live cloud (daphne + workers).

openstacksdk discovers v2 from the catalog's ``<public>/image`` and uploads,
lists, shows, downloads and deletes; the ``openstack`` CLI does the same from
the command line. Also: a download through daphne is the stored bytes
exactly, and a chunked upload (no Content-Length) works.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
import requests

pytestmark = [pytest.mark.live, pytest.mark.clients]


def test_openstacksdk_image_cycle(live_cloud):
    conn = live_cloud.sdk()
    name = f"sdk-img-{uuid.uuid4().hex[:6]}"
    data = b"sdk image data " * 1000
    image = conn.image.create_image(name=name, data=data, disk_format="raw", container_format="bare")
    try:
        assert conn.image.get_endpoint().rstrip("/").endswith("/image/v2")
        fetched = conn.image.get_image(image.id)
        assert fetched.status == "active" and fetched.size == len(data)
        assert fetched.checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()
        assert fetched.hash_algo == "sha512" and fetched.hash_value == hashlib.sha512(data).hexdigest()
        assert image.id in {i.id for i in conn.image.images()}
        assert [i.id for i in conn.image.images(name=name)] == [image.id]
        assert conn.image.find_image(name).id == image.id
        assert conn.image.download_image(image).content == data
        conn.image.update_image(image, name=f"{name}-renamed", min_ram=64)
        assert conn.image.get_image(image.id).name == f"{name}-renamed"
    finally:
        conn.image.delete_image(image, ignore_missing=True)
    assert conn.image.find_image(image.id) is None


def test_openstack_cli_image_cycle(live_cloud, tmp_path):
    name = f"cli-img-{uuid.uuid4().hex[:6]}"
    path = tmp_path / "disk.raw"
    path.write_bytes(b"\x02" * 10000)
    created = json.loads(live_cloud.cli("image", "create", "--file", str(path), "--disk-format", "raw",
                                        "--container-format", "bare", "--property", "os_distro=cirros",
                                        name, "-f", "json").stdout)
    assert created["status"] == "active" and created["size"] == 10000
    listed = json.loads(live_cloud.cli("image", "list", "-f", "json").stdout)
    assert name in {i["Name"] for i in listed}
    shown = json.loads(live_cloud.cli("image", "show", name, "-f", "json").stdout)
    assert shown["id"] == created["id"] and shown["properties"]["os_distro"] == "cirros"
    saved = tmp_path / "saved.raw"
    live_cloud.cli("image", "save", "--file", str(saved), created["id"])
    assert saved.read_bytes() == path.read_bytes()
    live_cloud.cli("image", "delete", created["id"])
    gone = live_cloud.cli("image", "show", created["id"], check=False)
    assert gone.returncode != 0


def test_chunked_upload_and_streamed_download_over_http(live_cloud):
    session = live_cloud.client(microversion=None)
    base = f"{live_cloud.url}/image/v2"
    image = session.post(f"{base}/images", json={"name": "chunked", "disk_format": "raw",
                                                 "container_format": "bare"}, timeout=10).json()
    parts = [bytes([i]) * 100_000 for i in range(7)]  # sent with Transfer-Encoding: chunked
    response = session.put(f"{base}/images/{image['id']}/file", data=iter(parts),
                           headers={"Content-Type": "application/octet-stream"}, timeout=30)
    assert response.status_code == 204, response.text
    download = session.get(f"{base}/images/{image['id']}/file", stream=True, timeout=30)
    assert download.status_code == 200
    assert download.headers["Content-Length"] == str(700_000)
    body = b"".join(download.iter_content(65536))
    assert body == b"".join(parts)
    assert download.headers["Content-MD5"] == hashlib.md5(body, usedforsecurity=False).hexdigest()
    assert session.delete(f"{base}/images/{image['id']}", timeout=10).status_code == 204


def test_version_discovery_over_http(live_cloud):
    response = requests.get(f"{live_cloud.url}/image", timeout=10)
    assert response.status_code == 300 and response.headers["Content-Type"] == "application/json"
    current = [v for v in response.json()["versions"] if v["status"] == "CURRENT"]
    assert [v["id"] for v in current] == ["v2.9"]
    assert current[0]["links"][0]["href"] == f"{live_cloud.url}/image/v2/"
