"""Hostile and broken input against the real endpoints of the live cloud: always a 4xx with an
OpenStack-style JSON error body, ``Content-Type: application/json`` exactly, never a 500.

Runs over HTTP against daphne, so the whole stack (ASGI server, middleware, parsers, views) is
what answers, exactly as for an OpenStack client.
"""

from __future__ import annotations

import json
import socket
import uuid

import pytest
import requests

from tests.foundation.secrets import remember
from tests.harness import ADMIN_PASSWORD

pytestmark = pytest.mark.live

# Nova's fault names (nova/api/openstack/wsgi.py); cloud/api/errors.py uses the same.
COMPUTE_FAULTS = {"badRequest", "unauthorized", "forbidden", "itemNotFound", "badMethod", "notAcceptable",
                  "conflictingRequest", "overLimit", "badMediaType"}
TOO_BIG = 114688 + 100  # MAX_JSON_BODY_BYTES (default) exceeded
VERSION = "2.47"  # networks "auto" (what the battery's valid skeleton sends) needs 2.37


def assert_openstack_error(response: requests.Response, style: str = "compute") -> dict:
    """A 4xx whose body is the error document an OpenStack client parses."""
    what = f"{response.request.method} {response.request.url[:120]}: {response.status_code} {response.text[:300]}"
    assert 400 <= response.status_code < 500, what
    assert response.headers.get("Content-Type") == "application/json", what
    body = response.json()
    if style == "identity":
        assert set(body) == {"error"}, what
        error = body["error"]
        assert error["code"] == response.status_code and error["title"] and error["message"], what
    else:
        assert len(body) == 1 and set(body) <= COMPUTE_FAULTS, what
        (fault,) = body.values()
        assert fault["code"] == response.status_code and isinstance(fault["message"], str) and fault["message"], what
    return body


def nested(depth: int, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    return opener * depth + closer * depth


def bodies(wrap) -> list[tuple[str, bytes, int | None]]:
    """(case, raw body, expected status or None for "any 4xx"); ``wrap(value)`` puts a raw
    JSON value where the endpoint reads a string field."""
    return [
        ("not utf-8", wrap(b'"\xff\xfe\xfd"'), 400),
        ("latin-1 body", wrap('"caf\xe9"'.encode("latin-1")), 400),
        ("nested arrays 10000", nested(10000), 400),
        ("nested objects 10000", b'{"a":' * 10000 + b"1" + b"}" * 10000, 400),
        ("nested inside the field", wrap(nested(10000)), 400),
        ("over the size limit", wrap(b'"' + b"x" * TOO_BIG + b'"'), 413),
        ("NUL in a string", wrap(b'"a\\u0000b"'), 400),
        ("NUL in a key", b'{"a\\u0000": 1}', 400),
        ("control character", wrap(b'"a\\u0001b"'), None),
        ("escape character", wrap(b'"a\\u001bb"'), None),
        ("lone surrogate", wrap(b'"a\\ud800b"'), None),
        ("NaN", wrap(b"NaN"), 400),
        ("Infinity", wrap(b"Infinity"), 400),
        ("-Infinity", wrap(b"-Infinity"), 400),
        ("float overflow", wrap(b"1e999"), 400),
        ("5000-digit integer", wrap(b"1" * 5000), 400),
        ("5000-digit negative integer", wrap(b"-" + b"9" * 5000), 400),
        ("empty body", b"", 400),
        ("whitespace body", b"  \n ", 400),
        ("JSON array", b"[]", 400),
        ("array of the right object", b"[" + wrap(b'"x"') + b"]", 400),
        ("JSON string", b'"hello"', 400),
        ("JSON null", b"null", 400),
        ("JSON number", b"42", 400),
        ("truncated", wrap(b'"x"')[:-3], 400),
        ("garbage", b"{,}", 400),
        ("trailing garbage", wrap(b'"x"') + b" xyz", 400),
    ]


def post(url: str, body: bytes, token: str | None = None, method: str = "POST",
         content_type: str | None = "application/json") -> requests.Response:
    headers = {"X-Auth-Token": token} if token else {}
    if "/compute/" in url:
        headers["OpenStack-API-Version"] = f"compute {VERSION}"
    if content_type:
        headers["Content-Type"] = content_type
    return requests.request(method, url, data=body, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def token(live_cloud) -> str:
    return remember(live_cloud.token())


@pytest.fixture(scope="module")
def image(live_cloud) -> str:
    return live_cloud.insert_image("bad-input-image")


@pytest.fixture(scope="module")
def server(live_cloud, token, image):
    session = live_cloud.client(token, VERSION)
    server_id = live_cloud.boot(session, image, name="bad-input-target").json()["server"]["id"]
    live_cloud.wait_status(session, server_id)
    yield server_id
    session.delete(f"{live_cloud.url}/compute/v2.1/servers/{server_id}")
    live_cloud.wait_gone(session, server_id)


def identity_wrap(value: bytes) -> bytes:
    return (b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": ' + value
            + b', "domain": {"name": "Default"}, "password": "x"}}}}}')


def server_wrap(image_id: str):
    return lambda value: (b'{"server": {"name": ' + value + b', "imageRef": "' + image_id.encode()
                          + b'", "flavorRef": "1", "networks": "auto"}}')


def update_wrap(value: bytes) -> bytes:
    return b'{"server": {"name": ' + value + b"}}"


def check_battery(url: str, wrap, style: str, token: str | None = None, method: str = "POST") -> None:
    problems = []
    for case, body, expected in bodies(wrap):
        response = post(url, body, token, method)
        try:
            assert_openstack_error(response, style)
            assert expected is None or response.status_code == expected, \
                f"expected {expected}, got {response.status_code}: {response.text[:200]}"
        except AssertionError as exc:
            problems.append(f"{case}: {exc}")
    assert not problems, "\n".join(problems)


def test_identity_tokens_battery(live_cloud):
    check_battery(f"{live_cloud.identity_url}/v3/auth/tokens", identity_wrap, "identity")


def test_servers_create_battery(live_cloud, token, image):
    check_battery(f"{live_cloud.url}/compute/v2.1/servers", server_wrap(image), "compute", token)
    # Nothing half-created: none of those requests left a server behind.
    names = [s["name"] for s in live_cloud.client(token, VERSION).get(f"{live_cloud.url}/compute/v2.1/servers",
                                                              timeout=30).json()["servers"]]
    assert not [n for n in names if n != "bad-input-target" and not n.startswith("vm-")], names


def test_server_update_battery(live_cloud, token, server):
    url = f"{live_cloud.url}/compute/v2.1/servers/{server}"
    check_battery(url, update_wrap, "compute", token, method="PUT")
    session = live_cloud.client(token, VERSION)
    assert live_cloud.server(session, server)["name"] == "bad-input-target"  # no bad update went through


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          "application/xml", "application/json-patch+json", None])
def test_wrong_content_type(live_cloud, token, image, server, content_type):
    valid_boot = server_wrap(image)(b'"ct-probe"')
    cases = [
        (f"{live_cloud.identity_url}/v3/auth/tokens", "POST", identity_wrap(b'"admin"'), "identity"),
        (f"{live_cloud.url}/compute/v2.1/servers", "POST", valid_boot, "compute"),
        (f"{live_cloud.url}/compute/v2.1/servers/{server}", "PUT", update_wrap(b'"ct-probe"'), "compute"),
    ]
    for url, method, body, style in cases:
        response = post(url, body, token, method, content_type=content_type)
        if content_type == "multipart/form-data" and method == "POST":
            # Twisted (under daphne) parses POSTed form data itself and answers a malformed
            # one with a bare 400 before the application sees the request.
            assert response.status_code == 400, response.text
            continue
        assert_openstack_error(response, style)
        assert response.status_code in (400, 415), response.text


def test_valid_requests_of_the_battery_succeed(live_cloud, token, server):
    """The battery's wrappers are right: the same requests with good values are accepted."""
    body = (b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", '
            b'"domain": {"name": "Default"}, "password": "' + ADMIN_PASSWORD.encode() + b'"}}}}}')
    assert post(f"{live_cloud.identity_url}/v3/auth/tokens", body).status_code == 201
    response = post(f"{live_cloud.url}/compute/v2.1/servers/{server}", update_wrap(b'"bad-input-target"'),
                    token, "PUT")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", [
    "/compute/v2.1/servers/%00",
    "/compute/v2.1/servers/a%00b/tags",
    "/compute/v2.1/servers/a%01b",
    "/compute/v2.1/servers/a%0Ab",
    "/compute/v2.1/servers/a%7Fb",
    "/compute/v2.1/servers?name=%00",
    "/compute/v2.1/servers?name=a%0Db",
    "/compute/v2.1/servers?name=a%1Bb",
    "/compute/v2.1/servers/detail?status=%00ACTIVE",
    "/compute/v2.1/servers?marker=%00",
    "/compute/v2.1/servers/%ff%fe",
    "/compute/v2.1/servers?limit=99999999999999999999",
    "/compute/v2.1/servers?limit=-1",
    "/compute/v2.1/servers?limit=abc",
    "/compute/v2.1/servers?limit=1.5",
    "/compute/v2.1/servers?limit=1e3",
    "/compute/v2.1/servers?limit=%00",
    "/compute/v2.1/servers?limit=" + "9" * 5000,
    "/compute/v2.1/servers/detail?limit=99999999999999999999",
    "/compute/v2.1/servers?marker=" + str(uuid.uuid4()),
    "/compute/v2.1/servers/" + str(uuid.uuid4()),
    "/compute/v2.1/flavors/%00",
    "/compute/v2.1/os-services?host=%00",
])
def test_bad_urls(live_cloud, token, path):
    response = requests.get(live_cloud.url + path, headers={"X-Auth-Token": token}, timeout=30)
    assert_openstack_error(response)


@pytest.mark.parametrize("path", [
    "/compute/v2.1/servers?name=%ff%fe",
    "/compute/v2.1/servers/detail?name=%c3",
    "/compute/v2.1/servers?name=" + "%e2%80%ae" * 100,
    "/compute/v2.1/servers?" + "a=b&" * 500,
    "/compute/v2.1/servers?name=" + "x" * 6000,
])
def test_odd_but_harmless_urls_are_never_500s(live_cloud, token, path):
    """Not UTF-8, odd Unicode, many or long parameters: answered (an empty list or a 4xx), as JSON."""
    response = requests.get(live_cloud.url + path, headers={"X-Auth-Token": token}, timeout=30)
    assert response.status_code < 500, response.text[:300]
    assert response.headers["Content-Type"] == "application/json"
    if response.status_code >= 400:
        assert_openstack_error(response)


@pytest.mark.parametrize("path", ["/identity/v3/users/%00", "/identity/v3/projects?name=%00",
                                  "/identity/v3/users?name=a%01b"])
def test_bad_identity_urls(live_cloud, token, path):
    response = requests.get(live_cloud.url + path, headers={"X-Auth-Token": token}, timeout=30)
    assert_openstack_error(response, "identity")


@pytest.mark.parametrize("header, value", [
    ("X-Auth-Token", "a" * 10000),
    ("X-Auth-Token", "not-a-token"),
    ("X-Auth-Token", "\u00e9t\u00e9".encode().decode("latin-1")),
    ("OpenStack-API-Version", "compute 99.99"),
    ("OpenStack-API-Version", "compute abc"),
    ("X-OpenStack-Nova-API-Version", "2.1000000000000000000000"),
])
def test_bad_headers(live_cloud, token, header, value):
    headers = {"X-Auth-Token": token, header: value}
    response = requests.get(f"{live_cloud.url}/compute/v2.1/servers", headers=headers, timeout=30)
    assert_openstack_error(response)


def test_raw_control_bytes_in_the_request_line(live_cloud):
    """Bytes no client library would send: refused with a 4xx, and the server stays up."""
    port = int(live_cloud.url.rsplit(":", 1)[1])
    for target in (b"/compute/v2.1/servers/a\x01b", b"/compute/v2.1/servers?name=\xff\xfe"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        status = int(reply.split(b" ", 2)[1])
        assert 400 <= status < 500, reply[:300]
    assert requests.get(f"{live_cloud.url}/identity/v3", timeout=10).status_code == 200


@pytest.mark.parametrize("path", ["/compute/v2.1", "/compute/v2.1/"])
def test_compute_root_answers_with_and_without_slash(live_cloud, token, path):
    response = requests.get(live_cloud.url + path, headers={"X-Auth-Token": token}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert "version" in response.json()


@pytest.mark.parametrize("path", ["/compute/v2.1/no-such-resource", "/compute/v2.1/servers/x/no-such-thing",
                                  "/compute/v3", "/no-such-api", "/identity/v3/no-such-thing",
                                  "/image/v2/no-such-thing"])
def test_unknown_urls_are_json_404s(live_cloud, token, path):
    response = requests.get(live_cloud.url + path, headers={"X-Auth-Token": token}, timeout=30)
    assert response.status_code == 404, response.text
    assert_openstack_error(response, "identity" if path.startswith("/identity") else "compute")


def test_204_responses_have_an_empty_body(live_cloud, image):
    token = live_cloud.token()
    session = live_cloud.client(token, VERSION)
    server_id = live_cloud.boot(session, image).json()["server"]["id"]
    live_cloud.wait_status(session, server_id)
    tag = session.put(f"{live_cloud.url}/compute/v2.1/servers/{server_id}/tags/probe", timeout=30)
    assert tag.status_code in (201, 204), tag.text
    response = session.delete(f"{live_cloud.url}/compute/v2.1/servers/{server_id}/tags/probe", timeout=30)
    assert (response.status_code, response.content) == (204, b"")
    response = session.delete(f"{live_cloud.url}/compute/v2.1/servers/{server_id}", timeout=30)
    assert (response.status_code, response.content) == (204, b"")
    live_cloud.wait_gone(session, server_id)
    # Revoking a token (Keystone's DELETE /v3/auth/tokens) is a 204 too.
    other = live_cloud.token()
    response = requests.delete(f"{live_cloud.identity_url}/v3/auth/tokens",
                               headers={"X-Auth-Token": token, "X-Subject-Token": other}, timeout=30)
    assert (response.status_code, response.content) == (204, b"")


def test_error_bodies_are_json_documents(live_cloud):
    """Errors before authentication too (no token at all) are JSON, with Keystone's hint header."""
    response = requests.get(f"{live_cloud.url}/compute/v2.1/servers", timeout=30)
    assert response.status_code == 401
    assert_openstack_error(response)
    assert response.headers["WWW-Authenticate"].startswith("Keystone uri=")
    response = requests.post(f"{live_cloud.identity_url}/v3/auth/tokens", timeout=30,
                             data=json.dumps({"auth": {"identity": {"methods": ["password"], "password": {
                                 "user": {"name": "admin", "domain": {"name": "Default"}, "password": "wrong"}}}}}),
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert_openstack_error(response, "identity")
