"""The PostgreSQL connection pool is sized from settings (data_sources/readers/engine.py), on a real PostgreSQL:
a replica never holds more connections than its pool and overflow, and waits at most the pool timeout."""

from __future__ import annotations

import time
from contextlib import ExitStack

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from data_sources.readers.engine import make_engine
from data_sources.settings import Settings
from tests.fakes.pg_server import new_database, pg_server  # noqa: F401  (fixture)

DEFAULT_POOL_SIZE = Settings.model_fields["db_pool_size"].default
DEFAULT_MAX_OVERFLOW = Settings.model_fields["db_max_overflow"].default


def _server_connections(url: str, database: str) -> int:
    """Connections PostgreSQL itself counts to ``database`` (not the engine's own bookkeeping)."""
    probe = make_engine(url)
    try:
        with probe.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                                        "pg_backend_pid()", (database,)).scalar_one()
    finally:
        probe.dispose()


def _hold(engine, count: int, stack: ExitStack) -> None:
    for _ in range(count):
        conn = stack.enter_context(engine.connect())
        conn.exec_driver_sql("SELECT 1")


@pytest.mark.parametrize(("size", "overflow"), [(2, 1), (None, None)])
def test_the_pool_holds_at_most_its_size_and_overflow(pg_server, monkeypatch, size, overflow) -> None:  # noqa: F811
    url = new_database(pg_server).replace("postgresql://", "postgresql+psycopg://", 1)
    database = url.rsplit("/", 1)[1]
    for name, value in (("DASHBOARD_DB_POOL_SIZE", size), ("DASHBOARD_DB_MAX_OVERFLOW", overflow)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("DASHBOARD_DB_POOL_TIMEOUT", "0.5")
    allowed = (size or DEFAULT_POOL_SIZE) + (DEFAULT_MAX_OVERFLOW if overflow is None else overflow)
    engine = make_engine(url)
    try:
        with ExitStack() as stack:
            _hold(engine, allowed, stack)
            assert _server_connections(url, database) == allowed
            start = time.monotonic()
            with pytest.raises(PoolTimeout):
                _hold(engine, 1, stack)
            assert time.monotonic() - start < 5
        assert _server_connections(url, database) <= (size or DEFAULT_POOL_SIZE)  # overflow closed on return
    finally:
        engine.dispose()


def test_bad_settings_fall_back_to_the_defaults(monkeypatch) -> None:
    from data_sources.readers.engine import pool_settings

    monkeypatch.setenv("DASHBOARD_DB_POOL_SIZE", "lots")
    monkeypatch.setenv("DASHBOARD_DB_MAX_OVERFLOW", "-3")
    size, overflow, _wait = pool_settings()
    assert (size, overflow) == (DEFAULT_POOL_SIZE, 0)
