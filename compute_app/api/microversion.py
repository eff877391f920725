"""Compute API microversions.

The version is read from ``OpenStack-API-Version: compute X.Y`` first, then
``X-OpenStack-Nova-API-Version: X.Y``; no header means 2.1 and ``latest``
means :data:`MAX_VERSION`. Out of range is 406, malformed is 400.

:data:`MAX_VERSION` is the highest microversion whose request and response
shapes are fully implemented for every resource this API serves; raise it
only together with the shapes (docs/compute-api.md lists what each step adds).
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import TypeVar

from cloud.api.errors import BadRequest, NotAcceptable

T = TypeVar("T")


@total_ordering
class APIVersion:
    __slots__ = ("major", "minor")

    def __init__(self, major: int, minor: int):
        self.major = major
        self.minor = minor

    @classmethod
    def parse(cls, text: str) -> APIVersion:
        match = re.fullmatch(r"\s*(\d{1,3})\.(\d{1,4})\s*", text or "")
        if not match:
            raise BadRequest(f"API Version String {text[:40]!r} is of invalid format. "
                             "It must be of format 'major.minor'.")
        return cls(int(match.group(1)), int(match.group(2)))

    def _key(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = APIVersion.parse(other)
        return isinstance(other, APIVersion) and self._key() == other._key()

    def __lt__(self, other: APIVersion | str) -> bool:
        if isinstance(other, str):
            other = APIVersion.parse(other)
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    __repr__ = __str__

    def at_least(self, version: str) -> bool:
        return self >= APIVersion.parse(version)

    def matches(self, minimum: str | None = None, maximum: str | None = None) -> bool:
        """True when ``minimum <= self <= maximum`` (either bound optional)."""
        if minimum is not None and self < APIVersion.parse(minimum):
            return False
        return not (maximum is not None and self > APIVersion.parse(maximum))


def by_version(table: list[tuple[str, T]], version: APIVersion) -> T:
    """The value for ``version`` from ``[(first microversion, value), ...]`` (oldest first).

    View builders keep their per-microversion shapes in such tables, so a new
    microversion is one new row instead of another ``if`` in a view.
    """
    chosen = table[0][1]
    for first, value in table:
        if version >= APIVersion.parse(first):
            chosen = value
    return chosen


MIN_VERSION = APIVersion(2, 1)
MAX_VERSION = APIVersion(2, 47)

_HEADER_RE = re.compile(r"^\s*compute\s+(\S+)\s*$", re.IGNORECASE)


def requested_version(meta: dict) -> APIVersion:
    """The microversion a request asks for (from Django's ``request.META``)."""
    raw: str | None = None
    new_style = meta.get("HTTP_OPENSTACK_API_VERSION")
    if new_style:
        # The header may list several services: "compute 2.10, volume 3.1".
        for part in new_style.split(","):
            match = _HEADER_RE.match(part)
            if match:
                raw = match.group(1)
                break
    if raw is None:
        raw = meta.get("HTTP_X_OPENSTACK_NOVA_API_VERSION")
    if raw is None:
        return MIN_VERSION
    if raw.strip().lower() == "latest":
        return MAX_VERSION
    version = APIVersion.parse(raw)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise NotAcceptable(f"Version {version} is not supported by the API. "
                            f"Minimum is {MIN_VERSION} and maximum is {MAX_VERSION}.")
    return version


def add_version_headers(response, version: APIVersion) -> None:
    response["OpenStack-API-Version"] = f"compute {version}"
    response["X-OpenStack-Nova-API-Version"] = str(version)
    vary = "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
    existing = response.get("Vary")
    response["Vary"] = f"{existing}, {vary}" if existing else vary
