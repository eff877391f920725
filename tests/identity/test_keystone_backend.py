"""IDENTITY_BACKEND=keystone against a stub Keystone (a tiny HTTP server in this process).

The stub answers the two calls the backend makes: the service user's login
(``POST /v3/auth/tokens``) and token validation (``GET /v3/auth/tokens`` with
the service token in X-Auth-Token and the caller's in X-Subject-Token).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings

from identity_app.backends import get_backend, v3_url

pytestmark = pytest.mark.django_db

SERVICE_TOKEN = "stub-service-token"
USER_TOKEN = "stub-user-token"


def _token(user: str, project: str, roles: list[str]) -> dict[str, Any]:
    now = datetime.now(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    return {"token": {
        "methods": ["password"], "audit_ids": ["stubauditid0000000000a"],
        "user": {"id": f"{user}-id", "name": user, "domain": {"id": "default", "name": "Default"}},
        "project": {"id": f"{project}-id", "name": project, "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": f"{r}-id", "name": r} for r in roles], "is_domain": False, "catalog": [],
        "issued_at": now.strftime(fmt), "expires_at": (now + timedelta(hours=1)).strftime(fmt),
    }}


class StubKeystone(BaseHTTPRequestHandler):
    calls: list[tuple[str, str]] = []

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.calls.append(("POST", self.path))
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        user = body["auth"]["identity"]["password"]["user"]
        if self.path != "/v3/auth/tokens" or user != {"name": "nova", "password": "svc-pw",
                                                     "domain": {"name": "Default"}}:
            self._send(401, {"error": {"code": 401, "title": "Unauthorized", "message": "no"}})
            return
        self._send(201, _token("nova", "service", ["service"]), {"X-Subject-Token": SERVICE_TOKEN})

    def do_GET(self) -> None:  # noqa: N802
        self.calls.append(("GET", self.path))
        if self.path != "/v3/auth/tokens" or self.headers.get("X-Auth-Token") != SERVICE_TOKEN:
            self._send(401, {"error": {"code": 401, "title": "Unauthorized", "message": "no"}})
        elif self.headers.get("X-Subject-Token") == USER_TOKEN:
            self._send(200, _token("alice", "alpha", ["member", "reader"]))
        else:
            self._send(404, {"error": {"code": 404, "title": "Not Found", "message": "Could not find token."}})


@pytest.fixture
def stub_keystone():
    StubKeystone.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubKeystone)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    # Written without /v3, as operators often do: the backend must cope.
    with override_settings(IDENTITY_BACKEND="keystone", KEYSTONE_AUTH_URL=url, KEYSTONE_SERVICE_USER="nova",
                           KEYSTONE_SERVICE_PASSWORD="svc-pw", KEYSTONE_SERVICE_PROJECT="service",
                           KEYSTONE_SERVICE_DOMAIN="Default", KEYSTONE_TOKEN_CACHE_SECONDS=60,
                           KEYSTONE_TIMEOUT=5.0):
        get_backend.cache_clear()
        try:
            yield server
        finally:
            get_backend.cache_clear()
            server.shutdown()
            server.server_close()


def test_stub_issued_token_is_accepted_and_a_bad_one_refused(api, stub_keystone):
    response = api(USER_TOKEN).get("/compute/v2.1/flavors")
    assert response.status_code == 200, response.content
    assert "flavors" in response.json()
    context = get_backend().validate(USER_TOKEN)
    assert (context.user_name, context.project_id, context.roles) == ("alice", "alpha-id", ["member", "reader"])
    assert ("POST", "/v3/auth/tokens") in StubKeystone.calls  # the service user logged in once

    bad = api("not-a-keystone-token").get("/compute/v2.1/flavors")
    assert bad.status_code == 401
    assert bad.json() == {"unauthorized": {"code": 401,
                                           "message": "The request you have made requires authentication."}}

    # Validations are cached: the good token is not sent to Keystone again.
    gets = [call for call in StubKeystone.calls if call[0] == "GET"]
    assert api(USER_TOKEN).get("/compute/v2.1/flavors").status_code == 200
    assert [call for call in StubKeystone.calls if call[0] == "GET"] == gets


def test_unreachable_keystone_is_503_not_a_login_failure(api, stub_keystone):
    stub_keystone.shutdown()
    stub_keystone.server_close()
    response = api("some-token").get("/compute/v2.1/flavors")
    assert response.status_code == 503, response.content


def test_auth_url_with_or_without_version():
    assert v3_url("http://k:5000") == v3_url("http://k:5000/v3/") == "http://k:5000/v3"
    assert v3_url("https://k/identity/") == "https://k/identity/v3"
