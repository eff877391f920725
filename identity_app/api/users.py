"""Users: ``/v3/users`` (admin), own user and projects, self-service password change.

Passwords are hashed with Django's hashers on the way in and never leave in a
response. Disabling a user or changing their password revokes their tokens,
as Keystone does.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from rest_framework.response import Response

from cloud.api.errors import BadRequest, Unauthorized
from identity_app import tokens
from identity_app.api.common import (
    IdentityView,
    body_of,
    bool_value,
    extra_values,
    filter_listing,
    get_or_404,
    id_value,
    max_length,
    member,
    name_value,
    no_content,
    options_value,
    password_value,
    save_unique,
    text_value,
)
from identity_app.api.render import project_json, user_json
from identity_app.models import Project, RoleAssignment, User

USER_FIELDS = {"name", "domain_id", "password", "enabled", "default_project_id", "description", "email",
               "options", "federated"}


def _default_project(value: Any) -> Project | None:
    if value is None:
        return None
    project_id = id_value(value, "user.default_project_id")
    project = Project.objects.filter(id=project_id).first()
    if project is None:
        raise BadRequest(f"Invalid input for field 'user.default_project_id': no project {project_id}.")
    return project


def _user_fields(user: User, data: dict[str, Any], *, creating: bool) -> bool:
    """Apply the request's attributes; True when the password changed."""
    if creating or "name" in data:
        user.name = name_value(data.get("name"), "user.name", max_length(User, "name"))
    if "description" in data:
        user.description = text_value(data["description"], "user.description")
    if "email" in data:
        user.email = text_value(data["email"], "user.email", max_length(User, "email"))
    if "enabled" in data:
        user.enabled = bool_value(data["enabled"], "user.enabled")
    if "default_project_id" in data:
        user.default_project = _default_project(data["default_project_id"])
    extra = {**user.extra, **extra_values(data, USER_FIELDS)}
    if "options" in data:
        extra["options"] = options_value(data["options"], "user.options")
    user.extra = extra
    if "password" in data:
        user.set_password(password_value(data["password"], "user.password"))
        return True
    return False


class UsersView(IdentityView):
    def get(self, request) -> Response:
        self.authorize("identity:list_users")
        users = filter_listing(request, User.objects.order_by("name"))
        return self.collection("users", [user_json(u, self.link) for u in users])

    def post(self, request) -> Response:
        data = body_of(request, "user")
        domain = self.new_resource_domain(data, "user", "identity:create_user")
        user = User(domain=domain)
        _user_fields(user, data, creating=True)
        save_unique(user, "user", f" at domain ID {user.domain_id}")
        return member("user", user_json(user, self.link), 201)


class UserView(IdentityView):
    def _user(self, user_id: str) -> User:
        user = get_or_404(User, user_id, "user")
        self.visible("identity:get_user", {"user_id": user.id, "domain_id": user.domain_id}, "user", user_id)
        return user

    def get(self, request, user_id: str) -> Response:
        return member("user", user_json(self._user(user_id), self.link))

    def patch(self, request, user_id: str) -> Response:
        user = self._user(user_id)
        self.authorize("identity:update_user", {"user_id": user.id, "domain_id": user.domain_id})
        data = body_of(request, "user")
        if "domain_id" in data and data["domain_id"] != user.domain_id:
            raise BadRequest("Invalid input for field 'user.domain_id': cannot change the domain of a user.")
        if "id" in data and data["id"] != user.id:
            raise BadRequest("Invalid input for field 'user.id': cannot change the id.")
        was_enabled = user.enabled
        password_changed = _user_fields(user, data, creating=False)
        with transaction.atomic():
            save_unique(user, "user", f" at domain ID {user.domain_id}")
            if password_changed or (was_enabled and not user.enabled):
                tokens.revoke_for(user_id=user.id)
        return member("user", user_json(user, self.link))

    def delete(self, request, user_id: str) -> Response:
        user = self._user(user_id)
        self.authorize("identity:delete_user", {"user_id": user.id, "domain_id": user.domain_id})
        user.delete()  # tokens and role assignments go with it (cascade)
        return no_content()


class UserProjectsView(IdentityView):
    """``GET /v3/users/{id}/projects``: projects the user has a role on (own user or admin)."""

    def get(self, request, user_id: str) -> Response:
        user = get_or_404(User, user_id, "user")
        self.visible("identity:list_user_projects", {"user_id": user.id, "domain_id": user.domain_id},
                     "user", user_id)
        ids = RoleAssignment.objects.filter(user=user, project__isnull=False).values("project_id")
        projects = filter_listing(request, Project.objects.filter(id__in=ids).order_by("name"))
        return self.collection("projects", [project_json(p, self.link) for p in projects])


class UserPasswordView(IdentityView):
    """``POST /v3/users/{id}/password``: a user changes their own password.

    As in Keystone this needs no token (a user whose password expired cannot
    get one): the original password is the credential. Every failure is the
    same 401, so the call cannot be used to find out which user ids exist.
    """

    authentication_classes: list = []
    permission_classes: list = []

    def post(self, request, user_id: str) -> Response:
        data = body_of(request, "user")
        original = password_value(data.get("original_password"), "user.original_password")
        new = password_value(data.get("password"), "user.password")
        if not original:
            raise BadRequest("Invalid input for field 'user.original_password': required.")
        if not new:
            raise BadRequest("Invalid input for field 'user.password': required.")
        user = User.objects.select_related("domain").filter(id=user_id).first() if len(user_id) <= 64 else None
        if user is None:
            make_password(original)  # same time as a real check
            raise Unauthorized("The request you have made requires authentication.")
        if not user.check_password(original) or not user.enabled or not user.domain.enabled:
            raise Unauthorized("The request you have made requires authentication.")
        with transaction.atomic():
            user.set_password(new)
            user.save(update_fields=["password"])
            tokens.revoke_for(user_id=user.id)
        return Response(status=204)
