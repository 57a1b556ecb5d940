"""Which database, how to connect, and bringing its tables up to date (Alembic, run on first open)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from data_sources.settings import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_FILE = "readers.sqlite3"
BUSY_TIMEOUT_MS = 30_000
#: Seconds to wait for a PostgreSQL server to accept a connection (an unreachable one must not hold a page).
CONNECT_TIMEOUT_S = 5
_MIGRATION_LOCK_ID = 727_274_015  # pg_advisory_xact_lock key: one migrating replica at a time
# The newest migration's revision (tests/unit/data_sources/test_db_repository.py checks that it is Alembic's
# head): a database already there is opened without importing Alembic (~10 MB resident that every replica
# would otherwise hold).
HEAD_REVISION = "0002"


def db_url() -> str:
    """``DASHBOARD_DB_URL`` (``postgresql://…`` uses psycopg 3), or SQLite in the data dir."""
    configured = settings().db_url
    if configured:
        url = make_url(configured)
        if url.drivername in {"postgresql", "postgres"}:
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{settings().store_folder / SQLITE_FILE}"


def pool_settings() -> tuple[int, int, float]:
    """``(pool size, max overflow, wait in seconds)`` for PostgreSQL: ``DASHBOARD_DB_POOL_SIZE`` (≥ 1),
    ``DASHBOARD_DB_MAX_OVERFLOW`` (≥ 0) and ``DASHBOARD_DB_POOL_TIMEOUT`` (≥ 0.1).

    A replica's page runs hold a connection for one short query at a time, so the defaults 3 + 2 serve its
    readers; 20 replicas then stay within PostgreSQL's default ``max_connections`` of 100 (README "Running many
    replicas": PgBouncer beyond). Past the wait, the readers' database reads as unavailable."""
    current = settings()
    return current.db_pool_size, current.db_max_overflow, current.db_pool_timeout


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`db_url`). SQLite: WAL, a 30 s busy wait, foreign keys, and
    ``BEGIN IMMEDIATE`` for write transactions so concurrent writers queue instead of failing."""
    url = url or db_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        size, overflow, wait = pool_settings()
        return create_engine(url, pool_pre_ping=True, pool_size=size, max_overflow=overflow, pool_timeout=wait,
                             connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        _enable_wal(cursor)
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def _enable_wal(cursor, timeout_s: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """Put the database in WAL mode (a setting stored in the file), waiting out other writers.

    Switching needs an exclusive lock, and SQLite answers "database is locked" at once, without its busy
    wait, while another connection holds the write lock (two replicas opening a fresh file together).
    So: nothing to do when the file is already in WAL mode, else retry until ``timeout_s``."""
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + timeout_s
    delay = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def at_head(engine: Engine) -> bool:
    """Whether the database's ``alembic_version`` names :data:`HEAD_REVISION` (False for a fresh database)."""
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all() == [HEAD_REVISION]
    except SQLAlchemyError:  # no such table yet
        return False


def alembic_config():
    """Alembic's config for this project's migrations (Alembic imported here, on first need)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest migration (nothing to do, and Alembic not even imported, when the
    database is at :data:`HEAD_REVISION`). Replicas starting together take turns: an advisory lock on
    PostgreSQL, the SQLite write lock (``BEGIN IMMEDIATE``) on SQLite."""
    if at_head(engine):
        return
    from alembic import command

    cfg = alembic_config()
    with engine.connect() as conn:
        conn = conn.execution_options(write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def shared_engine(url: str | None = None) -> Engine:
    """One migrated engine per URL and process."""
    url = url or db_url()
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            engine = make_engine(url)
            try:
                migrate(engine)
            except BaseException:
                engine.dispose()  # a database that cannot be opened keeps no pool behind
                raise
            _ENGINES[url] = engine
        return _ENGINES[url]
