"""Key pairs (/os-keypairs): create or import, list, show, delete; per user.

* :mod:`.views` - the handlers and request validation
* :mod:`.builder` - response shapes and status codes, per microversion
* :mod:`compute_app.keypairs` - key generation and fingerprints
"""

from cloud.api.routing import route
from compute_app.api.keypairs import views

urlpatterns = [
    route(r"/v2.1/os-keypairs", views.KeypairsView.as_view()),
    route(r"/v2.1/os-keypairs/(?P<name>[^/]+)", views.KeypairView.as_view()),
]
