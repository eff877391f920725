"""``/v3/auth/tokens``: issue (password or token method), validate, check, revoke."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse

from cloud import policy
from cloud.api.errors import BadRequest, NotFound, Unauthorized
from cloud.api.views import APIView, body_object, parse_bool
from identity_app import tokens
from identity_app.api.render import token_body
from identity_app.models import Domain, Project, User

UNAUTHORIZED = "The request you have made requires authentication."


def _object(parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise BadRequest(f"Invalid input for field '{where}{key}': must be an object.")
    return value


def _string(parent: dict[str, Any], key: str, where: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"Invalid input for field '{where}{key}': must be a non-empty string.")
    if len(value) > 4096:
        raise BadRequest(f"Invalid input for field '{where}{key}': too long.")
    return value


def find_domain(ref: dict[str, Any], where: str) -> Domain:
    """A domain by ``id`` or ``name``; a wrong one is 401 (never reveal which part failed)."""
    if "id" in ref:
        domain = Domain.objects.filter(id=_string(ref, "id", where)).first()
    elif "name" in ref:
        domain = Domain.objects.filter(name=_string(ref, "name", where)).first()
    else:
        raise BadRequest(f"Invalid input for field '{where}': 'id' or 'name' is required.")
    if domain is None or not domain.enabled:
        raise Unauthorized(UNAUTHORIZED)
    return domain


def password_user(identity: dict[str, Any]) -> User:
    password_block = _object(identity, "password", "identity.")
    user_ref = _object(password_block, "user", "identity.password.")
    password = user_ref.get("password")
    if not isinstance(password, str):
        raise BadRequest("Invalid input for field 'identity.password.user.password': must be a string.")
    if "id" in user_ref:
        user = User.objects.filter(id=_string(user_ref, "id", "identity.password.user.")).first()
    else:
        name = _string(user_ref, "name", "identity.password.user.")
        domain = find_domain(_object(user_ref, "domain", "identity.password.user."),
                             "identity.password.user.domain")
        user = User.objects.filter(domain=domain, name=name).first()
    # One message for unknown user, wrong password and disabled user.
    if user is None or not user.enabled or not user.check_password(password):
        raise Unauthorized(UNAUTHORIZED)
    return user


def token_user(identity: dict[str, Any]):
    ref = _object(identity, "token", "identity.")
    record = tokens.lookup(_string(ref, "id", "identity.token."))
    return record.user, record


def resolve_scope(scope: Any, user: User) -> tuple[Project | None, Domain | None]:
    if scope is None:
        # Keystone scopes to the user's default project when none is asked for.
        project = user.default_project
        if project is not None and project.enabled and tokens.effective_roles(user, project=project):
            return project, None
        return None, None
    if scope == "unscoped":
        return None, None
    if not isinstance(scope, dict):
        raise BadRequest("Invalid input for field 'scope': must be an object.")
    if "project" in scope:
        ref = _object(scope, "project", "scope.")
        if "id" in ref:
            project = Project.objects.filter(id=_string(ref, "id", "scope.project.")).first()
        else:
            name = _string(ref, "name", "scope.project.")
            domain = find_domain(_object(ref, "domain", "scope.project."), "scope.project.domain")
            project = Project.objects.filter(domain=domain, name=name).first()
        if project is None or not project.enabled:
            raise Unauthorized(UNAUTHORIZED)
        return project, None
    if "domain" in scope:
        return None, find_domain(_object(scope, "domain", "scope."), "scope.domain")
    if "system" in scope:
        raise Unauthorized("System-scoped tokens are not supported by this cloud.")
    raise BadRequest("Invalid input for field 'scope': expected 'project' or 'domain'.")


def token_response(token: str, record, request, status: int) -> JsonResponse:
    nocatalog = request.query_params.get("nocatalog")
    include_catalog = not (nocatalog is not None and (nocatalog == "" or parse_bool(nocatalog, "nocatalog")))
    response = JsonResponse(token_body(record, include_catalog=include_catalog), status=status)
    response["X-Subject-Token"] = token
    return response


class TokensView(APIView):
    """POST issues; GET/HEAD/DELETE act on the token named in ``X-Subject-Token``."""

    def get_authenticators(self):
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self.request.method == "POST":
            return []
        return super().get_permissions()

    def post(self, request):
        auth = body_object(request, "auth")
        identity = _object(auth, "identity", "auth.")
        methods = identity.get("methods")
        if not isinstance(methods, list) or not methods or not all(isinstance(m, str) for m in methods):
            raise BadRequest("Invalid input for field 'auth.identity.methods': must be a list of strings.")
        chain = None
        expires_at = None
        if "password" in methods:
            user = password_user(identity)
        elif "token" in methods:
            user, source = token_user(identity)
            chain, expires_at = source.audit_chain_id, source.expires_at
        else:
            raise Unauthorized(f"Unsupported authentication method: {methods[0][:64]}")
        if not user.enabled:
            raise Unauthorized(UNAUTHORIZED)
        project, domain = resolve_scope(auth.get("scope"), user)
        token, record = tokens.issue(user, methods=list(dict.fromkeys(methods)), project=project,
                                     domain=domain, audit_chain_id=chain, expires_at=expires_at)
        return token_response(token, record, request, 201)

    def _subject(self, request):
        subject = request.META.get("HTTP_X_SUBJECT_TOKEN")
        if not subject:
            raise BadRequest("X-Subject-Token header is required.")
        try:
            record = tokens.lookup(subject)
        except Unauthorized:
            raise NotFound("Could not find token.") from None
        # Anyone may act on their own token; admins on any.
        policy.authorize(self.ctx, "identity:validate_token", {"target_user_id": record.user_id})
        return subject, record

    def get(self, request):
        subject, record = self._subject(request)
        return token_response(subject, record, request, 200)

    def head(self, request):
        self._subject(request)
        return HttpResponse(status=200)

    def delete(self, request):
        _, record = self._subject(request)
        tokens.revoke(record)
        return HttpResponse(status=204)


