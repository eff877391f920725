"""Issuing, checking and revoking tokens of the local identity service.

A token is 256 random bits, URL-safe encoded; only its SHA-256 is stored, so
a database dump does not hand out live credentials. Token strings must never
be logged: callers log the ``audit_id`` instead.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from cloud.api.errors import Unauthorized
from cloud.context import RequestContext
from identity_app.models import Domain, ImpliedRole, Project, Role, RoleAssignment, Token, User


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def new_audit_id() -> str:
    """22 URL-safe characters, like Keystone's audit ids."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")


def effective_roles(user: User, project: Project | None = None, domain: Domain | None = None) -> list[Role]:
    """Roles assigned on the scope, plus every role they imply (transitively)."""
    if project is not None:
        scope = Q(project=project)
    elif domain is not None:
        scope = Q(domain=domain)
    else:
        return []
    direct = {a.role_id for a in RoleAssignment.objects.filter(scope, user=user).only("role_id")}
    if not direct:
        return []
    rules = implication_rules()
    seen = set(direct)
    for role_id in direct:
        seen.update(implied for implied, _ in implied_by(role_id, rules))
    return list(Role.objects.filter(id__in=seen).order_by("name"))


def implication_rules() -> dict[str, set[str]]:
    """{prior role id: ids of the roles it implies directly}."""
    rules: dict[str, set[str]] = {}
    for prior_id, implied_id in ImpliedRole.objects.values_list("prior_id", "implied_id"):
        rules.setdefault(prior_id, set()).add(implied_id)
    return rules


def implied_by(role_id: str, rules: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Every role ``role_id`` implies, transitively, as (implied id, immediate prior id)."""
    found: list[tuple[str, str]] = []
    seen = {role_id}
    todo = [role_id]
    while todo:
        prior = todo.pop()
        for implied in sorted(rules.get(prior, ())):
            if implied not in seen:  # rule cycles cannot loop forever
                seen.add(implied)
                found.append((implied, prior))
                todo.append(implied)
    return found


def issue(
    user: User,
    *,
    methods: list[str],
    project: Project | None = None,
    domain: Domain | None = None,
    audit_chain_id: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[str, Token]:
    """Create a token; scoped tokens need at least one role on their scope."""
    roles = effective_roles(user, project=project, domain=domain)
    if (project is not None or domain is not None) and not roles:
        raise Unauthorized("User has no access to the requested scope.")
    now = timezone.now()
    lifetime_end = now + timedelta(seconds=settings.TOKEN_LIFETIME)
    token = secrets.token_urlsafe(32)
    audit_id = new_audit_id()
    record = Token.objects.create(
        id_hash=hash_token(token),
        user=user,
        project=project,
        domain=domain,
        roles=[{"id": r.id, "name": r.name} for r in roles],
        methods=methods,
        issued_at=now,
        # A rescoped token never outlives the token it came from.
        expires_at=min(expires_at, lifetime_end) if expires_at else lifetime_end,
        audit_id=audit_id,
        audit_chain_id=audit_chain_id or audit_id,
    )
    return token, record


def lookup(token: str) -> Token:
    """The live token record for ``token``, or Unauthorized."""
    if not token or len(token) > 8192:
        raise Unauthorized("The request you have made requires authentication.")
    try:
        record = Token.objects.select_related(
            "user__domain", "project__domain", "domain"
        ).get(id_hash=hash_token(token))
    except Token.DoesNotExist:
        raise Unauthorized("The request you have made requires authentication.") from None
    if record.revoked or record.expires_at <= timezone.now():
        raise Unauthorized("The token has expired or has been revoked.")
    # Disabling is also enforced here, not only by revocation, so a token issued
    # between the disable and the revocation sweep is refused too.
    scopes = [record.user, record.user.domain, record.project, record.project and record.project.domain,
              record.domain]
    if not all(scope.enabled for scope in scopes if scope):
        raise Unauthorized("The token's user, project or domain is disabled.")
    return record


def context_for(record: Token) -> RequestContext:
    user = record.user
    project = record.project
    return RequestContext(
        user_id=user.id,
        user_name=user.name,
        user_domain_id=user.domain_id,
        project_id=project.id if project else None,
        project_name=project.name if project else None,
        project_domain_id=project.domain_id if project else None,
        domain_id=record.domain_id,
        roles=[r["name"] for r in record.roles],
        audit_id=record.audit_id,
        expires_at=format_time(record.expires_at),
    )


def validate(token: str) -> RequestContext:
    return context_for(lookup(token))


def revoke(record: Token) -> None:
    Token.objects.filter(pk=record.pk).update(revoked=True)


def revoke_for(*, user_id: str | None = None, project_id: str | None = None,
               domain_id: str | None = None) -> int:
    """Revoke live tokens of a user and/or scope (after an assignment is removed)."""
    if not (user_id or project_id or domain_id):
        raise ValueError("revoke_for needs a user, project or domain: it never revokes every token")
    query = Token.objects.filter(revoked=False, expires_at__gt=timezone.now())
    if user_id:
        query = query.filter(user_id=user_id)
    if project_id:
        query = query.filter(project_id=project_id)
    if domain_id:
        query = query.filter(domain_id=domain_id)
    return query.update(revoked=True)


def revoke_for_role(role_id: str) -> int:
    """Revoke live tokens that carry ``role_id`` (the role is being deleted).

    Tokens hold their resolved roles as JSON; scanning in Python works on every
    database (SQLite has no JSON containment) and only live tokens are read.
    """
    live = Token.objects.filter(revoked=False, expires_at__gt=timezone.now()).only("id_hash", "roles")
    doomed = [t.id_hash for t in live.iterator(chunk_size=2000) if any(r.get("id") == role_id for r in t.roles)]
    count = 0
    for start in range(0, len(doomed), 1000):
        count += Token.objects.filter(id_hash__in=doomed[start:start + 1000]).update(revoked=True)
    return count


def revoke_for_domain(domain_id: str) -> int:
    """Revoke live tokens of the domain's users, of its projects and scoped to it."""
    query = Token.objects.filter(revoked=False, expires_at__gt=timezone.now()).filter(
        Q(user__domain_id=domain_id) | Q(project__domain_id=domain_id) | Q(domain_id=domain_id)
    )
    return query.update(revoked=True)


def purge_expired(before: datetime | None = None) -> int:
    """Delete records of tokens that can no longer be used (run periodically)."""
    cutoff = before or timezone.now()
    deleted, _ = Token.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def format_time(value: datetime) -> str:
    """Keystone's token time format: ``2026-01-01T00:00:00.000000Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
