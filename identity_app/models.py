"""Identity records, shaped after Keystone's: ids are 32-char hex strings."""

from __future__ import annotations

import uuid

from django.db import models


def hex_id() -> str:
    return uuid.uuid4().hex


class Domain(models.Model):
    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    name = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    extra = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    name = models.CharField(max_length=64)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="projects")
    description = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    tags = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="project_name_per_domain")]

    def __str__(self) -> str:
        return self.name


class User(models.Model):
    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    name = models.CharField(max_length=255)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="users")
    password = models.CharField(max_length=255, blank=True, default="")  # a Django password hash
    enabled = models.BooleanField(default=True)
    email = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(blank=True, default="")
    default_project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL)
    password_expires_at = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="user_name_per_domain")]

    def __str__(self) -> str:
        return self.name

    def set_password(self, raw: str | None) -> None:
        from django.contrib.auth.hashers import make_password

        self.password = make_password(raw) if raw else ""

    def check_password(self, raw: str) -> bool:
        from django.contrib.auth.hashers import check_password

        return bool(self.password) and check_password(raw, self.password)


class Role(models.Model):
    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True, default="")
    extra = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class ImpliedRole(models.Model):
    """``prior`` implies ``implied`` (admin -> member -> reader), as in Keystone."""

    prior = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="implies")
    implied = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="implied_by")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prior", "implied"], name="implied_role_once")]


class RoleAssignment(models.Model):
    """A role for a user on a project or on a domain (exactly one of the two)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="assignments")
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="assignments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "user", "project"], name="assignment_once_project",
                                    condition=models.Q(project__isnull=False)),
            models.UniqueConstraint(fields=["role", "user", "domain"], name="assignment_once_domain",
                                    condition=models.Q(domain__isnull=False)),
            models.CheckConstraint(
                condition=models.Q(project__isnull=True) ^ models.Q(domain__isnull=True),
                name="assignment_one_target",
            ),
        ]


class Token(models.Model):
    """An issued token. Only the SHA-256 of the token string is stored.

    Roles are resolved when the token is issued; removing a role assignment
    revokes the affected tokens (see identity_app.tokens.revoke_for).
    """

    id_hash = models.CharField(primary_key=True, max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE)
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="scoped_tokens")
    roles = models.JSONField(default=list)  # [{"id": ..., "name": ...}]
    methods = models.JSONField(default=list)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    audit_id = models.CharField(max_length=32)
    audit_chain_id = models.CharField(max_length=32, blank=True, default="")
    revoked = models.BooleanField(default=False)


class Region(models.Model):
    id = models.CharField(primary_key=True, max_length=255)
    description = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return self.id


class CatalogService(models.Model):
    """A service in the catalog (Keystone's ``service``): compute, image, ..."""

    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    type = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"


class Endpoint(models.Model):
    INTERFACES = [("public", "public"), ("internal", "internal"), ("admin", "admin")]

    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    service = models.ForeignKey(CatalogService, on_delete=models.CASCADE, related_name="endpoints")
    interface = models.CharField(max_length=8, choices=INTERFACES)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL)
    url = models.CharField(max_length=1024)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "interface", "region"], name="endpoint_once")
        ]
