from __future__ import annotations

from django.db import models


class QuotaClass(models.Model):
    """Overrides of the default limits (class ``default``), as os-quota-class-sets."""

    class_name = models.CharField(max_length=255, default="default")
    resource = models.CharField(max_length=255)
    hard_limit = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["class_name", "resource"], name="quota_class_once")]


class Quota(models.Model):
    """A project's limit for one resource; ``user_id`` empty means project-wide."""

    project_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64, blank=True, default="")
    resource = models.CharField(max_length=255)
    hard_limit = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project_id", "user_id", "resource"], name="quota_once")
        ]


class QuotaLock(models.Model):
    """One row per project, locked (SELECT ... FOR UPDATE) while usage is
    counted and consumed, so concurrent creates cannot both take the last unit."""

    project_id = models.CharField(primary_key=True, max_length=64)
