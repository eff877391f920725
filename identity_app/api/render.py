"""JSON shapes of identity objects, as Keystone v3 returns them."""

from __future__ import annotations

from typing import Any

from identity_app.models import CatalogService, Domain, Endpoint, Project, Token, User
from identity_app.tokens import format_time

_domain_names: dict[str, str] = {}


def domain_ref(domain_id: str) -> dict[str, str]:
    """``{"id", "name"}`` of a domain (names are cached: they rarely change)."""
    name = _domain_names.get(domain_id)
    if name is None:
        domain = Domain.objects.filter(id=domain_id).only("name").first()
        name = domain.name if domain else domain_id
        _domain_names[domain_id] = name
    return {"id": domain_id, "name": name}


def forget_domain(domain_id: str) -> None:
    _domain_names.pop(domain_id, None)


def catalog(interface: str | None = None) -> list[dict[str, Any]]:
    endpoints = Endpoint.objects.filter(enabled=True, service__enabled=True).select_related("service")
    if interface:
        endpoints = endpoints.filter(interface=interface)
    by_service: dict[str, dict[str, Any]] = {}
    services = {s.id: s for s in CatalogService.objects.filter(enabled=True)}
    for ep in endpoints.order_by("service_id", "interface"):
        service = services.get(ep.service_id)
        if service is None:
            continue
        entry = by_service.setdefault(service.id, {
            "id": service.id, "type": service.type, "name": service.name, "endpoints": [],
        })
        entry["endpoints"].append({
            "id": ep.id, "interface": ep.interface, "region": ep.region_id, "region_id": ep.region_id,
            "url": ep.url,
        })
    return list(by_service.values())


def token_body(record: Token, *, include_catalog: bool = True) -> dict[str, Any]:
    user: User = record.user
    body: dict[str, Any] = {
        "methods": list(record.methods),
        "user": {
            "id": user.id, "name": user.name, "domain": domain_ref(user.domain_id),
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
        body["project"] = {"id": project.id, "name": project.name, "domain": domain_ref(project.domain_id)}
        body["is_domain"] = False
    elif record.domain_id:
        body["domain"] = domain_ref(record.domain_id)
        body["is_domain"] = False
    if project is not None or record.domain_id:
        body["roles"] = [{"id": r["id"], "name": r["name"]} for r in record.roles]
        if include_catalog:
            body["catalog"] = catalog()
    return {"token": body}
