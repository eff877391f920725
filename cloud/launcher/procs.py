"""Running a set of named processes, Procfile style, and stopping them cleanly.

A Procfile has one ``name: command`` line per process (``#`` comments and
blank lines allowed), as foreman and honcho read it. Each process gets its own
session (so a Ctrl-C reaches only the launcher, which then stops everything in
order) and its own log file. Stopping sends SIGTERM to every process group at
once, waits, then SIGKILLs what is left.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

_NAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


class ProcfileError(ValueError):
    pass


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)  # added to the launcher's environment

    def command_line(self) -> str:
        """The Procfile line: ``VAR=value`` prefixes for the extra environment, then the command."""
        prefix = [f"{key}={shlex.quote(value)}" for key, value in self.env.items()]
        return " ".join([*prefix, *(shlex.quote(arg) for arg in self.argv)])


def parse_procfile(text: str) -> list[ProcessSpec]:
    """Parse ``name: [VAR=value ...] command args`` lines."""
    specs: list[ProcessSpec] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, command = line.partition(":")
        name = name.strip()
        if not colon or not name or not set(name) <= _NAME_OK:
            raise ProcfileError(f"line {number}: expected 'name: command', got {raw!r}")
        if any(spec.name == name for spec in specs):
            raise ProcfileError(f"line {number}: process {name!r} is defined twice")
        try:
            words = shlex.split(command)
        except ValueError as exc:
            raise ProcfileError(f"line {number}: {exc}") from None
        env: dict[str, str] = {}
        while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
            key, _, value = words.pop(0).partition("=")
            env[key] = value
        if not words:
            raise ProcfileError(f"line {number}: process {name!r} has no command")
        specs.append(ProcessSpec(name, words, env))
    if not specs:
        raise ProcfileError("no processes defined")
    return specs


def format_procfile(specs: list[ProcessSpec], header: str = "") -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"{spec.name}: {spec.command_line()}" for spec in specs]
    return "\n".join(lines) + "\n"


@dataclass
class Running:
    spec: ProcessSpec
    popen: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, chars: int = 3000) -> str:
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - chars))
                return handle.read().decode("utf-8", "replace")
        except OSError:
            return ""


class Supervisor:
    """Starts processes, notices when one exits, and stops them all."""

    def __init__(self, log_dir: Path, base_env: dict[str, str], cwd: Path,
                 out: IO[str] | None = None) -> None:
        self.log_dir = log_dir
        self.base_env = base_env
        self.cwd = cwd
        self.out = out
        self.running: list[Running] = []

    def start(self, spec: ProcessSpec) -> Running:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{spec.name}.log"
        with open(log_path, "ab") as handle:
            handle.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: "
                         f"{spec.command_line()}\n".encode())
            handle.flush()
            popen = subprocess.Popen(
                spec.argv, cwd=self.cwd, env={**self.base_env, **spec.env}, stdin=subprocess.DEVNULL,
                stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
            )
        running = Running(spec, popen, log_path)
        self.running.append(running)
        return running

    def exited(self) -> list[Running]:
        return [proc for proc in self.running if not proc.alive()]

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM every process group, wait up to ``timeout`` seconds, then SIGKILL the rest."""
        alive = [proc for proc in self.running if proc.alive()]
        for proc in alive:
            self._say(f"stopping {proc.spec.name} (pid {proc.pid})")
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in alive:
            try:
                proc.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in alive:
            if proc.alive():
                self._say(f"{proc.spec.name} did not stop within {timeout:.0f}s: killing it")
            # Also reaps whatever the group's leader left behind (pool children).
            _signal_group(proc.pid, signal.SIGKILL)
            proc.popen.wait()
        self.running.clear()

    def _say(self, message: str) -> None:
        if self.out is not None:
            print(f"[run-cloud] {message}", file=self.out, flush=True)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
