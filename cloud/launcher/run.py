"""``python -m cloud.launcher``: a whole single-host cloud in the foreground.

Migrates and bootstraps the database, starts the API server and the
scheduler, conductor and compute workers (the same commands an operator would
run by hand; they are written to var/Procfile), waits until every service
reports, makes sure a demo image and a demo server exist, prints how to reach
it all, and keeps running until Ctrl-C, which stops every process cleanly.
Running it again reuses the database, passwords, image and server.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import yaml

from cloud.launcher.console import StepFailed, say, step
from cloud.launcher.demo import DEMO_IMAGE, DEMO_SERVER, APIClient
from cloud.launcher.procs import ProcessSpec, Supervisor, format_procfile

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
WILDCARD = {"0.0.0.0", "::", ""}


@dataclass
class Config:
    """Everything the launcher reads from the environment (docs/configuration.md)."""

    var_dir: Path
    port: int
    bind: str
    host: str
    public_url: str
    public_url_derived: bool
    compute_driver: str
    stop_timeout: float
    demo: bool

    @classmethod
    def from_env(cls, demo: bool = True) -> Config:
        port = _int(os.environ.get("CLOUD_PORT", "8000"), "CLOUD_PORT")
        bind = os.environ.get("CLOUD_BIND", "127.0.0.1")
        explicit = os.environ.get("CLOUD_PUBLIC_URL", "").rstrip("/")
        shown = "127.0.0.1" if bind in WILDCARD else (f"[{bind}]" if ":" in bind else bind)
        return cls(
            var_dir=Path(os.environ.get("CLOUD_VAR_DIR", str(ROOT / "var"))),
            port=port,
            bind=bind,
            host=os.environ.get("CLOUD_HOST", os.uname().nodename),
            public_url=explicit or f"http://{shown}:{port}",
            public_url_derived=not explicit,
            compute_driver=os.environ.get("COMPUTE_DRIVER", "fake"),
            stop_timeout=float(_int(os.environ.get("CLOUD_STOP_TIMEOUT", "20"), "CLOUD_STOP_TIMEOUT")),
            demo=demo,
        )

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @property
    def local_url(self) -> str:
        """Where the launcher itself reaches the API (CLOUD_PUBLIC_URL may be a proxy's name)."""
        if self.bind in WILDCARD:
            return f"http://127.0.0.1:{self.port}"
        return f"http://[{self.bind}]:{self.port}" if ":" in self.bind else f"http://{self.bind}:{self.port}"


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise StepFailed(f"{name}={text!r} is not an integer") from None


# --- passwords ----------------------------------------------------------------------------
def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds passwords), atomically."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def passwords(var_dir: Path) -> dict[str, dict[str, str]]:
    """{user: {"password", "source"}}: ADMIN_PASSWORD/DEMO_PASSWORD, else the stored ones, else new.

    Whatever is in effect is stored in var/credentials.json (0600), so the next
    run prints the same passwords and does not reset them.
    """
    path = var_dir / "credentials.json"
    try:
        stored = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        stored = {}
    result = {}
    for user in ("admin", "demo"):
        from_env = os.environ.get(f"{user.upper()}_PASSWORD")
        if from_env:
            result[user] = {"password": from_env, "source": f"from {user.upper()}_PASSWORD"}
        elif isinstance(stored.get(user), str):
            result[user] = {"password": stored[user], "source": f"generated earlier, kept in {path}"}
        else:
            result[user] = {"password": secrets.token_urlsafe(12), "source": f"generated now, kept in {path}"}
    wanted = {user: item["password"] for user, item in result.items()}
    if wanted != stored:
        write_private(path, json.dumps(wanted, indent=2) + "\n")
    return result


# --- the processes ------------------------------------------------------------------------------
def process_specs(config: Config) -> list[ProcessSpec]:
    def worker(name: str, queue: str) -> list[str]:
        # Threads, not prefork: these workers mostly wait on the database or the hypervisor,
        # and one process each keeps a trial host light.
        return [str(BIN / "celery"), "-A", "cloud", "worker", "-Q", queue, "-n", f"{name}@{config.host}",
                "-P", "threads", "-c", "4", "--without-gossip", "--without-mingle"]

    return [
        ProcessSpec("api", [str(BIN / "daphne"), "-b", config.bind, "-p", str(config.port),
                            "cloud.asgi:application"]),
        ProcessSpec("scheduler", worker("scheduler", "scheduler")),
        ProcessSpec("conductor", worker("conductor", "conductor")),
        # Hosts never open the database (CLOUD_NO_DB): they report through the conductor.
        ProcessSpec("compute", worker("compute", f"compute.{config.host}"),
                    {"CLOUD_NO_DB": "1", "COMPUTE_DRIVER": config.compute_driver}),
    ]


def child_env(config: Config) -> dict[str, str]:
    # Only bootstrap needs the passwords; long-running processes do not carry them.
    env = {k: v for k, v in os.environ.items() if k not in ("ADMIN_PASSWORD", "DEMO_PASSWORD")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "cloud.settings",
        "CLOUD_VAR_DIR": str(config.var_dir),
        "CLOUD_HOST": config.host,
        "CLOUD_PUBLIC_URL": config.public_url,
        "PYTHONUNBUFFERED": "1",
    })
    return env


def manage(config: Config, env: dict[str, str], *args: str) -> str:
    """Run a manage.py command; its output goes to var/log/setup.log."""
    config.log_dir.mkdir(parents=True, exist_ok=True)
    # A session of its own: a Ctrl-C must not cut a migration in half; the launcher
    # stops once the command has finished.
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, start_new_session=True)
    with open(config.log_dir / "setup.log", "a") as log:
        log.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} manage.py {' '.join(args)}\n")
        log.write(_without_passwords(result.stdout + result.stderr))
    if result.returncode != 0:
        raise StepFailed(f"manage.py {' '.join(args)} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return result.stdout


def _without_passwords(text: str) -> str:
    # bootstrap prints passwords it generates; ours come from the environment, but be sure.
    return "\n".join(line for line in text.splitlines() if "password" not in line.lower()) + "\n"


def port_is_free(bind: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind or "0.0.0.0", port))
        except OSError:
            return False
    return True


# --- what is printed at the end ------------------------------------------------------------------
def clouds_yaml(config: Config, creds: dict[str, dict[str, str]]) -> str:
    def entry(user: str) -> dict[str, Any]:
        return {
            "auth": {"auth_url": f"{config.public_url}/identity/v3", "username": user,
                     "password": creds[user]["password"], "project_name": user,
                     "user_domain_name": "Default", "project_domain_name": "Default"},
            "region_name": os.environ.get("CLOUD_REGION", "RegionOne"),
            "interface": "public",
            "identity_api_version": 3,
        }
    return yaml.safe_dump({"clouds": {"cloud-admin": entry("admin"), "cloud-demo": entry("demo")}},
                          sort_keys=False)


def summary(config: Config, creds: dict[str, dict[str, str]], demo: dict[str, str], procs: Supervisor) -> str:
    url = config.public_url
    clouds_path = config.var_dir / "clouds.yaml"
    cli = BIN / "openstack"
    cli_text = str(cli) if cli.exists() else "openstack  (bin/install --dev puts it in .venv/bin)"
    lines = [
        "",
        "=" * 78,
        "The cloud is running.",
        "",
        "APIs (also in the service catalog):",
        f"  identity (Keystone v3)  {url}/identity/v3",
        f"  compute  (Nova v2.1)    {url}/compute/v2.1",
        f"  image    (Glance v2)    {url}/image/v2",
        f"  Django admin site       {url}/admin/  (accounts: manage.py createsuperuser)",
        "",
        "Accounts (domain Default):",
        f"  admin / {creds['admin']['password']}   project admin, role admin   ({creds['admin']['source']})",
        f"  demo  / {creds['demo']['password']}   project demo, role member   ({creds['demo']['source']})",
        "",
    ]
    if demo:
        lines += [f"Demo: image {DEMO_IMAGE} ({demo['image']}), server {DEMO_SERVER} ({demo['server']}) "
                  f"{demo['status']} on host {demo['host']}",
                  f"  (compute driver: {config.compute_driver}; the fake driver runs no real guest)", ""]
    lines += [
        f"clouds.yaml (written to {clouds_path}, mode 0600):",
        *("  " + line for line in clouds_yaml(config, creds).splitlines()),
        "",
        "Use it with the openstack CLI:",
        f"  export OS_CLIENT_CONFIG_FILE={clouds_path}",
        f"  {cli_text} --os-cloud cloud-demo server list",
        f"  {cli_text} --os-cloud cloud-admin compute service list",
        "",
        f"Logs ({config.log_dir}):",
        *(f"  {proc.spec.name:<10} {proc.log_path}   (pid {proc.pid})" for proc in procs.running),
        f"  {'setup':<10} {config.log_dir / 'setup.log'}   (migrate, bootstrap)",
        f"Commands of each process: {config.var_dir / 'Procfile'}",
        "",
        "Press Ctrl-C to stop everything.",
        "=" * 78,
    ]
    return "\n".join(lines)


# --- the whole run ---------------------------------------------------------------------------------
class Launcher:
    def __init__(self, config: Config, out: IO[str] | None = None) -> None:
        self.config = config
        self.out = out or sys.stdout
        self.procs = Supervisor(config.log_dir, child_env(config), ROOT, self.out)
        self.stopping = False
        self.shutting_down = False  # the final stop has begun: signals no longer interrupt it

    def check_alive(self) -> None:
        if self.stopping:
            raise KeyboardInterrupt
        for proc in self.procs.exited():
            raise StepFailed(f"{proc.spec.name} exited with status {proc.popen.returncode}; "
                             f"the end of {proc.log_path}:\n{proc.tail()}")

    def run(self) -> int:
        config = self.config
        config.var_dir.mkdir(parents=True, exist_ok=True)
        lock = open(config.var_dir / "launcher.lock", "w")  # held (flock) for the whole run
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another run-cloud is already running with {config.var_dir}; stop it first (Ctrl-C there)",
                self.out)
            return 1
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            return self.supervise()
        except StepFailed as exc:
            say(f"ERROR: {exc}", self.out)
            return 1
        except KeyboardInterrupt:
            say("interrupted", self.out)
            return 130
        finally:
            self.shutting_down = True
            if self.procs.running:
                self.procs.stop(config.stop_timeout)
                say("all processes stopped", self.out)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            lock.close()

    def _on_signal(self, signum: int, frame: Any) -> None:
        # The first Ctrl-C or SIGTERM stops everything in order; a step that is
        # waiting notices through check_alive(). A second one during setup interrupts it.
        if self.shutting_down:
            say(f"still stopping (processes left after {self.config.stop_timeout:.0f}s are killed)", self.out)
            return
        if self.stopping:
            raise KeyboardInterrupt
        self.stopping = True
        say(f"got {signal.Signals(signum).name}: stopping", self.out)

    def start(self) -> None:
        config = self.config
        if config.bind in WILDCARD and config.public_url_derived:
            say(f"CLOUD_BIND={config.bind!r} listens on every address, but the catalog will advertise "
                f"{config.public_url}: set CLOUD_PUBLIC_URL to the address clients should use", self.out)
        if not port_is_free(config.bind, config.port):
            raise StepFailed(f"{config.bind}:{config.port} is already in use (another cloud?); "
                             "set CLOUD_PORT to use another port")
        creds = passwords(config.var_dir)
        env = {**self.procs.base_env, "ADMIN_PASSWORD": creds["admin"]["password"],
               "DEMO_PASSWORD": creds["demo"]["password"]}
        with step("Migrating the database", self.out):
            manage(config, env, "migrate", "--noinput")
        self.check_alive()
        with step("Bootstrapping accounts, catalog and flavors", self.out):
            manage(config, env, "bootstrap")
        self.check_alive()
        specs = process_specs(config)
        (config.var_dir / "Procfile").write_text(format_procfile(specs, (
            "The processes of this cloud, as `python -m cloud.launcher` starts them\n"
            "(`python -m cloud.launcher procfile var/Procfile` runs exactly these).\n"
            "Each also gets DJANGO_SETTINGS_MODULE, CLOUD_VAR_DIR, CLOUD_HOST and CLOUD_PUBLIC_URL.")))
        started_at = datetime.now(UTC).replace(microsecond=0)
        for spec in specs:
            self.check_alive()
            proc = self.procs.start(spec)
            say(f"started {spec.name} (pid {proc.pid}), log {proc.log_path}", self.out)
        client = APIClient(config.local_url, self.check_alive)
        with step(f"Waiting for the API on {config.public_url}", self.out):
            client.wait("the API to answer", client.api_up, timeout=90)
        admin = client.token("admin", creds["admin"]["password"], "admin")
        wanted = [("nova-scheduler", config.host), ("nova-conductor", config.host), ("nova-compute", config.host)]
        with step("Waiting for scheduler, conductor and compute to report", self.out):
            client.wait("the services to report (see os-services)",
                        lambda: client.services_up(admin, wanted, started_at), timeout=90)
        demo: dict[str, str] = {}
        if config.demo:
            with step("Making sure the demo image exists", self.out):
                image_id, made = client.ensure_demo_image(admin)
            say(f"{'uploaded' if made else 'reusing'} image {DEMO_IMAGE} ({image_id})", self.out)
            demo_token = client.token("demo", creds["demo"]["password"], "demo")
            server_id, made = client.ensure_demo_server(demo_token, image_id)
            say(f"{'booting' if made else 'reusing'} server {DEMO_SERVER} ({server_id}) as user demo", self.out)
            with step("Waiting for the demo server to become ACTIVE", self.out):
                server = client.wait_active(demo_token, server_id, timeout=120)
            demo = {"image": image_id, "server": server_id, "status": server["status"],
                    "host": server.get("OS-EXT-SRV-ATTR:host") or config.host}
        write_private(config.var_dir / "clouds.yaml", clouds_yaml(config, creds))
        print(summary(config, creds, demo, self.procs), file=self.out, flush=True)

    def supervise(self) -> int:
        """Wait for Ctrl-C or SIGTERM; if a process dies on its own, stop the rest and say why."""
        while not self.stopping:
            exited = self.procs.exited()
            if exited:
                proc = exited[0]
                say(f"{proc.spec.name} exited with status {proc.popen.returncode}; the end of its log:\n"
                    f"{proc.tail()}", self.out)
                return 1
            time.sleep(0.5)
        return 0


def run_procfile(path: Path, out: IO[str] | None = None) -> int:
    """``python -m cloud.launcher procfile FILE``: just run those processes until Ctrl-C."""
    from cloud.launcher.procs import parse_procfile

    config = Config.from_env(demo=False)
    specs = parse_procfile(path.read_text())
    launcher = Launcher(config, out)
    previous = {sig: signal.signal(sig, launcher._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for spec in specs:
            proc = launcher.procs.start(spec)
            say(f"started {spec.name} (pid {proc.pid}), log {proc.log_path}", launcher.out)
        return launcher.supervise()
    finally:
        launcher.shutting_down = True
        launcher.procs.stop(config.stop_timeout)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
