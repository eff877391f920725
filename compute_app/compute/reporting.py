"""What hosts report every REPORT_INTERVAL: liveness and capacity, via the conductor."""

from __future__ import annotations

from cloud.celery import COMPUTE_TOPIC
from compute_app import messages
from compute_app.servicegroup.heartbeat import BINARY_FOR_TOPIC
from compute_app.virt.driver import get_driver


def report_host(topic: str, host: str) -> None:
    binary = BINARY_FOR_TOPIC[topic]
    if topic == COMPUTE_TOPIC:
        report = get_driver(host).host_report().to_dict()
        messages.send(messages.HOST_REPORT, host=host, binary=binary, topic=topic, report=report)
    else:
        messages.send(messages.SERVICE_HEARTBEAT, host=host, binary=binary, topic=topic)
