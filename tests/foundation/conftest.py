"""Fixtures of the foundation tests: brokers of their own, and a Celery client app per broker."""

from __future__ import annotations

import os
import signal
import uuid
from dataclasses import dataclass

import pytest
from celery import Celery

REDIS = "redis://127.0.0.1:6379/0"


@dataclass
class Broker:
    url: str
    keyprefix: str  # Redis only: the harness gives each LiveCloud its own key prefix

    def client_app(self) -> Celery:
        """A Celery app for the test process, on exactly this broker and prefix.

        Built fresh rather than re-pointing ``cloud.celery.app``: that app's
        connection pools and result backend are cached, and other tests in this
        process rely on it staying on the test run's own broker.
        """
        app = Celery(f"foundation-{uuid.uuid4().hex[:6]}", set_as_current=False)
        # Same serializers, routing (cloud.celery.route_task) and queue rules as the cloud.
        app.config_from_object("cloud.celery_config")
        options = {"global_keyprefix": self.keyprefix} if self.url.startswith("redis") else {}
        app.conf.update(
            # Celery prefers a CELERY_BROKER_URL environment variable (set for the
            # whole test run) over broker_url; the read/write URLs come first.
            broker_url=self.url,
            broker_read_url=self.url,
            broker_write_url=self.url,
            result_backend=self.url if self.url.startswith("redis") else "rpc://",
            broker_transport_options=options,
            result_backend_transport_options=options,
        )
        return app


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, so fixtures can dump logs only on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def call_failed(request) -> bool:
    report = getattr(request.node, "rep_call", None)
    return report is None or report.failed


def stop_cloud(cloud) -> None:
    """LiveCloud.stop(), with every process told to stop at once first.

    A Celery worker on RabbitMQ may take up to ~10 s to notice SIGTERM (its
    event loop sleeps up to 10 s between timers); signalling them all together
    makes that wait happen once, not once per worker.
    """
    for proc in cloud.procs:
        if proc.alive():
            try:
                os.killpg(proc.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    cloud.stop()
