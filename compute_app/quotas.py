"""Quota limits and usage for compute resources.

Usage is *counted* from the records themselves (instances that are not deleted,
keypairs, ...) rather than kept in counters, so it can never drift and deleting
an instance releases its quota by construction. To make check-and-consume
atomic, :func:`reserve_instances` takes a row lock on the project's
:class:`~compute_app.models.QuotaLock` inside the caller's transaction: two
concurrent creates in one project serialise on that row, and the second sees
the first one's instances.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Sum

from cloud.api.errors import QuotaExceeded
from compute_app.models import Instance, KeyPair, Quota, QuotaClass, QuotaLock, ServerGroup

UNLIMITED = -1

# Nova's defaults. Network quotas are only shown before microversion 2.36 and
# injected-file quotas before 2.57; they are accepted and stored, never enforced.
DEFAULTS: dict[str, int] = {
    "instances": 10,
    "cores": 20,
    "ram": 51200,
    "key_pairs": 100,
    "metadata_items": 128,
    "server_groups": 10,
    "server_group_members": 10,
    "injected_files": 5,
    "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255,
    "floating_ips": 10,
    "fixed_ips": -1,
    "security_groups": 10,
    "security_group_rules": 20,
}
NETWORK_RESOURCES = ("floating_ips", "fixed_ips", "security_groups", "security_group_rules")
INJECTED_FILE_RESOURCES = ("injected_files", "injected_file_content_bytes", "injected_file_path_bytes")
# Resources counted per user rather than per project.
USER_RESOURCES = ("key_pairs",)


def default_limits() -> dict[str, int]:
    limits = dict(DEFAULTS)
    for resource, hard_limit in QuotaClass.objects.filter(class_name="default").values_list(
            "resource", "hard_limit"):
        if resource in limits:
            limits[resource] = hard_limit
    return limits


def project_limits(project_id: str, user_id: str | None = None) -> dict[str, int]:
    """Effective limits: defaults, overlaid by the project's, then the user's quotas."""
    limits = default_limits()
    rows = Quota.objects.filter(project_id=project_id, user_id__in=["", user_id] if user_id else [""])
    # Project-wide rows first, so a user's own quota overrides them.
    for resource, hard_limit, _ in sorted(rows.values_list("resource", "hard_limit", "user_id"),
                                          key=lambda row: row[2] != ""):
        if resource in limits:
            limits[resource] = hard_limit
    return limits


def instance_usage(project_id: str, user_id: str | None = None) -> dict[str, int]:
    query = Instance.objects.filter(project_id=project_id, deleted=False)
    if user_id:
        query = query.filter(user_id=user_id)
    totals = query.aggregate(instances=Count("uuid"), cores=Sum("vcpus"), ram=Sum("memory_mb"))
    return {key: int(value or 0) for key, value in totals.items()}


def usage(project_id: str, user_id: str | None = None) -> dict[str, int]:
    """Current usage of every countable resource (key_pairs: the user's, if given)."""
    used = {resource: 0 for resource in DEFAULTS}
    used.update(instance_usage(project_id, user_id))
    if user_id:
        used["key_pairs"] = KeyPair.objects.filter(user_id=user_id).count()
    return used


_LOCK_SQL = (f"INSERT INTO {QuotaLock._meta.db_table} (project_id) VALUES (%s) "
             "ON CONFLICT (project_id) DO UPDATE SET project_id = EXCLUDED.project_id")


def lock_project(project_id: str) -> None:
    """Serialise quota decisions of one project until the transaction ends.

    One statement: an upsert creates the project's lock row if needed and, by
    updating it, holds its row lock until commit (PostgreSQL and SQLite).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_project() must run inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [project_id])


def _over(limit: int, used: int, requested: int) -> bool:
    return limit != UNLIMITED and used + requested > limit


def reserve_instances(project_id: str, user_id: str, *, min_count: int, max_count: int, vcpus: int,
                      memory_mb: int) -> int:
    """How many of ``max_count`` instances fit (at least ``min_count``), or QuotaExceeded.

    Must be called inside the transaction that creates the instances: the
    project lock it takes is what makes the check and the creation atomic.
    """
    lock_project(project_id)
    limits = project_limits(project_id, user_id)
    if all(limits[r] == UNLIMITED for r in ("instances", "cores", "ram")):
        return max_count  # nothing to count against (the count grows with the project)
    used = instance_usage(project_id)
    per_instance = {"instances": 1, "cores": vcpus, "ram": memory_mb}
    allowed = max_count
    for resource, amount in per_instance.items():
        limit = limits[resource]
        if limit == UNLIMITED or amount == 0:
            continue
        fits = max(0, (limit - used[resource]) // amount)
        allowed = min(allowed, fits)
    if allowed < min_count:
        over = [r for r, amount in per_instance.items()
                if _over(limits[r], used[r], amount * min_count)]
        resource = over[0] if over else "instances"
        requested = per_instance[resource] * min_count
        raise QuotaExceeded(
            f"Quota exceeded for {resource}: Requested {requested}, but already used "
            f"{used[resource]} of {limits[resource]} {resource}"
        )
    return allowed


def check_keypairs(project_id: str, user_id: str, adding: int = 1) -> None:
    limit = project_limits(project_id, user_id)["key_pairs"]
    used = KeyPair.objects.filter(user_id=user_id).count()
    if _over(limit, used, adding):
        raise QuotaExceeded("Quota exceeded, too many key pairs.")


def check_metadata_items(project_id: str, count: int) -> None:
    if count == 0:
        return
    limit = project_limits(project_id)["metadata_items"]
    if _over(limit, 0, count):
        raise QuotaExceeded(f"Quota exceeded for metadata_items: Requested {count}, but the limit is {limit}")


# --- quota administration (os-quota-sets, os-quota-class-sets, limits) ----------------

def class_limits(class_name: str) -> dict[str, int]:
    """A quota class's limits: the built-in defaults overlaid by the class's rows."""
    limits = dict(DEFAULTS)
    for resource, hard_limit in QuotaClass.objects.filter(class_name=class_name).values_list(
            "resource", "hard_limit"):
        if resource in limits:
            limits[resource] = hard_limit
    return limits


def reported_usage(project_id: str, user_id: str | None = None) -> dict[str, int]:
    """In-use counts as Nova reports them in quota details and limits.

    Instances, cores and ram are counted (the user's only, when given), and
    the project's server groups. Per-user resources (key pairs) and server
    group members (counted per group) show 0 there, as in Nova, and so do the
    network resources this cloud does not count.
    """
    used = {resource: 0 for resource in DEFAULTS}
    used.update(instance_usage(project_id, user_id))
    groups = ServerGroup.objects.filter(project_id=project_id)
    used["server_groups"] = (groups.filter(user_id=user_id) if user_id else groups).count()
    return used


def _user_limit_sums(project_id: str) -> dict[str, int]:
    """Per resource, the sum of the explicit per-user limits set in the project."""
    sums: dict[str, int] = {}
    rows = Quota.objects.filter(project_id=project_id).exclude(user_id="").values_list("resource", "hard_limit")
    for resource, hard_limit in rows:
        if hard_limit > 0:
            sums[resource] = sums.get(resource, 0) + hard_limit
    return sums


def settable_range(project_id: str, user_id: str | None = None) -> dict[str, tuple[int, int]]:
    """``{resource: (minimum, maximum)}`` a new limit must respect (-1 = unlimited), as Nova.

    A project's limit may not go below its usage nor below what its users were
    given; a user's may not go below the user's usage nor above what the
    project has left plus what the user already has.
    """
    project = project_limits(project_id)
    sums = _user_limit_sums(project_id)
    if not user_id:
        used = reported_usage(project_id)
        return {resource: (used[resource] if limit == UNLIMITED else max(used[resource], sums.get(resource, 0)), -1)
                for resource, limit in project.items()}
    used = reported_usage(project_id, user_id)
    own = dict(Quota.objects.filter(project_id=project_id, user_id=user_id).values_list("resource", "hard_limit"))
    ranges = {}
    for resource, limit in project.items():
        if limit == UNLIMITED:
            maximum = UNLIMITED
        else:
            maximum = limit - sums.get(resource, 0) + max(own.get(resource, 0), 0)
        ranges[resource] = (used[resource], maximum)
    return ranges


def set_limits(project_id: str, limits: dict[str, int], user_id: str | None = None) -> None:
    for resource, hard_limit in limits.items():
        Quota.objects.update_or_create(project_id=project_id, user_id=user_id or "", resource=resource,
                                       defaults={"hard_limit": hard_limit})


def clear_limits(project_id: str, user_id: str | None = None) -> None:
    """Back to the defaults: the user's rows, or every row of the project (users' included), as Nova."""
    rows = Quota.objects.filter(project_id=project_id)
    if user_id:
        rows = rows.filter(user_id=user_id)
    rows.delete()


def set_class_limits(class_name: str, limits: dict[str, int]) -> None:
    for resource, hard_limit in limits.items():
        QuotaClass.objects.update_or_create(class_name=class_name, resource=resource,
                                            defaults={"hard_limit": hard_limit})


__all__ = [
    "DEFAULTS", "NETWORK_RESOURCES", "INJECTED_FILE_RESOURCES", "UNLIMITED", "check_keypairs",
    "check_metadata_items", "class_limits", "clear_limits", "default_limits", "instance_usage", "lock_project",
    "project_limits", "reported_usage", "reserve_instances", "set_class_limits", "set_limits", "settable_range",
    "usage",
]
