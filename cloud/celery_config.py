"""Celery configuration, derived from Django settings when Celery first needs it.

Queue names and routing live in cloud/celery.py; this module only turns the
environment-driven settings into Celery's option names.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

from cloud.celery import CONDUCTOR_QUEUE


def _broker_options(broker_url: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if broker_url.startswith(("redis://", "rediss://", "redis+socket://")):
        # Redis redelivers an unacknowledged message after this many seconds; it
        # must exceed the longest task, or a slow task would run twice.
        options["visibility_timeout"] = settings.CELERY_VISIBILITY_TIMEOUT
        # Workers look for the messages of dead workers a few times per timeout (at
        # most once a minute; kombu's default is every 100 s), so they come back
        # soon after it expires rather than up to minutes later.
        options["unacked_restore_interval"] = max(1, min(60, settings.CELERY_VISIBILITY_TIMEOUT // 4))
        options["unacked_restore_throttle"] = 1
        if settings.CELERY_BROKER_KEYPREFIX:
            # Lets several clouds (or test runs) share one Redis without sharing queues.
            options["global_keyprefix"] = settings.CELERY_BROKER_KEYPREFIX
    return options


broker_url = settings.CELERY_BROKER_URL
broker_transport_options = _broker_options(broker_url)
# Results are off by default (task_ignore_result); the few tasks that answer
# (health pings) need a backend: the broker itself when it is Redis.
result_backend = os.environ.get("CELERY_RESULT_BACKEND") or (
    broker_url if broker_url.startswith("redis") else "rpc://"
)
result_backend_transport_options = _broker_options(broker_url)
result_expires = 600
task_ignore_result = True

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]

task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1

task_routes = ("cloud.celery.route_task",)
task_default_queue = CONDUCTOR_QUEUE
task_create_missing_queues = True

broker_connection_retry_on_startup = True
worker_hijack_root_logger = False
worker_redirect_stdouts = False
worker_send_task_events = False
task_send_sent_event = False
enable_utc = True
timezone = "UTC"
