"""Image data: upload, checksums, download, format checks, and atomic failure."""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import warnings

import pytest

from cloud.api.errors import RequestTooLarge
from image_app import store
from image_app.api.data import ImageDataResponse
from tests.image.conftest import status_of, store_files


def test_upload_sets_size_checksums_and_activates(glance, member, image_store, settings):
    settings.IMAGE_CHUNK_SIZE = 7  # several chunks even for a small body
    g = glance(member)
    data = bytes(range(256)) * 41
    image = g.create(name="data", disk_format="raw", container_format="bare")
    response = g.upload(image["id"], data)
    assert response.status_code == 204, response.content
    shown = g.get(f"/images/{image['id']}").json()
    assert shown["status"] == "active"
    assert shown["size"] == len(data) and shown["virtual_size"] == len(data)
    assert shown["checksum"] == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert shown["os_hash_algo"] == "sha512" and shown["os_hash_value"] == hashlib.sha512(data).hexdigest()
    assert (image_store / image["id"]).read_bytes() == data
    assert store_files(image_store) == [image["id"]]  # no temporary file left


def test_download_streams_the_data(glance, member, settings):
    settings.IMAGE_CHUNK_SIZE = 1000
    g = glance(member)
    data = b"0123456789" * 2500
    image = g.active_image(data)
    response = g.download(image["id"])
    assert response.status_code == 200 and response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) == 25 and b"".join(chunks) == data
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Length"] == str(len(data))
    assert response["Content-MD5"] == hashlib.md5(data, usedforsecurity=False).hexdigest()


def test_download_without_data_is_204(glance, member):
    g = glance(member)
    image = g.create(name="empty")
    assert g.download(image["id"]).status_code == 204


def test_async_download_reads_chunk_by_chunk(db, tmp_path):
    """Under ASGI the response must not be turned into a list of the whole file."""
    path = tmp_path / "blob"
    path.write_bytes(b"x" * 10_000)
    handle = open(path, "rb")  # noqa: SIM115 - the response closes it
    response = ImageDataResponse(handle, 4096)

    async def consume() -> list[bytes]:
        return [chunk async for chunk in response]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns when it has to consume a sync iterator
        chunks = asyncio.run(consume())
    response.close()  # (sends request_finished, hence the db fixture)
    assert [len(c) for c in chunks] == [4096, 4096, 1808]
    assert handle.closed


def test_second_upload_is_409(glance, member):
    g = glance(member)
    image = g.active_image(b"first")
    response = g.upload(image["id"], b"second")
    assert response.status_code == 409
    assert g.download(image["id"]).getvalue() == b"first"


def test_short_body_leaves_image_queued_without_file(glance, member, image_store):
    """Content-Length promises more than arrives (a client that went away)."""
    g = glance(member)
    image = g.create(name="short", disk_format="raw", container_format="bare")
    response = g.upload(image["id"], b"only ten b", length=100_000)
    assert response.status_code == 400
    assert "Content-Length" in response.json()["badRequest"]["message"]
    assert status_of(image["id"]) == "queued"
    assert store_files(image_store) == []
    # The image is still usable: a complete upload now succeeds.
    assert g.upload(image["id"], b"complete").status_code == 204
    assert status_of(image["id"]) == "active"


def test_over_size_cap_leaves_image_queued_without_file(glance, member, image_store, settings):
    settings.IMAGE_SIZE_CAP = 1000
    settings.IMAGE_CHUNK_SIZE = 100
    g = glance(member)
    image = g.create(name="big", disk_format="raw", container_format="bare")
    assert g.upload(image["id"], b"x" * 1001).status_code == 413  # refused on the announced length
    assert status_of(image["id"]) == "queued" and store_files(image_store) == []


def test_cap_is_enforced_while_streaming_without_content_length(image_store, settings):
    """A chunked body has no Content-Length: the store checks the cap as bytes arrive.

    (Django's WSGI test request cannot carry a chunked body, so this drives the
    store directly; tests/image/test_clients_live.py sends a real chunked upload.)
    """
    settings.IMAGE_CHUNK_SIZE = 100
    reads: list[int] = []

    def endless(size: int) -> bytes:
        reads.append(size)
        return b"y" * size

    with pytest.raises(RequestTooLarge):
        store.receive("3f5a3e7c-0000-4000-8000-000000000001", endless, expected=None, cap=1000)
    assert len(reads) == 11  # stopped at the first chunk over the cap, not at the end of the stream
    assert store_files(image_store) == []
    pending = store.receive("3f5a3e7c-0000-4000-8000-000000000001", io.BytesIO(b"z" * 250).read,
                            expected=None, cap=1000)
    assert pending.size == 250
    store.discard(pending)
    assert store_files(image_store) == []


def test_failed_upload_during_write_cleans_up(glance, member, image_store, settings):
    """The client's stream breaks mid-way: status back to queued, no partial or temporary file."""
    settings.IMAGE_CHUNK_SIZE = 10
    g = glance(member)
    image = g.create(name="broken", disk_format="raw", container_format="bare")

    class Breaks(io.RawIOBase):
        calls = 0

        def read(self, size: int = -1) -> bytes:
            Breaks.calls += 1
            if Breaks.calls > 3:
                raise OSError("connection reset by peer")
            return b"z" * size

    response = g.upload(image["id"], b"", length=1000, stream=Breaks())
    assert response.status_code == 400
    assert "interrupted" in response.json()["badRequest"]["message"]
    assert status_of(image["id"]) == "queued"
    assert store_files(image_store) == []


def test_concurrent_upload_one_wins(glance, member, api, image_store):
    """While one upload is streaming, another one to the same image gets 409.

    The second request is made from inside the first one's body stream, so
    both run against the same database state without threads or sleeps.
    """
    g = glance(member)
    image = g.create(name="race", disk_format="raw", container_format="bare")
    second = glance(member)
    seen: dict[str, object] = {}

    class Interleaved(io.RawIOBase):
        def __init__(self):
            self.data = io.BytesIO(b"winner" * 100)

        def read(self, size: int = -1) -> bytes:
            if "status" not in seen:
                seen["status"] = status_of(image["id"])
                seen["response"] = second.upload(image["id"], b"loser")
            return self.data.read(size)

    response = g.upload(image["id"], b"", length=600, stream=Interleaved())
    assert seen["status"] == "saving"
    assert seen["response"].status_code == 409
    assert response.status_code == 204
    assert g.download(image["id"]).getvalue() == b"winner" * 100
    assert store_files(image_store) == [image["id"]]


def test_upload_wrong_content_type_is_415(glance, member):
    g = glance(member)
    image = g.create(name="ct")
    assert g.upload(image["id"], b"x", content_type="application/json").status_code == 415
    assert status_of(image["id"]) == "queued"


def test_upload_bad_content_length_is_400(glance, member):
    g = glance(member)
    image = g.create(name="cl")
    response = g.client.generic("PUT", f"/image/v2/images/{image['id']}/file", b"x",
                                content_type="application/octet-stream", CONTENT_LENGTH="-5")
    assert response.status_code == 400


def test_only_owner_uploads(glance, member, other, admin):
    image = glance(admin).create(name="public", visibility="public", disk_format="raw", container_format="bare")
    assert glance(other).upload(image["id"], b"x").status_code == 403
    assert status_of(image["id"]) == "queued"


def _qcow2_header(virtual_size: int, backing_offset: int = 0) -> bytes:
    return struct.pack(">4sIQIIQ", b"QFI\xfb", 3, backing_offset, 0, 16, virtual_size) + b"\0" * 100


def test_qcow2_virtual_size_from_header(glance, member):
    g = glance(member)
    image = g.active_image(_qcow2_header(10 * 2**30), disk_format="qcow2")
    assert image["virtual_size"] == 10 * 2**30


@pytest.mark.parametrize("disk_format, data", [
    ("raw", _qcow2_header(2**20)),  # qcow2 in disguise
    ("qcow2", b"plain bytes, not qcow2"),
    ("qcow2", _qcow2_header(2**20, backing_offset=512)),  # a backing file could name a host path
])
def test_format_checks_refuse_mismatched_data(glance, member, image_store, disk_format, data):
    g = glance(member)
    image = g.create(name="fmt", disk_format=disk_format, container_format="bare")
    response = g.upload(image["id"], data)
    assert response.status_code == 400, response.content
    assert status_of(image["id"]) == "queued" and store_files(image_store) == []


def test_deleting_during_upload_keeps_it_deleted(glance, member, image_store):
    g = glance(member)
    image = g.create(name="gone", disk_format="raw", container_format="bare")
    deleter = glance(member)

    class DeletesMidway(io.RawIOBase):
        def __init__(self):
            self.data = io.BytesIO(b"d" * 100)
            self.deleted = False

        def read(self, size: int = -1) -> bytes:
            if not self.deleted:
                self.deleted = True
                assert deleter.delete(image["id"]).status_code == 204
            return self.data.read(size)

    response = g.upload(image["id"], b"", length=100, stream=DeletesMidway())
    assert response.status_code == 409
    assert status_of(image["id"]) == "deleted" and store_files(image_store) == []


def test_formats_must_be_set_before_upload(glance, member, image_store):
    g = glance(member)
    image = g.create(name="no-formats")
    response = g.upload(image["id"], b"data")
    assert response.status_code == 400 and "disk_format" in response.json()["badRequest"]["message"]
    assert status_of(image["id"]) == "queued" and store_files(image_store) == []
