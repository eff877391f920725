"""Response rendering: ``application/json`` exactly, whatever the client accepts."""

from __future__ import annotations

from rest_framework import renderers
from rest_framework.negotiation import BaseContentNegotiation


class JSONRenderer(renderers.JSONRenderer):
    """Compact UTF-8 JSON; Content-Type is exactly ``application/json``."""

    charset = None
    ensure_ascii = False
    compact = True


class IgnoreClientContentNegotiation(BaseContentNegotiation):
    """OpenStack APIs answer JSON regardless of ``Accept`` (Nova does the same).

    A browser asking for ``text/html`` gets the browsable API when that renderer
    is configured for the view.
    """

    def select_parser(self, request, parsers):
        content_type = request.content_type.split(";")[0].strip().lower()
        for parser in parsers:
            if parser.media_type == content_type:
                return parser
        return None

    def select_renderer(self, request, renderers_, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "")
        if "text/html" in accept:
            for renderer in renderers_:
                if renderer.media_type == "text/html":
                    return renderer, renderer.media_type
        renderer = renderers_[0]
        return renderer, renderer.media_type
