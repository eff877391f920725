"""tempest.conf and accounts.yaml for this cloud.

Every feature flag says what the cloud does today; a flag that is ``false``
makes Tempest skip the tests of that feature itself (``skipUnless``), so the
counts show them as skipped, not failed. Flip a flag in :data:`COMPUTE_FEATURES`
in the same change that implements the feature.
"""

from __future__ import annotations

import configparser
import io
import os
from pathlib import Path

import yaml

from tools.tempest.provision import Account, Provisioned

# [compute-feature-enabled]: what the compute API and its drivers do now.
COMPUTE_FEATURES: dict[str, str] = {
    "disk_config": "true",            # OS-DCF:diskConfig accepted and shown
    "hostname_fqdn_sanitization": "false",
    "change_password": "false",       # no server actions yet
    "console_output": "false",
    "resize": "false",
    "pause": "false",
    "shelve": "false",
    "shelve_migrate": "false",
    "suspend": "false",
    "cold_migration": "false",
    "live_migration": "false",
    "live_migrate_back_and_forth": "false",
    "block_migration_for_live_migration": "false",
    "metadata_service": "false",
    "vnc_console": "false",
    "spice_console": "false",
    "serial_console": "false",
    "rescue": "false",
    "stable_rescue": "false",
    "enable_instance_password": "true",  # create answers adminPass
    "interface_attach": "false",
    "snapshot": "false",
    "personality": "false",           # accepted for old clients, never injected
    "attach_encrypted_volume": "false",
    "config_drive": "false",
    "swap_volume": "false",
    "volume_multiattach": "false",
    "ide_bus": "false",
    "unified_limits": "false",
    # The scheduler's filters that Tempest knows by name (compute_app/scheduler/filters.py).
    "scheduler_enabled_filters": "ComputeFilter,AvailabilityZoneFilter,ImagePropertiesFilter,"
                                 "AggregateInstanceExtraSpecsFilter,ServerGroupAffinityFilter,"
                                 "ServerGroupAntiAffinityFilter,SameHostFilter,DifferentHostFilter",
    "nova_policy_roles": "admin,member,reader",
}

SERVICES: dict[str, str] = {
    "nova": "true", "glance": "true",
    "neutron": "false", "cinder": "false", "swift": "false", "horizon": "false",
}


def build_config(p: Provisioned, *, identity_v3: str, region: str, accounts_file: Path, log_dir: Path,
                 lock_dir: Path, build_timeout: int = 60, overrides: list[str] | None = None
                 ) -> configparser.ConfigParser:
    """The whole tempest.conf; ``overrides`` are ``section.option=value`` strings applied last."""
    dynamic_admin = next((a for a in p.accounts if not a.in_accounts_file), None)
    conf = configparser.ConfigParser(interpolation=None)
    conf.optionxform = str  # keep option names as written
    conf["DEFAULT"] = {"log_dir": str(log_dir), "log_file": "tempest.log", "debug": "true",
                       "use_stderr": "false"}
    conf["oslo_concurrency"] = {"lock_path": str(lock_dir)}
    conf["auth"] = {
        "use_dynamic_credentials": "false",
        "test_accounts_file": str(accounts_file),
        "default_credentials_domain_name": "Default",
        "create_isolated_networks": "false",
        "tempest_roles": "",
    }
    if dynamic_admin is not None:
        # Only for test classes with force_tenant_isolation (they make their own project and users).
        conf["auth"].update({
            "admin_username": dynamic_admin.username, "admin_password": dynamic_admin.password,
            "admin_project_name": dynamic_admin.project_name, "admin_domain_name": dynamic_admin.domain_name,
        })
    conf["identity"] = {
        "uri_v3": identity_v3,
        "auth_version": "v3",
        "region": region,
        "v3_endpoint_type": "public",
        "admin_role": "admin",
        "disable_ssl_certificate_validation": "true",
    }
    conf["identity-feature-enabled"] = {"api_v2": "false", "api_v3": "true"}
    conf["compute"] = {
        "image_ref": p.image_ref,
        "image_ref_alt": p.image_ref_alt,
        "flavor_ref": p.flavor_ref,
        "flavor_ref_alt": p.flavor_ref_alt,
        "min_microversion": p.compute_min_version,
        "max_microversion": p.compute_max_version,
        "endpoint_type": "publicURL",
        "region": region,
        "build_timeout": str(build_timeout),
        "build_interval": "1",
        "min_compute_nodes": str(p.compute_nodes),
        # fixed_network_name stays unset: there is no network service to look one up in.
    }
    conf["compute-feature-enabled"] = dict(COMPUTE_FEATURES)
    conf["image"] = {"region": region, "endpoint_type": "public", "build_timeout": str(build_timeout),
                     "build_interval": "1"}
    conf["image-feature-enabled"] = {"api_v2": "true", "import_image": "false", "manage_locations": "false",
                                     "os_glance_reserved": "false"}
    conf["service_available"] = dict(SERVICES)
    conf["validation"] = {"run_validation": "false"}
    # The compute policy has Nova's new defaults (reader reads, member writes, admin): with nova = true
    # Tempest reads through the project's reader account, so those defaults are tested too.
    conf["enforce_scope"] = {"nova": "true", "glance": "false", "keystone": "false"}
    for override in overrides or []:
        key, sep, value = override.partition("=")
        section, dot, option = key.strip().rpartition(".")
        if not sep or not dot or not section or not option:
            raise ValueError(f"--set wants section.option=value, not {override!r}")
        if section != "DEFAULT" and not conf.has_section(section):
            conf.add_section(section)
        conf[section][option] = value.strip()
    return conf


def render(conf: configparser.ConfigParser) -> str:
    out = io.StringIO()
    conf.write(out)
    return out.getvalue()


def masked(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text


def accounts_yaml(accounts: list[Account]) -> str:
    return yaml.safe_dump([a.as_tempest() for a in accounts if a.in_accounts_file], sort_keys=False)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
