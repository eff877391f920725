from __future__ import annotations

from django.db import models

from cloud.ids import new_uuid


class Aggregate(models.Model):
    """A group of hosts with metadata; ``availability_zone`` metadata makes it an AZ."""

    uuid = models.CharField(max_length=36, unique=True, default=new_uuid)
    name = models.CharField(max_length=255, unique=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    @property
    def availability_zone(self) -> str | None:
        return self.metadata.get("availability_zone")


class AggregateHost(models.Model):
    aggregate = models.ForeignKey(Aggregate, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["aggregate", "host"], name="aggregate_host_once")]
