"""PATCH /v2/images/{id} with Glance's JSON-patch media types."""

from __future__ import annotations

import json

import pytest

from tests.image.conftest import PATCH

V20 = "application/openstack-images-v2.0-json-patch"


@pytest.fixture
def g(glance, member):
    return glance(member)


@pytest.fixture
def image(g):
    return g.create(name="orig", disk_format="raw", container_format="bare", os_distro="cirros", tags=["t"])


def test_replace_add_remove_core_and_custom(g, image):
    response = g.patch(image["id"], [
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "replace", "path": "/min_ram", "value": 512},
        {"op": "add", "path": "/hw_disk_bus", "value": "virtio"},
        {"op": "replace", "path": "/os_distro", "value": "ubuntu"},
        {"op": "add", "path": "/tags", "value": ["x", "y"]},
        {"op": "add", "path": "/with~1slash~0tilde", "value": "ok"},
    ])
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["name"] == "renamed" and body["min_ram"] == 512
    assert body["hw_disk_bus"] == "virtio" and body["os_distro"] == "ubuntu"
    assert body["tags"] == ["x", "y"] and body["with/slash~tilde"] == "ok"
    response = g.patch(image["id"], [{"op": "remove", "path": "/hw_disk_bus"},
                                     {"op": "add", "path": "/os_distro", "value": "fedora"}])  # add overwrites
    assert response.status_code == 200
    assert "hw_disk_bus" not in response.json() and response.json()["os_distro"] == "fedora"
    assert g.get(f"/images/{image['id']}").json() == response.json()


@pytest.mark.parametrize("change, status", [
    ({"op": "replace", "path": "/status", "value": "active"}, 403),
    ({"op": "replace", "path": "/id", "value": "x"}, 403),
    ({"op": "add", "path": "/checksum", "value": "x"}, 403),
    ({"op": "remove", "path": "/size"}, 403),
    ({"op": "add", "path": "/os_glance_foo", "value": "x"}, 403),
    ({"op": "remove", "path": "/name"}, 403),  # base properties cannot be removed
    ({"op": "replace", "path": "/nonexistent", "value": "x"}, 409),
    ({"op": "remove", "path": "/nonexistent"}, 409),
    ({"op": "move", "path": "/name", "from": "/x"}, 400),
    ({"op": "test", "path": "/name", "value": "orig"}, 400),
    ({"op": "replace", "path": "/name"}, 400),  # no value
    ({"op": "replace", "path": "name", "value": "x"}, 400),  # not a pointer
    ({"op": "replace", "path": "/a/b", "value": "x"}, 400),  # nested
    ({"op": "replace", "path": "/disk_format", "value": "exe"}, 400),
    ({"op": "replace", "path": "/min_disk", "value": -1}, 400),
    ({"op": "replace", "path": "/min_disk", "value": 2**40}, 400),
    ({"op": "replace", "path": "/protected", "value": "true"}, 400),
    ({"op": "add", "path": "/custom", "value": 1}, 400),
    ({"op": "replace", "path": "/visibility", "value": "public"}, 403),  # admins only
])
def test_refused_changes_leave_the_image_alone(g, image, change, status):
    response = g.patch(image["id"], [{"op": "replace", "path": "/name", "value": "changed"}, change])
    assert response.status_code == status, response.content
    assert g.get(f"/images/{image['id']}").json() == image  # all or nothing


def test_media_type_must_be_json_patch(g, image):
    response = g.patch(image["id"], [{"op": "replace", "path": "/name", "value": "x"}],
                       content_type="application/json")
    assert response.status_code == 415


def test_body_must_be_a_list(g, image):
    response = g.client.generic("PATCH", f"/image/v2/images/{image['id']}", json.dumps({"op": "replace"}),
                                content_type=PATCH)
    assert response.status_code == 400
    response = g.client.generic("PATCH", f"/image/v2/images/{image['id']}", b"[{", content_type=PATCH)
    assert response.status_code == 400


def test_draft_v20_media_type(g, image):
    response = g.patch(image["id"], [{"replace": "/name", "value": "draft"}], content_type=V20)
    assert response.status_code == 200 and response.json()["name"] == "draft"
    response = g.patch(image["id"], [{"add": "/os_distro", "value": "again"}], content_type=V20)
    assert response.status_code == 409  # draft 4 add does not overwrite, as Glance


def test_formats_only_change_while_queued(g, image):
    assert g.patch(image["id"], [{"op": "replace", "path": "/disk_format", "value": "qcow2"}]).status_code == 200
    g.patch(image["id"], [{"op": "replace", "path": "/disk_format", "value": "raw"}])
    assert g.upload(image["id"], b"data").status_code == 204
    response = g.patch(image["id"], [{"op": "replace", "path": "/disk_format", "value": "qcow2"}])
    assert response.status_code == 403
    assert g.patch(image["id"], [{"op": "replace", "path": "/name", "value": "ok"}]).status_code == 200


def test_admin_may_publicize_and_change_owner(glance, admin, other, image):
    g = glance(admin)
    response = g.patch(image["id"], [{"op": "replace", "path": "/visibility", "value": "public"},
                                     {"op": "replace", "path": "/owner", "value": other[1].id}])
    assert response.status_code == 200
    assert response.json()["visibility"] == "public" and response.json()["owner"] == other[1].id


def test_members_cannot_give_images_away(g, image, other):
    response = g.patch(image["id"], [{"op": "replace", "path": "/owner", "value": other[1].id}])
    assert response.status_code == 403


def test_property_quota(g, image, settings):
    settings.IMAGE_PROPERTY_QUOTA = 2
    assert g.patch(image["id"], [{"op": "add", "path": "/p2", "value": "v"}]).status_code == 200
    assert g.patch(image["id"], [{"op": "add", "path": "/p3", "value": "v"}]).status_code == 413
