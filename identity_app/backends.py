"""Where tokens are checked: this cloud's identity service, or an existing Keystone.

``IDENTITY_BACKEND=local`` (default) checks tokens in identity_app's tables.
``IDENTITY_BACKEND=keystone`` sends each new token to the Keystone at
``KEYSTONE_AUTH_URL`` (``GET /v3/auth/tokens``, authenticated with the service
user's own token, as keystonemiddleware does) and caches the answer briefly.
See docs/keystone.md, including the caveat that a revoked token stays usable
here for up to ``KEYSTONE_TOKEN_CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings

from cloud.api.errors import ServiceUnavailable, Unauthorized
from cloud.context import RequestContext

LOG = logging.getLogger(__name__)
UNAUTHORIZED = "The request you have made requires authentication."


class TokenBackend(Protocol):
    def validate(self, token: str) -> RequestContext: ...


class LocalBackend:
    def validate(self, token: str) -> RequestContext:
        from identity_app import tokens

        return tokens.validate(token)


def v3_url(auth_url: str) -> str:
    """``.../v3`` whether the operator wrote the URL with or without the version.

    keystoneauth's v3 plugins post to ``<auth_url>/auth/tokens``, so the
    service login and the validation calls must both use the versioned URL.
    """
    base = auth_url.rstrip("/")
    return base if base.endswith("/v3") else f"{base}/v3"


class KeystoneBackend:
    """Validates tokens against a remote Keystone v3 with keystoneauth1."""

    def __init__(self, auth_url: str, username: str, password: str, project_name: str,
                 domain_name: str, cache_seconds: int, cache_size: int = 4096, timeout: float = 10.0):
        from keystoneauth1 import session
        from keystoneauth1.identity import v3

        if not auth_url:
            raise ValueError("IDENTITY_BACKEND=keystone needs KEYSTONE_AUTH_URL")
        self.v3_url = v3_url(auth_url)
        auth = v3.Password(
            auth_url=self.v3_url, username=username, password=password, project_name=project_name,
            user_domain_name=domain_name, project_domain_name=domain_name,
        )
        # A timeout, so a hung Keystone makes requests fail (503) instead of hanging workers.
        self.session = session.Session(auth=auth, timeout=timeout)
        self.cache_seconds = cache_seconds
        self.cache_size = cache_size
        self._cache: OrderedDict[str, tuple[float, RequestContext]] = OrderedDict()
        self._lock = threading.Lock()

    def validate(self, token: str) -> RequestContext:
        from identity_app.tokens import hash_token

        if not token or len(token) > 8192:
            raise Unauthorized(UNAUTHORIZED)
        key = hash_token(token)  # the cache never holds token strings
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > now:
                self._cache.move_to_end(key)
                return RequestContext(**hit[1].to_dict())
            self._cache.pop(key, None)
        context, expires_in = self._fetch(token)
        if self.cache_seconds > 0:
            with self._lock:
                self._cache[key] = (now + min(self.cache_seconds, expires_in), context)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return RequestContext(**context.to_dict())

    def _fetch(self, token: str) -> tuple[RequestContext, float]:
        from keystoneauth1 import exceptions as ks_exc

        try:
            response = self.session.get(
                f"{self.v3_url}/auth/tokens",
                headers={"X-Subject-Token": token},
                authenticated=True,
                raise_exc=False,
            )
        except ks_exc.ClientException as exc:
            # Also what keystoneauth raises when the service user's own login fails.
            LOG.error("Keystone at %s unusable for token validation: %s", self.v3_url, type(exc).__name__)
            raise ServiceUnavailable("The identity service is unavailable; try again later.") from None
        if response.status_code == 404:
            raise Unauthorized(UNAUTHORIZED)  # Keystone's answer for a bad, expired or revoked subject
        if response.status_code != 200:
            # 401/403 here mean the *service* credentials were refused (keystoneauth
            # already re-authenticated once): an operator problem, not the caller's.
            LOG.error("Keystone at %s answered %s to a token validation", self.v3_url, response.status_code)
            raise ServiceUnavailable("The identity service is unavailable; try again later.")
        try:
            return context_from_token(response.json()["token"])
        except (ValueError, KeyError, TypeError, AttributeError):
            LOG.error("Keystone at %s sent a token document this cloud cannot read", self.v3_url)
            raise ServiceUnavailable("The identity service sent an unreadable answer.") from None


def context_from_token(body: dict[str, Any]) -> tuple[RequestContext, float]:
    """A RequestContext and the seconds it stays valid, from a Keystone token document."""
    project = body.get("project") or {}
    user = body.get("user") or {}
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    remaining = expires.timestamp() - time.time()
    if remaining <= 0:
        raise Unauthorized(UNAUTHORIZED)
    context = RequestContext(
        user_id=user.get("id"),
        user_name=user.get("name"),
        user_domain_id=(user.get("domain") or {}).get("id"),
        project_id=project.get("id"),
        project_name=project.get("name"),
        project_domain_id=(project.get("domain") or {}).get("id"),
        domain_id=(body.get("domain") or {}).get("id"),
        roles=[r["name"] for r in body.get("roles", [])],
        system_scope="all" if (body.get("system") or {}).get("all") else None,
        audit_id=(body.get("audit_ids") or [None])[0],
        expires_at=body["expires_at"],
    )
    return context, remaining


@lru_cache(maxsize=1)
def get_backend() -> TokenBackend:
    """The configured backend (one per process; tests call ``get_backend.cache_clear()``)."""
    if settings.IDENTITY_BACKEND == "keystone":
        return KeystoneBackend(
            settings.KEYSTONE_AUTH_URL, settings.KEYSTONE_SERVICE_USER, settings.KEYSTONE_SERVICE_PASSWORD,
            settings.KEYSTONE_SERVICE_PROJECT, settings.KEYSTONE_SERVICE_DOMAIN,
            settings.KEYSTONE_TOKEN_CACHE_SECONDS, timeout=settings.KEYSTONE_TIMEOUT,
        )
    if settings.IDENTITY_BACKEND != "local":
        raise ValueError(f"IDENTITY_BACKEND must be 'local' or 'keystone', not {settings.IDENTITY_BACKEND!r}")
    return LocalBackend()
