"""URL helpers: every API route answers with and without a trailing slash."""

from __future__ import annotations

from django.urls import re_path

UUID = r"[^/]+"  # ids are validated by the views (a bad id is a 404, not a 500)


def route(pattern: str, view, name: str | None = None):
    """``re_path`` anchored at both ends, trailing slash optional.

    API prefixes are mounted without a trailing slash (cloud/urls.py), so
    ``pattern`` starts with "/", e.g. ``r"/v2.1/servers/(?P<server_id>[^/]+)"``;
    an empty pattern matches the bare prefix, with or without its slash.
    """
    regex = rf"^{pattern}/?$" if pattern else r"^/?$"
    return re_path(regex, view, name=name)
