from __future__ import annotations

from django.db import models


class KeyPair(models.Model):
    """An ssh (or x509) public key, owned by a user; names are unique per user."""

    TYPES = [("ssh", "ssh"), ("x509", "x509")]

    name = models.CharField(max_length=255)
    user_id = models.CharField(max_length=64, db_index=True)
    project_id = models.CharField(max_length=64, blank=True, default="")
    fingerprint = models.CharField(max_length=255)
    public_key = models.TextField()
    type = models.CharField(max_length=8, choices=TYPES, default="ssh")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "name"], name="keypair_name_per_user")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
