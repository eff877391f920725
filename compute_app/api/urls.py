"""Compute API v2.1, mounted at /compute (see cloud/urls.py).

Each resource module exposes its own ``urlpatterns``; patterns start with
"/" (e.g. ``/v2.1/flavors``) and accept an optional trailing slash.
"""

from compute_app.api import (
    availability_zones,
    flavors,
    images,
    keypairs,
    limits,
    quotas,
    security_groups,
    server_groups,
    services,
    versions,
)
from compute_app.api.servers import urls as servers

urlpatterns = [
    *versions.urlpatterns,
    *flavors.urlpatterns,
    *keypairs.urlpatterns,
    *limits.urlpatterns,
    *quotas.urlpatterns,
    *availability_zones.urlpatterns,
    *images.urlpatterns,
    *servers.urlpatterns,
    *services.urlpatterns,
    *security_groups.urlpatterns,
    *server_groups.urlpatterns,
]
