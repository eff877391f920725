"""Flavors: list/detail/show, admin create/delete, extra specs and access lists.

* :mod:`.views` - /flavors, /flavors/detail, /flavors/{id}
* :mod:`.extra_specs` - /flavors/{id}/os-extra_specs[/{key}]
* :mod:`.access` - /flavors/{id}/os-flavor-access and the add/removeTenantAccess actions
* :mod:`.builder` - the response shapes, per microversion
* :mod:`.queries` - who sees which flavor, filters, sorting and paging
* :mod:`.params` - validation of the create body
"""

from cloud.api.routing import route
from compute_app.api.flavors import access, extra_specs, views

FLAVOR = r"/v2.1/flavors/(?P<flavor_id>[^/]+)"

urlpatterns = [
    route(r"/v2.1/flavors", views.FlavorsView.as_view()),
    route(r"/v2.1/flavors/detail", views.FlavorsDetailView.as_view()),
    route(FLAVOR, views.FlavorView.as_view()),
    route(FLAVOR + r"/action", access.FlavorActionView.as_view()),
    route(FLAVOR + r"/os-flavor-access", access.FlavorAccessView.as_view()),
    route(FLAVOR + r"/os-extra_specs", extra_specs.ExtraSpecsView.as_view()),
    route(FLAVOR + r"/os-extra_specs/(?P<key>[^/]+)", extra_specs.ExtraSpecView.as_view()),
]
