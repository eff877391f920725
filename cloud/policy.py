"""The one policy module: who may call what, for every API of the cloud.

Rules are named like OpenStack's (``os_compute_api:servers:create``,
``identity:create_user``, ``get_image``) and written in oslo.policy's check
language, so operators can reuse what they know:

    role:admin or (role:member and project_id:%(project_id)s)

Supported: ``role:<name>``, ``rule:<name>``, ``<attr>:<literal or %(target)s>``
(attr from the caller: user_id, project_id, domain_id), ``@`` (always), ``!``
(never), ``and``, ``or``, ``not`` and parentheses.

Defaults (:data:`DEFAULT_RULES`): admins may do everything; members act within
their own project; readers only read. Views look resources up within the
caller's project, so another project's resource is a 404, never a 403.

Operators override rules in a YAML or JSON file named by ``POLICY_FILE``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from django.conf import settings

from cloud.api.errors import Forbidden
from cloud.context import RequestContext

ADMIN = "role:admin"
MEMBER = "role:member and project_id:%(project_id)s"
READER = "role:reader and project_id:%(project_id)s"
OWNER = "user_id:%(user_id)s"

BASE_RULES: dict[str, str] = {
    "admin_api": ADMIN,
    "project_member_api": MEMBER,
    "project_reader_api": READER,
    "project_member_or_admin": "rule:project_member_api or rule:admin_api",
    "project_reader_or_admin": "rule:project_reader_api or rule:admin_api",
    "owner_or_admin": f"{OWNER} or rule:admin_api",
    "any_authenticated": "@",
}


def _rules(prefix: str, rule: str, names: list[str]) -> dict[str, str]:
    return {f"{prefix}{name}": rule for name in names}


# --- compute (Nova's names) ----------------------------------------------------
COMPUTE_RULES: dict[str, str] = {
    **_rules("os_compute_api:servers:", "rule:project_member_or_admin", [
        "create", "create:forced_host", "update", "delete", "create_image",
        "create:attach_network", "create:attach_volume", "create:trusted_certs",
    ]),
    **_rules("os_compute_api:servers:", "rule:project_reader_or_admin", ["index", "detail", "show"]),
    "os_compute_api:servers:create:forced_host": "rule:admin_api",
    "os_compute_api:servers:index:get_all_tenants": "rule:admin_api",
    "os_compute_api:servers:detail:get_all_tenants": "rule:admin_api",
    "os_compute_api:servers:allow_all_filters": "rule:admin_api",
    "os_compute_api:servers:show:host_status": "rule:admin_api",
    "os_compute_api:os-extended-server-attributes": "rule:admin_api",
    "os_compute_api:server-tags:index": "rule:project_reader_or_admin",
    "os_compute_api:server-tags:show": "rule:project_reader_or_admin",
    **_rules("os_compute_api:server-tags:", "rule:project_member_or_admin", [
        "update", "update_all", "delete", "delete_all",
    ]),
    "os_compute_api:os-server-groups:index": "rule:project_reader_or_admin",
    "os_compute_api:os-server-groups:index:all_projects": "rule:admin_api",
    "os_compute_api:os-server-groups:show": "rule:project_reader_or_admin",
    "os_compute_api:os-server-groups:create": "rule:project_member_or_admin",
    "os_compute_api:os-server-groups:delete": "rule:project_member_or_admin",
    "os_compute_api:os-security-groups:get": "rule:project_reader_or_admin",
    "os_compute_api:os-security-groups:show": "rule:project_reader_or_admin",
    "os_compute_api:server-metadata:index": "rule:project_reader_or_admin",
    "os_compute_api:server-metadata:show": "rule:project_reader_or_admin",
    **_rules("os_compute_api:server-metadata:", "rule:project_member_or_admin", [
        "create", "update", "update_all", "delete",
    ]),
    "os_compute_api:os-instance-actions:list": "rule:project_reader_or_admin",
    "os_compute_api:os-instance-actions:show": "rule:project_reader_or_admin",
    "os_compute_api:os-instance-actions:events": "rule:admin_api",
    "os_compute_api:os-flavor-manage:create": "rule:admin_api",
    "os_compute_api:os-flavor-manage:update": "rule:admin_api",
    "os_compute_api:os-flavor-manage:delete": "rule:admin_api",
    "os_compute_api:os-flavor-extra-specs:index": "rule:any_authenticated",
    "os_compute_api:os-flavor-extra-specs:show": "rule:any_authenticated",
    **_rules("os_compute_api:os-flavor-extra-specs:", "rule:admin_api", ["create", "update", "delete"]),
    "os_compute_api:os-flavor-access": "rule:admin_api",
    "os_compute_api:os-flavor-access:add_tenant_access": "rule:admin_api",
    "os_compute_api:os-flavor-access:remove_tenant_access": "rule:admin_api",
    "os_compute_api:os-keypairs:index": "rule:admin_api or user_id:%(user_id)s",
    "os_compute_api:os-keypairs:show": "rule:admin_api or user_id:%(user_id)s",
    "os_compute_api:os-keypairs:create": "rule:admin_api or (role:member and user_id:%(user_id)s)",
    "os_compute_api:os-keypairs:delete": "rule:admin_api or (role:member and user_id:%(user_id)s)",
    "os_compute_api:limits": "rule:any_authenticated",
    "os_compute_api:limits:other_project": "rule:admin_api",
    "os_compute_api:os-quota-sets:show": "rule:project_reader_or_admin",
    "os_compute_api:os-quota-sets:defaults": "rule:any_authenticated",
    "os_compute_api:os-quota-sets:detail": "rule:project_reader_or_admin",
    "os_compute_api:os-quota-sets:update": "rule:admin_api",
    "os_compute_api:os-quota-sets:delete": "rule:admin_api",
    "os_compute_api:os-quota-class-sets:show": "rule:admin_api",
    "os_compute_api:os-quota-class-sets:update": "rule:admin_api",
    "os_compute_api:os-availability-zone:list": "rule:any_authenticated",
    "os_compute_api:os-availability-zone:detail": "rule:admin_api",
    "os_compute_api:images": "rule:any_authenticated",
    "os_compute_api:os-services:list": "rule:admin_api",
    "os_compute_api:os-services:update": "rule:admin_api",
    "os_compute_api:os-services:delete": "rule:admin_api",
}

# --- identity (Keystone's names) -------------------------------------------------
IDENTITY_RULES: dict[str, str] = {
    **_rules("identity:", "rule:admin_api", [
        "create_domain", "update_domain", "delete_domain",
        "create_project", "update_project", "delete_project",
        "create_user", "update_user", "delete_user",
        "create_role", "update_role", "delete_role",
        "create_grant", "revoke_grant", "check_grant", "list_grants",
        "list_role_assignments", "list_users", "list_domains", "list_roles", "get_role",
        "create_service", "update_service", "delete_service",
        "create_endpoint", "update_endpoint", "delete_endpoint",
        "list_implied_roles", "list_role_inference_rules",
    ]),
    "identity:get_domain": "rule:admin_api or domain_id:%(domain_id)s or project_domain_id:%(domain_id)s",
    "identity:get_project": "rule:admin_api or project_id:%(project_id)s",
    "identity:list_projects": "rule:admin_api",
    "identity:list_user_projects": "rule:admin_api or user_id:%(user_id)s",
    "identity:get_user": "rule:admin_api or user_id:%(user_id)s",
    "identity:list_services": "rule:any_authenticated",
    "identity:get_service": "rule:any_authenticated",
    "identity:list_endpoints": "rule:any_authenticated",
    "identity:get_endpoint": "rule:any_authenticated",
    "identity:list_regions": "rule:any_authenticated",
    "identity:get_region": "rule:any_authenticated",
    # A service user (role "service", as keystonemiddleware's) may validate any token.
    "identity:validate_token": "rule:admin_api or role:service or user_id:%(target_user_id)s",
    "identity:revoke_token": "rule:admin_api or user_id:%(target_user_id)s",
    "identity:get_auth_catalog": "rule:any_authenticated",
    "identity:get_auth_projects": "rule:any_authenticated",
    "identity:get_auth_domains": "rule:any_authenticated",
}

# --- image (Glance's names) ---------------------------------------------------------
IMAGE_RULES: dict[str, str] = {
    **_rules("", "rule:any_authenticated", ["get_images", "get_image", "download_image"]),
    **_rules("", "rule:project_member_or_admin", [
        "add_image", "modify_image", "delete_image", "upload_image",
    ]),
    "deactivate": "rule:project_member_or_admin",
    "reactivate": "rule:project_member_or_admin",
    "publicize_image": "rule:admin_api",
    "communitize_image": "rule:project_member_or_admin",
    # Members: the target's project_id is the image owner; the views also check
    # that only the member itself may accept or reject (modify_member).
    "get_members": "rule:any_authenticated",
    "get_member": "rule:any_authenticated",
    "add_member": "rule:project_member_or_admin",
    "delete_member": "rule:project_member_or_admin",
    "modify_member": "role:member or rule:admin_api",
}

DEFAULT_RULES: dict[str, str] = {**BASE_RULES, **COMPUTE_RULES, **IDENTITY_RULES, **IMAGE_RULES}


# --- the check language ---------------------------------------------------------------
Check = Callable[[RequestContext, dict[str, Any], "Enforcer"], bool]
# An atom may contain "%(name)s" substitutions, so parentheses inside those do not nest.
_TOKEN = re.compile(r"\s*((?:%\([^)]*\)|[^\s()])+|\(|\))")


class PolicySyntaxError(ValueError):
    pass


def parse(text: str) -> Check:
    """Compile a rule string into a callable (context, target, enforcer) -> bool."""
    tokens = [t for t in _TOKEN.findall(text) if t]
    if not tokens:
        return lambda ctx, target, enf: True  # an empty rule allows, as in oslo.policy
    check, rest = _parse_or(tokens)
    if rest:
        raise PolicySyntaxError(f"unexpected {' '.join(rest)!r} in rule {text!r}")
    return check


def _parse_or(tokens: list[str]) -> tuple[Check, list[str]]:
    left, tokens = _parse_and(tokens)
    while tokens and tokens[0].lower() == "or":
        right, tokens = _parse_and(tokens[1:])
        left = (lambda a, b: lambda c, t, e: a(c, t, e) or b(c, t, e))(left, right)
    return left, tokens


def _parse_and(tokens: list[str]) -> tuple[Check, list[str]]:
    left, tokens = _parse_not(tokens)
    while tokens and tokens[0].lower() == "and":
        right, tokens = _parse_not(tokens[1:])
        left = (lambda a, b: lambda c, t, e: a(c, t, e) and b(c, t, e))(left, right)
    return left, tokens


def _parse_not(tokens: list[str]) -> tuple[Check, list[str]]:
    if tokens and tokens[0].lower() == "not":
        inner, rest = _parse_not(tokens[1:])
        return (lambda c, t, e: not inner(c, t, e)), rest
    return _parse_atom(tokens)


def _parse_atom(tokens: list[str]) -> tuple[Check, list[str]]:
    if not tokens:
        raise PolicySyntaxError("rule ends unexpectedly")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        inner, rest = _parse_or(rest)
        if not rest or rest[0] != ")":
            raise PolicySyntaxError("missing ')'")
        return inner, rest[1:]
    if head == "@":
        return (lambda c, t, e: True), rest
    if head == "!":
        return (lambda c, t, e: False), rest
    if ":" not in head:
        raise PolicySyntaxError(f"not a check: {head!r}")
    kind, _, value = head.partition(":")
    if kind == "rule":
        return (lambda c, t, e: e.check(value, c, t)), rest
    if kind == "role":
        return (lambda c, t, e: value.lower() in (r.lower() for r in c.roles)), rest
    return _generic_check(kind, value), rest


def _generic_check(attr: str, value: str) -> Check:
    def check(ctx: RequestContext, target: dict[str, Any], enforcer: Enforcer) -> bool:
        try:
            expected = value % target if "%(" in value else value
        except (KeyError, TypeError, ValueError):
            return False
        actual = getattr(ctx, attr, None)
        if actual is None:
            return False
        if isinstance(actual, bool):
            return str(actual).lower() == str(expected).lower()
        return str(actual) == str(expected)

    return check


class Enforcer:
    """Holds the compiled rules (defaults overlaid with the operator's file)."""

    def __init__(self, overrides: dict[str, str] | None = None):
        rules = dict(DEFAULT_RULES)
        rules.update(overrides or {})
        self.rules: dict[str, Check] = {name: parse(text) for name, text in rules.items()}

    def check(self, rule: str, context: RequestContext, target: dict[str, Any] | None = None) -> bool:
        compiled = self.rules.get(rule)
        if compiled is None:
            return False  # an unknown rule denies: safer than allowing by accident
        return compiled(context, target or {}, self)

    def authorize(self, rule: str, context: RequestContext, target: dict[str, Any] | None = None) -> None:
        if not self.check(rule, context, target):
            raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def load_overrides(path: str) -> dict[str, str]:
    text = Path(path).read_text()
    if path.endswith(".json"):
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text) or {}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise PolicySyntaxError(f"{path}: expected a mapping of rule name to rule string")
    return data


@lru_cache(maxsize=1)
def get_enforcer() -> Enforcer:
    return Enforcer(load_overrides(settings.POLICY_FILE) if settings.POLICY_FILE else None)


def default_target(context: RequestContext) -> dict[str, Any]:
    """The target for calls that act on the caller's own project and user."""
    return {"project_id": context.project_id, "user_id": context.user_id}


def authorize(context: RequestContext, rule: str, target: dict[str, Any] | None = None) -> None:
    """Raise Forbidden unless ``rule`` allows ``context`` on ``target``."""
    get_enforcer().authorize(rule, context, default_target(context) if target is None else target)


def check(context: RequestContext, rule: str, target: dict[str, Any] | None = None) -> bool:
    return get_enforcer().check(rule, context, default_target(context) if target is None else target)
