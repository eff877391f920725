"""The compute API's image proxy (/compute/v2.1/images), checked against Tempest's schemas."""

from __future__ import annotations

import uuid

import pytest
from tempest.lib.api_schema.response.compute.v2_1 import images as schema

from image_app.models import Image
from tests.schemas import assert_schema


@pytest.fixture
def nova(api, member):
    def client(version: str = "2.1"):
        return api(member[2], version)
    return client


@pytest.fixture
def images(glance, member, admin):
    g = glance(member)
    active = g.active_image(b"bytes" * 10, name="active-img", min_ram=128, min_disk=2,
                            auto_disk_config="true", instance_uuid=str(uuid.uuid4()), image_type="snapshot")
    queued = g.create(name="queued-img")
    private_other = glance(admin).create(name="admin-private", visibility="private")
    return {"active": active, "queued": queued, "private_other": private_other}


def test_detail_shape(nova, images):
    response = nova().get(f"/compute/v2.1/images/{images['active']['id']}")
    assert response.status_code == 200
    assert_schema(schema.get_image, response)
    image = response.json()["image"]
    assert image["status"] == "ACTIVE" and image["progress"] == 100
    assert image["minRam"] == 128 and image["minDisk"] == 2
    assert image["OS-EXT-IMG-SIZE:size"] == 50 and image["OS-DCF:diskConfig"] == "AUTO"
    assert image["metadata"]["image_type"] == "snapshot"
    assert image["server"]["id"] == image["metadata"]["instance_uuid"]
    rels = {link["rel"]: link["href"] for link in image["links"]}
    assert rels["self"] == f"http://testserver/compute/v2.1/images/{image['id']}"
    assert rels["bookmark"] == f"http://testserver/compute/images/{image['id']}"
    assert rels["alternate"] == f"http://testserver/image/images/{image['id']}"
    assert response["OpenStack-API-Version"] == "compute 2.1"
    queued = nova().get(f"/compute/v2.1/images/{images['queued']['id']}").json()["image"]
    assert queued["status"] == "SAVING" and queued["progress"] == 25


def test_list_and_detail(nova, images):
    listed = nova().get("/compute/v2.1/images")
    assert listed.status_code == 200
    assert_schema(schema.list_images, listed)
    ids = {i["id"] for i in listed.json()["images"]}
    assert {images["active"]["id"], images["queued"]["id"]} <= ids
    assert images["private_other"]["id"] not in ids
    detailed = nova().get("/compute/v2.1/images/detail")
    assert_schema(schema.list_images_details, detailed)


@pytest.mark.parametrize("params, key", [
    ({"status": "ACTIVE"}, "active"),
    ({"status": "SAVING"}, "queued"),
    ({"name": "queued-img"}, "queued"),
    ({"type": "snapshot"}, "active"),
    ({"minRam": "100"}, "active"),
    ({"minDisk": "2"}, "active"),
])
def test_nova_filters(nova, images, params, key):
    response = nova().get("/compute/v2.1/images/detail", params)
    mine = {images["active"]["id"], images["queued"]["id"]}
    assert {i["id"] for i in response.json()["images"]} & mine == {images[key]["id"]}


def test_server_filter_accepts_id_or_url(nova, images):
    server = images["active"]["instance_uuid"]
    for value in (server, f"http://testserver/compute/v2.1/servers/{server}"):
        response = nova().get("/compute/v2.1/images", {"server": value})
        assert [i["id"] for i in response.json()["images"]] == [images["active"]["id"]]


def test_pagination_links(nova, images):
    first = nova().get("/compute/v2.1/images", {"limit": 1})
    assert_schema(schema.list_images, first)
    body = first.json()
    assert len(body["images"]) == 1 and body["images_links"][0]["rel"] == "next"
    assert f"marker={body['images'][0]['id']}" in body["images_links"][0]["href"]
    rest = nova().get("/compute/v2.1/images", {"marker": body["images"][0]["id"]}).json()
    assert body["images"][0]["id"] not in {i["id"] for i in rest["images"]}
    assert nova().get("/compute/v2.1/images", {"marker": str(uuid.uuid4())}).status_code == 400


def test_delete_through_the_proxy(nova, images, image_store):
    image_id = images["active"]["id"]
    response = nova().delete(f"/compute/v2.1/images/{image_id}")
    assert response.status_code == 204
    assert Image.objects.get(id=image_id).status == "deleted" and not (image_store / image_id).exists()
    assert nova().get(f"/compute/v2.1/images/{image_id}").status_code == 404
    assert nova().delete(f"/compute/v2.1/images/{images['private_other']['id']}").status_code == 404


def test_protected_image_delete_is_403(glance, member, nova):
    image = glance(member).create(name="prot", protected=True)
    assert nova().delete(f"/compute/v2.1/images/{image['id']}").status_code == 403


@pytest.mark.parametrize("version, status", [("2.1", 200), ("2.35", 200), ("2.36", 404), ("2.47", 404)])
def test_proxy_only_below_2_36(nova, images, version, status):
    image_id = images["active"]["id"]
    for path in ("/compute/v2.1/images", "/compute/v2.1/images/detail", f"/compute/v2.1/images/{image_id}"):
        response = nova(version).get(path)
        assert response.status_code == status, path
        assert response["OpenStack-API-Version"] == f"compute {version}"
    if status == 404:
        assert nova(version).get(f"/compute/v2.1/images/{image_id}").json()["itemNotFound"]["code"] == 404
        assert nova(version).delete(f"/compute/v2.1/images/{image_id}").status_code == 404
        assert Image.objects.get(id=image_id).status == "active"


def test_unknown_image_is_404(nova, images):
    assert nova().get(f"/compute/v2.1/images/{uuid.uuid4()}").status_code == 404


def test_image_metadata_proxy_edits_custom_properties(nova, glance, member):
    image = glance(member).create(name="meta-img", os_distro="cirros")
    base = f"/compute/v2.1/images/{image['id']}/metadata"
    client = nova("2.38")
    listed = client.get(base)
    assert_schema(schema.image_metadata, listed)
    assert listed.json() == {"metadata": {"os_distro": "cirros"}}
    merged = client.post(base, {"metadata": {"a": "1"}}, format="json")
    assert_schema(schema.image_metadata, merged)
    assert merged.json()["metadata"] == {"os_distro": "cirros", "a": "1"}
    item = client.put(f"{base}/b", {"meta": {"b": "2"}}, format="json")
    assert_schema(schema.image_meta_item, item)
    assert_schema(schema.image_meta_item, client.get(f"{base}/b"))
    assert client.delete(f"{base}/a").status_code == 204
    assert client.delete(f"{base}/a").status_code == 404
    assert client.put(base, {"metadata": {"only": "x"}}, format="json").json() == {"metadata": {"only": "x"}}
    # The image service sees the same properties; base attributes are untouched.
    shown = glance(member).get(f"/images/{image['id']}").json()
    assert shown["only"] == "x" and "os_distro" not in shown and shown["name"] == "meta-img"


def test_image_metadata_proxy_refusals(nova, glance, member, admin):
    mine = glance(member).create(name="mine")
    base = f"/compute/v2.1/images/{mine['id']}/metadata"
    client = nova("2.38")
    assert client.put(f"{base}/k", {"meta": {"other": "v"}}, format="json").status_code == 400
    assert client.post(base, {"metadata": {"": "v"}}, format="json").status_code == 400
    assert client.post(base, {"meta": {"k": "v"}}, format="json").status_code == 400
    assert client.post(base, {"metadata": {"name": "renamed"}}, format="json").status_code == 403  # read-only
    # Someone else's public image is visible but not theirs to change; a private one is invisible.
    public = glance(admin).create(name="public", visibility="public")
    private = glance(admin).create(name="private", visibility="private")
    assert client.get(f"/compute/v2.1/images/{public['id']}/metadata").status_code == 200
    assert client.post(f"/compute/v2.1/images/{public['id']}/metadata", {"metadata": {"k": "v"}},
                       format="json").status_code == 403
    assert client.get(f"/compute/v2.1/images/{private['id']}/metadata").status_code == 404
    # Gone from 2.39 on, as in Nova.
    assert nova("2.39").get(base).status_code == 404
    assert nova("2.39").post(base, {"metadata": {"k": "v"}}, format="json").status_code == 404
    assert Image.objects.get(id=mine["id"]).properties == {}
