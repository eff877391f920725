"""What Tempest needs in the cloud before it runs, made through the public APIs.

Everything here is idempotent: running it twice against the same cloud finds
the projects, users, images and flavors of the first run and reuses them (the
users get the new run's password).

* accounts: ``projects`` projects, each with one ``member`` and one ``reader``
  user (Tempest's primary/alt and project_reader credentials), and ``admins``
  users with the ``admin`` role, each in its own project (Tempest's admin
  credentials). Tempest locks an account per test class, so parallel workers
  need several of each.
* two public images (``image_ref`` and ``image_ref_alt`` must differ) with a
  small raw disk uploaded through the image API.
* two public flavors (``flavor_ref`` and a larger ``flavor_ref_alt``), created
  through the compute admin API when missing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import requests

DEFAULT_DOMAIN = "Default"
IMAGE_BYTES = 1024 * 1024  # a 1 MiB raw disk of zeros: small, and a valid "raw" image


class ProvisionError(RuntimeError):
    """The cloud refused or failed a set-up request; the message names the request."""


@dataclass
class AdminCredentials:
    """Who provisions: a cloud admin (``OS_*`` variables or command-line flags)."""

    auth_url: str
    username: str
    password: str
    project_name: str = "admin"
    user_domain_name: str = DEFAULT_DOMAIN
    project_domain_name: str = DEFAULT_DOMAIN
    region: str = "RegionOne"
    interface: str = "public"

    @property
    def identity_v3(self) -> str:
        """The v3 root (``.../v3``) whether ``auth_url`` names it or the unversioned root."""
        url = self.auth_url.rstrip("/")
        return url if url.endswith("/v3") else f"{url}/v3"


@dataclass
class Account:
    username: str
    password: str
    project_name: str
    roles: list[str]
    domain_name: str = DEFAULT_DOMAIN
    in_accounts_file: bool = True  # False: the [auth] admin_* user, for Tempest's dynamic credentials

    def as_tempest(self) -> dict[str, Any]:
        """One entry of Tempest's accounts.yaml."""
        entry: dict[str, Any] = {
            "username": self.username, "password": self.password, "project_name": self.project_name,
            "user_domain_name": self.domain_name, "project_domain_name": self.domain_name,
            "roles": list(self.roles),
        }
        if "admin" in self.roles:
            entry["types"] = ["admin"]
        return entry


@dataclass
class Provisioned:
    """What tempest.conf refers to."""

    accounts: list[Account]
    image_ref: str
    image_ref_alt: str
    flavor_ref: str
    flavor_ref_alt: str
    compute_min_version: str
    compute_max_version: str
    compute_url: str
    image_url: str
    notes: list[str] = field(default_factory=list)
    compute_nodes: int = 1  # compute services up and enabled: Tempest's multi-node tests need 2


def plan_accounts(prefix: str, password: str, projects: int, admins: int) -> list[Account]:
    """Members first, then readers, then admins; last the ``[auth] admin_*`` user.

    Tempest hands out "alt" credentials as the first free non-admin account in
    file order, so listing every member before any reader keeps alt a member
    (of another project) while members are free. Test classes that set
    ``force_tenant_isolation`` (the admin quota tests) always make their own
    project and users with Tempest's dynamic credentials, as the admin named
    in ``[auth]``; that admin is not in accounts.yaml, so no class can lock it.
    """
    members = [Account(f"{prefix}-member-{i}", password, f"{prefix}-project-{i}", ["member"])
               for i in range(1, projects + 1)]
    readers = [Account(f"{prefix}-reader-{i}", password, f"{prefix}-project-{i}", ["reader"])
               for i in range(1, projects + 1)]
    admin_accounts = [Account(f"{prefix}-admin-{i}", password, f"{prefix}-admin-project-{i}", ["admin"])
                      for i in range(1, admins + 1)]
    dynamic_admin = Account(f"{prefix}-admin", password, f"{prefix}-admin-project", ["admin"],
                            in_accounts_file=False)
    return members + readers + admin_accounts + [dynamic_admin]


class CloudClient:
    """A token-authenticated session with the catalog of one admin token."""

    def __init__(self, creds: AdminCredentials, timeout: float = 30.0):
        self.creds = creds
        self.timeout = timeout
        self.session = requests.Session()
        self.catalog: list[dict[str, Any]] = []
        self.authenticate()

    def authenticate(self) -> None:
        creds = self.creds
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": creds.username, "password": creds.password,
                "domain": {"name": creds.user_domain_name}}}},
            "scope": {"project": {"name": creds.project_name, "domain": {"name": creds.project_domain_name}}},
        }}
        response = self.session.post(f"{creds.identity_v3}/auth/tokens", json=body, timeout=self.timeout)
        if response.status_code != 201:
            raise ProvisionError(f"admin login to {creds.identity_v3} failed: {response.status_code} "
                                 f"{response.text[:300]}")
        self.session.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        token = response.json()["token"]
        roles = {r["name"] for r in token.get("roles", [])}
        if "admin" not in roles:
            raise ProvisionError(f"user {creds.username!r} has no admin role in project {creds.project_name!r}")
        self.catalog = token.get("catalog", [])

    def endpoint(self, service_type: str) -> str:
        for service in self.catalog:
            if service.get("type") != service_type:
                continue
            for ep in service.get("endpoints", []):
                region = ep.get("region_id") or ep.get("region")
                if ep.get("interface") == self.creds.interface and (not region or region == self.creds.region):
                    return ep["url"].rstrip("/")
        raise ProvisionError(f"no {self.creds.interface} {service_type!r} endpoint in region "
                             f"{self.creds.region!r} in the catalog")

    def call(self, method: str, url: str, expect: tuple[int, ...] = (200,), **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        response = self.session.request(method, url, **kwargs)
        if response.status_code not in expect:
            raise ProvisionError(f"{method} {url} answered {response.status_code} (expected {expect}): "
                                 f"{response.text[:500]}")
        return response


# --- identity ---------------------------------------------------------------------------------
class IdentityAdminMissing(ProvisionError):
    """The cloud has no identity admin API (projects/users/role assignments) to provision with."""


def ensure_accounts(client: CloudClient, accounts: list[Account]) -> None:
    """Create (or refresh the password of) every account, with its project and role."""
    v3 = client.creds.identity_v3
    probe = client.session.get(f"{v3}/roles", timeout=client.timeout)
    if probe.status_code in (404, 405, 501):
        raise IdentityAdminMissing(f"GET {v3}/roles answered {probe.status_code}: this cloud has no "
                                   "identity admin API to create Tempest's accounts with")
    if probe.status_code != 200:
        raise ProvisionError(f"GET {v3}/roles answered {probe.status_code}: {probe.text[:300]}")
    roles = {r["name"]: r["id"] for r in probe.json().get("roles", [])}
    domain_id = _domain_id(client, DEFAULT_DOMAIN)
    projects: dict[str, str] = {}
    for account in accounts:
        missing = [r for r in account.roles if r not in roles]
        if missing:
            raise ProvisionError(f"the cloud has no role(s) {missing}; Tempest needs member, reader and admin")
        if account.project_name not in projects:
            projects[account.project_name] = _ensure_project(client, account.project_name, domain_id)
        project_id = projects[account.project_name]
        user_id = _ensure_user(client, account, domain_id, project_id)
        for role in account.roles:
            client.call("PUT", f"{v3}/projects/{project_id}/users/{user_id}/roles/{roles[role]}",
                        expect=(200, 201, 204))


def _domain_id(client: CloudClient, name: str) -> str:
    v3 = client.creds.identity_v3
    found = client.call("GET", f"{v3}/domains", params={"name": name}).json().get("domains", [])
    found = [d for d in found if d.get("name") == name]
    if not found:
        raise ProvisionError(f"domain {name!r} not found")
    return found[0]["id"]


def _ensure_project(client: CloudClient, name: str, domain_id: str) -> str:
    v3 = client.creds.identity_v3
    found = client.call("GET", f"{v3}/projects", params={"name": name, "domain_id": domain_id}).json()
    matches = [p for p in found.get("projects", []) if p.get("name") == name]
    if matches:
        return matches[0]["id"]
    body = {"project": {"name": name, "domain_id": domain_id, "description": "Tempest pre-provisioned account",
                        "enabled": True}}
    return client.call("POST", f"{v3}/projects", expect=(201,), json=body).json()["project"]["id"]


def _ensure_user(client: CloudClient, account: Account, domain_id: str, project_id: str) -> str:
    v3 = client.creds.identity_v3
    found = client.call("GET", f"{v3}/users", params={"name": account.username, "domain_id": domain_id}).json()
    matches = [u for u in found.get("users", []) if u.get("name") == account.username]
    if matches:
        user_id = matches[0]["id"]
        client.call("PATCH", f"{v3}/users/{user_id}", expect=(200,),
                    json={"user": {"password": account.password, "enabled": True,
                                   "default_project_id": project_id}})
        return user_id
    body = {"user": {"name": account.username, "password": account.password, "domain_id": domain_id,
                     "default_project_id": project_id, "enabled": True,
                     "description": "Tempest pre-provisioned account"}}
    return client.call("POST", f"{v3}/users", expect=(201,), json=body).json()["user"]["id"]


# --- images -------------------------------------------------------------------------------------
def ensure_image(client: CloudClient, name: str, *, wait: float = 60.0) -> str:
    """A public, active raw image called ``name`` (uploaded through the image API when missing)."""
    base = f"{client.endpoint('image')}/v2/images"
    listed = client.call("GET", base, params={"name": name}).json().get("images", [])
    for image in listed:
        if image.get("name") == name and image.get("status") == "active" and image.get("visibility") == "public":
            return image["id"]
    body = {"name": name, "disk_format": "raw", "container_format": "bare", "visibility": "public",
            "min_disk": 0, "min_ram": 0}
    image = client.call("POST", base, expect=(201,), json=body).json()
    client.call("PUT", f"{base}/{image['id']}/file", expect=(204,), data=b"\0" * IMAGE_BYTES,
                headers={"Content-Type": "application/octet-stream"})
    deadline = time.monotonic() + wait
    while True:
        status = client.call("GET", f"{base}/{image['id']}").json().get("status")
        if status == "active":
            return image["id"]
        if status in ("killed", "deleted", "deactivated") or time.monotonic() > deadline:
            raise ProvisionError(f"image {name} ({image['id']}) ended up {status!r}, not active")
        time.sleep(0.2)  # polling the cloud for the upload to finish, bounded by ``wait``


# --- flavors ------------------------------------------------------------------------------------
def ensure_flavor(client: CloudClient, flavor_id: str, name: str, ram: int, vcpus: int, disk: int) -> str:
    """The flavor ``flavor_id`` (created public through the compute admin API when missing)."""
    base = f"{client.endpoint('compute')}/flavors"
    response = client.call("GET", f"{base}/{flavor_id}", expect=(200, 404))
    if response.status_code == 200:
        return flavor_id
    body = {"flavor": {"id": flavor_id, "name": name, "ram": ram, "vcpus": vcpus, "disk": disk,
                       "os-flavor-access:is_public": True}}
    return client.call("POST", base, expect=(200,), json=body).json()["flavor"]["id"]


# --- versions ------------------------------------------------------------------------------------
def compute_versions(client: CloudClient) -> tuple[str, str]:
    """(min_version, version) from the compute endpoint's version document."""
    doc = client.call("GET", client.endpoint("compute")).json().get("version", {})
    minimum, maximum = doc.get("min_version"), doc.get("version")
    if not minimum or not maximum:
        raise ProvisionError(f"the compute version document has no microversion range: {doc}")
    return minimum, maximum


def compute_nodes(client: CloudClient) -> int:
    """How many nova-compute services are up and enabled (at least 1, Tempest's minimum)."""
    services = client.call("GET", client.endpoint("compute") + "/os-services?binary=nova-compute").json()
    return max(1, sum(1 for s in services.get("services", []) if s.get("state") == "up"
                      and s.get("status") == "enabled"))


def provision(client: CloudClient, accounts: list[Account], prefix: str, *, create_accounts: bool = True,
              image_ref: str | None = None, image_ref_alt: str | None = None,
              flavor_ref: str | None = None, flavor_ref_alt: str | None = None) -> Provisioned:
    """Everything Tempest's configuration names; explicit refs are used as given."""
    if create_accounts:
        ensure_accounts(client, accounts)
    minimum, maximum = compute_versions(client)
    return Provisioned(
        accounts=accounts,
        image_ref=image_ref or ensure_image(client, f"{prefix}-image"),
        image_ref_alt=image_ref_alt or ensure_image(client, f"{prefix}-image-alt"),
        flavor_ref=flavor_ref or ensure_flavor(client, f"{prefix}-f1", f"{prefix}.nano", 256, 1, 1),
        flavor_ref_alt=flavor_ref_alt or ensure_flavor(client, f"{prefix}-f2", f"{prefix}.micro", 512, 1, 2),
        compute_min_version=minimum, compute_max_version=maximum,
        compute_url=client.endpoint("compute"), image_url=client.endpoint("image"),
        compute_nodes=compute_nodes(client),
    )
