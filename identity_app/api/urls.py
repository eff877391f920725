"""Keystone v3 subset, mounted at /identity (see cloud/urls.py)."""

from cloud.api.routing import UUID, route
from identity_app.api import auth, catalog, projects, roles, users, versions

ID = rf"(?P<{{}}>{UUID})"


def _id(name: str) -> str:
    return ID.format(name)


urlpatterns = [
    route("", versions.VersionsView.as_view()),
    route(r"/v3", versions.V3View.as_view()),
    # authentication and the caller's own view
    route(r"/v3/auth/tokens", auth.TokensView.as_view()),
    route(r"/v3/auth/catalog", auth.AuthCatalogView.as_view()),
    route(r"/v3/auth/projects", auth.AuthProjectsView.as_view()),
    route(r"/v3/auth/domains", auth.AuthDomainsView.as_view()),
    # resources
    route(r"/v3/domains", projects.DomainsView.as_view()),
    route(rf"/v3/domains/{_id('domain_id')}", projects.DomainView.as_view()),
    route(r"/v3/projects", projects.ProjectsView.as_view()),
    route(rf"/v3/projects/{_id('project_id')}", projects.ProjectView.as_view()),
    route(r"/v3/users", users.UsersView.as_view()),
    route(rf"/v3/users/{_id('user_id')}", users.UserView.as_view()),
    route(rf"/v3/users/{_id('user_id')}/projects", users.UserProjectsView.as_view()),
    route(rf"/v3/users/{_id('user_id')}/password", users.UserPasswordView.as_view()),
    route(r"/v3/roles", roles.RolesView.as_view()),
    route(rf"/v3/roles/{_id('role_id')}", roles.RoleView.as_view()),
    route(r"/v3/role_assignments", roles.RoleAssignmentsView.as_view()),
    # grants
    route(rf"/v3/projects/{_id('target_id')}/users/{_id('user_id')}/roles", roles.GrantsView.as_view()),
    route(rf"/v3/projects/{_id('target_id')}/users/{_id('user_id')}/roles/{_id('role_id')}",
          roles.GrantView.as_view()),
    route(rf"/v3/domains/{_id('target_id')}/users/{_id('user_id')}/roles", roles.DomainGrantsView.as_view()),
    route(rf"/v3/domains/{_id('target_id')}/users/{_id('user_id')}/roles/{_id('role_id')}",
          roles.DomainGrantView.as_view()),
    # catalog
    route(r"/v3/services", catalog.ServicesView.as_view()),
    route(rf"/v3/services/{_id('service_id')}", catalog.ServiceView.as_view()),
    route(r"/v3/endpoints", catalog.EndpointsView.as_view()),
    route(rf"/v3/endpoints/{_id('endpoint_id')}", catalog.EndpointView.as_view()),
    route(r"/v3/regions", catalog.RegionsView.as_view()),
    route(rf"/v3/regions/{_id('region_id')}", catalog.RegionView.as_view()),
]
