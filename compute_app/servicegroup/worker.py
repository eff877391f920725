"""What a Celery worker runs besides tasks: heartbeats and periodic jobs.

A worker's role comes from the queues it consumes (``-Q``): ``scheduler``,
``conductor``, ``compute.<host>``, ``network.<host>``. One process may serve
several (a single-process trial, or one worker simulating many fake hosts);
each gets its own Service row and periodic jobs.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from django.conf import settings

from cloud.celery import CONDUCTOR_QUEUE, SCHEDULER_QUEUE, host_of_queue
from compute_app.servicegroup.heartbeat import BINARY_FOR_TOPIC, Repeater, record_heartbeat

LOG = logging.getLogger(__name__)
_repeaters: list[Repeater] = []


def consumed_queues(consumer: Any) -> list[str]:
    try:
        return sorted(consumer.app.amqp.queues.consume_from.keys())
    except AttributeError:
        return sorted(q.name for q in consumer.task_consumer.queues)


def jobs_for_queues(queues: list[str]) -> list[tuple[str, float, Callable[[], None], bool]]:
    """(name, interval, function, uses_db) for each periodic job of these queues."""
    jobs: list[tuple[str, float, Callable[[], None], bool]] = []
    interval = settings.REPORT_INTERVAL
    for queue in queues:
        if queue in (SCHEDULER_QUEUE, CONDUCTOR_QUEUE):
            binary = BINARY_FOR_TOPIC[queue]
            jobs.append((f"heartbeat-{queue}", interval,
                         _bind(record_heartbeat, binary, settings.HOST, queue), True))
            if queue == CONDUCTOR_QUEUE:
                from compute_app.conductor.sweeps import run_sweeps

                jobs.append(("sweeps", settings.SWEEP_INTERVAL, run_sweeps, True))
            continue
        parsed = host_of_queue(queue)
        if parsed is None:
            continue
        topic, host = parsed
        # Hosts never open the database: they report through the conductor.
        from compute_app.compute.reporting import report_host

        jobs.append((f"report-{queue}", interval, _bind(report_host, topic, host), False))
    return jobs


def _bind(fn: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: fn(*args)


def start(consumer: Any) -> None:
    queues = consumed_queues(consumer)
    for name, interval, fn, uses_db in jobs_for_queues(queues):
        if interval <= 0:
            continue
        repeater = Repeater(name, interval, fn, uses_db=uses_db)
        repeater.start()
        _repeaters.append(repeater)
    LOG.info("worker serving %s", ", ".join(queues))


def stop() -> None:
    while _repeaters:
        _repeaters.pop().stop()
