"""Flavors: shapes (Tempest's schemas and exact keys), visibility, filters, paging, create/delete, bad input."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from tempest.lib.api_schema.response.compute.v2_1 import flavors as schema

from compute_app.models import Flavor, FlavorAccess
from tests.schemas import assert_schema

BASIC_KEYS = {"id", "name", "links"}
DETAIL_KEYS = {"id", "name", "ram", "disk", "vcpus", "links", "swap", "rxtx_factor", "OS-FLV-EXT-DATA:ephemeral",
               "OS-FLV-DISABLED:disabled", "os-flavor-access:is_public"}
URL = "/compute/v2.1/flavors"


def make_flavor(**fields) -> Flavor:
    tag = uuid.uuid4().hex[:8]
    values = {"flavorid": f"f-{tag}", "name": f"flavor-{tag}", "memory_mb": 256, "vcpus": 1, "root_gb": 1}
    values.update(fields)
    return Flavor.objects.create(**values)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [f["id"] for f in response.json()["flavors"]]


@pytest.mark.parametrize("version", ["2.1", "2.7", "2.47"])
def test_shapes_match_tempest_and_nova_keys(api, member, version):
    flavor = make_flavor(swap=512, ephemeral_gb=2, rxtx_factor=2.0)
    client = api(member.token, version)
    listed = client.get(URL)
    assert_schema(schema.list_flavors, listed)
    assert all(set(f) == BASIC_KEYS for f in listed.json()["flavors"])
    detail = client.get(f"{URL}/detail")
    assert_schema(schema.list_flavors_details, detail)
    assert all(set(f) == DETAIL_KEYS for f in detail.json()["flavors"])
    shown = client.get(f"{URL}/{flavor.flavorid}")
    assert_schema(schema.create_update_get_flavor_details, shown)
    assert shown["OpenStack-API-Version"] == f"compute {version}"
    body = shown.json()["flavor"]
    assert body == {
        "id": flavor.flavorid, "name": flavor.name, "ram": 256, "disk": 1, "vcpus": 1, "swap": 512,
        "rxtx_factor": 2.0, "OS-FLV-EXT-DATA:ephemeral": 2, "OS-FLV-DISABLED:disabled": False,
        "os-flavor-access:is_public": True,
        "links": [{"rel": "self", "href": f"http://testserver/compute/v2.1/flavors/{flavor.flavorid}"},
                  {"rel": "bookmark", "href": f"http://testserver/compute/flavors/{flavor.flavorid}"}],
    }


def test_swap_zero_is_an_empty_string(api, member):
    body = api(member.token).get(f"{URL}/1").json()["flavor"]
    assert body["swap"] == "" and body["name"] == "m1.tiny"


def test_unknown_flavor_is_404_in_nova_style(api, member):
    response = api(member.token).get(f"{URL}/no-such-flavor")
    assert response.status_code == 404
    assert response.json() == {"itemNotFound": {"code": 404, "message": "Flavor no-such-flavor could not be found."}}


def test_private_flavors_are_visible_only_with_access(api, admin, member, other):
    private = make_flavor(is_public=False)
    for account in (member, other):
        client = api(account.token)
        assert private.flavorid not in ids(client.get(f"{URL}/detail"))
        assert client.get(f"{URL}/{private.flavorid}").status_code == 404
    FlavorAccess.objects.create(flavor=private, project_id=member.project_id)
    client = api(member.token)
    assert private.flavorid in ids(client.get(URL))
    assert client.get(f"{URL}/{private.flavorid}").json()["flavor"]["os-flavor-access:is_public"] is False
    assert api(other.token).get(f"{URL}/{private.flavorid}").status_code == 404
    assert api(admin.token).get(f"{URL}/{private.flavorid}").status_code == 200


def test_admin_is_public_filter(api, admin, member):
    public, private = make_flavor(), make_flavor(is_public=False)
    client = api(admin.token)
    default = ids(client.get(URL))
    assert public.flavorid in default and private.flavorid not in default
    only_private = ids(client.get(f"{URL}?is_public=false"))
    assert private.flavorid in only_private and public.flavorid not in only_private
    everything = ids(client.get(f"{URL}?is_public=None"))
    assert {public.flavorid, private.flavorid} <= set(everything)
    assert client.get(f"{URL}?is_public=maybe").status_code == 400
    # Non-admins cannot widen their view with is_public.
    for value in ("false", "none"):
        assert private.flavorid not in ids(api(member.token).get(f"{URL}?is_public={value}"))


def test_disabled_flavors_are_hidden_from_lists_but_showable(api, admin, member):
    disabled = make_flavor(disabled=True)
    assert disabled.flavorid not in ids(api(member.token).get(URL))
    assert api(member.token).get(f"{URL}/{disabled.flavorid}").json()["flavor"]["OS-FLV-DISABLED:disabled"] is True
    assert disabled.flavorid in ids(api(admin.token).get(URL))


def test_min_ram_and_min_disk(api, member):
    small, big = make_flavor(memory_mb=100, root_gb=1), make_flavor(memory_mb=900000, root_gb=5000)
    client = api(member.token)
    assert ids(client.get(f"{URL}?minRam=900000")) == [big.flavorid]
    found = ids(client.get(f"{URL}/detail?minDisk=5000"))
    assert found == [big.flavorid] and small.flavorid not in found
    for query in ("minRam=abc", "minDisk=1.5"):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 400 and query.split("=")[0] in response.json()["badRequest"]["message"]


def test_sorting(api, member):
    client = api(member.token)
    by_ram = client.get(f"{URL}/detail?sort_key=memory_mb&sort_dir=desc").json()["flavors"]
    rams = [f["ram"] for f in by_ram]
    assert rams == sorted(rams, reverse=True)
    assert ids(client.get(URL)) == sorted(ids(client.get(URL)))  # default: flavorid ascending
    assert client.get(f"{URL}?sort_key=bogus").status_code == 400
    assert client.get(f"{URL}?sort_dir=up").status_code == 400


def test_paging_with_next_links(api, member):
    client = api(member.token)
    everything = ids(client.get(URL))
    assert len(everything) >= 4
    first = client.get(f"{URL}?limit=2")
    assert ids(first) == everything[:2]
    (link,) = first.json()["flavors_links"]
    assert link["rel"] == "next"
    query = parse_qs(urlparse(link["href"]).query)
    assert query == {"limit": ["2"], "marker": [everything[1]]}
    assert urlparse(link["href"]).path == "/compute/v2.1/flavors"
    second = client.get(f"{URL}?limit=2&marker={everything[1]}")
    assert ids(second) == everything[2:4]
    rest = client.get(f"{URL}?marker={everything[-1]}")
    assert ids(rest) == [] and "flavors_links" not in rest.json()
    detail = client.get(f"{URL}/detail?limit=1&sort_key=memory_mb&sort_dir=desc").json()
    assert urlparse(detail["flavors_links"][0]["href"]).path == "/compute/v2.1/flavors/detail"
    assert client.get(f"{URL}?marker=nope").status_code == 400
    assert client.get(f"{URL}?limit=-1").status_code == 400
    assert client.get(f"{URL}?limit=x").status_code == 400


def test_paging_by_a_sort_key_with_ties(api, member):
    made = [make_flavor(memory_mb=777777, flavorid=f"tie-{i}-{uuid.uuid4().hex[:4]}") for i in range(3)]
    client = api(member.token)
    seen, marker = [], None
    while True:
        query = "minRam=777777&sort_key=memory_mb&limit=1" + (f"&marker={marker}" if marker else "")
        page = ids(client.get(f"{URL}?{query}"))
        if not page:
            break
        seen += page
        marker = page[-1]
    assert sorted(seen) == sorted(f.flavorid for f in made) and len(seen) == len(set(seen))


def create(client, expect: int = 200, **fields):
    body = {"flavor": {"name": f"new-{uuid.uuid4().hex[:8]}", "ram": 512, "vcpus": 1, "disk": 1, **fields}}
    response = client.post(URL, body, format="json")
    assert response.status_code == expect, response.content
    return response


def test_admin_creates_and_deletes_flavors(api, admin):
    client = api(admin.token, "2.47")
    response = create(client, swap=0, rxtx_factor="1.5", **{"OS-FLV-EXT-DATA:ephemeral": "3",
                                                             "os-flavor-access:is_public": False})
    assert_schema(schema.create_update_get_flavor_details, response)
    body = response.json()["flavor"]
    assert set(body) == DETAIL_KEYS
    uuid.UUID(body["id"])  # generated
    assert (body["swap"], body["rxtx_factor"], body["OS-FLV-EXT-DATA:ephemeral"]) == ("", 1.5, 3)
    assert body["os-flavor-access:is_public"] is False
    numbered = create(client, id=987654).json()["flavor"]
    assert numbered["id"] == "987654"
    assert client.get(f"{URL}/987654").status_code == 200
    deleted = client.delete(f"{URL}/987654")
    assert deleted.status_code == 202 and deleted.content == b""
    assert client.get(f"{URL}/987654").status_code == 404
    assert client.delete(f"{URL}/987654").status_code == 404


def test_duplicate_id_or_name_is_409(api, admin):
    client = api(admin.token)
    create(client, id="dup-id", name="dup-name")
    by_id = create(client, 409, id="dup-id")
    assert by_id.json()["conflictingRequest"]["message"] == "Flavor with ID dup-id already exists."
    by_name = create(client, 409, name="dup-name")
    assert by_name.json()["conflictingRequest"]["message"] == "Flavor with name dup-name already exists."


@pytest.mark.parametrize("fields, named", [
    ({"ram": 2**40}, "ram"),
    ({"ram": 0}, "ram"),
    ({"ram": -1}, "ram"),
    ({"ram": 1.5}, "ram"),
    ({"ram": True}, "ram"),
    ({"ram": "12x"}, "ram"),
    ({"vcpus": "99999999999999999999999"}, "vcpus"),
    ({"vcpus": None}, "vcpus"),
    ({"disk": -1}, "disk"),
    ({"disk": 2**31}, "disk"),
    ({"swap": 1.0}, "swap"),
    ({"OS-FLV-EXT-DATA:ephemeral": False}, "OS-FLV-EXT-DATA:ephemeral"),
    ({"rxtx_factor": 0}, "rxtx_factor"),
    ({"rxtx_factor": True}, "rxtx_factor"),
    ({"rxtx_factor": "fast"}, "rxtx_factor"),
    ({"os-flavor-access:is_public": "maybe"}, "os-flavor-access:is_public"),
    ({"name": " padded"}, "name"),
    ({"name": "tab\there"}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"name": ""}, "name"),
    ({"name": 42}, "name"),
    ({"name": "emoji \U0001F600"}, "name"),
    ({"id": "has/slash"}, "id"),
    ({"id": " lead"}, "id"),
    ({"id": "x" * 256}, "id"),
    ({"id": True}, "id"),
    ({"description": "only from 2.55"}, "description"),
    ({"bogus": 1}, "bogus"),
])
def test_bad_create_input_is_400_naming_the_field(api, admin, fields, named):
    response = create(api(admin.token), 400, **fields)
    message = response.json()["badRequest"]["message"]
    assert named in message


@pytest.mark.parametrize("body", [
    {}, [], {"flavor": "x"}, {"flavor": {"name": "n", "ram": 1, "vcpus": 1}}, {"flavor": {}, "extra": 1},
])
def test_malformed_create_bodies(api, admin, body):
    assert api(admin.token).post(URL, body, format="json").status_code == 400


def test_non_utf8_and_nul_bodies(api, admin):
    client = api(admin.token)
    bad_utf8 = client.post(URL, b'{"flavor": {"name": "\xff"}}', content_type="application/json")
    assert bad_utf8.status_code == 400
    nul = client.post(URL, b'{"flavor": {"name": "a\\u0000b", "ram": 1, "vcpus": 1, "disk": 1}}',
                      content_type="application/json")
    assert nul.status_code == 400


@pytest.mark.parametrize("role", ["member", "reader"])
def test_only_admins_manage_flavors(api, request, role):
    account = request.getfixturevalue(role)
    client = api(account.token)
    response = create(client, 403)
    assert "os_compute_api:os-flavor-manage:create" in response.json()["forbidden"]["message"]
    assert client.delete(f"{URL}/1").status_code == 403
    assert Flavor.objects.filter(flavorid="1").exists()
