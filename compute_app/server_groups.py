"""Server groups: who is in them, the quotas on them, and what their policy allows.

A server joins a group when it is created with the ``group`` scheduler hint.
Strict policies (``affinity``, ``anti-affinity``) are filters: the scheduler
drops hosts that would break them, and re-checks its choice with the group
row locked (see :func:`lock_and_check`), so two members scheduled at the same
time cannot both take the same host against ``anti-affinity``. Soft policies
are weighers only.

Lock order: the group row before instance rows and nodes (the scheduler), and
after the project's quota row (server create).
"""

from __future__ import annotations

from django.db.models import Count

from cloud.api.errors import BadRequest, NotFound, QuotaExceeded
from cloud.context import RequestContext
from cloud.ids import is_uuid
from compute_app import quotas
from compute_app.models import Instance, ServerGroup, ServerGroupMember
from compute_app.scheduler.filters import group_policy_violation

STRICT = ("affinity", "anti-affinity")
SOFT = ("soft-affinity", "soft-anti-affinity")


def get_group(context: RequestContext, group_id: str) -> ServerGroup:
    """The group, or 404 (also for another project's group, unless the caller is an admin)."""
    query = ServerGroup.objects.filter(uuid=str(group_id)[:36])
    if not context.is_admin:
        query = query.filter(project_id=context.project_id)
    group = query.first()
    if group is None:
        raise NotFound(f"Instance group {str(group_id)[:64]} could not be found.")
    return group


def group_from_hint(context: RequestContext, hint: object) -> ServerGroup:
    """The group a server create names in ``os:scheduler_hints.group`` (a 400 if there is none)."""
    if not isinstance(hint, str) or not is_uuid(hint):
        raise BadRequest("Invalid input for field/attribute group. Value must be a server group UUID.")
    try:
        return get_group(context, hint)
    except NotFound as exc:
        raise BadRequest(exc.message) from None


def members(group_ids: list[str]) -> dict[str, list[str]]:
    """The live (not deleted) member servers of each group, oldest first."""
    live = set(Instance.objects.filter(deleted=False, uuid__in=ServerGroupMember.objects.filter(
        group_id__in=group_ids).values("instance_uuid")).values_list("uuid", flat=True))
    result: dict[str, list[str]] = {g: [] for g in group_ids}
    for group_id, uuid in ServerGroupMember.objects.filter(group_id__in=group_ids).order_by("id").values_list(
            "group_id", "instance_uuid"):
        if uuid in live:
            result[group_id].append(uuid)
    return result


def check_group_quota(project_id: str) -> None:
    """Raise unless the project may have one more group (call with the quota row locked)."""
    limit = quotas.project_limits(project_id)["server_groups"]
    if limit != quotas.UNLIMITED and ServerGroup.objects.filter(project_id=project_id).count() + 1 > limit:
        raise QuotaExceeded("Quota exceeded, too many server groups.")


def add_members(group: ServerGroup, instance_uuids: list[str]) -> None:
    """Put new servers in ``group`` within the caller's transaction, within the members quota."""
    locked = ServerGroup.objects.select_for_update().get(uuid=group.uuid)
    limit = quotas.project_limits(locked.project_id)["server_group_members"]
    if limit != quotas.UNLIMITED and len(members([locked.uuid])[locked.uuid]) + len(instance_uuids) > limit:
        raise QuotaExceeded("Quota exceeded, too many servers in group")
    ServerGroupMember.objects.bulk_create([ServerGroupMember(group=locked, instance_uuid=u) for u in instance_uuids])


def group_of(instance_uuid: str) -> ServerGroup | None:
    membership = ServerGroupMember.objects.select_related("group").filter(instance_uuid=instance_uuid).first()
    return membership.group if membership else None


def member_hosts(group_id: str, exclude: str) -> dict[str, int]:
    """How many of the group's other live servers each host holds (placed ones only)."""
    rows = (Instance.objects.filter(deleted=False, host__isnull=False,
                                    uuid__in=ServerGroupMember.objects.filter(group_id=group_id)
                                    .values("instance_uuid"))
            .exclude(uuid=exclude).values("host").annotate(count=Count("uuid")))
    return {row["host"]: row["count"] for row in rows}


def lock_and_check(group_id: str, policy: str, instance_uuid: str, host: str) -> bool:
    """Inside the placing transaction: lock the group and re-check ``host`` against
    the members placed by now (by any scheduler). False if the policy forbids it."""
    ServerGroup.objects.select_for_update().filter(uuid=group_id).first()
    return group_policy_violation(policy, member_hosts(group_id, instance_uuid), host) is None
