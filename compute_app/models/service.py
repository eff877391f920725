from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cloud.ids import new_uuid


class Service(models.Model):
    """A running daemon (API, scheduler, conductor, compute, network) on a host.

    Each process heartbeats ``last_seen_at`` every REPORT_INTERVAL seconds; a
    service is up when seen within SERVICE_DOWN_TIME and not forced down.
    """

    uuid = models.CharField(max_length=36, unique=True, default=new_uuid)
    binary = models.CharField(max_length=255)
    host = models.CharField(max_length=255)
    topic = models.CharField(max_length=255, null=True, blank=True)
    disabled = models.BooleanField(default=False)
    disabled_reason = models.CharField(max_length=255, null=True, blank=True)
    forced_down = models.BooleanField(default=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    report_count = models.BigIntegerField(default=0)
    version = models.IntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "binary"], name="service_once_per_host")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.binary}@{self.host}"

    def is_up(self, now=None) -> bool:
        if self.forced_down or self.last_seen_at is None:
            return False
        now = now or timezone.now()
        return (now - self.last_seen_at).total_seconds() <= settings.SERVICE_DOWN_TIME
