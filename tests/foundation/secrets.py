"""Checking that no token or password ever reaches a log file of a live cloud.

Tests that use a token of the shared live cloud :func:`remember` it; the
secrets test greps every log of that cloud for all of them at the end.
"""

from __future__ import annotations

from pathlib import Path

REMEMBERED: list[str] = []


def remember(secret: str) -> str:
    REMEMBERED.append(secret)
    return secret


def log_files(workdir: Path) -> list[Path]:
    return sorted(p for p in workdir.rglob("*.log") if p.is_file())


def assert_no_secrets_in_logs(cloud, secrets: list[str]) -> None:
    files = log_files(cloud.workdir)
    names = {p.name for p in files}
    # The check means something only if the logs are there and were written to.
    assert {"api.log", "scheduler.log", "conductor.log"} <= names, names
    texts = {p: p.read_text(errors="replace") for p in files}
    assert any("[req-" in text for text in texts.values()), "no request-id log lines at all: logging is off?"
    leaks = [f"{p.name}: {secret[:6]}... at offset {text.find(secret)}"
             for p, text in texts.items() for secret in set(secrets) if secret and secret in text]
    assert not leaks, "secrets in logs:\n" + "\n".join(leaks)
