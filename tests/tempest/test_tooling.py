"""The Tempest runner's own parts: lists, tempest.conf, accounts.yaml, result parsing."""

from __future__ import annotations

import configparser
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import subunit
import yaml

from tools.tempest import provision, tempest_conf
from tools.tempest.results import parse_subunit

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "tempest"
LISTS = ["include-list.txt", "include-list-no-network.txt", "exclude-list.txt"]


def _entries(name: str) -> list[tuple[str, str]]:
    """(regex, comment) of every non-comment line."""
    entries = []
    for line in (TOOLS / name).read_text().splitlines():
        regex, _, comment = line.partition("#")
        if regex.strip():
            entries.append((regex.strip(), comment.strip()))
    return entries


@pytest.mark.parametrize("name", LISTS)
def test_list_regexes_compile_and_are_anchored(name):
    entries = _entries(name)
    assert entries
    for regex, _ in entries:
        re.compile(regex)
        assert regex.startswith(r"^tempest\.api\.compute\."), regex


def test_every_exclusion_gives_a_reason():
    for regex, reason in _entries("exclude-list.txt"):
        assert len(reason) > 10, f"{regex} has no reason"


@pytest.mark.slow
def test_every_exclusion_and_second_pass_class_matches_an_included_test():
    """A stale regex (a renamed Tempest test) would silently exclude nothing."""
    result = subprocess.run([sys.executable, str(TOOLS / "run.py"), "--list-tests", "--exclude-list", "/dev/null"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    listed = [line for line in result.stdout.splitlines() if line.startswith("tempest.")]
    included = [re.compile(r) for r, _ in _entries("include-list.txt") + _entries("include-list-no-network.txt")]
    assert all(any(r.search(t) for r in included) for t in listed)
    for regex, _ in _entries("exclude-list.txt") + _entries("include-list-no-network.txt"):
        assert any(re.search(regex, t) for t in listed), f"{regex} matches no selected test"


def _provisioned(accounts) -> provision.Provisioned:
    return provision.Provisioned(accounts=accounts, image_ref="img-1", image_ref_alt="img-2", flavor_ref="f1",
                                 flavor_ref_alt="f2", compute_min_version="2.1", compute_max_version="2.47",
                                 compute_url="http://c/compute/v2.1", image_url="http://c/image")


def test_accounts_yaml_lists_members_first_and_keeps_the_dynamic_admin_out():
    accounts = provision.plan_accounts("tp", "pw", projects=3, admins=2)
    entries = yaml.safe_load(tempest_conf.accounts_yaml(accounts))
    roles = [e["roles"] for e in entries]
    assert roles == [["member"]] * 3 + [["reader"]] * 3 + [["admin"]] * 2
    assert len({e["project_name"] for e in entries if e["roles"] == ["member"]}) == 3
    # each reader shares its project with one member (Tempest's project_reader of the primary user)
    assert {e["project_name"] for e in entries if e["roles"] == ["reader"]} == \
        {e["project_name"] for e in entries if e["roles"] == ["member"]}
    assert all(e["types"] == ["admin"] for e in entries if e["roles"] == ["admin"])
    assert "tp-admin" not in {e["username"] for e in entries}


def test_tempest_conf_says_what_the_cloud_has(tmp_path):
    accounts = provision.plan_accounts("tp", "s3cret", projects=2, admins=1)
    conf = tempest_conf.build_config(_provisioned(accounts), identity_v3="http://c/identity/v3", region="R1",
                                     accounts_file=tmp_path / "accounts.yaml", log_dir=tmp_path,
                                     lock_dir=tmp_path, overrides=["compute.build_timeout=99", "new.opt=1"])
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(tempest_conf.render(conf))
    assert parsed["auth"]["use_dynamic_credentials"] == "false"
    assert parsed["auth"]["test_accounts_file"] == str(tmp_path / "accounts.yaml")
    assert parsed["auth"]["admin_username"] == "tp-admin"
    assert (parsed["identity"]["uri_v3"], parsed["identity"]["auth_version"], parsed["identity"]["region"]) == \
        ("http://c/identity/v3", "v3", "R1")
    compute = parsed["compute"]
    assert (compute["image_ref"], compute["image_ref_alt"], compute["flavor_ref"], compute["flavor_ref_alt"]) == \
        ("img-1", "img-2", "f1", "f2")
    assert (compute["min_microversion"], compute["max_microversion"]) == ("2.1", "2.47")
    assert "fixed_network_name" not in compute and compute["build_timeout"] == "99"
    features = parsed["compute-feature-enabled"]
    for feature in ("resize", "console_output", "snapshot", "live_migration", "interface_attach", "vnc_console",
                    "spice_console", "serial_console", "personality", "rescue", "shelve", "pause", "suspend"):
        assert features[feature] == "false", feature
    services = parsed["service_available"]
    assert (services["nova"], services["glance"]) == ("true", "true")
    assert (services["neutron"], services["cinder"], services["swift"]) == ("false", "false", "false")
    assert parsed["validation"]["run_validation"] == "false"
    assert parsed["enforce_scope"]["nova"] == "true"  # reads go through the reader accounts
    assert parsed["new"]["opt"] == "1"
    assert "s3cret" not in tempest_conf.masked(tempest_conf.render(conf), ["s3cret"])


def test_bad_override_is_refused(tmp_path):
    with pytest.raises(ValueError):
        tempest_conf.build_config(_provisioned([]), identity_v3="x", region="R", accounts_file=tmp_path,
                                  log_dir=tmp_path, lock_dir=tmp_path, overrides=["no-section=1"])


def test_subunit_results_are_counted():
    stream = io.BytesIO()
    out = subunit.StreamResultToBytes(stream)
    out.status(test_id="tempest.a.T.test_ok[id-1,smoke]", test_status="success")
    out.status(test_id="tempest.a.T.test_bad[id-2]", test_status="fail", file_name="traceback",
               file_bytes=b"Traceback: boom", mime_type="text/plain;charset=utf8", eof=True)
    out.status(test_id="setUpClass (tempest.a.U)", test_status="skip", file_name="reason",
               file_bytes=b"Neutron is not available", mime_type="text/plain;charset=utf8", eof=True)
    out.status(test_id="tempest.a.T.test_listed", test_status="exists")
    stream.seek(0)
    results = parse_subunit(stream)
    assert results.counts() == {"total": 3, "passed": 1, "failed": 1, "skipped": 1}
    assert [o.test_id for o in results.by_status("success")] == ["tempest.a.T.test_ok"]
    assert results.by_status("fail")[0].reason == "Traceback: boom"
    assert results.by_status("skip")[0].reason == "Neutron is not available"
    assert results.by_module() == {"tempest.a": {"passed": 1, "failed": 1, "skipped": 1}}
