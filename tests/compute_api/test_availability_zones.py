"""GET /os-availability-zone[/detail]: zones from services and aggregates, as Nova."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from tempest.lib.api_schema.response.compute.v2_1 import availability_zone as schema

from compute_app.models import Aggregate, AggregateHost, Service
from tests.schemas import assert_schema

URL = "/compute/v2.1/os-availability-zone"


@pytest.fixture
def services(db):
    """Two zoned hosts, one default-zone host, a disabled host alone in its zone, and control services."""
    Service.objects.all().delete()
    now = timezone.now()

    def service(binary: str, host: str, **fields) -> Service:
        return Service.objects.create(binary=binary, host=host, last_seen_at=fields.pop("seen", now), **fields)

    made = {
        "a1": service("nova-compute", "az-a-1"),
        "a2": service("nova-compute", "az-a-2", seen=now - timedelta(hours=1)),  # down
        "plain": service("nova-compute", "plain-1"),
        "lonely": service("nova-compute", "lonely-1", disabled=True),
        "scheduler": service("nova-scheduler", "ctl"),
        "conductor": service("nova-conductor", "ctl"),
        "api": service("nova-osapi_compute", "ctl"),
    }
    zone_a = Aggregate.objects.create(name="agg-a", metadata={"availability_zone": "zone-a"})
    zone_b = Aggregate.objects.create(name="agg-b", metadata={"availability_zone": "zone-b"})
    no_zone = Aggregate.objects.create(name="agg-none", metadata={"ssd": "true"})
    for host in ("az-a-1", "az-a-2"):
        AggregateHost.objects.create(aggregate=zone_a, host=host)
    AggregateHost.objects.create(aggregate=zone_b, host="lonely-1")
    AggregateHost.objects.create(aggregate=no_zone, host="plain-1")
    return made


@override_settings(DEFAULT_AVAILABILITY_ZONE="nova")
def test_list_shows_zones_and_hides_internal(api, member, services):
    response = api(member.token).get(URL)
    assert_schema(schema.list_availability_zone_list, response)
    assert response.json()["availabilityZoneInfo"] == [
        {"zoneName": "zone-a", "zoneState": {"available": True}, "hosts": None},
        {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None},
        {"zoneName": "zone-b", "zoneState": {"available": False}, "hosts": None},
    ]


@override_settings(DEFAULT_AVAILABILITY_ZONE="nova")
def test_detail_shows_hosts_and_services(api, admin, services):
    response = api(admin.token).get(f"{URL}/detail")
    assert_schema(schema.list_availability_zone_list_detail, response)
    zones = {z["zoneName"]: z for z in response.json()["availabilityZoneInfo"]}
    assert list(zones) == ["zone-a", "nova", "internal", "zone-b"]
    zone_a = zones["zone-a"]["hosts"]
    assert set(zone_a) == {"az-a-1", "az-a-2"}
    assert zone_a["az-a-1"]["nova-compute"]["available"] is True
    assert zone_a["az-a-2"]["nova-compute"] == {
        "available": False, "active": True,  # up/down is "available", enabled is "active" (as Nova)
        "updated_at": services["a2"].last_seen_at.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.%f"),
    }
    internal = zones["internal"]["hosts"]
    # Control services live in "internal"; the API service is not listed.
    assert set(internal) == {"ctl"} and set(internal["ctl"]) == {"nova-scheduler", "nova-conductor"}
    assert internal["ctl"]["nova-scheduler"]["available"] is True
    assert set(zones["nova"]["hosts"]) == {"plain-1"}  # in an aggregate, but one without a zone
    assert zones["zone-b"] == {"zoneName": "zone-b", "zoneState": {"available": False}, "hosts": None}


def test_forced_down_service_is_not_available(api, admin, services):
    Service.objects.filter(pk=services["a1"].pk).update(forced_down=True)
    zones = {z["zoneName"]: z for z in api(admin.token).get(f"{URL}/detail").json()["availabilityZoneInfo"]}
    assert zones["zone-a"]["hosts"]["az-a-1"]["nova-compute"]["available"] is False
    assert zones["zone-a"]["zoneState"]["available"] is True  # enabled services make the zone available


def test_disabling_the_last_host_makes_the_zone_unavailable(api, member, services):
    Service.objects.filter(host__startswith="az-a").update(disabled=True)
    listed = api(member.token).get(URL).json()["availabilityZoneInfo"]
    assert {"zoneName": "zone-a", "zoneState": {"available": False}, "hosts": None} in listed


def test_default_zone_comes_from_settings(api, member, services):
    with override_settings(DEFAULT_AVAILABILITY_ZONE="elsewhere"):
        names = [z["zoneName"] for z in api(member.token).get(URL).json()["availabilityZoneInfo"]]
    assert "elsewhere" in names and "nova" not in names


@pytest.mark.parametrize("role", ["member", "reader"])
def test_detail_is_for_admins(api, request, services, role):
    assert api(request.getfixturevalue(role).token).get(f"{URL}/detail").status_code == 403
    assert api(request.getfixturevalue(role).token).get(URL).status_code == 200
