"""The one state machine of an instance: Nova's vm_state, task_state and power_state.

* ``vm_state`` - the stable state an instance rests in (active, stopped, error...).
* ``task_state`` - the operation in progress, or None.
* ``power_state`` - what the hypervisor last reported.

The API ``status`` is derived from the first two (:func:`api_status`). Which
actions may start from which states is declared once in :data:`ALLOWED`;
state changes themselves are compare-and-swap updates (compute_app.instances).
"""

from __future__ import annotations

# --- vm_states -----------------------------------------------------------------
ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
RESCUED = "rescued"
RESIZED = "resized"
SOFT_DELETED = "soft-delete"
DELETED = "deleted"
ERROR = "error"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"

VM_STATES = (ACTIVE, BUILDING, PAUSED, SUSPENDED, STOPPED, RESCUED, RESIZED, SOFT_DELETED,
             DELETED, ERROR, SHELVED, SHELVED_OFFLOADED)


class task_states:  # noqa: N801 - a namespace, named as in Nova
    SCHEDULING = "scheduling"
    BLOCK_DEVICE_MAPPING = "block_device_mapping"
    NETWORKING = "networking"
    SPAWNING = "spawning"
    IMAGE_SNAPSHOT = "image_snapshot"
    IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
    IMAGE_PENDING_UPLOAD = "image_pending_upload"
    IMAGE_UPLOADING = "image_uploading"
    IMAGE_BACKUP = "image_backup"
    UPDATING_PASSWORD = "updating_password"
    RESIZE_PREP = "resize_prep"
    RESIZE_MIGRATING = "resize_migrating"
    RESIZE_MIGRATED = "resize_migrated"
    RESIZE_FINISH = "resize_finish"
    RESIZE_REVERTING = "resize_reverting"
    RESIZE_CONFIRMING = "resize_confirming"
    REBOOTING = "rebooting"
    REBOOT_PENDING = "reboot_pending"
    REBOOT_STARTED = "reboot_started"
    REBOOTING_HARD = "rebooting_hard"
    REBOOT_PENDING_HARD = "reboot_pending_hard"
    REBOOT_STARTED_HARD = "reboot_started_hard"
    PAUSING = "pausing"
    UNPAUSING = "unpausing"
    SUSPENDING = "suspending"
    RESUMING = "resuming"
    POWERING_OFF = "powering-off"
    POWERING_ON = "powering-on"
    RESCUING = "rescuing"
    UNRESCUING = "unrescuing"
    REBUILDING = "rebuilding"
    REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
    REBUILD_SPAWNING = "rebuild_spawning"
    MIGRATING = "migrating"
    DELETING = "deleting"
    SOFT_DELETING = "soft-deleting"
    RESTORING = "restoring"
    SHELVING = "shelving"
    SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
    SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
    SHELVING_OFFLOADING = "shelving_offloading"
    UNSHELVING = "unshelving"

    BUILD_STEPS = (SCHEDULING, BLOCK_DEVICE_MAPPING, NETWORKING, SPAWNING)
    ALL = tuple(v for k, v in vars().items() if k.isupper() and isinstance(v, str))


class power_states:  # noqa: N801
    NOSTATE = 0
    RUNNING = 1
    PAUSED = 3
    SHUTDOWN = 4
    CRASHED = 6
    SUSPENDED = 7

    NAMES = {0: "NOSTATE", 1: "Running", 3: "Paused", 4: "Shutdown", 6: "Crashed", 7: "Suspended"}


ts = task_states

# --- API status ------------------------------------------------------------------
# (vm_state -> {task_state -> status}); "default" applies to any other task_state.
_STATUS = {
    ACTIVE: {
        "default": "ACTIVE",
        ts.REBOOTING: "REBOOT", ts.REBOOT_PENDING: "REBOOT", ts.REBOOT_STARTED: "REBOOT",
        ts.REBOOTING_HARD: "HARD_REBOOT", ts.REBOOT_PENDING_HARD: "HARD_REBOOT",
        ts.REBOOT_STARTED_HARD: "HARD_REBOOT",
        ts.UPDATING_PASSWORD: "PASSWORD",
        ts.REBUILDING: "REBUILD", ts.REBUILD_BLOCK_DEVICE_MAPPING: "REBUILD",
        ts.REBUILD_SPAWNING: "REBUILD",
        ts.MIGRATING: "MIGRATING",
        ts.RESIZE_PREP: "RESIZE", ts.RESIZE_MIGRATING: "RESIZE", ts.RESIZE_MIGRATED: "RESIZE",
        ts.RESIZE_FINISH: "RESIZE",
    },
    BUILDING: {"default": "BUILD"},
    STOPPED: {
        "default": "SHUTOFF",
        ts.RESIZE_PREP: "RESIZE", ts.RESIZE_MIGRATING: "RESIZE", ts.RESIZE_MIGRATED: "RESIZE",
        ts.RESIZE_FINISH: "RESIZE",
        ts.REBUILDING: "REBUILD", ts.REBUILD_BLOCK_DEVICE_MAPPING: "REBUILD",
        ts.REBUILD_SPAWNING: "REBUILD",
    },
    RESIZED: {"default": "VERIFY_RESIZE", ts.RESIZE_REVERTING: "REVERT_RESIZE"},
    PAUSED: {"default": "PAUSED", ts.MIGRATING: "MIGRATING"},
    SUSPENDED: {"default": "SUSPENDED"},
    RESCUED: {"default": "RESCUE"},
    ERROR: {"default": "ERROR", ts.REBUILDING: "REBUILD", ts.REBUILD_BLOCK_DEVICE_MAPPING: "REBUILD",
            ts.REBUILD_SPAWNING: "REBUILD"},
    DELETED: {"default": "DELETED"},
    SOFT_DELETED: {"default": "SOFT_DELETED"},
    SHELVED: {"default": "SHELVED"},
    SHELVED_OFFLOADED: {"default": "SHELVED_OFFLOADED"},
}

API_STATUSES = (
    "ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD", "PAUSED",
    "REBOOT", "REBUILD", "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED",
    "SHUTOFF", "SOFT_DELETED", "SUSPENDED", "UNKNOWN", "VERIFY_RESIZE",
)


def api_status(vm_state: str, task_state: str | None) -> str:
    table = _STATUS.get(vm_state)
    if table is None:
        return "UNKNOWN"
    if task_state == ts.DELETING and vm_state != DELETED:
        # Nova keeps showing the resting status while a delete is under way.
        return table["default"]
    return table.get(task_state or "", table["default"])


def vm_states_for_status(status: str) -> list[tuple[str, str | None]] | None:
    """Which (vm_state, task_state) pairs a status filter selects.

    Returns pairs where task_state ``"*"`` means "any task state not listed
    elsewhere for that vm_state"; None if the status is unknown.
    """
    status = status.upper()
    if status not in API_STATUSES:
        return None
    pairs: list[tuple[str, str | None]] = []
    for vm_state, table in _STATUS.items():
        for task_state, mapped in table.items():
            if mapped == status:
                pairs.append((vm_state, "*" if task_state == "default" else task_state))
    return pairs


# --- which actions may start from which states -------------------------------------------
ANY = object()  # wildcard for task_state
# action -> (allowed vm_states, allowed task_states or ANY)
ALLOWED: dict[str, tuple[tuple[str, ...], object]] = {
    "update": (VM_STATES, ANY),
    "delete": (tuple(s for s in VM_STATES if s != DELETED), ANY),
    "force_delete": ((SOFT_DELETED,), ANY),
    "restore": ((SOFT_DELETED,), (None,)),
}


def action_allowed(action: str, vm_state: str, task_state: str | None) -> bool:
    vm_allowed, task_allowed = ALLOWED[action]
    if vm_state not in vm_allowed:
        return False
    return task_allowed is ANY or task_state in task_allowed  # type: ignore[operator]
