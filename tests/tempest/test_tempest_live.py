"""Tempest itself against a fresh cloud, through the documented command (docs/tempest.md).

tools/tempest/run.py --start-cloud starts its own LiveCloud, provisions Tempest's
accounts, images and flavors through the APIs, runs both passes and writes a
summary; this test fails on any failed Tempest test, and when an acceptance area
has no passing test at all (a silent skip would otherwise look like success).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Acceptance areas: each needs at least one passing Tempest test.
AREAS = {
    "versions": "tempest.api.compute.test_versions.",
    "flavors": "tempest.api.compute.flavors.",
    "flavors (admin)": "tempest.api.compute.admin.test_flavors.",
    "keypairs": "tempest.api.compute.keypairs.",
    "limits": "tempest.api.compute.limits.",
    "quotas": "tempest.api.compute.test_quotas.",
    "availability zones": "tempest.api.compute.servers.test_availability_zone.",
    "availability zones (admin)": "tempest.api.compute.admin.test_availability_zone",
    "create servers": "tempest.api.compute.servers.test_create_server.",
    "filter servers": "tempest.api.compute.servers.test_list_server_filters.",
    "list servers (negative)": "tempest.api.compute.servers.test_list_servers_negative.",
    "servers": "tempest.api.compute.servers.test_servers.ServersTestJSON.",
    "servers (negative)": "tempest.api.compute.servers.test_servers_negative.",
    "servers (admin)": "tempest.api.compute.admin.test_servers.",
    "services (admin)": "tempest.api.compute.admin.test_services.",
    "server tags": "tempest.api.compute.servers.test_server_tags.",
    "instance actions": "tempest.api.compute.servers.test_instance_actions.",
    "multiple create": "tempest.api.compute.servers.test_multiple_create.",
    "server metadata": "tempest.api.compute.servers.test_server_metadata.",
    "image proxy": "tempest.api.compute.images.test_list_images.",
    "image metadata": "tempest.api.compute.images.test_image_metadata.",
}


@pytest.mark.live
@pytest.mark.clients
@pytest.mark.slow
def test_tempest_compute_api_passes(tmp_path):
    summary_path = tmp_path / "summary.json"
    argv = [sys.executable, str(ROOT / "tools" / "tempest" / "run.py"), "--start-cloud",
            "--workspace", str(tmp_path / "workspace"), "--summary-json", str(summary_path)]
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
    output = f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    assert summary_path.exists(), output
    summary = json.loads(summary_path.read_text())
    failures = "\n\n".join(f"{f['test']}\n{f['detail'][-2000:]}" for f in summary["failures"])
    assert summary["failed"] == 0, failures
    assert result.returncode == 0, output
    passed = summary["passed_tests"]
    missing = [area for area, prefix in AREAS.items() if not any(t.startswith(prefix) for t in passed)]
    assert not missing, f"no passing Tempest test for {missing}"
    assert [p["name"] for p in summary["passes"]] == ["main", "servers-no-network"]
