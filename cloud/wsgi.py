"""WSGI entry point, for tools that need one; production serves cloud.asgi with daphne."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cloud.settings")

application = get_wsgi_application()
