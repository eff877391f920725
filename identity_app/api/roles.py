"""Roles, grants and role assignments.

* ``/v3/roles`` and ``/v3/roles/{id}``
* grants: ``/v3/{projects|domains}/{id}/users/{user_id}/roles[/{role_id}]``
* ``/v3/role_assignments`` with Keystone's filters, ``effective`` and ``include_names``

Removing a grant (or deleting a role) revokes the tokens that carry it, because
a token's roles are fixed when it is issued.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from cloud.api.errors import BadRequest, NotFound
from identity_app import tokens
from identity_app.api.common import (
    IdentityView,
    body_of,
    flag,
    get_or_404,
    max_length,
    member,
    name_value,
    no_content,
    options_value,
    save_unique,
    text_value,
)
from identity_app.api.render import domain_ref, role_json
from identity_app.models import Domain, Project, Role, RoleAssignment, User


# --- roles ------------------------------------------------------------------------------------
def _role_fields(role: Role, data: dict[str, Any], *, creating: bool) -> None:
    if data.get("domain_id") is not None:
        raise BadRequest("Invalid input for field 'role.domain_id': domain-specific roles are not supported.")
    if creating or "name" in data:
        role.name = name_value(data.get("name"), "role.name", max_length(Role, "name"))
    if "description" in data:
        role.description = text_value(data["description"], "role.description")
    if "options" in data:
        role.extra = {**role.extra, "options": options_value(data["options"], "role.options")}


class RolesView(IdentityView):
    def get(self, request) -> Response:
        self.authorize("identity:list_roles")
        roles = Role.objects.order_by("name")
        if "name" in request.query_params:
            roles = roles.filter(name=request.query_params["name"])
        if request.query_params.get("domain_id"):
            roles = roles.none()  # every role here is global
        return self.collection("roles", [role_json(r, self.link) for r in roles])

    def post(self, request) -> Response:
        self.authorize("identity:create_role")
        data = body_of(request, "role")
        role = Role()
        _role_fields(role, data, creating=True)
        save_unique(role, "role")
        return member("role", role_json(role, self.link), 201)


class RoleView(IdentityView):
    def get(self, request, role_id: str) -> Response:
        self.authorize("identity:get_role")
        return member("role", role_json(get_or_404(Role, role_id, "role"), self.link))

    def patch(self, request, role_id: str) -> Response:
        self.authorize("identity:update_role")
        role = get_or_404(Role, role_id, "role")
        data = body_of(request, "role")
        if "id" in data and data["id"] != role.id:
            raise BadRequest("Invalid input for field 'role.id': cannot change the id.")
        _role_fields(role, data, creating=False)
        save_unique(role, "role")
        return member("role", role_json(role, self.link))

    def delete(self, request, role_id: str) -> Response:
        self.authorize("identity:delete_role")
        role = get_or_404(Role, role_id, "role")
        with transaction.atomic():
            tokens.revoke_for_role(role.id)
            role.delete()  # its assignments and inference rules go with it
        return no_content()


# --- grants -------------------------------------------------------------------------------------
class _GrantBase(IdentityView):
    """Looks up target, user and role (404 for any missing one) and checks policy."""

    target_kind = "project"

    def _target(self, target_id: str) -> Project | Domain:
        if self.target_kind == "project":
            project = get_or_404(Project, target_id, "project")
            self.visible("identity:get_project", {"project_id": project.id, "domain_id": project.domain_id},
                         "project", target_id)
            return project
        domain = get_or_404(Domain, target_id, "domain")
        self.visible("identity:get_domain", {"domain_id": domain.id}, "domain", target_id)
        return domain

    def _scope(self, target: Project | Domain) -> dict[str, Any]:
        return {self.target_kind: target}

    def _policy_target(self, target: Project | Domain, user: User) -> dict[str, Any]:
        domain_id = target.domain_id if isinstance(target, Project) else target.id
        return {"project_id": target.id if isinstance(target, Project) else None, "domain_id": domain_id,
                "user_id": user.id}


class GrantsView(_GrantBase):
    """``GET .../users/{user_id}/roles``: roles granted directly on the target."""

    def get(self, request, target_id: str, user_id: str) -> Response:
        target = self._target(target_id)
        user = get_or_404(User, user_id, "user")
        self.authorize("identity:list_grants", self._policy_target(target, user))
        role_ids = RoleAssignment.objects.filter(user=user, **self._scope(target)).values("role_id")
        roles = Role.objects.filter(id__in=role_ids).order_by("name")
        return self.collection("roles", [role_json(r, self.link) for r in roles])


class GrantView(_GrantBase):
    """PUT grants, HEAD/GET check, DELETE revokes one role of a user on the target."""

    def _parts(self, target_id: str, user_id: str, role_id: str, rule: str):
        target = self._target(target_id)
        user = get_or_404(User, user_id, "user")
        role = get_or_404(Role, role_id, "role")
        self.authorize(rule, self._policy_target(target, user))
        return target, user, role

    def put(self, request, target_id: str, user_id: str, role_id: str) -> Response:
        target, user, role = self._parts(target_id, user_id, role_id, "identity:create_grant")
        try:
            with transaction.atomic():
                RoleAssignment.objects.get_or_create(user=user, role=role, **self._scope(target))
        except IntegrityError:
            pass  # granted concurrently: the outcome is the same
        return no_content()

    def get(self, request, target_id: str, user_id: str, role_id: str) -> Response:
        target, user, role = self._parts(target_id, user_id, role_id, "identity:check_grant")
        if not RoleAssignment.objects.filter(user=user, role=role, **self._scope(target)).exists():
            raise NotFound(f"Could not find role assignment with role: {role.id}, user or group: {user.id}, "
                           f"{self.target_kind}: {target.id}.")
        return no_content()

    def head(self, request, target_id: str, user_id: str, role_id: str) -> Response:
        return self.get(request, target_id, user_id, role_id)

    def delete(self, request, target_id: str, user_id: str, role_id: str) -> Response:
        target, user, role = self._parts(target_id, user_id, role_id, "identity:revoke_grant")
        with transaction.atomic():
            deleted, _ = RoleAssignment.objects.filter(user=user, role=role, **self._scope(target)).delete()
            if not deleted:
                raise NotFound(f"Could not find role assignment with role: {role.id}, user or group: "
                               f"{user.id}, {self.target_kind}: {target.id}.")
            tokens.revoke_for(user_id=user.id, **{f"{self.target_kind}_id": target.id})
        return no_content()


class DomainGrantsView(GrantsView):
    target_kind = "domain"


class DomainGrantView(GrantView):
    target_kind = "domain"


# --- role assignments ---------------------------------------------------------------------------
def _descendants(project_id: str) -> set[str]:
    found = {project_id}
    frontier = {project_id}
    while frontier:
        frontier = set(Project.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


class RoleAssignmentsView(IdentityView):
    """``GET /v3/role_assignments`` (users only: this cloud has no groups or inherited roles)."""

    def get(self, request) -> Response:
        params = request.query_params
        self.authorize("identity:list_role_assignments")
        if params.get("group.id") or "scope.system" in params or "scope.OS-INHERIT:inherited_to" in params:
            return self.collection("role_assignments", [])
        effective = flag(request, "effective")
        include_names = flag(request, "include_names")
        query = RoleAssignment.objects.select_related("role", "user__domain", "project__domain", "domain")
        if "user.id" in params:
            query = query.filter(user_id=params["user.id"])
        if "scope.project.id" in params:
            project_id = params["scope.project.id"]
            ids = _descendants(project_id) if flag(request, "include_subtree") else {project_id}
            query = query.filter(project_id__in=ids)
        if "scope.domain.id" in params:
            query = query.filter(domain_id=params["scope.domain.id"])
        role_filter = params.get("role.id")
        if role_filter is not None and not effective:
            query = query.filter(role_id=role_filter)
        names = dict(Role.objects.values_list("id", "name")) if include_names else {}
        rules = tokens.implication_rules() if effective else {}
        refs = []
        for assignment in query.order_by("user_id", "project_id", "domain_id", "role__name"):
            # In effective mode every implied role is listed too, with a link to the rule.
            roles = [(assignment.role_id, None)] + tokens.implied_by(assignment.role_id, rules)
            for role_id, prior in roles:
                if role_filter is not None and role_id != role_filter:
                    continue
                refs.append(self._entry(assignment, role_id, prior, names))
        return self.collection("role_assignments", refs)

    def _entry(self, assignment: RoleAssignment, role_id: str, prior: str | None,
               names: dict[str, str]) -> dict[str, Any]:
        user = assignment.user
        target: Any = assignment.project or assignment.domain
        kind = "projects" if assignment.project_id else "domains"
        links = {"assignment": self.link(kind, target.id, "users", user.id, "roles", assignment.role_id)}
        if prior is not None:
            links["prior_role"] = self.link("roles", prior, "implies", role_id)
        role: dict[str, Any] = {"id": role_id}
        user_ref: dict[str, Any] = {"id": user.id}
        scope_ref: dict[str, Any] = {"id": target.id}
        if names:
            role["name"] = names.get(role_id, role_id)
            user_ref.update(name=user.name, domain=domain_ref(user.domain))
            scope_ref["name"] = target.name
            if assignment.project_id:
                scope_ref["domain"] = domain_ref(target.domain)
        scope = {"project": scope_ref} if assignment.project_id else {"domain": scope_ref}
        return {"role": role, "user": user_ref, "scope": scope, "links": links}

