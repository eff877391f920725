"""DRF authentication from the ``X-Auth-Token`` header.

The token is checked by the configured identity backend (the local Keystone
subset, or a real Keystone: see identity_app/backends.py); the resulting
:class:`~cloud.context.RequestContext` becomes ``request.auth``.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import authentication, permissions

from cloud.context import RequestContext, get_request_id


class AuthenticatedUser:
    """The minimal user object DRF wants; the real facts live in the context."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, context: RequestContext):
        self.context = context
        self.id = context.user_id
        self.pk = context.user_id
        self.username = context.user_name or context.user_id

    def __str__(self) -> str:
        return str(self.username)


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = request.META.get("HTTP_X_AUTH_TOKEN")
        if not token:
            return None
        from identity_app.backends import get_backend

        context = get_backend().validate(token)
        context.request_id = get_request_id()
        return AuthenticatedUser(context), context

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) and tells clients where to get a token.
        return f'Keystone uri="{settings.PUBLIC_URL}/identity"'


class IsAuthenticated(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, RequestContext)
