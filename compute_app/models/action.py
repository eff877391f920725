from __future__ import annotations

from django.db import models
from django.utils import timezone


class InstanceAction(models.Model):
    """A user- or system-initiated operation on an instance (os-instance-actions)."""

    instance = models.ForeignKey("compute_app.Instance", on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=255)
    request_id = models.CharField(max_length=255, db_index=True)
    user_id = models.CharField(max_length=64, null=True, blank=True)
    project_id = models.CharField(max_length=64, null=True, blank=True)
    start_time = models.DateTimeField(default=timezone.now)
    finish_time = models.DateTimeField(null=True, blank=True)
    message = models.CharField(max_length=255, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_time", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "request_id", "action"], name="action_once_per_request")
        ]


class InstanceActionEvent(models.Model):
    """One step of an action (scheduling, building on a host, ...)."""

    action = models.ForeignKey(InstanceAction, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=255)
    start_time = models.DateTimeField(default=timezone.now)
    finish_time = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=255, null=True, blank=True)  # "Success" / "Error"
    traceback = models.TextField(null=True, blank=True)
    host = models.CharField(max_length=255, null=True, blank=True)
    details = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["start_time", "id"]
