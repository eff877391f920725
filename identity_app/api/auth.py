"""``/v3/auth/*``: tokens (issue, validate, check, revoke) and the caller's catalog and scopes.

Failures to authenticate all answer the same 401 message, whichever part was
wrong (unknown user, wrong password, disabled user or domain), so the API does
not tell a guesser which names exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from rest_framework.response import Response

from cloud.api.errors import BadRequest, Forbidden, NotFound, Unauthorized
from identity_app import tokens
from identity_app.api.common import PASSWORD_MAX, IdentityView, body_of
from identity_app.api.render import catalog, domain_json, project_json, token_body
from identity_app.models import Domain, Project, RoleAssignment, Token, User

UNAUTHORIZED = "The request you have made requires authentication."
SUPPORTED_METHODS = ("password", "token")


def _object(parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise BadRequest(f"Invalid input for field '{where}{key}': must be an object.")
    return value


def _string(parent: dict[str, Any], key: str, where: str, limit: int = 255) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"Invalid input for field '{where}{key}': must be a non-empty string.")
    if len(value) > limit:
        raise BadRequest(f"Invalid input for field '{where}{key}': must be at most {limit} characters.")
    return value


def find_domain(ref: dict[str, Any], where: str) -> Domain:
    """A domain by ``id`` or ``name``; a wrong or disabled one is a 401."""
    if "id" in ref:
        domain = Domain.objects.filter(id=_string(ref, "id", f"{where}.", 64)).first()
    elif "name" in ref:
        domain = Domain.objects.filter(name=_string(ref, "name", f"{where}.")).first()
    else:
        raise BadRequest(f"Invalid input for field '{where}': 'id' or 'name' is required.")
    if domain is None or not domain.enabled:
        raise Unauthorized(UNAUTHORIZED)
    return domain


def password_user(identity: dict[str, Any]) -> User:
    password_block = _object(identity, "password", "auth.identity.")
    user_ref = _object(password_block, "user", "auth.identity.password.")
    password = user_ref.get("password")
    if not isinstance(password, str):
        raise BadRequest("Invalid input for field 'auth.identity.password.user.password': must be a string.")
    if len(password) > PASSWORD_MAX:
        raise BadRequest("Invalid input for field 'auth.identity.password.user.password': too long.")
    if "id" in user_ref:
        user_id = _string(user_ref, "id", "auth.identity.password.user.", 64)
        user = User.objects.select_related("domain").filter(id=user_id).first()
    else:
        name = _string(user_ref, "name", "auth.identity.password.user.")
        domain = find_domain(_object(user_ref, "domain", "auth.identity.password.user."),
                             "auth.identity.password.user.domain")
        user = User.objects.select_related("domain").filter(domain=domain, name=name).first()
    if user is None:
        make_password(password)  # spend the hashing time anyway: timing must not reveal names
        raise Unauthorized(UNAUTHORIZED)
    if not user.check_password(password) or not user.enabled or not user.domain.enabled:
        raise Unauthorized(UNAUTHORIZED)
    return user


def token_source(identity: dict[str, Any]) -> Token:
    ref = _object(identity, "token", "auth.identity.")
    return tokens.lookup(_string(ref, "id", "auth.identity.token.", 8192))


def _project_scope(ref: dict[str, Any]) -> Project:
    if "id" in ref:
        project = Project.objects.select_related("domain").filter(
            id=_string(ref, "id", "auth.scope.project.", 64)).first()
    else:
        name = _string(ref, "name", "auth.scope.project.")
        domain = find_domain(_object(ref, "domain", "auth.scope.project."), "auth.scope.project.domain")
        project = Project.objects.select_related("domain").filter(domain=domain, name=name).first()
    if project is None or not project.enabled or not project.domain.enabled:
        raise Unauthorized(UNAUTHORIZED)
    return project


def resolve_scope(scope: Any, user: User) -> tuple[Project | None, Domain | None]:
    if scope is None:
        # Keystone scopes to the user's default project when none is asked for,
        # if that project is usable and the user has a role on it.
        project = user.default_project
        if (project is not None and project.enabled and project.domain.enabled
                and tokens.effective_roles(user, project=project)):
            return project, None
        return None, None
    if scope == "unscoped":
        return None, None
    if not isinstance(scope, dict):
        raise BadRequest("Invalid input for field 'auth.scope': must be an object.")
    if "project" in scope:
        return _project_scope(_object(scope, "project", "auth.scope.")), None
    if "domain" in scope:
        return None, find_domain(_object(scope, "domain", "auth.scope."), "auth.scope.domain")
    if "system" in scope or "OS-TRUST:trust" in scope:
        raise Unauthorized("System-scoped and trust-scoped tokens are not supported by this cloud.")
    raise BadRequest("Invalid input for field 'auth.scope': expected 'project' or 'domain'.")


def token_response(token: str, record: Token, request, status: int) -> Response:
    # As Keystone: the presence of ?nocatalog is what counts, not its value.
    include_catalog = "nocatalog" not in request.query_params
    response = Response(token_body(record, include_catalog=include_catalog), status=status)
    response["X-Subject-Token"] = token
    return response


class TokensView(IdentityView):
    """POST issues; GET/HEAD/DELETE act on the token named in ``X-Subject-Token``."""

    def get_authenticators(self):
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self.request.method == "POST":
            return []
        return super().get_permissions()

    def post(self, request) -> Response:
        auth = body_of(request, "auth")
        identity = _object(auth, "identity", "auth.")
        methods = identity.get("methods")
        if not isinstance(methods, list) or not methods or not all(isinstance(m, str) for m in methods):
            raise BadRequest("Invalid input for field 'auth.identity.methods': must be a list of strings.")
        if any(method not in SUPPORTED_METHODS for method in methods):
            raise Unauthorized("Attempted to authenticate with an unsupported method.")
        users: list[User] = []
        chain = expires_at = None
        all_methods = list(methods)
        if "password" in methods:
            users.append(password_user(identity))
        if "token" in methods:
            source = token_source(identity)
            users.append(source.user)
            # A rescoped token keeps the audit chain and the end of life of its source.
            chain, expires_at = source.audit_chain_id, source.expires_at
            all_methods += list(source.methods)
        if len({u.id for u in users}) != 1:
            raise Unauthorized(UNAUTHORIZED)  # every method must identify the same user
        user = users[0]
        project, domain = resolve_scope(auth.get("scope"), user)
        token, record = tokens.issue(user, methods=list(dict.fromkeys(all_methods)), project=project,
                                     domain=domain, audit_chain_id=chain, expires_at=expires_at)
        record = Token.objects.select_related("user__domain", "project__domain", "domain").get(pk=record.pk)
        return token_response(token, record, request, 201)

    def _subject(self, request) -> tuple[str, Token]:
        subject = request.META.get("HTTP_X_SUBJECT_TOKEN")
        if not subject:
            raise BadRequest("X-Subject-Token header is required.")
        try:
            record = tokens.lookup(subject)
        except Unauthorized:
            raise NotFound("Could not find token.") from None
        # Anyone may act on their own token; admins (and services) on any.
        self.authorize("identity:validate_token", {"target_user_id": record.user_id})
        return subject, record

    def get(self, request) -> Response:
        subject, record = self._subject(request)
        return token_response(subject, record, request, 200)

    def head(self, request) -> Response:
        subject, _ = self._subject(request)
        response = Response(status=200)
        response["X-Subject-Token"] = subject
        return response

    def delete(self, request) -> Response:
        subject, record = self._subject(request)
        self.authorize("identity:revoke_token", {"target_user_id": record.user_id})
        tokens.revoke(record)
        return Response(status=204)


class AuthCatalogView(IdentityView):
    """``GET /v3/auth/catalog``: the catalog of the caller's (scoped) token."""

    def get(self, request) -> Response:
        self.authorize("identity:get_auth_catalog")
        if not (self.ctx.project_id or self.ctx.domain_id):
            raise Forbidden("A project-scoped token is required to produce a service catalog.")
        return Response({"catalog": catalog(), "links": {
            "self": request.build_absolute_uri(), "previous": None, "next": None}})


class AuthProjectsView(IdentityView):
    """``GET /v3/auth/projects``: the enabled projects the caller has a role on."""

    def get(self, request) -> Response:
        self.authorize("identity:get_auth_projects")
        ids = RoleAssignment.objects.filter(user_id=self.ctx.user_id, project__isnull=False).values("project_id")
        projects = Project.objects.filter(id__in=ids, enabled=True, domain__enabled=True).order_by("name")
        return self.collection("projects", [project_json(p, self.link) for p in projects])


class AuthDomainsView(IdentityView):
    """``GET /v3/auth/domains``: the enabled domains the caller has a role on."""

    def get(self, request) -> Response:
        self.authorize("identity:get_auth_domains")
        ids = RoleAssignment.objects.filter(user_id=self.ctx.user_id, domain__isnull=False).values("domain_id")
        domains = Domain.objects.filter(id__in=ids, enabled=True).order_by("name")
        return self.collection("domains", [domain_json(d, self.link) for d in domains])
