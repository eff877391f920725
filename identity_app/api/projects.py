"""Domains and projects: ``/v3/domains`` and ``/v3/projects``.

A caller who may not see a project (a member of another project) gets a 404 for
it, never a 403, so project ids of other tenants cannot be probed; a caller who
may see but not change it gets a 403.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from rest_framework.response import Response

from cloud.api.errors import BadRequest, Forbidden
from identity_app import tokens
from identity_app.api.common import (
    IdentityView,
    body_of,
    bool_value,
    extra_values,
    filter_listing,
    get_or_404,
    id_value,
    is_true,
    max_length,
    member,
    name_value,
    no_content,
    options_value,
    save_unique,
    tags_value,
    text_value,
)
from identity_app.api.render import domain_json, project_json
from identity_app.bootstrap import DEFAULT_DOMAIN_ID
from identity_app.models import Domain, Project, RoleAssignment, Token, User

PROJECT_FIELDS = {"name", "domain_id", "description", "enabled", "parent_id", "is_domain", "tags", "options"}


# --- domains ----------------------------------------------------------------------------------
def _domain_fields(domain: Domain, data: dict[str, Any], *, creating: bool) -> None:
    if creating or "name" in data:
        domain.name = name_value(data.get("name"), "domain.name", max_length(Domain, "name"))
    if "description" in data:
        domain.description = text_value(data["description"], "domain.description")
    if "enabled" in data:
        domain.enabled = bool_value(data["enabled"], "domain.enabled")
    if "tags" in data:
        domain.extra = {**domain.extra, "tags": tags_value(data["tags"], "domain.tags")}
    if "options" in data:
        domain.extra = {**domain.extra, "options": options_value(data["options"], "domain.options")}


class DomainsView(IdentityView):
    def get(self, request) -> Response:
        self.authorize("identity:list_domains")
        domains = filter_listing(request, Domain.objects.order_by("name"), exact=("name",))
        return self.collection("domains", [domain_json(d, self.link) for d in domains])

    def post(self, request) -> Response:
        self.authorize("identity:create_domain")
        data = body_of(request, "domain")
        domain = Domain()
        _domain_fields(domain, data, creating=True)
        save_unique(domain, "domain")
        return member("domain", domain_json(domain, self.link), 201)


class DomainView(IdentityView):
    def _domain(self, domain_id: str) -> Domain:
        domain = get_or_404(Domain, domain_id, "domain")
        self.visible("identity:get_domain", {"domain_id": domain.id}, "domain", domain_id)
        return domain

    def get(self, request, domain_id: str) -> Response:
        return member("domain", domain_json(self._domain(domain_id), self.link))

    def patch(self, request, domain_id: str) -> Response:
        domain = self._domain(domain_id)
        self.authorize("identity:update_domain", {"domain_id": domain.id})
        data = body_of(request, "domain")
        if "id" in data and data["id"] != domain.id:
            raise BadRequest("Invalid input for field 'domain.id': cannot change the id.")
        was_enabled = domain.enabled
        _domain_fields(domain, data, creating=False)
        with transaction.atomic():
            save_unique(domain, "domain")
            if was_enabled and not domain.enabled:
                tokens.revoke_for_domain(domain.id)
        return member("domain", domain_json(domain, self.link))

    def delete(self, request, domain_id: str) -> Response:
        domain = self._domain(domain_id)
        self.authorize("identity:delete_domain", {"domain_id": domain.id})
        if domain.id == DEFAULT_DOMAIN_ID:
            raise Forbidden("The default domain cannot be deleted.")
        if domain.enabled:
            raise Forbidden("Cannot delete a domain that is enabled, please disable it first.")
        with transaction.atomic():
            # Keystone deletes a domain's contents with it; tokens go by cascade.
            Token.objects.filter(Q(user__domain=domain) | Q(project__domain=domain) | Q(domain=domain)).delete()
            RoleAssignment.objects.filter(Q(user__domain=domain) | Q(project__domain=domain)).delete()
            User.objects.filter(domain=domain).delete()
            _delete_projects(Project.objects.filter(domain=domain))
            domain.delete()
        return no_content()


def _delete_projects(projects) -> None:
    """Delete projects leaves first (``parent`` protects a project with children)."""
    remaining = list(projects.values_list("id", "parent_id"))
    while remaining:
        parents = {parent for _, parent in remaining if parent}
        leaves = [pid for pid, _ in remaining if pid not in parents]
        Project.objects.filter(id__in=leaves).delete()
        remaining = [(pid, parent) for pid, parent in remaining if pid not in leaves]


# --- projects ---------------------------------------------------------------------------------
def _project_fields(project: Project, data: dict[str, Any], *, creating: bool) -> None:
    if creating or "name" in data:
        project.name = name_value(data.get("name"), "project.name", max_length(Project, "name"))
    if "description" in data:
        project.description = text_value(data["description"], "project.description")
    if "enabled" in data:
        project.enabled = bool_value(data["enabled"], "project.enabled")
    if "tags" in data:
        project.tags = tags_value(data["tags"], "project.tags")
    extra = {**project.extra, **extra_values(data, PROJECT_FIELDS)}
    if "options" in data:
        extra["options"] = options_value(data["options"], "project.options")
    project.extra = extra


class ProjectsView(IdentityView):
    def get(self, request) -> Response:
        self.authorize("identity:list_projects")
        params = request.query_params
        if is_true(params.get("is_domain")):
            return self.collection("projects", [])  # domains are not listed as projects here
        projects = filter_listing(request, Project.objects.order_by("name"))
        if "parent_id" in params:
            parent = params["parent_id"]
            projects = projects.filter(Q(parent_id=parent) | Q(parent__isnull=True, domain_id=parent))
        return self.collection("projects", [project_json(p, self.link) for p in projects])

    def post(self, request) -> Response:
        data = body_of(request, "project")
        domain = self.new_resource_domain(data, "project", "identity:create_project")
        if data.get("is_domain") not in (None, False):
            raise BadRequest("Invalid input for field 'project.is_domain': projects acting as domains are "
                             "not supported; create a domain instead.")
        project = Project(domain=domain)
        parent_id = data.get("parent_id")
        if parent_id is not None and parent_id != domain.id:
            parent_id = id_value(parent_id, "project.parent_id")
            parent = Project.objects.filter(id=parent_id, domain=domain).first()
            if parent is None:
                raise BadRequest(f"Invalid input for field 'project.parent_id': no project {parent_id} "
                                 f"in domain {domain.id}.")
            project.parent = parent
        _project_fields(project, data, creating=True)
        save_unique(project, "project", f" at domain ID {project.domain_id}")
        return member("project", project_json(project, self.link), 201)


class ProjectView(IdentityView):
    def _project(self, project_id: str) -> Project:
        project = get_or_404(Project, project_id, "project")
        self.visible("identity:get_project", {"project_id": project.id, "domain_id": project.domain_id},
                     "project", project_id)
        return project

    def get(self, request, project_id: str) -> Response:
        return member("project", project_json(self._project(project_id), self.link))

    def patch(self, request, project_id: str) -> Response:
        project = self._project(project_id)
        self.authorize("identity:update_project", {"project_id": project.id, "domain_id": project.domain_id})
        data = body_of(request, "project")
        if "domain_id" in data and data["domain_id"] != project.domain_id:
            raise BadRequest("Invalid input for field 'project.domain_id': cannot change the domain "
                             "of a project.")
        if "parent_id" in data and data["parent_id"] not in (project.parent_id or project.domain_id,):
            raise Forbidden("Updating the parent of a project is not allowed.")
        if "id" in data and data["id"] != project.id:
            raise BadRequest("Invalid input for field 'project.id': cannot change the id.")
        was_enabled = project.enabled
        _project_fields(project, data, creating=False)
        with transaction.atomic():
            save_unique(project, "project", f" at domain ID {project.domain_id}")
            if was_enabled and not project.enabled:
                tokens.revoke_for(project_id=project.id)
        return member("project", project_json(project, self.link))

    def delete(self, request, project_id: str) -> Response:
        project = self._project(project_id)
        self.authorize("identity:delete_project", {"project_id": project.id, "domain_id": project.domain_id})
        if Project.objects.filter(parent=project).exists():
            raise Forbidden(f"Cannot delete the project {project.id} since it is not a leaf in the "
                            "hierarchy. Delete its child projects first.")
        project.delete()  # its tokens and role assignments go with it (cascade)
        return no_content()
