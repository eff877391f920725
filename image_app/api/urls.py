"""Glance v2 subset, mounted at /image (see cloud/urls.py).

Patterns start with "/" because the prefix is mounted without a trailing
slash, so both ``/image`` and ``/image/`` can answer.
"""

urlpatterns: list = []
