"""Issuing, checking and revoking tokens of the local identity service.

A token is 256 random bits, URL-safe encoded; only its SHA-256 is stored, so
a database dump does not hand out live credentials. Token strings must never
be logged: callers log the ``audit_id`` instead.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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
    """The live token record for ``token``, or Unauthorized.

    The rules (revoked, expired, disabled user/project/domain) are
    :func:`validate`'s; this adds the record for the callers that need it
    (token validation and rescoping), which are rare next to validate().
    """
    validate(token)
    try:
        return Token.objects.select_related("user", "project", "domain").get(id_hash=hash_token(token))
    except Token.DoesNotExist:  # deleted in between
        raise Unauthorized("The request you have made requires authentication.") from None


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


def _validation_sql() -> str:
    tables = {m.__name__: m._meta.db_table for m in (Token, User, Project, Domain)}
    return (
        "SELECT t.revoked, t.expires_at, t.roles, t.audit_id, t.domain_id, sd.enabled, "
        "u.id, u.name, u.domain_id, u.enabled, ud.enabled, "
        "p.id, p.name, p.domain_id, p.enabled, pd.enabled "
        f"FROM {tables['Token']} t "
        f"JOIN {tables['User']} u ON u.id = t.user_id "
        f"JOIN {tables['Domain']} ud ON ud.id = u.domain_id "
        f"LEFT JOIN {tables['Project']} p ON p.id = t.project_id "
        f"LEFT JOIN {tables['Domain']} pd ON pd.id = p.domain_id "
        f"LEFT JOIN {tables['Domain']} sd ON sd.id = t.domain_id "
        "WHERE t.id_hash = %s"
    )


_VALIDATION_SQL: str | None = None


def validate(token: str) -> RequestContext:
    """The caller behind ``token``, or Unauthorized.

    Every API request starts here, so this is one fixed SQL statement rather
    than an ORM query over five tables (whose compilation alone cost more than
    the rest of a typical request).
    """
    global _VALIDATION_SQL
    # Disabling a user, project or domain is enforced here too, not only by
    # revocation, so a token issued while the revocation ran is refused as well.
    if not token or len(token) > 8192:
        raise Unauthorized("The request you have made requires authentication.")
    if _VALIDATION_SQL is None:
        _VALIDATION_SQL = _validation_sql()
    with connection.cursor() as cursor:
        cursor.execute(_VALIDATION_SQL, [hash_token(token)])
        row = cursor.fetchone()
    if row is None:
        raise Unauthorized("The request you have made requires authentication.")
    (revoked, expires_at, roles, audit_id, scope_domain_id, scope_domain_enabled, user_id, user_name,
     user_domain_id, user_enabled, user_domain_enabled, project_id, project_name, project_domain_id,
     project_enabled, project_domain_enabled) = row
    if isinstance(roles, str):
        roles = json.loads(roles)  # SQLite returns the JSON column as text
    if isinstance(expires_at, str):
        expires_at = parse_datetime(expires_at)
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at, UTC)
    if revoked or expires_at <= timezone.now():
        raise Unauthorized("The token has expired or has been revoked.")
    enabled = [user_enabled, user_domain_enabled]
    if project_id is not None:
        enabled += [project_enabled, project_domain_enabled]
    if scope_domain_id is not None:
        enabled.append(scope_domain_enabled)
    if not all(enabled):
        raise Unauthorized("The token's user, project or domain is disabled.")
    return RequestContext(
        user_id=user_id, user_name=user_name, user_domain_id=user_domain_id,
        project_id=project_id, project_name=project_name, project_domain_id=project_domain_id,
        domain_id=scope_domain_id, roles=[r["name"] for r in roles], audit_id=audit_id,
        expires_at=format_time(expires_at),
    )


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
