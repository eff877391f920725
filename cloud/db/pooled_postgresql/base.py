"""PostgreSQL (psycopg2) with a per-process connection pool.

Under ASGI, Django runs each request's sync code in a fresh thread, and its
connections are per thread, so every request would open a new PostgreSQL
connection (~10 ms of a 20 ms request). Django's own pool needs psycopg 3;
this backend gives psycopg2 the same: ``connect`` takes an idle connection
from the process's pool and ``close`` gives it back, rolled back and clean.

Settings: ``DATABASE_POOL_SIZE`` (max connections per process, default 20)
and CONN_MAX_AGE 0 (connections go back to the pool after each request or
task). Fork-safe: a forked child never touches its parent's connections.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import psycopg2
import psycopg2.extensions
from django.db.backends.postgresql import base

IDLE_CHECK_AFTER = 30.0  # seconds idle before a pooled connection is checked on checkout


class _Pool:
    def __init__(self, params: dict[str, Any], size: int, timeout: float = 30.0):
        self.params = params
        self.size = size
        self.timeout = timeout
        self.idle: list[tuple[Any, float]] = []
        self.in_use = 0
        self.cond = threading.Condition()

    def get(self):
        deadline = time.monotonic() + self.timeout
        with self.cond:
            while True:
                while self.idle:
                    connection, since = self.idle.pop()
                    if connection.closed or (time.monotonic() - since > IDLE_CHECK_AFTER and not _alive(connection)):
                        _discard(connection)
                        continue
                    self.in_use += 1
                    return connection
                if self.in_use < self.size:
                    self.in_use += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise psycopg2.OperationalError(f"no database connection free within {self.timeout}s "
                                                    f"(DATABASE_POOL_SIZE={self.size})")
                self.cond.wait(remaining)
        try:
            return psycopg2.connect(**self.params)
        except BaseException:
            with self.cond:
                self.in_use -= 1
                self.cond.notify()
            raise

    def close_idle(self) -> None:
        with self.cond:
            idle, self.idle = self.idle, []
        for connection, _ in idle:
            _discard(connection)

    def put(self, connection) -> None:
        reusable = not connection.closed
        if reusable:
            try:
                if connection.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                    connection.rollback()
                if not connection.autocommit:
                    connection.autocommit = True
            except psycopg2.Error:
                reusable = False
        with self.cond:
            self.in_use -= 1
            if reusable:
                self.idle.append((connection, time.monotonic()))
            else:
                _discard(connection)
            self.cond.notify()


def _alive(connection) -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except psycopg2.Error:
        return False


def _discard(connection) -> None:
    try:
        connection.close()
    except psycopg2.Error:
        pass  # already broken; nothing left to release


_pools: dict[tuple, _Pool] = {}
_pools_lock = threading.Lock()
_inherited: list[_Pool] = []  # kept alive (never closed) in forked children


def _after_fork_in_child() -> None:
    # The parent's sockets must not be closed from here (it would end the
    # parent's sessions); keep the objects referenced and start afresh.
    _inherited.extend(_pools.values())
    _pools.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def pool_for(params: dict[str, Any]) -> _Pool:
    key = tuple(sorted((k, str(v)) for k, v in params.items()))
    pool = _pools.get(key)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _Pool(params, int(os.environ.get("DATABASE_POOL_SIZE", "20")))
                _pools[key] = pool
    return pool


class _PooledPsycopg2:
    """Stands in for the psycopg2 module in Django's backend: only connect() differs."""

    def __getattr__(self, name: str) -> Any:
        return getattr(psycopg2, name)

    @staticmethod
    def connect(**params: Any):
        return pool_for(params).get()


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _PooledPsycopg2()

    def _close(self) -> None:
        if self.connection is None:
            return
        params = self.get_connection_params()
        with self.wrap_database_errors:
            pool_for(params).put(self.connection)

    def close_pool(self) -> None:
        """Really close idle connections (Django calls this before dropping a
        test database and when the time zone setting changes)."""
        for pool in list(_pools.values()):
            pool.close_idle()
