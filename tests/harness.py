"""A whole cloud in subprocesses, for live and client tests.

:class:`LiveCloud` creates its own PostgreSQL database, migrates and bootstraps
it, starts the API server (daphne) and Celery workers (scheduler, conductor,
compute on fake hosts) against a real broker, and removes everything at the
end. Tests talk to it over HTTP exactly as OpenStack clients do.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ADMIN_PASSWORD = "admin-secret-pw"
DEMO_PASSWORD = "demo-secret-pw"
PG_DSN = os.environ.get("TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05,
             what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except AssertionError:
            raise  # a definite failure, not a "not yet"
        except Exception as exc:  # noqa: BLE001 - keep polling, report the last one
            last_exc = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}" +
                       (f" (last error: {last_exc!r})" if last_exc else ""))


def admin_sql(statement: str) -> None:
    conn = psycopg2.connect(PG_DSN)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a worker's pool children included)."""
        if self.alive():
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


@dataclass
class LiveCloud:
    workdir: Path
    broker_url: str = "redis://127.0.0.1:6379/0"
    extra_env: dict[str, str] = field(default_factory=dict)
    fake_hosts: list[str] = field(default_factory=lambda: ["fake-1", "fake-2"])
    # Celery pool of the scheduler and conductor workers ("threads" or "solo").
    pool: str = "threads"
    port: int = field(default_factory=free_port)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    procs: list[Proc] = field(default_factory=list)

    # --- lifecycle ------------------------------------------------------------------
    @property
    def db_name(self) -> str:
        return f"cloud_live_{self.run_id}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def identity_url(self) -> str:
        return f"{self.url}/identity"

    @property
    def fake_config_path(self) -> Path:
        return self.workdir / "fake_driver.json"

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "PYTEST", "DJANGO_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "cloud.settings",
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{self.db_name}",
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_BROKER_KEYPREFIX": f"live{self.run_id}:",
            "CLOUD_PUBLIC_URL": self.url,
            "CLOUD_VAR_DIR": str(self.workdir / "var"),
            "IMAGE_STORE_DIR": str(self.workdir / "images"),
            "SECRET_KEY": f"live-test-{self.run_id}",
            "CLOUD_HOST": f"ctl-{self.run_id}",
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "REPORT_INTERVAL": "1",
            "SERVICE_DOWN_TIME": "10",
            "SWEEP_INTERVAL": "1",
            "FAKE_DRIVER_CONFIG": str(self.fake_config_path),
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        env.update(overrides)
        return env

    def start(self) -> LiveCloud:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.fake_config_path.exists():
            self.set_fake_config({})
        admin_sql(f'CREATE DATABASE "{self.db_name}"')
        self.manage("migrate", "--noinput")
        self.manage("bootstrap")
        self.start_api()
        concurrency = 1 if self.pool == "solo" else 4
        self.start_worker("scheduler", ["scheduler"], pool=self.pool, concurrency=concurrency)
        self.start_worker("conductor", ["conductor"], pool=self.pool, concurrency=concurrency)
        self.start_compute(self.fake_hosts)
        self.wait_for_services(["nova-scheduler", "nova-conductor"], self.fake_hosts)
        return self

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.kill(signal.SIGTERM)
        self.procs.clear()
        try:
            admin_sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        except psycopg2.Error:
            pass
        if self.broker_url.startswith("redis"):
            try:
                import redis

                client = redis.Redis.from_url(self.broker_url)
                keys = list(client.scan_iter(match=f"live{self.run_id}:*", count=1000))
                if keys:
                    client.delete(*keys)
            except Exception:  # noqa: BLE001, S110 - cleanup is best effort
                pass

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env or self.env(),
            capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Proc:
        log_path = self.workdir / f"{name}.log"
        handle = open(log_path, "ab")
        popen = subprocess.Popen(argv, cwd=ROOT, env=env or self.env(), stdout=handle,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        proc = Proc(name, popen, log_path)
        self.procs.append(proc)
        return proc

    def start_api(self) -> Proc:
        proc = self.spawn("api", [str(VENV_BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port),
                                  "cloud.asgi:application"])
        wait_for(lambda: requests.get(f"{self.url}/identity/v3", timeout=2).status_code == 200,
                 timeout=60, what=f"API server ({proc.log()[-2000:]})")
        return proc

    def start_worker(self, name: str, queues: list[str], *, pool: str = "threads", concurrency: int = 4,
                     env: dict[str, str] | None = None) -> Proc:
        argv = [str(VENV_BIN / "celery"), "-A", "cloud", "worker", "-Q", ",".join(queues),
                "-n", f"{name}-{self.run_id}@%h", "-P", pool, "-c", str(concurrency),
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"]
        return self.spawn(name, argv, env=env)

    def start_compute(self, hosts: list[str], name: str | None = None, **env: str) -> Proc:
        """One compute worker serving ``hosts`` (fake driver), without database access."""
        queues = [f"compute.{host}" for host in hosts]
        return self.start_worker(name or f"compute-{'-'.join(hosts)[:40]}", queues,
                                 env=self.env(CLOUD_NO_DB="1", COMPUTE_DRIVER="fake", **env))

    def set_fake_config(self, config: dict[str, Any]) -> None:
        """Fake driver knobs (capacity, failures, delays), re-read by compute workers."""
        tmp = self.fake_config_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(config))
        tmp.replace(self.fake_config_path)

    def proc(self, name: str) -> Proc:
        return next(p for p in self.procs if p.name == name)

    # --- database and service checks ----------------------------------------------------
    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        conn = psycopg2.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={self.db_name}")
        try:
            with conn.cursor() as cur:
                cur.execute(query, params)
                rows = cur.fetchall() if cur.description else []
            conn.commit()
            return rows
        finally:
            conn.close()

    def wait_for_services(self, binaries: list[str], compute_hosts: list[str], timeout: float = 60) -> None:
        def ready() -> bool:
            rows = self.sql('SELECT "binary", host FROM compute_app_service WHERE last_seen_at IS NOT NULL')
            seen = {(b, h) for b, h in rows}
            have_binaries = {b for b, _ in seen}
            have_nodes = {h for (h,) in self.sql("SELECT host FROM compute_app_computenode")}
            return set(binaries) <= have_binaries and set(compute_hosts) <= have_nodes
        wait_for(ready, timeout=timeout, interval=0.2, what=f"services {binaries} and hosts {compute_hosts}")

    # --- HTTP helpers ----------------------------------------------------------------------
    def token(self, user: str = "admin", password: str = ADMIN_PASSWORD, project: str | None = "admin",
              domain: str = "Default") -> str:
        scope = {"project": {"name": project, "domain": {"name": domain}}} if project else None
        body: dict[str, Any] = {"auth": {"identity": {"methods": ["password"], "password": {
            "user": {"name": user, "domain": {"name": domain}, "password": password}}}}}
        if scope:
            body["auth"]["scope"] = scope
        response = requests.post(f"{self.identity_url}/v3/auth/tokens", json=body, timeout=10)
        assert response.status_code == 201, response.text
        return response.headers["X-Subject-Token"]

    def client(self, token: str | None = None, microversion: str | None = "2.1") -> requests.Session:
        session = requests.Session()
        session.headers["X-Auth-Token"] = token or self.token()
        if microversion:
            session.headers["OpenStack-API-Version"] = f"compute {microversion}"
        return session

    # --- compute helpers ------------------------------------------------------------------
    def insert_image(self, name: str = "test-image", *, size: int = 1024, visibility: str = "public",
                     min_ram: int = 0, min_disk: int = 0, properties: dict | None = None) -> str:
        """An active image record without data, for pipeline tests that never read image bytes."""
        image_id = str(uuid.uuid4())
        self.sql("INSERT INTO image_app_image (id, name, status, visibility, protected, os_hidden, owner, "
                 "disk_format, container_format, size, min_disk, min_ram, properties, tags, created_at, "
                 "updated_at) VALUES (%s, %s, 'active', %s, false, false, NULL, 'qcow2', 'bare', %s, %s, %s, "
                 "%s, '[]', now(), now())",
                 (image_id, name, visibility, size, min_disk, min_ram, json.dumps(properties or {})))
        return image_id

    def insert_flavor(self, flavorid: str, *, ram: int = 512, vcpus: int = 1, disk: int = 1) -> str:
        self.sql("INSERT INTO compute_app_flavor (flavorid, name, memory_mb, vcpus, root_gb, ephemeral_gb, swap, "
                 "rxtx_factor, disabled, is_public, extra_specs, created_at, updated_at) VALUES "
                 "(%s, %s, %s, %s, %s, 0, 0, 1.0, false, true, '{}', now(), now())",
                 (flavorid, f"flavor-{flavorid}", ram, vcpus, disk))
        return flavorid

    def boot(self, session: requests.Session, image_id: str, flavor: str = "1", name: str | None = None,
             expect: int = 202, **server: Any) -> requests.Response:
        body = {"server": {"name": name or f"vm-{uuid.uuid4().hex[:6]}", "imageRef": image_id,
                           "flavorRef": flavor, "networks": "auto", **server}}
        response = session.post(f"{self.url}/compute/v2.1/servers", json=body, timeout=30)
        assert response.status_code == expect, response.text
        return response

    def server(self, session: requests.Session, server_id: str) -> dict | None:
        response = session.get(f"{self.url}/compute/v2.1/servers/{server_id}", timeout=10)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.json()["server"]

    def wait_status(self, session: requests.Session, server_id: str, statuses: tuple[str, ...] = ("ACTIVE",),
                    timeout: float = 30) -> dict:
        """Poll until the server reaches one of ``statuses`` (ERROR ends the wait early with a failure)."""
        def reached():
            server = self.server(session, server_id)
            assert server is not None, f"server {server_id} disappeared"
            if server["status"] == "ERROR" and "ERROR" not in statuses:
                raise AssertionError(f"server went to ERROR: {server.get('fault')}")
            return server if server["status"] in statuses else None
        return wait_for(reached, timeout=timeout, interval=0.1, what=f"server {server_id} in {statuses}")

    def wait_gone(self, session: requests.Session, server_id: str, timeout: float = 30) -> None:
        wait_for(lambda: self.server(session, server_id) is None, timeout=timeout, interval=0.1,
                 what=f"server {server_id} deleted")

    def os_env(self, user: str = "admin", password: str = ADMIN_PASSWORD, project: str = "admin") -> dict:
        """Environment for the ``openstack``/``nova`` CLIs, as an openrc file would set it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({
            "OS_AUTH_URL": f"{self.identity_url}/v3", "OS_USERNAME": user, "OS_PASSWORD": password,
            "OS_PROJECT_NAME": project, "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default", "OS_IDENTITY_API_VERSION": "3",
            "OS_REGION_NAME": "RegionOne", "OS_INTERFACE": "public",
        })
        return env

    def cli(self, *args: str, user: str = "admin", password: str = ADMIN_PASSWORD, project: str = "admin",
            program: str = "openstack", timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([str(VENV_BIN / program), *args], env=self.os_env(user, password, project),
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def sdk(self, user: str = "admin", password: str = ADMIN_PASSWORD, project: str = "admin"):
        import openstack

        return openstack.connect(
            auth_url=f"{self.identity_url}/v3", username=user, password=password, project_name=project,
            user_domain_name="Default", project_domain_name="Default", region_name="RegionOne",
        )


def make_workdir(prefix: str = "cloud-live-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_workdir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def running(cloud: LiveCloud) -> Iterator[LiveCloud]:
    """Start ``cloud``; stop it and remove its work directory however the block ends."""
    try:
        yield cloud.start()
    finally:
        cloud.stop()
        remove_workdir(cloud.workdir)
