"""``python -m cloud.launcher`` (what bin/run-cloud runs) end to end, with its defaults: SQLite
under its var directory, local Redis. It must come up with a demo server, print how to use it,
stop every process on Ctrl-C, and reuse everything when run again.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import redis
import requests
import yaml

from tests.harness import ROOT, free_port, make_workdir, remove_workdir, wait_for

pytestmark = pytest.mark.live

READY = "Press Ctrl-C to stop everything."


class Run:
    """One launcher process, its output collected line by line."""

    def __init__(self, env: dict[str, str]):
        self.popen = subprocess.Popen([sys.executable, "-m", "cloud.launcher"], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                      start_new_session=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float = 180) -> str:
        def ready():
            assert self.popen.poll() is None or READY in self.lines, f"launcher exited:\n{self.output}"
            return READY in self.lines
        wait_for(ready, timeout=timeout, interval=0.2, what=f"the launcher to be ready:\n{self.output}")
        return self.output

    def child_pids(self) -> dict[str, int]:
        return {m.group(1): int(m.group(2)) for m in
                (re.search(r"started (\w+) \(pid (\d+)\)", line) for line in self.lines) if m}

    def interrupt(self, timeout: float = 60) -> int:
        os.kill(self.popen.pid, signal.SIGINT)  # what Ctrl-C in its terminal does
        code = self.popen.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie is gone for our purposes, but the launcher reaps its children anyway.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


@pytest.fixture
def launcher_env():
    var = make_workdir("cloud-launcher-")
    prefix = f"launcher{uuid.uuid4().hex[:8]}:"
    # A clean environment: none of the test run's own settings (DATABASE_URL, REPORT_INTERVAL=0, ...).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env.update({"CLOUD_VAR_DIR": str(var), "CLOUD_PORT": str(free_port()), "CLOUD_HOST": f"lh-{prefix[8:16]}",
                "CELERY_BROKER_KEYPREFIX": prefix, "REPORT_INTERVAL": "1"})
    runs: list[Run] = []
    yield env, runs
    for run in runs:
        if run.popen.poll() is None:
            os.killpg(run.popen.pid, signal.SIGKILL)
            for pid in run.child_pids().values():
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    remove_workdir(var)


def login(url: str, cloud: dict) -> str:
    auth = cloud["auth"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": auth["username"], "domain": {"name": auth["user_domain_name"]}, "password": auth["password"]}}},
        "scope": {"project": {"name": auth["project_name"], "domain": {"name": auth["project_domain_name"]}}}}}
    response = requests.post(f"{auth['auth_url']}/auth/tokens", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def test_run_cloud_comes_up_stops_cleanly_and_reuses_everything(launcher_env):
    env, runs = launcher_env
    var = Path(env["CLOUD_VAR_DIR"])
    url = f"http://127.0.0.1:{env['CLOUD_PORT']}"

    first = Run(env)
    runs.append(first)
    output = first.wait_ready()
    for needle in (f"{url}/identity/v3", f"{url}/compute/v2.1", f"{url}/image/v2", "--os-cloud cloud-demo",
                   f"{var}/log/api.log", f"{var}/log/compute.log", "uploaded image demo-image",
                   "booting server demo-server"):
        assert needle in output, needle
    assert (var / "cloud.sqlite3").exists()  # the default database
    for name in ("clouds.yaml", "credentials.json"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600, name
    clouds = yaml.safe_load((var / "clouds.yaml").read_text())["clouds"]
    assert clouds["cloud-admin"]["auth"]["password"] in output  # printed for the operator

    # The printed clouds.yaml works: the demo user sees its ACTIVE demo server.
    token = login(url, clouds["cloud-demo"])
    servers = requests.get(f"{url}/compute/v2.1/servers/detail", headers={"X-Auth-Token": token},
                           timeout=30).json()["servers"]
    assert [(s["name"], s["status"]) for s in servers] == [("demo-server", "ACTIVE")]
    # The compute worker cannot open the database, by construction.
    compute_pid = first.child_pids()["compute"]
    assert b"CLOUD_NO_DB=1" in Path(f"/proc/{compute_pid}/environ").read_bytes().split(b"\0")

    pids = first.child_pids()
    assert set(pids) == {"api", "scheduler", "conductor", "compute"}
    assert first.interrupt() == 0, first.output
    assert "all processes stopped" in first.output
    assert all(pid_gone(pid) for pid in pids.values()), pids

    # Again, with the admin password now chosen by the operator: everything else is reused.
    second = Run({**env, "ADMIN_PASSWORD": "operator-chose-this"})
    runs.append(second)
    output = second.wait_ready()
    assert "reusing image demo-image" in output and "reusing server demo-server" in output
    assert "from ADMIN_PASSWORD" in output
    assert clouds["cloud-demo"]["auth"]["password"] in output  # the demo password was kept
    admin = yaml.safe_load((var / "clouds.yaml").read_text())["clouds"]["cloud-admin"]
    assert admin["auth"]["password"] == "operator-chose-this"
    login(url, admin)
    pids = second.child_pids()
    os.kill(second.popen.pid, signal.SIGTERM)  # a service manager's stop works the same way
    assert second.popen.wait(timeout=60) == 0
    assert all(pid_gone(pid) for pid in pids.values()), pids
