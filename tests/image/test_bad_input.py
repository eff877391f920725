"""Hostile or broken input is a 4xx naming the problem, never a 500."""

from __future__ import annotations

import json

import pytest

from image_app.models import Image
from tests.image.conftest import PATCH


@pytest.fixture
def g(glance, member):
    return glance(member)


def _raw_post(g, body: bytes, content_type: str = "application/json"):
    return g.client.generic("POST", "/image/v2/images", body, content_type=content_type)


@pytest.mark.parametrize("body", [
    b'{"name": "a\\u0000b"}',  # NUL
    b'{"name": "\xff\xfe"}',  # not UTF-8
    b'{"min_ram": 1e400}',  # infinity
    b'{"min_ram": 123456789012345678901234567890}',  # huge integer
    b'{"min_ram": NaN}',
    b'{"name": ',  # truncated
    b'[1, 2]',  # not an object
    b'"just a string"',
    b'{"a\\u0000": "b"}',  # NUL in a key
    b'{"name": "tab\\there"}',  # control character in a name
])
def test_create_bad_bodies(g, body):
    response = _raw_post(g, body)
    assert 400 <= response.status_code < 500, (body, response.content)
    assert response["Content-Type"] == "application/json"
    assert not Image.objects.exists()


def test_brackets_inside_strings_are_not_nesting(g):
    response = _raw_post(g, b'{"x": "' + b"[" * 100 + b'"}')
    assert response.status_code == 201 and response.json()["x"] == "[" * 100


def test_deeply_nested_body(g):
    response = _raw_post(g, b'{"tags": ' + b"[" * 100 + b"]" * 100 + b"}")
    assert response.status_code == 400


def test_huge_body_is_413(g, settings):
    response = _raw_post(g, json.dumps({"name": "x", "blob": "y" * (settings.MAX_JSON_BODY_BYTES + 10)}).encode())
    assert response.status_code == 413
    assert not Image.objects.exists()


def test_wrong_content_type_on_create_is_415(g):
    assert _raw_post(g, b"name=x", content_type="application/x-www-form-urlencoded").status_code == 415


def test_control_characters_in_urls(g):
    image = g.create(name="ok")
    assert g.client.put(f"/image/v2/images/{image['id']}/tags/a%00b").status_code == 400
    assert g.client.put(f"/image/v2/images/{image['id']}/tags/a%07b").status_code == 400
    assert g.client.get("/image/v2/images?name=a%00b").status_code == 400
    assert g.client.get("/image/v2/images/%00").status_code == 400


def test_non_utf8_query_is_not_a_500(g):
    response = g.client.get("/image/v2/images?name=%ff%fe")
    assert response.status_code == 200 and response.json()["images"] == []


def test_overlong_tag(g):
    image = g.create(name="ok")
    assert g.client.put(f"/image/v2/images/{image['id']}/tags/{'t' * 256}").status_code == 400


def test_patch_bad_bodies(g):
    image = g.create(name="ok")
    url = f"/image/v2/images/{image['id']}"
    for body in (b"\xff", b'[{"op": "replace", "path": "/name", "value": "a\\u0000"}]', b"{}", b"[1]",
                 b'[{"op": "replace", "path": "/min_ram", "value": 99999999999999999999}]'):
        response = g.client.generic("PATCH", url, body, content_type=PATCH)
        assert response.status_code == 400, (body, response.content)
    assert g.get(f"/images/{image['id']}").json()["name"] == "ok"


def test_member_bad_bodies(g):
    image = g.create(name="shared")
    url = f"/image/v2/images/{image['id']}/members"
    for body in ({}, {"member": ""}, {"member": 5}, {"member": "a\x01b"}, {"member": "x" * 65}):
        assert g.client.post(url, body, format="json").status_code == 400, body


def test_unknown_methods_are_405(g):
    response = g.client.post("/image/v2/images/whatever", {}, format="json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
