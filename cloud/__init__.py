"""The Django project: settings, URL map, ASGI entry point and the Celery app.

Importing the Celery app here makes ``@shared_task`` bind to it in every process.
"""

from cloud.celery import app as celery_app

__all__ = ["celery_app"]
