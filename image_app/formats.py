"""Format checks on uploaded data: does it match the declared ``disk_format``?

A compute host trusts the declared format when it builds a disk, so a "raw"
image that really is qcow2 (or a qcow2 that names a backing file) could make
the host read one of its own files into a guest. Like Glance's format
inspector, the upload is refused (400) when the data's header disagrees with
the declared format; the header also gives qcow2's virtual size.
"""

from __future__ import annotations

import struct

from cloud.api.errors import BadRequest

QCOW2_MAGIC = b"QFI\xfb"
# qcow2 header: magic, version (u32), backing_file_offset (u64), backing_file_size (u32),
# cluster_bits (u32), size (u64): big-endian, 32 bytes in all.
_QCOW2_HEADER = struct.Struct(">4sIQIIQ")


def is_qcow2(header: bytes) -> bool:
    return header[:4] == QCOW2_MAGIC


def check(disk_format: str | None, header: bytes, size: int) -> int | None:
    """Refuse data that contradicts ``disk_format``; return the virtual size when known."""
    if is_qcow2(header):
        if disk_format not in ("qcow2", None):
            raise BadRequest(f"Image data is qcow2, which does not match disk_format {disk_format}.")
        if len(header) < _QCOW2_HEADER.size:
            raise BadRequest("Image data has a truncated qcow2 header.")
        _magic, _version, backing_offset, _backing_size, _bits, virtual = _QCOW2_HEADER.unpack_from(header)
        if backing_offset:
            raise BadRequest("qcow2 images with a backing file are not allowed.")
        return virtual
    if disk_format == "qcow2":
        raise BadRequest("Image data is not qcow2, which does not match disk_format qcow2.")
    if disk_format == "raw":
        return size
    return None
