"""Where tokens are checked: this cloud's identity service, or an existing Keystone.

``IDENTITY_BACKEND=local`` (default) checks tokens in identity_app's tables.
``IDENTITY_BACKEND=keystone`` sends each new token to the Keystone at
``KEYSTONE_AUTH_URL`` (``GET /v3/auth/tokens``, authenticated with the service
user's own token, as keystonemiddleware does) and caches the answer briefly.
See docs/keystone.md.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from django.conf import settings

from cloud.api.errors import ServiceUnavailable, Unauthorized
from cloud.context import RequestContext


class TokenBackend(Protocol):
    def validate(self, token: str) -> RequestContext: ...


class LocalBackend:
    def validate(self, token: str) -> RequestContext:
        from identity_app import tokens

        return tokens.validate(token)


class KeystoneBackend:
    """Validates tokens against a remote Keystone v3 with keystoneauth1."""

    def __init__(self, auth_url: str, username: str, password: str, project_name: str,
                 domain_name: str, cache_seconds: int, cache_size: int = 4096):
        from keystoneauth1 import session
        from keystoneauth1.identity import v3

        auth = v3.Password(
            auth_url=auth_url, username=username, password=password, project_name=project_name,
            user_domain_name=domain_name, project_domain_name=domain_name,
        )
        self.auth_url = auth_url.rstrip("/")
        self.session = session.Session(auth=auth)
        self.cache_seconds = cache_seconds
        self.cache_size = cache_size
        self._cache: OrderedDict[str, tuple[float, RequestContext]] = OrderedDict()
        self._lock = threading.Lock()

    def validate(self, token: str) -> RequestContext:
        from identity_app.tokens import hash_token

        key = hash_token(token)  # the cache never holds token strings
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > now:
                self._cache.move_to_end(key)
                return RequestContext(**hit[1].to_dict())
        context, expires_in = self._fetch(token)
        with self._lock:
            self._cache[key] = (now + min(self.cache_seconds, expires_in), context)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return RequestContext(**context.to_dict())

    def _fetch(self, token: str) -> tuple[RequestContext, float]:
        from keystoneauth1 import exceptions as ks_exc

        try:
            response = self.session.get(
                f"{self.auth_url}/v3/auth/tokens",
                headers={"X-Subject-Token": token},
                authenticated=True,
                raise_exc=False,
            )
        except ks_exc.ClientException as exc:
            raise ServiceUnavailable(f"Identity service unreachable: {type(exc).__name__}") from None
        if response.status_code in (401, 404):
            raise Unauthorized("The request you have made requires authentication.")
        if response.status_code != 200:
            raise ServiceUnavailable(f"Identity service answered {response.status_code}.")
        body = response.json()["token"]
        project = body.get("project") or {}
        user = body.get("user") or {}
        expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
        context = RequestContext(
            user_id=user.get("id"),
            user_name=user.get("name"),
            user_domain_id=(user.get("domain") or {}).get("id"),
            project_id=project.get("id"),
            project_name=project.get("name"),
            project_domain_id=(project.get("domain") or {}).get("id"),
            domain_id=(body.get("domain") or {}).get("id"),
            roles=[r["name"] for r in body.get("roles", [])],
            audit_id=(body.get("audit_ids") or [None])[0],
            expires_at=body["expires_at"],
        )
        remaining = expires.timestamp() - time.time()
        if remaining <= 0:
            raise Unauthorized("The token has expired.")
        return context, remaining


@lru_cache(maxsize=1)
def get_backend() -> TokenBackend:
    if settings.IDENTITY_BACKEND == "keystone":
        return KeystoneBackend(
            settings.KEYSTONE_AUTH_URL, settings.KEYSTONE_SERVICE_USER, settings.KEYSTONE_SERVICE_PASSWORD,
            settings.KEYSTONE_SERVICE_PROJECT, settings.KEYSTONE_SERVICE_DOMAIN,
            settings.KEYSTONE_TOKEN_CACHE_SECONDS,
        )
    if settings.IDENTITY_BACKEND != "local":
        raise ValueError(f"IDENTITY_BACKEND must be 'local' or 'keystone', not {settings.IDENTITY_BACKEND!r}")
    return LocalBackend()
