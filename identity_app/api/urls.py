"""Keystone v3 subset, mounted at /identity (see cloud/urls.py)."""

from cloud.api.routing import route
from identity_app.api import auth, versions

urlpatterns = [
    route("", versions.VersionsView.as_view()),
    route(r"/v3", versions.V3View.as_view()),
    route(r"/v3/auth/tokens", auth.TokensView.as_view()),
]
