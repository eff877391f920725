"""The conductor's repair sweeps, run in-process against PostgreSQL."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from compute_app.conductor import sweeps
from compute_app.models import Allocation, ComputeNode, Instance
from image_app.models import Image


def _instance(**fields) -> Instance:
    defaults = {"display_name": "vm", "project_id": "p", "user_id": "u", "flavor_id": "1", "memory_mb": 512,
                "vcpus": 1, "root_gb": 1}
    return Instance.objects.create(**{**defaults, **fields})


def test_stuck_build_goes_to_error_and_releases_its_claim(db):
    node = ComputeNode.objects.create(host="h1", hypervisor_hostname="h1", vcpus=8, memory_mb=4096, local_gb=10,
                                      vcpus_used=1, memory_mb_used=512, local_gb_used=1)
    old = timezone.now() - timedelta(hours=1)
    stuck = _instance(host="h1", node="h1", task_state="spawning", state_changed_at=old)
    Allocation.objects.create(consumer=stuck.uuid, node=node, vcpus=1, memory_mb=512, disk_gb=1)
    fresh = _instance(task_state="scheduling")
    with override_settings(BUILD_TIMEOUT=60):
        assert sweeps.expire_builds() == 1
    stuck.refresh_from_db()
    assert (stuck.vm_state, stuck.task_state) == ("error", None)
    assert stuck.faults.get().message.startswith("Build timed out after 60 seconds on host h1")
    node.refresh_from_db()
    assert (node.vcpus_used, node.memory_mb_used, node.local_gb_used) == (0, 0, 0)
    assert not Allocation.objects.filter(consumer=stuck.uuid).exists()
    fresh.refresh_from_db()
    assert fresh.vm_state == "building"


def test_unanswered_delete_completes(db):
    old = timezone.now() - timedelta(hours=1)
    stuck = _instance(vm_state="active", task_state="deleting", host="h1", state_changed_at=old)
    with override_settings(DELETE_TIMEOUT=60):
        assert sweeps.expire_deletes() == 1
    stuck.refresh_from_db()
    assert stuck.deleted and stuck.vm_state == "deleted"


def test_abandoned_upload_goes_back_to_queued_and_its_temp_file_goes(db, tmp_path):
    image = Image.objects.create(name="i", status="saving", disk_format="raw", container_format="bare")
    Image.objects.filter(id=image.id).update(updated_at=timezone.now() - timedelta(hours=1))
    part = tmp_path / f".{image.id}.abc.part"
    part.write_bytes(b"half")
    os.utime(part, (time.time() - 7200, time.time() - 7200))
    recent = Image.objects.create(name="j", status="saving", disk_format="raw", container_format="bare")
    with override_settings(IMAGE_SAVING_TIMEOUT=600, IMAGE_STORE_DIR=tmp_path):
        assert sweeps.expire_uploads() == 1
    image.refresh_from_db()
    recent.refresh_from_db()
    assert image.status == "queued" and recent.status == "saving"
    assert not part.exists()
