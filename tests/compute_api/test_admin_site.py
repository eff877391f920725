"""Compute records in the Django admin: every page renders, state stays with the state machine."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from compute_app.models import (
    Allocation,
    ComputeNode,
    Instance,
    InstanceAction,
    InstanceFault,
    ServerGroup,
    Service,
)

pytestmark = pytest.mark.django_db
PAGES = ("instance", "instanceaction", "flavor", "keypair", "service", "computenode", "allocation", "aggregate",
         "quota", "quotaclass", "servergroup")


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("operator", "op@example.com", "op-pw"))
    return client


@pytest.fixture
def server(db) -> Instance:
    node = ComputeNode.objects.create(host="h1", hypervisor_hostname="h1", vcpus=4, memory_mb=4096, local_gb=40,
                                      vcpus_used=1, memory_mb_used=512, local_gb_used=1)
    instance = Instance.objects.create(display_name="vm", project_id="p", user_id="u", flavor_id="1", vcpus=1,
                                       memory_mb=512, root_gb=1, vm_state="error", host="h1", node="h1",
                                       user_data="c2VjcmV0LXVzZXItZGF0YQ==")
    Allocation.objects.create(consumer=instance.uuid, node=node, vcpus=1, memory_mb=512, disk_gb=1)
    InstanceFault.objects.create(instance=instance, code=500, message="No valid host was found.")
    InstanceAction.objects.create(instance=instance, action="create", request_id="req-1", project_id="p")
    ServerGroup.objects.create(name="g", policy="affinity", project_id="p", user_id="u")
    return instance


def test_every_page_renders(operator, server):
    for page in PAGES:
        assert operator.get(f"/admin/compute_app/{page}/").status_code == 200, page
    detail = operator.get(f"/admin/compute_app/instance/{server.uuid}/change/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "No valid host was found." in text and "req-1" in text
    assert server.user_data not in text  # guests' secrets stay out of operators' pages
    # Instances are not added, edited or deleted as bare rows.
    assert operator.get("/admin/compute_app/instance/add/").status_code == 403
    assert operator.post(f"/admin/compute_app/instance/{server.uuid}/delete/", {"post": "yes"}).status_code == 403
    assert Instance.objects.filter(uuid=server.uuid, deleted=False).exists()


def test_delete_action_goes_through_the_delete_path(operator, server):
    response = operator.post("/admin/compute_app/instance/", {"action": "delete_servers",
                                                                "_selected_action": [server.uuid]})
    assert response.status_code == 302
    server.refresh_from_db()
    # The host is down (no heartbeat), so the delete completes locally and releases the claim.
    assert server.deleted and server.vm_state == "deleted"
    assert not Allocation.objects.filter(consumer=server.uuid).exists()
    node = ComputeNode.objects.get(host="h1")
    assert (node.vcpus_used, node.memory_mb_used) == (0, 0)
    assert InstanceAction.objects.filter(instance=server, action="delete").exists()


def test_operators_disable_a_service(operator):
    service = Service.objects.create(binary="nova-compute", host="h9", topic="compute", last_seen_at=timezone.now())
    response = operator.post(f"/admin/compute_app/service/{service.pk}/change/", {
        "disabled": "on", "disabled_reason": "maintenance", "forced_down": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.disabled and service.disabled_reason == "maintenance" and service.binary == "nova-compute"
