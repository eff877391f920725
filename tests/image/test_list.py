"""GET /v2/images: filters, sort keys and directions, marker pagination and links."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from image_app.models import Image


@pytest.fixture
def g(glance, member):
    return glance(member)


@pytest.fixture
def catalog(g, member):
    """Five images of the member's project with distinct, sortable attributes."""
    owner = member[1].id
    now = timezone.now()
    specs = [
        ("delta", "active", "qcow2", 400, ["linux", "small"], {"os_distro": "ubuntu"}),
        ("alpha", "active", "raw", 100, ["linux"], {"os_distro": "fedora"}),
        ("echo", "queued", None, None, [], {}),
        ("charlie", "active", "raw", 300, ["windows"], {"os_distro": "ubuntu"}),
        ("bravo", "saving", "qcow2", 200, ["linux", "small"], {}),
    ]
    made = {}
    for offset, (name, status, disk_format, size, tags, props) in enumerate(specs):
        image = Image.objects.create(name=name, status=status, disk_format=disk_format, size=size, tags=tags,
                                     properties=props, owner=owner, visibility="private")
        # Distinct creation times, in the order above.
        Image.objects.filter(id=image.id).update(created_at=now - timedelta(minutes=10 - offset))
        made[name] = image.id
    return made


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [image["name"] for image in response.json()["images"]]


def test_default_order_is_newest_first(g, catalog):
    assert _names(g.get("/images")) == ["bravo", "charlie", "echo", "alpha", "delta"]


@pytest.mark.parametrize("params, expected", [
    ({"name": "alpha"}, ["alpha"]),
    ({"name": "in:alpha,echo"}, ["echo", "alpha"]),
    ({"status": "active"}, ["charlie", "alpha", "delta"]),
    ({"status": "in:queued,saving"}, ["bravo", "echo"]),
    ({"disk_format": "qcow2"}, ["bravo", "delta"]),
    ({"tag": "linux"}, ["bravo", "alpha", "delta"]),
    ({"tag": ["linux", "small"]}, ["bravo", "delta"]),
    ({"size_min": "200", "size_max": "350"}, ["bravo", "charlie"]),
    ({"os_distro": "ubuntu"}, ["charlie", "delta"]),
    ({"visibility": "private", "name": "delta"}, ["delta"]),
    ({"protected": "false", "name": "echo"}, ["echo"]),
])
def test_filters(g, catalog, params, expected):
    assert _names(g.get("/images", **params)) == expected


def test_filter_by_ids_and_owner(g, catalog, member, other, glance):
    ids = f"in:{catalog['alpha']},{catalog['delta']}"
    assert _names(g.get("/images", id=ids)) == ["alpha", "delta"]
    assert len(_names(g.get("/images", owner=member[1].id))) == 5
    assert _names(glance(other).get("/images", owner=member[1].id)) == []  # private: invisible


def test_created_at_comparison(g, catalog):
    cut = Image.objects.get(id=catalog["echo"]).created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert _names(g.get("/images", created_at=f"gte:{cut}")) == ["bravo", "charlie", "echo"]
    assert _names(g.get("/images", created_at=f"lt:{cut}")) == ["alpha", "delta"]
    assert g.get("/images", created_at="gt:yesterday").status_code == 400


@pytest.mark.parametrize("params, expected", [
    ({"sort_key": "name", "sort_dir": "asc"}, ["alpha", "bravo", "charlie", "delta", "echo"]),
    ({"sort_key": "name"}, ["echo", "delta", "charlie", "bravo", "alpha"]),
    ({"sort": "name:asc"}, ["alpha", "bravo", "charlie", "delta", "echo"]),
    ({"sort": "disk_format:asc,name:desc"}, ["echo", "delta", "bravo", "charlie", "alpha"]),
    ({"sort_key": ["disk_format", "name"], "sort_dir": ["desc", "asc"]},
     ["alpha", "charlie", "bravo", "delta", "echo"]),
    ({"sort": "size:desc"}, ["delta", "charlie", "bravo", "alpha", "echo"]),
])
def test_sorting(g, catalog, params, expected):
    assert _names(g.get("/images", **params)) == expected


@pytest.mark.parametrize("params", [
    {"sort_key": "checksum"},
    {"sort_key": "name", "sort_dir": "sideways"},
    {"sort": "name:asc", "sort_key": "name"},
    {"sort_key": ["name", "size"], "sort_dir": ["asc", "desc", "asc"]},
    {"sort": "name:asc,name:desc"},
    {"limit": "-1"},
    {"limit": "ten"},
    {"marker": "no-such-image"},
    {"protected": "maybe"},
    {"size_min": "99999999999999999999999"},
    {"visibility": "everyone"},
    {"member_status": "maybe"},
])
def test_bad_list_parameters_are_400(g, catalog, params):
    assert g.get("/images", **params).status_code == 400


@pytest.mark.parametrize("params", [
    {},
    {"sort_key": "name", "sort_dir": "asc"},
    {"sort": "disk_format:asc,size:desc"},  # NULLs in both keys
    {"sort": "size:asc"},
    {"sort": "size:desc"},  # the NULL size sorts last, on the last page
    {"sort_key": "disk_format", "sort_dir": "desc"},
])
def test_pagination_walks_every_image_once(g, catalog, params):
    expected = _names(g.get("/images", **params))
    seen: list[str] = []
    response = g.get("/images", limit=2, **params)
    pages = 0
    while True:
        body = response.json()
        seen += [image["name"] for image in body["images"]]
        pages += 1
        assert body["first"].startswith("/v2/images?") and "marker" not in body["first"]
        if "next" not in body:
            break
        parts = urlsplit(body["next"])
        assert parts.path == "/v2/images"
        query = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(parts.query).items()}
        assert query["limit"] == "2"
        response = g.get("/images", **query)
    assert seen == expected and pages == 3


def test_no_next_link_on_the_last_page(g, catalog):
    body = g.get("/images", limit=5).json()
    assert len(body["images"]) == 5 and "next" not in body
    assert body["first"] == "/v2/images?limit=5" and body["schema"] == "/v2/schemas/images"


def test_default_and_maximum_page_size(g, catalog, settings):
    settings.IMAGE_LIST_DEFAULT_LIMIT = 3
    assert len(_names(g.get("/images"))) == 3
    settings.API_MAX_LIMIT = 4
    assert len(_names(g.get("/images", limit=100))) == 4
