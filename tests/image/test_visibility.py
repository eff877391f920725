"""Who sees which image: projects, visibilities, members, and the shared rule compute uses."""

from __future__ import annotations

import pytest

from cloud.api.errors import NotFound
from identity_app.backends import get_backend
from image_app.visibility import get_visible_image


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {image["id"] for image in response.json()["images"]}


@pytest.fixture
def images(glance, member, admin):
    """One image of each visibility owned by ``member``'s project, plus an admin's public image."""
    g = glance(member)
    made = {vis: g.create(name=f"{vis}-img", visibility=vis)["id"] for vis in ("private", "shared", "community")}
    made["public"] = glance(admin).create(name="public-img", visibility="public")["id"]
    return made


def test_other_project_sees_public_and_community_only(glance, other, images):
    g = glance(other)
    for vis in ("private", "shared"):
        response = g.get(f"/images/{images[vis]}")
        assert response.status_code == 404, vis  # not 403: existence must not leak
    assert g.get(f"/images/{images['community']}").status_code == 200
    assert g.get(f"/images/{images['public']}").status_code == 200
    # The default list has public images but not others' community ones (as Glance).
    assert _ids(g.get("/images")) & set(images.values()) == {images["public"]}
    assert images["community"] in _ids(g.get("/images", visibility="community"))
    assert _ids(g.get("/images", visibility="private")) & set(images.values()) == set()


def test_owner_lists_all_own_images(glance, member, images):
    listed = _ids(glance(member).get("/images"))
    assert {images["private"], images["shared"], images["community"], images["public"]} <= listed
    assert _ids(glance(member).get("/images", visibility="private")) & set(images.values()) == {images["private"]}


def test_others_cannot_modify_or_delete_visible_images(glance, other, images):
    g = glance(other)
    assert g.delete(images["public"]).status_code == 403
    assert g.patch(images["community"], [{"op": "replace", "path": "/name", "value": "x"}]).status_code == 403
    assert g.delete(images["private"]).status_code == 404


def test_admin_sees_everything(glance, admin, images):
    g = glance(admin)
    assert all(g.get(f"/images/{i}").status_code == 200 for i in images.values())
    assert set(images.values()) <= _ids(g.get("/images", visibility="all"))


def test_sharing_with_a_member(glance, member, other, images):
    owner, guest = glance(member), glance(other)
    shared = images["shared"]
    response = owner.client.post(f"/image/v2/images/{shared}/members", {"member": other[1].id}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending" and response.json()["schema"] == "/v2/schemas/member"
    assert owner.client.post(f"/image/v2/images/{shared}/members", {"member": other[1].id},
                             format="json").status_code == 409
    # Pending: readable, but not in the default list until accepted.
    assert guest.get(f"/images/{shared}").status_code == 200
    assert shared not in _ids(guest.get("/images"))
    assert shared in _ids(guest.get("/images", member_status="pending"))
    member_url = f"/image/v2/images/{shared}/members/{other[1].id}"
    assert owner.client.put(member_url, {"status": "accepted"}, format="json").status_code == 403
    assert guest.client.put(member_url, {"status": "maybe"}, format="json").status_code == 400
    assert guest.client.put(member_url, {"status": "accepted"}, format="json").status_code == 200
    assert shared in _ids(guest.get("/images"))
    assert shared in _ids(guest.get("/images", visibility="shared"))
    assert [m["member_id"] for m in guest.get(f"/images/{shared}/members").json()["members"]] == [other[1].id]
    # Only the owner removes members; then the image is invisible again.
    assert guest.client.delete(member_url).status_code == 403
    assert owner.client.delete(member_url).status_code == 204
    assert guest.get(f"/images/{shared}").status_code == 404


def test_members_only_on_shared_images(glance, member, other, images):
    response = glance(member).client.post(f"/image/v2/images/{images['private']}/members",
                                          {"member": other[1].id}, format="json")
    assert response.status_code == 403


def test_hidden_images_are_left_out_of_lists(glance, member):
    g = glance(member)
    hidden = g.create(name="hidden", os_hidden=True)["id"]
    assert hidden not in _ids(g.get("/images"))
    assert hidden in _ids(g.get("/images", os_hidden="true"))
    assert g.get(f"/images/{hidden}").status_code == 200


def test_get_visible_image_is_the_rule_compute_uses(glance, member, other, images):
    """image_app.visibility is what POST /servers calls to resolve imageRef."""
    guest = get_backend().validate(other[2])
    assert get_visible_image(guest, images["public"]).id == images["public"]
    assert get_visible_image(guest, images["community"]).id == images["community"]
    with pytest.raises(NotFound):
        get_visible_image(guest, images["private"])
    glance(member).delete(images["community"])
    with pytest.raises(NotFound):
        get_visible_image(guest, images["community"])
