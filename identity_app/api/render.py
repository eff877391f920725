"""JSON shapes of identity objects, as Keystone v3 returns them.

Each ``*_json`` takes a ``link(*parts)`` callable that makes an absolute
``.../identity/v3/<parts>`` URL, so members carry ``links.self`` as Keystone's do.
Passwords never appear in any of these shapes.
"""

from __future__ import annotations

from typing import Any, Callable

from identity_app.models import CatalogService, Domain, Endpoint, Project, Region, Role, Token, User
from identity_app.tokens import format_time

Linker = Callable[..., str]


def domain_ref(domain: Domain) -> dict[str, str]:
    return {"id": domain.id, "name": domain.name}


def catalog(interface: str | None = None) -> list[dict[str, Any]]:
    """The service catalog: enabled services with their enabled endpoints."""
    endpoints = Endpoint.objects.filter(enabled=True, service__enabled=True).select_related("service")
    if interface:
        endpoints = endpoints.filter(interface=interface)
    by_service: dict[str, dict[str, Any]] = {}
    for ep in endpoints.order_by("service__type", "service_id", "interface"):
        service: CatalogService = ep.service
        entry = by_service.setdefault(service.id, {
            "id": service.id, "type": service.type, "name": service.name, "endpoints": [],
        })
        entry["endpoints"].append({
            "id": ep.id, "interface": ep.interface, "region": ep.region_id, "region_id": ep.region_id,
            "url": ep.url,
        })
    return list(by_service.values())


def token_body(record: Token, *, include_catalog: bool = True) -> dict[str, Any]:
    """Keystone's token document (keystone/common/render_token.py has the same keys)."""
    user: User = record.user
    body: dict[str, Any] = {
        "methods": list(record.methods),
        "user": {
            "id": user.id, "name": user.name, "domain": domain_ref(user.domain),
            "password_expires_at": format_time(user.password_expires_at) if user.password_expires_at else None,
        },
        "audit_ids": [record.audit_id] + ([record.audit_chain_id]
                                          if record.audit_chain_id and record.audit_chain_id != record.audit_id
                                          else []),
        "expires_at": format_time(record.expires_at),
        "issued_at": format_time(record.issued_at),
    }
    project: Project | None = record.project
    if project is not None:
        body["project"] = {"id": project.id, "name": project.name, "domain": domain_ref(project.domain)}
        body["is_domain"] = False
    elif record.domain is not None:
        body["domain"] = domain_ref(record.domain)
    if project is not None or record.domain is not None:
        body["roles"] = [{"id": r["id"], "name": r["name"]} for r in record.roles]
        if include_catalog:
            body["catalog"] = catalog()
    return {"token": body}


def domain_json(domain: Domain, link: Linker) -> dict[str, Any]:
    return {
        "id": domain.id, "name": domain.name, "description": domain.description, "enabled": domain.enabled,
        "tags": list(domain.extra.get("tags", [])), "options": dict(domain.extra.get("options", {})),
        "links": {"self": link("domains", domain.id)},
    }


def _extras(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extra.items() if k != "options"}


def project_json(project: Project, link: Linker) -> dict[str, Any]:
    return {
        **_extras(project.extra),
        "id": project.id, "name": project.name, "domain_id": project.domain_id,
        "description": project.description, "enabled": project.enabled,
        # Keystone makes the domain the parent of a top-level project.
        "parent_id": project.parent_id or project.domain_id, "is_domain": False,
        "tags": list(project.tags), "options": dict(project.extra.get("options", {})),
        "links": {"self": link("projects", project.id)},
    }


def user_json(user: User, link: Linker) -> dict[str, Any]:
    body: dict[str, Any] = {
        **_extras(user.extra),
        "id": user.id, "name": user.name, "domain_id": user.domain_id, "enabled": user.enabled,
        "password_expires_at": (user.password_expires_at.strftime("%Y-%m-%dT%H:%M:%S.%f")
                                if user.password_expires_at else None),
        "options": dict(user.extra.get("options", {})),
        "links": {"self": link("users", user.id)},
    }
    # Keystone keeps these as optional attributes: shown only when set.
    if user.default_project_id:
        body["default_project_id"] = user.default_project_id
    if user.email:
        body["email"] = user.email
    if user.description:
        body["description"] = user.description
    return body


def role_json(role: Role, link: Linker) -> dict[str, Any]:
    return {
        "id": role.id, "name": role.name, "domain_id": None, "description": role.description,
        "options": dict(role.extra.get("options", {})), "links": {"self": link("roles", role.id)},
    }


def service_json(service: CatalogService, link: Linker) -> dict[str, Any]:
    return {
        "id": service.id, "type": service.type, "name": service.name, "description": service.description,
        "enabled": service.enabled, "links": {"self": link("services", service.id)},
    }


def endpoint_json(endpoint: Endpoint, link: Linker) -> dict[str, Any]:
    return {
        "id": endpoint.id, "interface": endpoint.interface, "region": endpoint.region_id,
        "region_id": endpoint.region_id, "service_id": endpoint.service_id, "url": endpoint.url,
        "enabled": endpoint.enabled, "links": {"self": link("endpoints", endpoint.id)},
    }


def region_json(region: Region, link: Linker) -> dict[str, Any]:
    return {
        "id": region.id, "description": region.description, "parent_region_id": None,
        "links": {"self": link("regions", region.id)},
    }
