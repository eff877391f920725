"""Flavor extra specs and access lists of private flavors."""

from __future__ import annotations

import pytest
from tempest.lib.api_schema.response.compute.v2_1 import flavors_access as access_schema
from tempest.lib.api_schema.response.compute.v2_1 import flavors_extra_specs as specs_schema

from compute_app.models import Flavor, FlavorAccess
from tests.compute_api.test_flavors import URL, ids, make_flavor
from tests.schemas import assert_schema


def specs_url(flavor: Flavor, key: str | None = None) -> str:
    return f"{URL}/{flavor.flavorid}/os-extra_specs" + (f"/{key}" if key else "")


def test_extra_specs_crud(api, admin, member):
    flavor = make_flavor()
    client = api(admin.token)
    created = client.post(specs_url(flavor), {"extra_specs": {"hw:cpu_policy": "dedicated", "quota:n": 5}},
                          format="json")
    # Nova echoes the request (numbers stay numbers there) but always reads back strings.
    assert created.status_code == 200 and created.json() == {"extra_specs": {"hw:cpu_policy": "dedicated",
                                                                             "quota:n": 5}}
    listed = api(member.token).get(specs_url(flavor))
    assert_schema(specs_schema.set_get_flavor_extra_specs, listed)
    assert listed.json() == {"extra_specs": {"hw:cpu_policy": "dedicated", "quota:n": "5"}}
    one = api(member.token).get(specs_url(flavor, "quota:n"))
    assert_schema(specs_schema.set_get_flavor_extra_specs_key, one)
    assert one.json() == {"quota:n": "5"}
    updated = client.put(specs_url(flavor, "quota:n"), {"quota:n": "7"}, format="json")
    assert_schema(specs_schema.set_get_flavor_extra_specs_key, updated)
    assert Flavor.objects.get(pk=flavor.pk).extra_specs == {"hw:cpu_policy": "dedicated", "quota:n": "7"}
    deleted = client.delete(specs_url(flavor, "quota:n"))
    assert_schema(specs_schema.unset_flavor_extra_specs, deleted)
    assert client.get(specs_url(flavor, "quota:n")).status_code == 404
    assert client.delete(specs_url(flavor, "quota:n")).status_code == 404
    assert api(member.token).get(specs_url(flavor)).json() == {"extra_specs": {"hw:cpu_policy": "dedicated"}}


def test_extra_spec_update_rules(api, admin):
    flavor = make_flavor()
    client = api(admin.token)
    mismatch = client.put(specs_url(flavor, "a"), {"b": "1"}, format="json")
    assert mismatch.status_code == 400 and "mismatch" in mismatch.json()["badRequest"]["message"]
    assert client.put(specs_url(flavor, "a"), {"a": "1", "b": "2"}, format="json").status_code == 400
    assert client.put(specs_url(flavor, "a"), {}, format="json").status_code == 400


@pytest.mark.parametrize("specs", [
    {"bad/key": "v"}, {"": "v"}, {"k" * 256: "v"}, {"k": "v" * 256}, {"k": True}, {"k": None}, {"k": {"x": 1}},
    "not-an-object", {"k": 10 ** 300},
])
def test_bad_extra_specs_are_400(api, admin, specs):
    response = api(admin.token).post(specs_url(make_flavor()), {"extra_specs": specs}, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("role", ["member", "reader"])
def test_only_admins_write_extra_specs(api, request, role):
    flavor = make_flavor(extra_specs={"k": "v"})
    client = api(request.getfixturevalue(role).token)
    assert client.get(specs_url(flavor)).status_code == 200
    assert client.post(specs_url(flavor), {"extra_specs": {"x": "1"}}, format="json").status_code == 403
    assert client.put(specs_url(flavor, "k"), {"k": "w"}, format="json").status_code == 403
    assert client.delete(specs_url(flavor, "k")).status_code == 403
    assert Flavor.objects.get(pk=flavor.pk).extra_specs == {"k": "v"}


def test_extra_specs_of_invisible_flavor_are_404(api, member):
    private = make_flavor(is_public=False, extra_specs={"k": "v"})
    assert api(member.token).get(specs_url(private)).status_code == 404
    assert api(member.token).get(specs_url(private, "k")).status_code == 404


def action(client, flavor: Flavor, name: str, tenant, expect: int):
    response = client.post(f"{URL}/{flavor.flavorid}/action", {name: {"tenant": tenant}}, format="json")
    assert response.status_code == expect, response.content
    return response


def test_flavor_access_lifecycle(api, admin, member, other):
    private = make_flavor(is_public=False)
    client = api(admin.token, "2.7")
    listing = client.get(f"{URL}/{private.flavorid}/os-flavor-access")
    assert_schema(access_schema.add_remove_list_flavor_access, listing)
    assert listing.json() == {"flavor_access": []}
    added = action(client, private, "addTenantAccess", member.project_id, 200)
    assert_schema(access_schema.add_remove_list_flavor_access, added)
    assert added.json() == {"flavor_access": [{"flavor_id": private.flavorid, "tenant_id": member.project_id}]}
    action(client, private, "addTenantAccess", member.project_id, 409)
    assert private.flavorid in ids(api(member.token).get(URL))
    assert private.flavorid not in ids(api(other.token).get(URL))
    removed = action(client, private, "removeTenantAccess", member.project_id, 200)
    assert removed.json() == {"flavor_access": []}
    action(client, private, "removeTenantAccess", member.project_id, 404)
    assert api(member.token).get(f"{URL}/{private.flavorid}").status_code == 404


def test_public_flavors_have_no_access_list(api, admin):
    public = make_flavor()
    client = api(admin.token, "2.7")
    assert client.get(f"{URL}/{public.flavorid}/os-flavor-access").status_code == 404
    conflict = action(client, public, "addTenantAccess", admin.project_id, 409)
    assert conflict.json()["conflictingRequest"]["message"] == "Can not add access to a public flavor."
    # Before 2.7 Nova quietly recorded it.
    action(api(admin.token, "2.6"), public, "addTenantAccess", admin.project_id, 200)
    assert FlavorAccess.objects.filter(flavor=public, project_id=admin.project_id).exists()


def test_flavor_access_bad_input(api, admin):
    private = make_flavor(is_public=False)
    client = api(admin.token)
    unknown_project = action(client, private, "addTenantAccess", "no-such-project", 400)
    assert "not a valid project" in unknown_project.json()["badRequest"]["message"]
    action(client, private, "addTenantAccess", "", 400)
    action(client, private, "addTenantAccess", 12, 400)
    assert client.post(f"{URL}/{private.flavorid}/action", {"reboot": {}}, format="json").status_code == 400
    assert client.post(f"{URL}/{private.flavorid}/action", {"addTenantAccess": {}}, format="json").status_code == 400
    assert client.post(f"{URL}/{private.flavorid}/action", {"addTenantAccess": {"tenant": admin.project_id,
                                                                                 "x": 1}},
                       format="json").status_code == 400
    missing = client.post(f"{URL}/no-such-flavor/action", {"addTenantAccess": {"tenant": admin.project_id}},
                          format="json")
    assert missing.status_code == 404
    assert client.get(f"{URL}/no-such-flavor/os-flavor-access").status_code == 404


@pytest.mark.parametrize("role", ["member", "reader"])
def test_only_admins_manage_access(api, request, role):
    account = request.getfixturevalue(role)
    private = make_flavor(is_public=False)
    FlavorAccess.objects.create(flavor=private, project_id=account.project_id)
    client = api(account.token)
    assert client.get(f"{URL}/{private.flavorid}/os-flavor-access").status_code == 403
    action(client, private, "addTenantAccess", account.project_id, 403)
    action(client, private, "removeTenantAccess", account.project_id, 403)
    assert FlavorAccess.objects.filter(flavor=private).count() == 1
