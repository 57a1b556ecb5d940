"""The database service's boundary: a database that cannot be opened or answered becomes one coded error.

Every public :class:`~data_sources.readers.repository.Repository` method and :func:`open_repository` run inside
:func:`unavailable_as_problem`: SQLAlchemy's errors (and the driver's, ``OSError`` for a SQLite folder that
cannot be made, Alembic's for a migration that cannot run) become :class:`DatabaseUnavailable`, code
``db.unavailable``, which ``ui/`` words as "notes and saved columns are unavailable". The technical detail is
logged, never shown: it can hold the database's address. After a failure the same database is not asked again
for :data:`RETRY_SECONDS` (a page asks several times per run; an unreachable server would cost each ask its
connect timeout), so a page whose database is down still renders at once.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from data_sources.errors import DashboardError

LOG = logging.getLogger(__name__)
#: Seconds a database that failed is left alone before it is tried again (per database address).
RETRY_SECONDS = 15.0
_T = TypeVar("_T")
_DOWN: dict[str, float] = {}
_DOWN_LOCK = threading.Lock()


class DatabaseUnavailable(DashboardError):
    """The readers' database cannot be opened or does not answer (code ``db.unavailable``)."""

    def __init__(self, cause: str = "") -> None:
        super().__init__("db.unavailable")
        self.cause = cause  #: the driver's error (kind and first line) for operators' logs; never shown to readers


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [SQLAlchemyError, sqlite3.Error, OSError]
    try:
        import psycopg  # the PostgreSQL driver (imported only when it is installed)

        errors.append(psycopg.Error)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return tuple(errors)


_ERRORS = _driver_errors()


def _migration_errors() -> tuple[type[BaseException], ...]:
    import sys

    alembic_util = sys.modules.get("alembic.util")  # loaded only when a migration ran
    return (alembic_util.CommandError,) if alembic_util is not None else ()


def forget_failures() -> None:
    """Forget every remembered failure (the next call tries the database again)."""
    with _DOWN_LOCK:
        _DOWN.clear()


@contextmanager
def unavailable_as_problem(key: str, also: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Run the body against the database at ``key`` (its address); a database failure (or one of ``also``)
    becomes :class:`DatabaseUnavailable`, and the database is not asked again for :data:`RETRY_SECONDS`."""
    with _DOWN_LOCK:
        until = _DOWN.get(key, 0.0)
    if time.monotonic() < until:
        raise DatabaseUnavailable("failed moments ago; not asked again yet")
    try:
        yield
    except DatabaseUnavailable:
        raise
    except _ERRORS + _migration_errors() + also as exc:
        LOG.warning("readers' database unavailable: %s: %s", type(exc).__name__, str(exc)[:300])
        with _DOWN_LOCK:
            _DOWN[key] = time.monotonic() + RETRY_SECONDS
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        raise DatabaseUnavailable(f"{type(exc).__name__}: {first}".rstrip(": ")) from None


def guard_methods(cls: type[_T]) -> type[_T]:
    """Class decorator: every public method runs inside :func:`unavailable_as_problem` (keyed by the
    instance's ``engine.url``). A rejected write (``RepositoryError``, a ``ValueError``) passes through."""

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def guarded(self, *args: Any, **kwargs: Any) -> Any:
            with unavailable_as_problem(str(self.engine.url)):
                return method(self, *args, **kwargs)

        return guarded

    done: set[str] = set()
    for klass in cls.__mro__[:-1]:  # the class and its mixins (not ``object``)
        for name, value in list(vars(klass).items()):
            if callable(value) and not name.startswith("_") and name not in done:
                done.add(name)
                setattr(cls, name, wrap(value))
    return cls
