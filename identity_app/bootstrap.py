"""First-run set-up of a cloud (what ``keystone-manage bootstrap`` and a
deployment tool would do), safe to run again: it only fills in what is missing
and brings catalog URLs in line with the settings.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from identity_app.models import (
    CatalogService,
    Domain,
    Endpoint,
    ImpliedRole,
    Project,
    Region,
    Role,
    RoleAssignment,
    User,
)

DEFAULT_DOMAIN_ID = "default"
ROLE_NAMES = ("admin", "member", "reader")
INTERFACES = ("public", "internal", "admin")


@dataclass
class BootstrapResult:
    admin_password: str | None = None  # set only when generated now (printed once)
    demo_password: str | None = None
    created: list[str] = field(default_factory=list)


def catalog_urls() -> dict[str, dict[str, str]]:
    """{service type: {interface: url}} from the public/internal/admin base URLs."""
    bases = {"public": settings.PUBLIC_URL, "internal": settings.INTERNAL_URL, "admin": settings.ADMIN_URL}
    paths = {"identity": "/identity", "compute": "/compute/v2.1", "image": "/image"}
    return {stype: {iface: base + path for iface, base in bases.items()} for stype, path in paths.items()}


SERVICE_NAMES = {"identity": "keystone", "compute": "nova", "image": "glance", "network": "neutron"}


def sync_catalog(result: BootstrapResult) -> None:
    region, made = Region.objects.get_or_create(id=settings.REGION_NAME)
    if made:
        result.created.append(f"region {region.id}")
    for stype, urls in catalog_urls().items():
        service, made = CatalogService.objects.get_or_create(
            type=stype, defaults={"name": SERVICE_NAMES[stype]}
        )
        if made:
            result.created.append(f"service {stype}")
        for interface, url in urls.items():
            Endpoint.objects.update_or_create(
                service=service, interface=interface, region=region, defaults={"url": url, "enabled": True}
            )


def ensure_user(name: str, domain: Domain, project: Project, roles: list[Role], password: str | None,
                result: BootstrapResult) -> str | None:
    """Create the user if missing; returns the password when it was generated."""
    user = User.objects.filter(domain=domain, name=name).first()
    generated = None
    if user is None:
        generated = None if password else secrets.token_urlsafe(12)
        user = User(name=name, domain=domain, default_project=project)
        user.set_password(password or generated)
        user.save()
        result.created.append(f"user {name}")
    elif password and not user.check_password(password):
        user.set_password(password)  # the operator's env wins, as keystone-manage bootstrap
        user.save(update_fields=["password"])
    for role in roles:
        RoleAssignment.objects.get_or_create(user=user, project=project, role=role)
    return generated


@transaction.atomic
def bootstrap(admin_password: str | None = None, demo_password: str | None = None,
              with_demo: bool = True) -> BootstrapResult:
    result = BootstrapResult()
    domain, made = Domain.objects.get_or_create(
        id=DEFAULT_DOMAIN_ID, defaults={"name": "Default", "description": "The default domain"}
    )
    if made:
        result.created.append("domain Default")
    roles = {}
    for name in ROLE_NAMES:
        roles[name], made = Role.objects.get_or_create(name=name)
        if made:
            result.created.append(f"role {name}")
    ImpliedRole.objects.get_or_create(prior=roles["admin"], implied=roles["member"])
    ImpliedRole.objects.get_or_create(prior=roles["member"], implied=roles["reader"])

    admin_project, made = Project.objects.get_or_create(domain=domain, name="admin")
    if made:
        result.created.append("project admin")
    result.admin_password = ensure_user("admin", domain, admin_project, [roles["admin"]],
                                        admin_password, result)
    # Nova's service user lives in the conventional "service" project.
    Project.objects.get_or_create(domain=domain, name="service")
    if with_demo:
        demo_project, made = Project.objects.get_or_create(domain=domain, name="demo")
        if made:
            result.created.append("project demo")
        result.demo_password = ensure_user("demo", domain, demo_project, [roles["member"]],
                                           demo_password, result)
    sync_catalog(result)
    from compute_app.bootstrap import ensure_default_flavors

    result.created.extend(ensure_default_flavors())
    return result
