"""Counts and per-test outcomes from a stestr (subunit v2) stream."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import subunit
import testtools

_ATTRS = re.compile(r"\[[^\]]*\]$")


def short_id(test_id: str) -> str:
    """The test id without Tempest's ``[id-...,smoke]`` attribute suffix."""
    return _ATTRS.sub("", test_id)


@dataclass
class Outcome:
    test_id: str
    status: str  # success, fail, skip, xfail, uxsuccess
    reason: str = ""  # skip reason or the failure's traceback


@dataclass
class Results:
    outcomes: list[Outcome] = field(default_factory=list)

    def by_status(self, *statuses: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in statuses]

    @property
    def passed(self) -> int:
        return len(self.by_status("success", "xfail"))

    @property
    def failed(self) -> int:
        return len(self.by_status("fail", "uxsuccess"))

    @property
    def skipped(self) -> int:
        return len(self.by_status("skip"))

    @property
    def total(self) -> int:
        return len(self.outcomes)

    def counts(self) -> dict[str, int]:
        return {"total": self.total, "passed": self.passed, "failed": self.failed, "skipped": self.skipped}

    def by_module(self) -> dict[str, dict[str, int]]:
        """Counts per Tempest module (``tempest.api.compute.keypairs.test_keypairs``)."""
        table: dict[str, dict[str, int]] = {}
        for outcome in self.outcomes:
            row = table.setdefault(module_of(outcome.test_id), {"passed": 0, "failed": 0, "skipped": 0})
            if outcome.status in ("success", "xfail"):
                row["passed"] += 1
            elif outcome.status in ("fail", "uxsuccess"):
                row["failed"] += 1
            elif outcome.status == "skip":
                row["skipped"] += 1
        return dict(sorted(table.items()))


def module_of(test_id: str) -> str:
    """The module of a test id, or of the class in a ``setUpClass (module.Class)`` entry."""
    match = re.search(r"\(([^)]+)\)", test_id)
    dotted = match.group(1) if match else test_id
    parts = dotted.split(".")
    for index, part in enumerate(parts):
        if part[:1].isupper():  # the class name
            return ".".join(parts[:index])
    return ".".join(parts[:-1])


def _text(details: dict[str, Any], *names: str) -> str:
    parts = []
    for name in names:
        content = details.get(name)
        if content is not None:
            parts.append(b"".join(bytes(chunk) for chunk in content.iter_bytes()).decode("utf-8", "replace"))
    return "\n".join(p for p in parts if p)


def parse_subunit(stream: BinaryIO) -> Results:
    results = Results()

    def on_test(test: dict[str, Any]) -> None:
        status = test.get("status")
        if status in (None, "exists", "inprogress"):
            return
        details = test.get("details", {})
        reason = _text(details, "reason") if status == "skip" else _text(details, "traceback")
        results.outcomes.append(Outcome(short_id(test["id"]), status, reason.strip()))

    case = subunit.ByteStreamToStreamResult(stream, non_subunit_name="stdout")
    sink = testtools.StreamToDict(on_test)
    sink.startTestRun()
    try:
        case.run(sink)
    finally:
        sink.stopTestRun()
    results.outcomes.sort(key=lambda o: o.test_id)
    return results
