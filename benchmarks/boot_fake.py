"""Boot servers on fake hosts through the whole pipeline; report latency and rates.

    .venv/bin/python -m benchmarks.boot_fake --servers 500 --concurrency 10 --hosts 10

Starts its own cloud (API server, scheduler, conductor, one compute worker
serving H fake hosts) on PostgreSQL and Redis, like the live tests. Every
server is created with a real ``POST /compute/v2.1/servers`` and deleted with a
real ``DELETE``. Three phases:

1. latency: C clients each boot a server and wait until it is ACTIVE before
   the next (closed loop). POST->ACTIVE is the server's ``launched_at`` minus
   the client's clock just before the POST (same machine, same clock).
2. throughput: C clients POST back to back without waiting; boots/s is the
   number of servers over the time from the first POST to the last ACTIVE.
3. deletes: C clients DELETE every server; deletes/s is the count over the time
   until the last one is gone.

Waiting reads the database, not the API: a client polling the API every few
milliseconds would cost more CPU than the boots being measured (real clients
poll every 2 s). Prints a table and writes benchmarks/results/boot_fake-<time>.json.
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
    """Wakes clients whose server has left BUILD, polling the database (one query per tick)."""

    def __init__(self, cloud: LiveCloud, interval: float):
        super().__init__(daemon=True)
        self.cloud = cloud
        self.interval = interval
        self.waiting: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def wait(self, server_id: str, timeout: float) -> bool:
        event = threading.Event()
        with self.lock:
            self.waiting[server_id] = event
        return event.wait(timeout)

    def run(self) -> None:
        import psycopg2

        conn = psycopg2.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={self.cloud.db_name}")
        conn.autocommit = True
        with conn.cursor() as cursor:
            while not self.stopped.is_set():
                with self.lock:
                    pending = list(self.waiting)
                if pending:
                    cursor.execute("SELECT uuid FROM compute_app_instance WHERE uuid = ANY(%s) "
                                   "AND vm_state <> 'building'", (pending,))
                    with self.lock:
                        for (server_id,) in cursor.fetchall():
                            self.waiting.pop(server_id).set()
                self.stopped.wait(self.interval)
        conn.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def ms(value: float) -> float:
    return round(value * 1000, 1)


class Bench:
    def __init__(self, cloud: LiveCloud, image: str, concurrency: int, poll: float):
        self.cloud = cloud
        self.image = image
        self.concurrency = concurrency
        self.session = requests.Session()
        self.session.headers.update({"X-Auth-Token": cloud.token(), "OpenStack-API-Version": "compute 2.47"})
        adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency + 2, pool_maxsize=concurrency + 2)
        self.session.mount("http://", adapter)
        self.watcher = Watcher(cloud, poll)
        self.watcher.start()
        self.errors: list[str] = []

    def post(self, index: int) -> tuple[str | None, float, float]:
        started = time.time()
        response = self.session.post(f"{self.cloud.url}/compute/v2.1/servers", timeout=60, json={"server": {
            "name": f"bench-{index}", "imageRef": self.image, "flavorRef": "1", "networks": "none"}})
        if response.status_code != 202:
            self.errors.append(f"POST {response.status_code}: {response.text[:200]}")
            return None, started, time.time()
        return response.json()["server"]["id"], started, time.time()

    def run_clients(self, count: int, work) -> None:
        counter = iter(range(count))
        lock = threading.Lock()

        def client() -> None:
            while True:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                work(index)

        with concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            for future in [pool.submit(client) for _ in range(self.concurrency)]:
                future.result()

    def launched(self, started: dict[str, float]) -> dict[str, float]:
        rows = self.cloud.sql("SELECT uuid, vm_state, launched_at FROM compute_app_instance WHERE uuid = ANY(%s)",
                              (list(started),))
        result = {}
        for server_id, vm_state, launched_at in rows:
            if vm_state != "active" or launched_at is None:
                self.errors.append(f"{server_id} ended {vm_state}")
            else:
                result[server_id] = launched_at.timestamp()
        return result

    def latency_phase(self, count: int) -> dict:
        started: dict[str, float] = {}
        posts: list[float] = []

        def boot_and_wait(index: int) -> None:
            server_id, began, posted = self.post(index)
            if server_id is None:
                return
            started[server_id] = began
            posts.append(posted - began)
            if not self.watcher.wait(server_id, 120):
                self.errors.append(f"{server_id} not ACTIVE within 120 s")

        self.run_clients(count, boot_and_wait)
        launched = self.launched(started)
        latencies = [launched[s] - started[s] for s in launched]
        return {"ids": list(started), "p50_ms": ms(statistics.median(latencies)),
                "p90_ms": ms(percentile(latencies, 0.9)), "p99_ms": ms(percentile(latencies, 0.99)),
                "post_p50_ms": ms(statistics.median(posts))}

    def throughput_phase(self, count: int) -> dict:
        started: dict[str, float] = {}
        first = time.time()
        self.run_clients(count, lambda index: started.setdefault(*self.post(index)[:2]))
        started.pop(None, None)
        for server_id in started:
            if not self.watcher.wait(server_id, 300):
                self.errors.append(f"{server_id} not ACTIVE within 300 s")
        launched = self.launched(started)
        wall = max(launched.values()) - first if launched else float("inf")
        return {"ids": list(started), "boots_per_s": round(len(launched) / wall, 1)}

    def delete_phase(self, ids: list[str]) -> float:
        began = time.time()
        self.run_clients(len(ids), lambda i: self.session.delete(f"{self.cloud.url}/compute/v2.1/servers/{ids[i]}",
                                                                 timeout=60))
        while self.cloud.sql("SELECT count(*) FROM compute_app_instance WHERE NOT deleted")[0][0]:
            time.sleep(0.01)
        return round(len(ids) / (time.time() - began), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", "-n", type=int, default=500, help="servers per phase")
    parser.add_argument("--concurrency", "-c", type=int, default=10)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--poll", type=float, default=0.005, help="database poll interval of the waiter, s")
    parser.add_argument("--warmup", type=int, default=30, help="servers booted and deleted before measuring")
    parser.add_argument("--pool", default="threads", choices=["threads", "solo"],
                        help="Celery pool of the scheduler and conductor workers")
    parser.add_argument("--keep", action="store_true", help="keep the cloud's logs")
    args = parser.parse_args()

    cloud = LiveCloud(workdir=make_workdir("cloud-bench-"), fake_hosts=[f"bench-{i}" for i in range(args.hosts)],
                      extra_env={"LOG_LEVEL": "WARNING", "REPORT_INTERVAL": "10"}, pool=args.pool)
    # Room for every server of both phases (m1.tiny: 1 vCPU, 512 MB, 1 GB), so that
    # no boot ends in "No valid host" and inflates the rate with quick failures.
    per_host = (2 * args.servers + args.warmup) // args.hosts + 1
    cloud.set_fake_config({"defaults": {"vcpus": per_host, "memory_mb": 512 * per_host, "local_gb": per_host}})
    print(f"starting a cloud with {args.hosts} fake hosts (logs in {cloud.workdir}) ...", flush=True)
    cloud.start()
    try:
        project = cloud.sql("SELECT id FROM identity_app_project WHERE name = 'admin'")[0][0]
        for resource in ("instances", "cores", "ram"):
            cloud.sql("INSERT INTO compute_app_quota (project_id, user_id, resource, hard_limit) "
                      "VALUES (%s, '', %s, -1)", (project, resource))
        bench = Bench(cloud, cloud.insert_image("bench"), args.concurrency, args.poll)
        if args.warmup:
            bench.delete_phase(bench.latency_phase(args.warmup)["ids"])
        latency = bench.latency_phase(args.servers)
        throughput = bench.throughput_phase(args.servers)
        deletes = bench.delete_phase(latency.pop("ids") + throughput.pop("ids"))
    finally:
        cloud.stop()
        if not args.keep:
            remove_workdir(cloud.workdir)
    result = {"servers": args.servers, "concurrency": args.concurrency, "hosts": args.hosts, **latency,
              **throughput, "deletes_per_s": deletes, "error_count": len(bench.errors), "errors": bench.errors[:10],
              "date": datetime.now().isoformat(timespec="seconds"),
              "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
                         f"{platform.python_version()}",
              "command": "python -m benchmarks.boot_fake " + " ".join(sys.argv[1:])}
    print()
    print("| servers/phase | C | hosts | p50 POST->ACTIVE | p90 | p99 | POST p50 | boots/s | deletes/s | errors |")
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
