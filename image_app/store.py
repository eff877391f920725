"""The image store: one file per image in ``settings.IMAGE_STORE_DIR``.

Data arrives in chunks and goes to a temporary file in the same directory
(so the final rename never crosses a filesystem), is fsynced, and only then
renamed to ``<image id>``: a reader sees either no file or a complete one,
never a partial upload. Checksums are computed on the way through, so the
data is read exactly once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from cloud.api.errors import BadRequest, RequestTooLarge

HASH_ALGO = "sha512"  # Glance's default os_hash_algo
HEADER_BYTES = 512  # enough for the format checks (image_app.formats)
_SAFE_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,63}$")  # never a path separator or a dot file


@dataclass
class PendingData:
    """Data written to a temporary file, not yet visible as the image's data."""

    path: Path
    size: int = 0
    md5: hashlib._Hash = field(default_factory=lambda: hashlib.md5(usedforsecurity=False))
    digest: hashlib._Hash = field(default_factory=lambda: hashlib.new(HASH_ALGO))
    header: bytes = b""

    @property
    def checksum(self) -> str:
        return self.md5.hexdigest()

    @property
    def hash_value(self) -> str:
        return self.digest.hexdigest()


def store_dir() -> Path:
    path = Path(settings.IMAGE_STORE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_path(image_id: str) -> Path:
    """Where an image's data lives (the id is checked so it can never name another path)."""
    if not _SAFE_ID.match(image_id):
        raise ValueError(f"not a storable image id: {image_id!r}")
    return store_dir() / image_id


def receive(image_id: str, read: Callable[[int], bytes], *, expected: int | None, cap: int) -> PendingData:
    """Copy the request body into a temporary file, hashing it; nothing is left behind on error.

    ``read(n)`` returns up to ``n`` bytes, ``b""`` at the end. ``expected`` is the
    Content-Length, if the client sent one: fewer bytes mean a broken upload (400).
    More than ``cap`` bytes in all is 413.
    """
    directory = data_path(image_id).parent
    fd, name = tempfile.mkstemp(dir=directory, prefix=f".{image_id}.", suffix=".part")
    pending = PendingData(Path(name))
    chunk_size = max(1, settings.IMAGE_CHUNK_SIZE)
    try:
        with os.fdopen(fd, "wb") as out:
            while expected is None or pending.size < expected:
                want = chunk_size if expected is None else min(chunk_size, expected - pending.size)
                chunk = read(want)
                if not chunk:
                    break
                pending.size += len(chunk)
                if pending.size > cap:
                    raise RequestTooLarge(f"Image exceeds the maximum image size of {cap} bytes.")
                if len(pending.header) < HEADER_BYTES:
                    pending.header += chunk[: HEADER_BYTES - len(pending.header)]
                pending.md5.update(chunk)
                pending.digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if expected is not None and pending.size != expected:
            raise BadRequest(f"The request body ended after {pending.size} of the {expected} bytes "
                             "announced in Content-Length.")
    except BaseException:
        discard(pending)
        raise
    return pending


def commit(pending: PendingData, image_id: str) -> None:
    """Make the data the image's data: one atomic rename, then make the rename durable."""
    target = data_path(image_id)
    os.replace(pending.path, target)
    _fsync_dir(target.parent)


def discard(pending: PendingData) -> None:
    with contextlib.suppress(FileNotFoundError):
        pending.path.unlink()


def open_data(image_id: str) -> BinaryIO | None:
    """The image's data opened for reading, or None when there is none.

    An open file stays readable even if the image is deleted meanwhile.
    """
    try:
        return open(data_path(image_id), "rb")  # noqa: SIM115 - the response closes it
    except (FileNotFoundError, ValueError):
        return None


def remove(image_id: str) -> None:
    with contextlib.suppress(FileNotFoundError, ValueError):
        data_path(image_id).unlink()


def remove_stale_parts(older_than_seconds: float) -> int:
    """Delete temporary upload files left by a process that died mid-upload."""
    directory = settings.IMAGE_STORE_DIR
    if not directory.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for part in directory.glob(".*.part"):
        with contextlib.suppress(FileNotFoundError):
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
