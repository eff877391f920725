"""Version discovery documents (unauthenticated), checked against Tempest's schemas."""

from __future__ import annotations

import pytest
from tempest.lib.api_schema.response.compute.v2_1 import versions as schema

from compute_app.api.microversion import MAX_VERSION
from tests.schemas import assert_schema


@pytest.mark.parametrize("path", ["/compute", "/compute/"])
def test_root_lists_v20_then_v21(api, path):
    response = api().get(path)
    assert response.status_code == 200
    assert_schema(schema.list_versions, response)
    v20, v21 = response.json()["versions"]
    assert v20 == {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
                   "updated": "2011-01-21T11:33:21Z",
                   "links": [{"rel": "self", "href": "http://testserver/compute/v2/"}]}
    assert v21["id"] == "v2.1" and v21["status"] == "CURRENT"
    assert v21["version"] == str(MAX_VERSION) == "2.47" and v21["min_version"] == "2.1"
    assert v21["links"] == [{"rel": "self", "href": "http://testserver/compute/v2.1/"}]


@pytest.mark.parametrize("path", ["/compute/v2.1", "/compute/v2.1/"])
def test_v21_document(api, path):
    response = api().get(path)
    assert_schema(schema.get_one_version, response)
    body = response.json()["version"]
    assert set(body) == {"id", "status", "version", "min_version", "updated", "links", "media-types"}
    assert body["links"][0] == {"rel": "self", "href": "http://testserver/compute/v2.1/"}
    assert body["links"][1]["rel"] == "describedby"
    assert body["media-types"] == [{"base": "application/json",
                                    "type": "application/vnd.openstack.compute+json;version=2.1"}]
    assert (body["version"], body["min_version"]) == ("2.47", "2.1")


def test_discovery_ignores_bad_version_headers_and_tokens(api):
    """Discovery is not under microversion control and needs no (valid) token."""
    client = api("not-a-token", microversion="9.99")
    assert client.get("/compute/v2.1/").status_code == 200
    assert client.get("/compute").status_code == 200


def test_other_endpoints_still_need_a_token(api):
    assert api().get("/compute/v2.1/flavors").status_code == 401


@pytest.mark.parametrize("header, status, echoed", [
    ("2.47", 200, "2.47"), ("latest", 200, "2.47"), ("2.10", 200, "2.10"), ("2.48", 406, "2.1"),
    ("3.0", 406, "2.1"), ("two", 400, "2.1"),
])
def test_microversion_negotiation_on_resources(api, make_account, header, status, echoed):
    _, _, token = make_account(("member",))
    response = api(token, header).get("/compute/v2.1/flavors")
    assert response.status_code == status
    assert response["OpenStack-API-Version"] == f"compute {echoed}"
    assert response["X-OpenStack-Nova-API-Version"] == echoed
    if status == 406:
        assert response.json()["notAcceptable"]["code"] == 406


@pytest.mark.parametrize("path", ["/compute/v2", "/compute/v2/"])
def test_every_listed_version_link_resolves(api, path):
    """Tempest follows each self link of the list and expects the same link back."""
    listed = {v["id"]: v["links"][0]["href"] for v in api().get("/compute").json()["versions"]}
    response = api().get(path)
    assert_schema(schema.get_one_version, response)
    version = response.json()["version"]
    assert version["id"] == "v2.0" and version["status"] == "SUPPORTED"
    assert version["links"][0]["href"] == listed["v2.0"]
