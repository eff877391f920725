"""Create, show, delete, tags, version discovery and schemas of /image/v2."""

from __future__ import annotations

import uuid

import pytest

from image_app.models import Image
from tests.image.conftest import status_of, store_files


def test_versions_document_at_every_spelling(api):
    for path, status in (("/image", 300), ("/image/", 300), ("/image/versions", 200), ("/image/v2", 300)):
        response = api().get(path)
        assert response.status_code == status, path
        assert response["Content-Type"] == "application/json"
        versions = response.json()["versions"]
        assert versions[0] == {"id": "v2.9", "status": "CURRENT",
                               "links": [{"rel": "self", "href": "http://testserver/image/v2/"}]}
        assert {v["status"] for v in versions[1:]} == {"SUPPORTED"}
        assert "v2.0" in {v["id"] for v in versions}


def test_image_api_needs_a_token(api):
    response = api().get("/image/v2/images")
    assert response.status_code == 401
    assert response.json()["unauthorized"]["code"] == 401


def test_create_returns_glance_shape(glance, member):
    g = glance(member)
    image = g.create(name="cirros", disk_format="qcow2", container_format="bare", min_ram=64, min_disk=1,
                     tags=["a", "b", "a"], os_distro="cirros", protected=False)
    assert image["status"] == "queued" and image["visibility"] == "shared"
    assert image["owner"] == member[1].id
    assert image["tags"] == ["a", "b"]
    assert image["os_distro"] == "cirros"
    assert image["size"] is None and image["checksum"] is None and image["virtual_size"] is None
    assert image["self"] == f"/v2/images/{image['id']}" and image["file"] == f"/v2/images/{image['id']}/file"
    assert image["schema"] == "/v2/schemas/image"
    assert image["created_at"].endswith("Z") and len(image["created_at"]) == 20
    shown = g.get(f"/images/{image['id']}")
    assert shown.status_code == 200 and shown["Content-Type"] == "application/json"
    assert shown.json() == image


def test_create_with_chosen_id_and_conflict(glance, member):
    g = glance(member)
    image_id = str(uuid.uuid4())
    assert g.create(id=image_id, name="mine")["id"] == image_id
    response = g.client.post("/image/v2/images", {"id": image_id}, format="json")
    assert response.status_code == 409
    assert g.client.post("/image/v2/images", {"id": "not-a-uuid"}, format="json").status_code == 400


@pytest.mark.parametrize("field", ["status", "checksum", "size", "created_at", "self", "os_hash_value",
                                   "virtual_size"])
def test_create_refuses_read_only_attributes(glance, member, field):
    response = glance(member).client.post("/image/v2/images", {"name": "x", field: "v"}, format="json")
    assert response.status_code == 403
    assert field in response.json()["forbidden"]["message"]
    assert not Image.objects.filter(name="x").exists()


@pytest.mark.parametrize("body, field", [
    ({"disk_format": "exe"}, "disk_format"),
    ({"container_format": "zip"}, "container_format"),
    ({"visibility": "everyone"}, "visibility"),
    ({"min_ram": -1}, "min_ram"),
    ({"min_disk": 2**31}, "min_disk"),
    ({"min_ram": "12"}, "min_ram"),
    ({"protected": "yes"}, "protected"),
    ({"name": "x" * 256}, "name"),
    ({"name": "bad\x07name"}, "name"),
    ({"tags": "not-a-list"}, "tags"),
    ({"tags": ["x" * 256]}, "tags"),
    ({"custom": 5}, "custom"),
])
def test_create_refuses_bad_values_naming_the_field(glance, member, body, field):
    response = glance(member).client.post("/image/v2/images", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["badRequest"]["message"]


def test_create_reserved_property_is_forbidden(glance, member):
    response = glance(member).client.post("/image/v2/images", {"os_glance_import_task": "x"}, format="json")
    assert response.status_code == 403


def test_only_admins_publish(glance, member, admin):
    response = glance(member).client.post("/image/v2/images", {"visibility": "public"}, format="json")
    assert response.status_code == 403
    assert glance(member).create(visibility="community")["visibility"] == "community"
    assert glance(admin).create(visibility="public")["visibility"] == "public"


def test_members_cannot_create_images_for_other_projects(glance, member, other, admin):
    response = glance(member).client.post("/image/v2/images", {"owner": other[1].id}, format="json")
    assert response.status_code == 403
    assert glance(admin).create(owner=other[1].id)["owner"] == other[1].id


def test_readers_cannot_create(glance, make_account):
    reader = make_account(("reader",))
    assert glance(reader).client.post("/image/v2/images", {"name": "r"}, format="json").status_code == 403


def test_show_unknown_or_malformed_id_is_404(glance, member):
    g = glance(member)
    assert g.get(f"/images/{uuid.uuid4()}").status_code == 404
    response = g.get("/images/not-a-uuid")
    assert response.status_code == 404 and response.json()["itemNotFound"]["code"] == 404


def test_delete_removes_record_and_data(glance, member, image_store):
    g = glance(member)
    image = g.active_image(b"data")
    assert store_files(image_store) == [image["id"]]
    assert g.delete(image["id"]).status_code == 204
    assert store_files(image_store) == []
    assert g.get(f"/images/{image['id']}").status_code == 404
    assert g.delete(image["id"]).status_code == 404
    assert status_of(image["id"]) == "deleted"  # soft-deleted: the id is never reused
    assert g.client.post("/image/v2/images", {"id": image["id"]}, format="json").status_code == 409


def test_protected_image_cannot_be_deleted(glance, member, image_store):
    g = glance(member)
    image = g.active_image(b"keep me", protected=True)
    response = g.delete(image["id"])
    assert response.status_code == 403
    assert status_of(image["id"]) == "active" and store_files(image_store) == [image["id"]]
    assert g.patch(image["id"], [{"op": "replace", "path": "/protected", "value": False}]).status_code == 200
    assert g.delete(image["id"]).status_code == 204


def test_tags_add_is_idempotent_and_delete_missing_is_404(glance, member, settings):
    g = glance(member)
    image = g.create(name="tagged")
    url = f"/image/v2/images/{image['id']}/tags"
    assert g.client.put(f"{url}/red").status_code == 204
    assert g.client.put(f"{url}/red").status_code == 204
    assert g.client.put(f"{url}/blue").status_code == 204
    assert g.get(f"/images/{image['id']}").json()["tags"] == ["red", "blue"]
    assert g.client.delete(f"{url}/red").status_code == 204
    assert g.client.delete(f"{url}/red").status_code == 404
    assert g.get(f"/images/{image['id']}").json()["tags"] == ["blue"]
    settings.IMAGE_TAG_QUOTA = 1
    assert g.client.put(f"{url}/green").status_code == 413


def test_schemas(glance, member):
    g = glance(member)
    image = g.get("/schemas/image").json()
    assert image["name"] == "image" and image["additionalProperties"] == {"type": "string"}
    assert "qcow2" in image["properties"]["disk_format"]["enum"]
    assert set(image["properties"]["visibility"]["enum"]) == {"public", "private", "shared", "community"}
    assert image["properties"]["checksum"]["readOnly"] is True
    images = g.get("/schemas/images").json()
    assert images["properties"]["images"]["items"]["name"] == "image"
    assert g.get("/schemas/member").json()["name"] == "member"
    assert g.get("/schemas/members").json()["name"] == "members"
    assert g.get("/schemas/nothing").status_code == 404


def test_admin_site_lists_images(client, admin_user):
    Image.objects.create(name="in-admin", status="active")
    client.force_login(admin_user)
    response = client.get("/admin/image_app/image/")
    assert response.status_code == 200 and b"in-admin" in response.content


def test_deactivate_and_reactivate(glance, member, other):
    g = glance(member)
    image = g.active_image(b"payload")
    actions = f"/image/v2/images/{image['id']}/actions"
    assert glance(other).client.post(f"{actions}/deactivate").status_code == 404  # shared, not a member
    assert g.client.post(f"{actions}/deactivate").status_code == 204
    assert g.client.post(f"{actions}/deactivate").status_code == 204  # already there: no-op
    assert g.get(f"/images/{image['id']}").json()["status"] == "deactivated"
    assert g.download(image["id"]).status_code == 403
    assert g.client.post(f"{actions}/reactivate").status_code == 204
    assert g.download(image["id"]).getvalue() == b"payload"
    queued = g.create(name="queued")
    assert g.client.post(f"/image/v2/images/{queued['id']}/actions/deactivate").status_code == 400
    assert g.client.post(f"/image/v2/images/{queued['id']}/actions/explode").status_code == 404


def test_empty_image_id_is_404(glance, member):
    """Tempest's null-id checks: "/v2/images/" names an image with an empty id."""
    g = glance(member)
    assert g.client.get("/image/v2/images/").status_code == 404
    assert g.client.delete("/image/v2/images/").status_code == 404
