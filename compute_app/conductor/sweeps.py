"""Periodic repairs run by conductors (stub; filled by the boot pipeline)."""


def run_sweeps() -> None:
    return None
