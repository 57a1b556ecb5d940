"""The one refresher: refresh the local working store, publish it to the shared store, repeat.

``python -m data_sources refresh`` runs once (for cron or a Kubernetes CronJob);
``python -m data_sources refresh --every 1h`` keeps going until SIGTERM/SIGINT. With an ``s3://``
``DASHBOARD_STORE_URL`` each run also fetches the news feeds, then publishes prices and news (merged onto the
current version, see :mod:`data_sources.shared.publish`); with a local store it is today's refresh.

It survives its neighbours: a database that cannot be used (the readers' feed list) skips the news for that run
and still publishes prices and ECB rates; an S3 outage is retried with a doubling wait
(``DASHBOARD_PUBLISH_RETRIES``, ``DASHBOARD_PUBLISH_BACKOFF``). Exit codes, per run (``--every``: the last run):

- 0 ``OK``: published (or the current version already held the data), no warnings;
- 3 ``WARNINGS``: published, with warnings (prices offline or partial, news skipped or feeds failed);
- 1 ``FAILED``: nothing published (the store could not be reached after the retries, or nothing to publish);
- 2 ``USAGE``: refused before starting (a bad ``--every``, ``DASHBOARD_REFRESH=off``).

Each publish is recorded in ``publish.json`` in the refresher's folder; ``python -m data_sources health
--max-age 2h`` exits 0 while the last one is younger than that (the container's healthcheck).
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from catalog import describe
from data_sources.errors import DashboardError, Problem, StoreError
from data_sources.readers.guard import DatabaseUnavailable
from data_sources.readers.repository import RepositoryError
from data_sources.settings import settings
from data_sources.shared.object_store import S3Store, SharedSnapshot, open_store
from data_sources.shared.publish import PublishResult
from data_sources.shared.s3io import SharedStoreError
from data_sources.store import atomic
from data_sources.store.prices import Store, refresh_json

OK, FAILED, USAGE, WARNINGS = 0, 1, 2, 3
PUBLISH_STATE = "publish.json"
MAX_BACKOFF_SECONDS = 60.0
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
MIN_INTERVAL = 1.0


def parse_interval(text: str, option: str = "--every") -> float:
    """Seconds in ``"1h"``, ``"30m"``, ``"90s"``, ``"1d"`` or ``"120"``; ValueError naming the text otherwise."""
    match = _INTERVAL_RE.match(text or "")
    if not match:
        raise ValueError(f"{option} {text!r} is not an interval (use e.g. 1h, 30m, 90s)")
    seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds < MIN_INTERVAL:
        raise ValueError(f"{option} {text!r} is shorter than {MIN_INTERVAL:g} s")
    return seconds


def publish_from_local(store: Store, target: S3Store | Store | None = None) -> PublishResult:
    """Publish the refresher's local store (prices, provenance, last refresh, news) to the shared store.

    ``target`` defaults to ``$DASHBOARD_STORE_URL``; a local target means there is nothing to publish.
    An empty local store is never published over a shared version.
    """
    target = open_store() if target is None else target
    if not isinstance(target, S3Store):
        return PublishResult("local", None, f"the store is the local folder {target.root}; nothing to publish")
    from data_sources.news.store import load_news

    snap = store.read()
    if snap.prices.empty:
        return PublishResult("unchanged", None, f"the local store {store.root} holds no prices; nothing published")
    return target.publish(snap.prices, snap.series, refresh_json(store.last_refresh()), news=load_news(store.root))


def seed_local_from_shared(store: Store, target: S3Store) -> bool:
    """A refresher starting on an empty folder first copies the current shared version (prices, and news
    when it holds none) into it, so it plans its next refresh from there. True when it copied."""
    from data_sources.news.store import load_news, seed_news

    copied = False
    if store.read().prices.empty:
        shared = target.current()
        snap = shared.snapshot
        if isinstance(snap, SharedSnapshot) and snap.warning is not None and shared.prices.empty:
            raise SharedStoreError(snap.warning.code, snap.detail or snap.warning.code)
        if not shared.prices.empty:
            store.upsert(shared.prices, shared.snapshot.series)
            copied = True
    if load_news(store.root).empty:  # the published news too
        copied = seed_news(store.root, target.news()) or copied
    return copied


def told(found: BaseException | Problem | list[Problem]) -> str:
    """An error or problems in English for the operator's log: a shared-store error's technical detail, a coded
    problem's catalog words (``catalog/en``), any other exception's own message."""
    if isinstance(found, SharedStoreError):
        return str(found)
    if isinstance(found, DashboardError):
        found = found.problem
    if isinstance(found, Problem):
        return describe(found, "en")
    if isinstance(found, list):
        return "; ".join(describe(p, "en") for p in found)
    return str(found)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:300] if lines else ''}".rstrip(": ")


def refresh_news_once(store: Store) -> str | None:
    """Fetch the feed list (defaults plus the readers' feeds from the database) into the refresher's folder.
    Never fatal (prices are still published); returns a warning, or None when every feed was fetched."""
    from data_sources.news import store as news_store

    if settings().offline:
        message = "news: not fetched (DASHBOARD_OFFLINE is set); the stored news is published"
        print(message, file=sys.stderr)
        return message
    try:
        feeds = news_store.list_feeds(store.root)
    except (DatabaseUnavailable, RepositoryError) as exc:
        cause = exc.cause if isinstance(exc, DatabaseUnavailable) else _first_line(exc)
        message = ("news: skipped this run: the readers' feed list is kept in the database, which cannot be used "
                   f"({cause}); prices and ECB rates are still published")
        print(message, file=sys.stderr)
        return message
    try:
        report = news_store.refresh_news(store.root, feeds=feeds)
    except (StoreError, ValueError, OSError) as exc:
        print(f"news: error: {told(exc)}", file=sys.stderr)
        return f"news: error: {told(exc)}"
    print(f"news: {told(report.summary())}", file=sys.stderr)
    return f"news: {len(report.errors)} feed(s) failed" if report.errors else None


def publish_with_retry(store: Store, target: S3Store, stop: threading.Event | None = None) -> PublishResult:
    """:func:`publish_from_local`, tried again through a transient S3 failure (a connection error, a 5xx) after
    ``DASHBOARD_PUBLISH_BACKOFF`` seconds, doubling up to 60 s, at most ``DASHBOARD_PUBLISH_RETRIES`` times.
    Raises the last :class:`SharedStoreError` when it never got through (or when ``stop`` is set meanwhile)."""
    attempts, wait = settings().publish_retries, settings().publish_backoff
    stop = stop or threading.Event()
    for attempt in range(1, attempts + 1):
        try:
            return publish_from_local(store, target)
        except SharedStoreError as exc:
            if not exc.transient or attempt == attempts:
                raise
            delay = min(MAX_BACKOFF_SECONDS, wait * 2 ** (attempt - 1))
            print(f"shared store not reachable ({exc}); trying again in {delay:g} s "
                  f"(attempt {attempt + 1} of {attempts})", file=sys.stderr)
            if stop.wait(delay):
                raise
    raise AssertionError("unreachable")  # the loop returns or raises


def publish_and_report(store: Store, target: S3Store, warnings: list[str],
                       stop: threading.Event | None = None) -> int:
    """Publish (with retries), print the outcome, record it for ``health``; the exit code (module docstring)."""
    try:
        result = publish_with_retry(store, target, stop)
    except StoreError as exc:
        print(f"failed: nothing was published: {told(exc)}", file=sys.stderr)
        return FAILED
    print(f"{result.status}: {result.message}")
    if result.status not in {"published", "unchanged"} or result.version is None:
        return FAILED
    state = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "status": result.status,
             "version": result.version, "store": target.url, "warnings": warnings}
    try:
        atomic.write_json(store.root / PUBLISH_STATE, state)
    except StoreError as exc:
        warnings = [*warnings, f"the publish could not be recorded for the healthcheck ({told(exc)})"]
    if warnings:
        print("published with warnings: " + "; ".join(warnings), file=sys.stderr)
        return WARNINGS
    return OK


def run_once(store: Store, refresh_once: Callable[[], int], target: S3Store | Store | None = None,
             stop: threading.Event | None = None) -> int:
    """One refresh of ``store`` (``refresh_once`` returns the CLI exit code); for a shared store, then a news
    refresh and one publish of prices and news together. Returns the exit code (module docstring)."""
    target = target if target is not None else open_store()
    if not isinstance(target, S3Store):
        return refresh_once()
    warnings: list[str] = []
    try:
        if seed_local_from_shared(store, target):
            print(f"seeded {store.root} from {target.url}", file=sys.stderr)
    except StoreError as exc:
        warnings.append(f"could not start from the shared version ({told(exc)})")
    if refresh_once() != OK:
        warnings.append("the price refresh was offline or incomplete (see above)")
    news = refresh_news_once(store)
    if news:
        warnings.append(news)
    return publish_and_report(store, target, warnings, stop)


def run_refresher(store: Store, every: str | None, refresh_once: Callable[[], int],
                  max_runs: int | None = None) -> int:
    """The ``refresh`` command: once, or every ``every`` until stopped. Returns the exit code."""
    if not settings().refresh:
        print("error: DASHBOARD_REFRESH is off in this process: it must not call Yahoo, the ECB or feeds "
              "(unset it for the refresher)", file=sys.stderr)
        return USAGE
    if every is None:
        return run_once(store, refresh_once)
    try:
        interval = parse_interval(every)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        if threading.current_thread() is threading.main_thread():
            signal.signal(signum, lambda *_: stop.set())
    runs, code = 0, OK
    while not stop.is_set():
        try:
            code = run_once(store, refresh_once, stop=stop)
        except StoreError as exc:  # a store outage must not end the loop: try again next time
            print(f"error: {told(exc)}", file=sys.stderr)
            code = FAILED
        sys.stdout.flush()
        runs += 1
        if max_runs is not None and runs >= max_runs:
            break
        stop.wait(interval)
    return code


def health(store: Store, max_age: str) -> int:
    """``python -m data_sources health``: 0 when the last publish recorded in ``store`` is at most ``max_age``
    old, 1 when it is older or there is none, 2 for a bad ``--max-age``."""
    try:
        limit = parse_interval(max_age, "--max-age")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE
    state = atomic.read_json(store.root / PUBLISH_STATE)
    try:
        at = datetime.fromisoformat(str(state.get("at", "")))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        print(f"unhealthy: no publish recorded in {store.root}")
        return FAILED
    age = (datetime.now(UTC) - at).total_seconds()
    said = f"last publish {age / 60:.0f} min ago ({state.get('status')}, version {state.get('version')})"
    if age > limit:
        print(f"unhealthy: {said}; more than --max-age {max_age}")
        return FAILED
    print(f"ok: {said}")
    return OK
