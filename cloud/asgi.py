"""ASGI entry point, served by daphne: HTTP to Django, websockets to Channels.

    daphne -b 127.0.0.1 -p 8000 cloud.asgi:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cloud.settings")

import django  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

django.setup(set_prefix=False)

from cloud.asgi_http import ThreadPoolASGIHandler  # noqa: E402

django_asgi_app = ThreadPoolASGIHandler()

from cloud.routing import websocket_urlpatterns  # noqa: E402
from compute_app.servicegroup.heartbeat import start_api_heartbeat  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": URLRouter(websocket_urlpatterns),
})

start_api_heartbeat()
