"""Heartbeats written to the Service table, and the "is it up" rule."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone

LOG = logging.getLogger(__name__)

API_BINARY = "nova-osapi_compute"
# Nova's binary names, so operators' tools and Tempest recognise them.
BINARY_FOR_TOPIC = {
    "scheduler": "nova-scheduler",
    "conductor": "nova-conductor",
    "compute": "nova-compute",
    "network": "nova-network",
}


def record_heartbeat(binary: str, host: str, topic: str | None) -> None:
    """Create the service row on first sight, then bump ``last_seen_at``."""
    from compute_app.models import Service

    now = timezone.now()
    updated = Service.objects.filter(binary=binary, host=host).update(
        last_seen_at=now, report_count=F("report_count") + 1, topic=topic
    )
    if not updated:
        Service.objects.bulk_create(
            [Service(binary=binary, host=host, topic=topic, last_seen_at=now, report_count=1)],
            ignore_conflicts=True,
        )


def is_up(service: Any, now=None) -> bool:
    return service.is_up(now)


class Repeater(threading.Thread):
    """Calls ``fn`` now and then every ``interval`` seconds until stopped.

    A failure is logged and retried at the next tick: a heartbeat that stops
    for good would make a healthy service look down.
    """

    def __init__(self, name: str, interval: float, fn: Callable[[], None], uses_db: bool = True):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.fn = fn
        self.uses_db = uses_db
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                if self.uses_db:
                    close_old_connections()
                self.fn()
            except Exception:  # noqa: BLE001 - keep beating whatever happened
                LOG.exception("periodic %s failed; retrying in %.1fs", self.name, self.interval)
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


_api_repeater: Repeater | None = None


def start_api_heartbeat() -> None:
    """Started once per API server process (cloud/asgi.py)."""
    global _api_repeater
    if _api_repeater is not None or settings.REPORT_INTERVAL <= 0:
        return
    _api_repeater = Repeater(
        "api-heartbeat", settings.REPORT_INTERVAL,
        lambda: record_heartbeat(API_BINARY, settings.HOST, None),
    )
    _api_repeater.start()
