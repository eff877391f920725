"""Host reports (stub; filled by the boot pipeline)."""


def report_host(topic: str, host: str) -> None:
    return None
