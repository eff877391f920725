"""Shared fixtures.

* In-process API tests use pytest-django's ``db`` (PostgreSQL) and
  :func:`api` (a DRF client with a real token of a given user).
* Live tests use :func:`live_cloud`: the API server and Celery workers as
  subprocesses, with their own database and broker key prefix.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.harness import LiveCloud, make_workdir, remove_workdir


@pytest.fixture(scope="session")
def live_cloud(request):
    workdir = make_workdir()
    cloud = LiveCloud(workdir=workdir)
    try:
        cloud.start()
    except BaseException:
        _dump_logs(cloud)
        cloud.stop()
        raise
    yield cloud
    if request.session.testsfailed:
        _dump_logs(cloud)
    cloud.stop()
    if not request.session.testsfailed and not os.environ.get("KEEP_TEST_LOGS"):
        remove_workdir(workdir)


def _dump_logs(cloud: LiveCloud, tail: int = 4000) -> None:
    print(f"\n=== live cloud logs in {cloud.workdir} ===")
    for proc in cloud.procs:
        print(f"--- {proc.name} (last {tail} chars) ---\n{proc.log()[-tail:]}")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Bootstrap the test database once (roles, catalog, flavors); tests roll back their own rows."""
    from tests.factories import ensure_bootstrap

    with django_db_blocker.unblock():
        ensure_bootstrap()


@pytest.fixture
def make_account(db):
    """Create a user with roles on a project; returns (user, project, token)."""
    from tests.factories import make_account as factory

    return factory


@pytest.fixture
def api(db):
    """A DRF test client factory: ``api(token)`` sends X-Auth-Token and JSON."""
    from tests.factories import api_client

    return api_client


# --- accounts: admin, member and reader of one project, and an outsider -----------------
@dataclass
class Account:
    user_id: str
    user_name: str
    project_id: str
    token: str
    password: str = "pw"


def _account(factory, roles: tuple[str, ...], project=None) -> Account:
    user, project, token = factory(roles, project=project)
    return Account(user.id, user.name, project.id, token)


@pytest.fixture
def admin(make_account) -> Account:
    return _account(make_account, ("admin",))


@pytest.fixture
def member(make_account) -> Account:
    return _account(make_account, ("member",))


@pytest.fixture
def reader(make_account, member) -> Account:
    """A reader in the member's project."""
    from identity_app.models import Project

    return _account(make_account, ("reader",), Project.objects.get(id=member.project_id))


@pytest.fixture
def other(make_account) -> Account:
    """A member of another project."""
    return _account(make_account, ("member",))


# --- RabbitMQ, for the tests that need the other broker -----------------------------------
RABBIT = "amqp://guest:guest@127.0.0.1:5672"


def rabbitmqctl(*args: str) -> None:
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stdout}{result.stderr}")


@pytest.fixture
def rabbitmq_url() -> Iterator[str]:
    """A RabbitMQ vhost for one test, deleted afterwards, so runs never share queues."""
    vhost = f"cloudtest-{uuid.uuid4().hex[:12]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"{RABBIT}/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)
