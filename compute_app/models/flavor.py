from __future__ import annotations

from django.db import models


class Flavor(models.Model):
    """A hardware template. Instances keep a copy (Instance.flavor), so deleting
    a flavor never changes a running server."""

    flavorid = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255, unique=True)
    memory_mb = models.PositiveIntegerField()
    vcpus = models.PositiveIntegerField()
    root_gb = models.PositiveIntegerField(default=0)
    ephemeral_gb = models.PositiveIntegerField(default=0)
    swap = models.PositiveIntegerField(default=0)  # MB; the API shows 0 as ""
    rxtx_factor = models.FloatField(default=1.0)
    vcpu_weight = models.PositiveIntegerField(null=True, blank=True)
    disabled = models.BooleanField(default=False)
    is_public = models.BooleanField(default=True)
    description = models.TextField(null=True, blank=True)
    extra_specs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["flavorid"]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict:
        """What an instance records of its flavor at boot (Nova's instance.flavor)."""
        return {
            "flavorid": self.flavorid, "name": self.name, "memory_mb": self.memory_mb,
            "vcpus": self.vcpus, "root_gb": self.root_gb, "ephemeral_gb": self.ephemeral_gb,
            "swap": self.swap, "rxtx_factor": self.rxtx_factor, "vcpu_weight": self.vcpu_weight,
            "is_public": self.is_public, "disabled": self.disabled, "description": self.description,
            "extra_specs": dict(self.extra_specs),
        }


class FlavorAccess(models.Model):
    """A project allowed to use a private flavor."""

    flavor = models.ForeignKey(Flavor, on_delete=models.CASCADE, related_name="access")
    project_id = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flavor", "project_id"], name="flavor_access_once")]
