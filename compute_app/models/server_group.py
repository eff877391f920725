from __future__ import annotations

from django.db import models

from cloud.ids import new_uuid


class ServerGroup(models.Model):
    """A named set of servers that the scheduler keeps together or apart (its policy).

    Membership is written when a server is created with the ``group`` scheduler
    hint; deleted servers drop out of ``members`` (the join skips them).
    """

    POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")

    uuid = models.CharField(max_length=36, primary_key=True, default=new_uuid)
    name = models.CharField(max_length=255)
    policy = models.CharField(max_length=32, choices=[(p, p) for p in POLICIES])
    project_id = models.CharField(max_length=64, db_index=True)
    user_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "uuid"]

    def __str__(self) -> str:
        return f"{self.name} ({self.policy})"


class ServerGroupMember(models.Model):
    group = models.ForeignKey(ServerGroup, on_delete=models.CASCADE, related_name="memberships")
    instance_uuid = models.CharField(max_length=36, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "instance_uuid"], name="server_group_member_once")]
