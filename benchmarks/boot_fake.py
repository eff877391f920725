"""Boot N servers at concurrency C on H fake hosts; report POST->ACTIVE latency and rates.

    .venv/bin/python -m benchmarks.boot_fake --servers 500 --concurrency 10 --hosts 10

Starts its own cloud (API server, scheduler, conductor, one compute worker
serving H fake hosts) on PostgreSQL and Redis, like the live tests, unless
--url points at a running cloud. Each of C clients boots a server and waits
until it is ACTIVE before booting the next (a closed loop), so latency and
throughput are measured together. POST->ACTIVE is the server's launched_at
(read from the database at the end) minus the client's clock just before the
POST (same machine, same clock). A single watcher thread polls the list of
servers still in BUILD, so waiting adds one small request per poll interval,
not one per client.

Prints a table and writes benchmarks/results/boot_fake-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harness import LiveCloud, make_workdir, remove_workdir  # noqa: E402


class Watcher(threading.Thread):
    """Polls the servers still building and wakes the clients whose server left BUILD."""

    def __init__(self, cloud_url: str, session: requests.Session, interval: float):
        super().__init__(daemon=True)
        self.url = cloud_url
        self.session = session
        self.interval = interval
        self.waiting: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.polls = 0

    def wait(self, server_id: str, timeout: float) -> bool:
        event = threading.Event()
        with self.lock:
            self.waiting[server_id] = event
        return event.wait(timeout)

    def run(self) -> None:
        while not self.stopped.is_set():
            with self.lock:
                pending = set(self.waiting)
            if pending:
                response = self.session.get(f"{self.url}/compute/v2.1/servers?status=BUILD&limit=1000", timeout=30)
                self.polls += 1
                building = {s["id"] for s in response.json()["servers"]}
                with self.lock:
                    for server_id in pending - building:
                        self.waiting.pop(server_id).set()
            self.stopped.wait(self.interval)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]



launched_at = None  # set by main(): (ids) -> [(id, vm_state, launched_at)]


def run(url: str, token: str, image: str, flavor: str, servers: int, concurrency: int, poll: float) -> dict:
    session = requests.Session()
    session.headers.update({"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.47"})
    adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency + 2, pool_maxsize=concurrency + 2)
    session.mount("http://", adapter)
    watcher = Watcher(url, session, poll)
    watcher.start()
    started_at: dict[str, float] = {}
    post_times: list[float] = []
    ids: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(servers))

    def client() -> None:
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            started = time.time()
            response = session.post(f"{url}/compute/v2.1/servers", timeout=60, json={"server": {
                "name": f"bench-{index}", "imageRef": image, "flavorRef": flavor, "networks": "none"}})
            posted = time.time()
            if response.status_code != 202:
                with lock:
                    errors.append(f"POST {response.status_code}: {response.text[:200]}")
                continue
            server_id = response.json()["server"]["id"]
            if not watcher.wait(server_id, 120):
                with lock:
                    errors.append(f"{server_id} not ACTIVE within 120 s")
                continue
            with lock:
                started_at[server_id] = started
                post_times.append(posted - started)
                ids.append(server_id)

    began = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(client) for _ in range(concurrency)]:
            future.result()
    boot_wall = time.time() - began
    polls = watcher.polls
    # launched_at is written by the conductor when the host reports the guest
    # running: read it from the database rather than adding a GET per server.
    latencies = []
    for server_id, vm_state, launched in launched_at(list(started_at)):
        if vm_state != "active" or launched is None:
            errors.append(f"{server_id} ended in {vm_state}")
            continue
        latencies.append(launched.timestamp() - started_at[server_id])

    # Deletes: same concurrency, wait until every server is gone.
    began = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda sid: session.delete(f"{url}/compute/v2.1/servers/{sid}", timeout=60), ids))
    while session.get(f"{url}/compute/v2.1/servers?limit=1", timeout=30).json()["servers"]:
        time.sleep(poll)
    delete_wall = time.time() - began
    watcher.stopped.set()
    return {
        "servers": servers, "concurrency": concurrency, "active": len(latencies), "errors": errors[:10],
        "error_count": len(errors),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p90_ms": round(percentile(latencies, 0.90) * 1000, 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1) if latencies else None,
        "post_p50_ms": round(statistics.median(post_times) * 1000, 1) if post_times else None,
        "boots_per_s": round(len(latencies) / boot_wall, 1) if boot_wall else None,
        "deletes_per_s": round(len(ids) / delete_wall, 1) if delete_wall else None,
        "watcher_polls": polls,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", "-n", type=int, default=300)
    parser.add_argument("--concurrency", "-c", type=int, default=10)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--poll", type=float, default=0.025, help="watcher poll interval, seconds")
    parser.add_argument("--warmup", type=int, default=20, help="servers booted and deleted before measuring")
    parser.add_argument("--keep", action="store_true", help="keep the cloud's logs")
    args = parser.parse_args()

    hosts = [f"bench-{i}" for i in range(args.hosts)]
    cloud = LiveCloud(workdir=make_workdir("cloud-bench-"), fake_hosts=hosts,
                      extra_env={"LOG_LEVEL": "WARNING", "REPORT_INTERVAL": "5"})
    print(f"starting a cloud with {args.hosts} fake hosts (logs in {cloud.workdir}) ...", flush=True)
    cloud.start()
    try:
        image = cloud.insert_image("bench")
        project = cloud.sql("SELECT id FROM identity_app_project WHERE name = 'admin'")[0][0]
        for resource in ("instances", "cores", "ram"):
            cloud.sql("INSERT INTO compute_app_quota (project_id, user_id, resource, hard_limit) "
                      "VALUES (%s, '', %s, -1)", (project, resource))
        token = cloud.token()
        global launched_at
        launched_at = lambda ids: cloud.sql(  # noqa: E731
            "SELECT uuid, vm_state, launched_at FROM compute_app_instance WHERE uuid = ANY(%s)", (ids,))
        if args.warmup:
            run(cloud.url, token, image, "1", args.warmup, args.concurrency, args.poll)
        result = run(cloud.url, token, image, "1", args.servers, args.concurrency, args.poll)
    finally:
        cloud.stop()
        if not args.keep:
            remove_workdir(cloud.workdir)
    result.update({"hosts": args.hosts, "date": datetime.now().isoformat(timespec="seconds"),
                   "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus, Python "
                              f"{platform.python_version()}",
                   "command": "python -m benchmarks.boot_fake " + " ".join(sys.argv[1:])})
    print()
    print("| servers | C | hosts | p50 POST->ACTIVE | p90 | p99 | POST p50 | boots/s | deletes/s | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {result['servers']} | {result['concurrency']} | {result['hosts']} | {result['p50_ms']} ms | "
          f"{result['p90_ms']} ms | {result['p99_ms']} ms | {result['post_p50_ms']} ms | {result['boots_per_s']} | "
          f"{result['deletes_per_s']} | {result['error_count']} |")
    for error in result["errors"]:
        print("  error:", error)
    out = ROOT / "benchmarks" / "results" / f"boot_fake-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0 if not result["error_count"] else 1


if __name__ == "__main__":
    sys.exit(main())
