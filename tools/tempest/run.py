#!/usr/bin/env python3
"""Run OpenStack's Tempest (PyPI ``tempest``) against this cloud.

    .venv/bin/python tools/tempest/run.py --start-cloud          # a throw-away cloud (tests/harness.py)
    .venv/bin/python tools/tempest/run.py --auth-url URL ...     # a running cloud (or OS_* variables)

Steps: log in as a cloud admin; create Tempest's pre-provisioned accounts
(projects with ``member`` and ``reader`` users, ``admin`` users) through the
identity admin API, two public images through the image API and two flavors
through the compute API when missing; read the compute microversion range from
the version document; write ``etc/accounts.yaml`` and a tempest.conf per pass
in a Tempest workspace (``tempest init``); then ``tempest run`` two passes:

* main: tools/tempest/include-list.txt minus exclude-list.txt, with the cloud's
  real services (no network, volume or object storage service);
* servers-no-network: the server classes Tempest skips without Neutron only
  because they set ``create_default_network`` (include-list-no-network.txt),
  with ``[service_available] neutron = true`` in their own tempest.conf.

Finally print pass, fail and skip counts and write them to ``summary.json``.
Exit status 0 only when no test failed and at least one passed; 2 when the
cloud could not be prepared. See docs/tempest.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``tools`` and ``tests`` importable
    sys.path.insert(0, str(ROOT))

from tools.tempest import provision as prov  # noqa: E402
from tools.tempest import tempest_conf  # noqa: E402
from tools.tempest.results import Results, parse_subunit  # noqa: E402

VENV_BIN = Path(sys.executable).parent
INCLUDE_LIST = HERE / "include-list.txt"
INCLUDE_LIST_NO_NETWORK = HERE / "include-list-no-network.txt"
EXCLUDE_LIST = HERE / "exclude-list.txt"
DEFAULT_WORKSPACE = ROOT / "var" / "tempest"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cloud = parser.add_argument_group("cloud (a running one, or --start-cloud)")
    cloud.add_argument("--start-cloud", action="store_true",
                       help="start a throw-away cloud (tests/harness.py LiveCloud) and remove it afterwards")
    cloud.add_argument("--keep-cloud", action="store_true", help="with --start-cloud: leave it running at the end")
    cloud.add_argument("--auth-url", default=env.get("OS_AUTH_URL"),
                       help="identity URL, e.g. http://host:8000/identity/v3 (env OS_AUTH_URL)")
    cloud.add_argument("--username", default=env.get("OS_USERNAME", "admin"), help="admin user (OS_USERNAME)")
    cloud.add_argument("--password", default=env.get("OS_PASSWORD"), help="admin password (OS_PASSWORD)")
    cloud.add_argument("--project", default=env.get("OS_PROJECT_NAME", "admin"),
                       help="admin's project (OS_PROJECT_NAME)")
    cloud.add_argument("--user-domain", default=env.get("OS_USER_DOMAIN_NAME", "Default"))
    cloud.add_argument("--project-domain", default=env.get("OS_PROJECT_DOMAIN_NAME", "Default"))
    cloud.add_argument("--region", default=env.get("OS_REGION_NAME", "RegionOne"))
    setup = parser.add_argument_group("what Tempest gets")
    setup.add_argument("--prefix", default="tempest", help="name prefix of the accounts, images and flavors")
    setup.add_argument("--projects", type=int,
                       help="projects with a member and a reader user each (default: 2 per worker)")
    setup.add_argument("--admins", type=int, help="admin users (default: 1 per worker)")
    setup.add_argument("--image-ref", help="use this image instead of creating one")
    setup.add_argument("--image-ref-alt", help="use this image as the alternative instead of creating one")
    setup.add_argument("--flavor-ref", help="use this flavor instead of creating one")
    setup.add_argument("--flavor-ref-alt", help="use this (larger) flavor as the alternative")
    setup.add_argument("--build-timeout", type=int, default=60, help="Tempest's [compute] build_timeout")
    setup.add_argument("--set", action="append", default=[], metavar="SECTION.OPTION=VALUE",
                       help="override one tempest.conf option (repeatable), e.g. compute.build_timeout=120")
    run = parser.add_argument_group("the run")
    run.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE,
                     help=f"Tempest workspace directory (default {DEFAULT_WORKSPACE.relative_to(ROOT)})")
    run.add_argument("--include-list", type=Path, default=INCLUDE_LIST)
    run.add_argument("--exclude-list", type=Path, default=EXCLUDE_LIST)
    run.add_argument("--include-list-no-network", type=Path, default=INCLUDE_LIST_NO_NETWORK,
                     help="the second pass's classes (run with [service_available] neutron = true)")
    run.add_argument("--no-second-pass", action="store_true",
                     help="only the main pass (the second pass's classes are then skipped by Tempest)")
    run.add_argument("--regex", help="run only the selected tests that also match this regex")
    run.add_argument("--verbose", action="store_true", help="echo Tempest's whole output, not only test lines")
    run.add_argument("--concurrency", type=int, default=3, help="Tempest workers (default 3)")
    run.add_argument("--list-tests", action="store_true", help="only list the tests that would run")
    run.add_argument("--config-only", action="store_true", help="provision and write tempest.conf, do not run")
    run.add_argument("--summary-json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    if not args.start_cloud and not args.list_tests and not (args.auth_url and args.password):
        parser.error("give --start-cloud, or the identity URL and admin password (--auth-url/--password "
                     "or OS_AUTH_URL/OS_PASSWORD)")
    # Tempest locks accounts per test class: a worker holds at most a member (primary), a reader of
    # the same project, a member of another project (alt) and an admin at a time.
    args.projects = args.projects or max(2, 2 * args.concurrency)
    args.admins = args.admins or max(1, args.concurrency)
    if args.projects < 2:
        parser.error("--projects must be at least 2 (Tempest's alt user is in another project)")
    return args


def log(message: str) -> None:
    print(f"[tempest-run] {message}", flush=True)


# --- the cloud --------------------------------------------------------------------------------
@contextlib.contextmanager
def started_cloud(keep: bool, workspace: Path) -> Iterator[Any]:
    """A LiveCloud from tests/harness.py: own database, broker prefix, API server and workers.

    Its process logs are copied to ``<workspace>/cloud-logs`` when it stops.
    """
    from tests.harness import LiveCloud, make_workdir, remove_workdir

    cloud = LiveCloud(workdir=make_workdir("cloud-tempest-"))
    log(f"starting a cloud in {cloud.workdir} (database {cloud.db_name})")
    try:
        cloud.start()
    except BaseException:
        for proc in cloud.procs:
            print(f"--- {proc.name} ---\n{proc.log()[-3000:]}", file=sys.stderr)
        cloud.stop()
        remove_workdir(cloud.workdir)
        raise
    log(f"cloud up at {cloud.url}")
    try:
        yield cloud
    finally:
        if keep:
            groups = " ".join(f"-{proc.popen.pid}" for proc in cloud.procs)
            log(f"leaving the cloud running at {cloud.url} (logs in {cloud.workdir}); when done: "
                f"kill -TERM {groups}; psql -h 127.0.0.1 -U postgres -c "
                f"'DROP DATABASE \"{cloud.db_name}\" WITH (FORCE)'; and delete the Redis keys "
                f"live{cloud.run_id}:*")
        else:
            cloud.stop()
            logs = workspace / "cloud-logs"
            logs.mkdir(parents=True, exist_ok=True)
            for path in cloud.workdir.glob("*.log"):
                shutil.copy(path, logs / path.name)
            remove_workdir(cloud.workdir)
            log(f"cloud stopped and removed; its logs are in {logs}")


# --- the workspace ------------------------------------------------------------------------------
def init_workspace(workspace: Path) -> None:
    """A fresh ``tempest init`` workspace (an old one of ours is replaced, anything else refused)."""
    workspace = workspace.resolve()
    if workspace.exists():
        ours = (workspace / ".stestr.conf").exists() and (workspace / "etc").is_dir()
        if not ours and any(workspace.iterdir()):
            raise SystemExit(f"{workspace} exists and is not a Tempest workspace; choose another --workspace")
        shutil.rmtree(workspace)
    workspace.parent.mkdir(parents=True, exist_ok=True)
    registry = workspace.parent / f"{workspace.name}-workspaces.yaml"
    subprocess.run([str(VENV_BIN / "tempest"), "init", "--workspace-path", str(registry),
                    "--name", f"{workspace.name}-{secrets.token_hex(3)}", str(workspace)],
                   check=True, capture_output=True, text=True)


@dataclass
class Pass:
    """One ``tempest run``: its tests, its tempest.conf and its results."""

    name: str
    include_list: Path
    exclude_list: Path
    conf_path: Path
    overrides: list[str] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)
    results: Results = field(default_factory=Results)
    exit_code: int = 0
    seconds: float = 0.0


def plan_passes(args: argparse.Namespace, workspace: Path) -> list[Pass]:
    """The main pass, then (unless --no-second-pass) the servers-no-network pass.

    The second pass's classes are excluded from the first (a generated exclude
    list: the repository's, plus those classes with the reason).
    """
    etc = workspace / "etc"
    main = Pass("main", args.include_list.resolve(), args.exclude_list.resolve(), etc / "tempest.conf")
    passes = [main]
    if not args.no_second_pass:
        second_include = args.include_list_no_network.resolve()
        moved = [line.split("#")[0].strip() for line in second_include.read_text().splitlines()]
        combined = etc / "exclude-list-main.txt"
        combined.parent.mkdir(parents=True, exist_ok=True)
        combined.write_text(main.exclude_list.read_text().rstrip("\n") + "\n\n# run by the servers-no-network pass\n"
                            + "".join(f"{regex}  # runs in the servers-no-network pass\n"
                                      for regex in moved if regex))
        main.exclude_list = combined
        passes.append(Pass("servers-no-network", second_include, args.exclude_list.resolve(),
                           etc / "tempest-servers-no-network.conf", overrides=["service_available.neutron=true"]))
    return passes


def tempest_argv(run: Pass, *, load_list: Path | None = None) -> list[str]:
    argv = [str(VENV_BIN / "tempest"), "run"]
    if run.conf_path.exists():
        argv += ["--config-file", str(run.conf_path)]
    if load_list is not None:
        return argv + ["--load-list", str(load_list)]
    return argv + ["--include-list", str(run.include_list), "--exclude-list", str(run.exclude_list)]


def list_tests(run: Pass, workspace: Path) -> list[str]:
    result = subprocess.run(tempest_argv(run) + ["--list-tests"], cwd=workspace, capture_output=True, text=True,
                            check=True)
    return [line for line in result.stdout.splitlines() if line.startswith("tempest.")]


def run_tempest(run: Pass, args: argparse.Namespace, workspace: Path) -> None:
    """``tempest run`` one pass (narrowed by --regex through a load list) and read its results."""
    load_list = None
    if args.regex:
        pattern = re.compile(args.regex)
        chosen = [t for t in list_tests(run, workspace) if pattern.search(t)]
        if not chosen:
            log(f"pass {run.name}: no test matches --regex {args.regex!r}")
            return
        load_list = workspace / f"{run.name}.load-list"
        load_list.write_text("\n".join(chosen) + "\n")
    run.argv = tempest_argv(run, load_list=load_list) + ["--concurrency", str(args.concurrency)]
    log(f"pass {run.name}: " + " ".join(run.argv))
    started = time.monotonic()
    with open(workspace / f"tempest-run-{run.name}.log", "w") as out:
        proc = subprocess.Popen(run.argv, cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            if args.verbose or not line.startswith((" ", "\t")):
                sys.stdout.write(line)
        run.exit_code = proc.wait()
    run.seconds = time.monotonic() - started
    last = subprocess.run([str(VENV_BIN / "stestr"), "last", "--subunit"], cwd=workspace, capture_output=True)
    if last.returncode != 0:  # Tempest did not get as far as running tests: nothing passed
        log(f"pass {run.name}: no results ({last.stderr.decode(errors='replace').strip()[-500:]})")
        return
    run.results = parse_subunit(io.BytesIO(last.stdout))


# --- summary -----------------------------------------------------------------------------------------
def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return f"{commit}{'+dirty' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> str:
    cpus = os.cpu_count() or 0
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB"
    return f"{platform.node()} ({platform.system()} {platform.release()}, {cpus} CPUs{mem})"


def summarize(passes: list[Pass], args: argparse.Namespace, workspace: Path) -> dict[str, Any]:
    combined = Results([o for run in passes for o in run.results.outcomes])
    summary: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "commit": git_commit(),
        "tempest": tempest_version(),
        "concurrency": args.concurrency,
        "seconds": round(sum(run.seconds for run in passes), 1),
        **combined.counts(),
        "passes": [{"name": run.name, "command": " ".join(run.argv), "exclude_list": str(run.exclude_list),
                    "seconds": round(run.seconds, 1),
                    "exit_code": run.exit_code, **run.results.counts()} for run in passes],
        "modules": combined.by_module(),
        "failures": [{"test": o.test_id, "detail": o.reason[-4000:]}
                     for o in combined.by_status("fail", "uxsuccess")],
        "skips": [{"test": o.test_id, "reason": o.reason} for o in combined.by_status("skip")],
        "passed_tests": [o.test_id for o in combined.by_status("success", "xfail")],
    }
    text = json.dumps(summary, indent=2)
    (workspace / "summary.json").write_text(text)
    if args.summary_json:
        args.summary_json.parent.mkdir(parents=True, exist_ok=True)
        args.summary_json.write_text(text)
    return summary


def tempest_version() -> str:
    try:
        from importlib.metadata import version

        return version("tempest")
    except Exception:  # noqa: BLE001 - only a label in the summary
        return "unknown"


def print_summary(summary: dict[str, Any], workspace: Path) -> None:
    print()
    print("=" * 78)
    print(f"Tempest {summary['tempest']} against this cloud, {summary['date']}, commit {summary['commit']}")
    print(f"machine: {summary['machine']}, concurrency {summary['concurrency']}, {summary['seconds']} s")
    for run in summary["passes"]:
        print(f"pass {run['name']}: total {run['total']}, passed {run['passed']}, failed {run['failed']}, "
              f"skipped {run['skipped']} ({run['seconds']} s)")
    if summary["skips"]:
        print("skipped:")
        reasons: dict[str, list[str]] = {}
        for skip in summary["skips"]:
            reasons.setdefault(skip["reason"].splitlines()[0] if skip["reason"] else "(no reason)",
                               []).append(skip["test"])
        for reason, tests in sorted(reasons.items(), key=lambda item: (-len(item[1]), item[0])):
            print(f"  {len(tests):3d} x {reason}")
    if summary["failures"]:
        print("FAILED:")
        for failure in summary["failures"]:
            print(f"  {failure['test']}")
    print(f"TOTAL {summary['total']}  PASSED {summary['passed']}  FAILED {summary['failed']}  "
          f"SKIPPED {summary['skipped']}")
    print(f"workspace: {workspace} (etc/*.conf, tempest-run-*.log, logs/tempest.log, summary.json)")
    print("=" * 78)


# --- main --------------------------------------------------------------------------------------------
def admin_credentials(args: argparse.Namespace, cloud: Any | None) -> prov.AdminCredentials:
    if cloud is not None:
        from tests.harness import ADMIN_PASSWORD

        return prov.AdminCredentials(auth_url=f"{cloud.identity_url}/v3", username="admin",
                                     password=ADMIN_PASSWORD, project_name="admin", region=args.region)
    return prov.AdminCredentials(auth_url=args.auth_url, username=args.username, password=args.password,
                                 project_name=args.project, user_domain_name=args.user_domain,
                                 project_domain_name=args.project_domain, region=args.region)


def configure(args: argparse.Namespace, workspace: Path, cloud: Any | None, passes: list[Pass]) -> None:
    """Provision the cloud, then write accounts.yaml and each pass's tempest.conf."""
    creds = admin_credentials(args, cloud)
    client = prov.CloudClient(creds)
    password = secrets.token_urlsafe(16)
    accounts = prov.plan_accounts(args.prefix, password, args.projects, args.admins)
    log(f"provisioning {len(accounts)} accounts, images and flavors through {creds.identity_v3}")
    prov.ensure_accounts(client, accounts)
    provisioned = prov.provision(client, accounts, args.prefix, create_accounts=False,
                                 image_ref=args.image_ref, image_ref_alt=args.image_ref_alt,
                                 flavor_ref=args.flavor_ref, flavor_ref_alt=args.flavor_ref_alt)
    etc = workspace / "etc"
    accounts_file = etc / "accounts.yaml"
    tempest_conf.write_private(accounts_file, tempest_conf.accounts_yaml(accounts))
    for run in passes:
        conf = tempest_conf.build_config(provisioned, identity_v3=creds.identity_v3, region=creds.region,
                                         accounts_file=accounts_file, log_dir=workspace / "logs",
                                         lock_dir=workspace / "tempest_lock", build_timeout=args.build_timeout,
                                         overrides=run.overrides + args.set)
        text = tempest_conf.render(conf)
        tempest_conf.write_private(run.conf_path, text)
        # The same with passwords masked, for docs and bug reports.
        run.conf_path.with_suffix(".conf.masked").write_text(tempest_conf.masked(text, [password]))
        log(f"wrote {run.conf_path}")
    log(f"compute microversions {provisioned.compute_min_version} to {provisioned.compute_max_version}; "
        f"images {provisioned.image_ref}, {provisioned.image_ref_alt}; "
        f"flavors {provisioned.flavor_ref}, {provisioned.flavor_ref_alt}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list_tests:  # in a scratch workspace: listing must not wipe the last run's results
        with tempfile.TemporaryDirectory(prefix="tempest-list-") as scratch:
            workspace = Path(scratch) / "workspace"
            init_workspace(workspace)
            for run in plan_passes(args, workspace):
                tests = sorted(list_tests(run, workspace))
                print("\n".join(tests))
                log(f"pass {run.name}: {len(tests)} tests selected")
        return 0
    workspace = args.workspace.resolve()
    init_workspace(workspace)
    passes = plan_passes(args, workspace)
    with contextlib.ExitStack() as stack:
        cloud = stack.enter_context(started_cloud(args.keep_cloud, workspace)) if args.start_cloud else None
        try:
            configure(args, workspace, cloud, passes)
        except prov.ProvisionError as exc:
            log(f"cannot prepare the cloud for Tempest: {exc}")
            return 2
        if args.config_only:
            return 0
        for run in passes:
            run_tempest(run, args, workspace)
        summary = summarize(passes, args, workspace)
        print_summary(summary, workspace)
        if summary["failed"] or not summary["passed"]:
            return 1
        broken = [run.name for run in passes if run.exit_code not in (0,) and run.argv]
        if broken:
            log(f"tempest run exited non-zero in pass(es) {broken} although no test failed; see the run logs")
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
