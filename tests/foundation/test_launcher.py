"""The launcher's parts: Procfile parsing, stopping processes (SIGTERM, then SIGKILL), passwords."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import stat
import subprocess
import sys

import pytest

from cloud.launcher import procs
from cloud.launcher.run import Config, passwords, process_specs
from tests.harness import ROOT, wait_for


def test_procfile_round_trip():
    text = """
    # comment
    api: daphne -b 127.0.0.1 -p 8000 cloud.asgi:application
    compute: CLOUD_NO_DB=1 COMPUTE_DRIVER=fake celery -A cloud worker -Q "compute.host one"
    """
    specs = procs.parse_procfile(text)
    assert [s.name for s in specs] == ["api", "compute"]
    assert specs[1].env == {"CLOUD_NO_DB": "1", "COMPUTE_DRIVER": "fake"}
    assert specs[1].argv[-1] == "compute.host one"
    again = procs.parse_procfile(procs.format_procfile(specs, "header\nlines"))
    assert [(s.name, s.argv, s.env) for s in again] == [(s.name, s.argv, s.env) for s in specs]


@pytest.mark.parametrize("text", ["", "# only a comment", "no colon here", "bad name!: cmd", ": cmd",
                                  "a: x\na: y", "a: VAR=1", "a: 'unclosed"])
def test_procfile_errors(text):
    with pytest.raises(procs.ProcfileError):
        procs.parse_procfile(text)


def test_the_launchers_own_procfile(monkeypatch, tmp_path):
    monkeypatch.setenv("CLOUD_HOST", "node-7")
    monkeypatch.setenv("CLOUD_VAR_DIR", str(tmp_path))
    specs = {s.name: s for s in process_specs(Config.from_env())}
    assert list(specs) == ["api", "scheduler", "conductor", "compute"]
    assert specs["compute"].argv[specs["compute"].argv.index("-Q") + 1] == "compute.node-7"
    assert specs["compute"].env["CLOUD_NO_DB"] == "1"
    assert "-P" in specs["compute"].argv and specs["compute"].argv[specs["compute"].argv.index("-P") + 1] == "threads"
    assert specs["api"].argv[-1] == "cloud.asgi:application"
    assert specs["api"].argv[specs["api"].argv.index("-b") + 1] == "127.0.0.1"  # loopback unless CLOUD_BIND


STUBBORN = """
import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
while True:
    time.sleep(1)
"""
POLITE = """
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *a: (print("bye", flush=True), sys.exit(0)))
print("ready", flush=True)
while True:
    time.sleep(1)
"""


def test_stop_terminates_then_kills(tmp_path):
    supervisor = procs.Supervisor(tmp_path, dict(os.environ), tmp_path)
    polite = supervisor.start(procs.ProcessSpec("polite", [sys.executable, "-c", POLITE]))
    stubborn = supervisor.start(procs.ProcessSpec("stubborn", [sys.executable, "-c", STUBBORN]))
    # Each child leads its own session, so a terminal's Ctrl-C reaches only the launcher.
    assert os.getsid(polite.pid) == polite.pid
    for proc in (polite, stubborn):
        wait_for(lambda p=proc: "ready" in p.tail().splitlines(), timeout=30, what=f"{proc.spec.name} ready")
    supervisor.stop(timeout=2)
    assert polite.popen.returncode == 0 and "bye" in polite.tail().splitlines()  # stopped by SIGTERM, cleanly
    assert stubborn.popen.returncode == -signal.SIGKILL  # ignored SIGTERM, so killed
    assert supervisor.running == []


def test_exited_processes_are_noticed(tmp_path):
    supervisor = procs.Supervisor(tmp_path, dict(os.environ), tmp_path)
    proc = supervisor.start(procs.ProcessSpec("short", [sys.executable, "-c", "print('done')"]))
    wait_for(lambda: supervisor.exited() == [proc], timeout=30, what="the process to exit")
    assert "done" in (tmp_path / "short.log").read_text()
    supervisor.stop(timeout=1)


def test_passwords_generated_once_then_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    first = passwords(tmp_path)
    path = tmp_path / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first["admin"]["source"].startswith("generated now") and len(first["admin"]["password"]) >= 16
    assert first["admin"]["password"] != first["demo"]["password"]
    second = passwords(tmp_path)
    assert second["admin"]["password"] == first["admin"]["password"]
    assert second["admin"]["source"].startswith("generated earlier")
    monkeypatch.setenv("ADMIN_PASSWORD", "operator-choice")
    third = passwords(tmp_path)
    assert third["admin"] == {"password": "operator-choice", "source": "from ADMIN_PASSWORD"}
    assert third["demo"]["password"] == first["demo"]["password"]
    assert json.loads(path.read_text())["admin"] == "operator-choice"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_procfile_command_runs_until_interrupted(tmp_path):
    """``python -m cloud.launcher procfile FILE``: starts each line, Ctrl-C stops them all."""
    procfile = tmp_path / "Procfile"
    # Procfile commands are one line each.
    forever = "[time.sleep(1) for _ in iter(int, 1)]"
    polite = ("import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(0)); "
              f"print('ready', flush=True); {forever}")
    stubborn = ("import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                f"print('ready', os.environ['GREETING'], flush=True); {forever}")
    procfile.write_text(f"one: {sys.executable} -c {shlex.quote(polite)}\n"
                        f"two: GREETING=hi {sys.executable} -c {shlex.quote(stubborn)}\n")
    env = {**os.environ, "CLOUD_VAR_DIR": str(tmp_path), "CLOUD_STOP_TIMEOUT": "2"}
    launcher = subprocess.Popen([sys.executable, "-m", "cloud.launcher", "procfile", str(procfile)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        logs = {name: tmp_path / "log" / f"{name}.log" for name in ("one", "two")}
        wait_for(lambda: all(p.exists() and {"ready", "ready hi"} & set(p.read_text().splitlines())
                             for p in logs.values()), timeout=30, what="both processes ready")
        launcher.send_signal(signal.SIGINT)
        output, _ = launcher.communicate(timeout=30)
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert launcher.returncode == 0, output
    pids = [int(pid) for pid in re.findall(r"started \w+ \(pid (\d+)\)", output)]
    assert len(pids) == 2, output
    assert "two did not stop within 2s: killing it" in output
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
