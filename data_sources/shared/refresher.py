"""The one refresher: refresh the local working store, publish it to the shared store, repeat.

``python -m data_sources refresh`` runs once (for cron or a Kubernetes CronJob);
``python -m data_sources refresh --every 1h`` keeps going until SIGTERM/SIGINT. With an ``s3://``
``DASHBOARD_STORE_URL`` each run also fetches the news feeds, then publishes a new version (prices and
news) when either changed (see
:mod:`data_sources.shared.object_store`); with a local store it is today's refresh.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from collections.abc import Callable

from data_sources.settings import settings
from data_sources.shared.object_store import S3Store, open_store, publish_from_local, seed_local_from_shared
from data_sources.store.atomic import StoreError
from data_sources.store.prices import Store

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
MIN_INTERVAL = 1.0


def parse_interval(text: str) -> float:
    """Seconds in ``"1h"``, ``"30m"``, ``"90s"``, ``"1d"`` or ``"120"``; ValueError naming the text otherwise."""
    match = _INTERVAL_RE.match(text or "")
    if not match:
        raise ValueError(f"--every {text!r} is not an interval (use e.g. 1h, 30m, 90s)")
    seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds < MIN_INTERVAL:
        raise ValueError(f"--every {text!r} is shorter than {MIN_INTERVAL:g} s")
    return seconds


def refresh_news_once(store: Store) -> None:
    """Fetch the feed list (defaults plus the readers' feeds from the database) into the refresher's folder; a
    feed or store problem is printed, never fatal (the prices are still published)."""
    from data_sources.news import store as news_store

    try:
        report = news_store.refresh_news(store.root)
    except (StoreError, ValueError, OSError) as exc:
        print(f"news: error: {exc}", file=sys.stderr)
        return
    print(f"news: {report.summary()}", file=sys.stderr)


def run_once(store: Store, refresh_once: Callable[[], int], target: S3Store | None = None) -> int:
    """One refresh of ``store`` (``refresh_once`` returns the CLI exit code), then, for a shared store, a news
    refresh and one publish of prices and news together."""
    target = target if target is not None else open_store()
    if isinstance(target, S3Store) and seed_local_from_shared(store, target):
        print(f"seeded {store.root} from {target.url}", file=sys.stderr)
    code = refresh_once()
    if isinstance(target, S3Store):
        refresh_news_once(store)
        result = publish_from_local(store, target)
        print(f"{result.status}: {result.message}")
    return code


def run_refresher(store: Store, every: str | None, refresh_once: Callable[[], int],
                  max_runs: int | None = None) -> int:
    """The ``refresh`` command: once, or every ``every`` until stopped. Returns the exit code."""
    if not settings().refresh:
        print("error: DASHBOARD_REFRESH is off in this process: it must not call Yahoo, the ECB or feeds "
              "(unset it for the refresher)", file=sys.stderr)
        return 2
    if every is None:
        return run_once(store, refresh_once)
    try:
        interval = parse_interval(every)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        if threading.current_thread() is threading.main_thread():
            signal.signal(signum, lambda *_: stop.set())
    runs, code = 0, 0
    while not stop.is_set():
        try:
            code = run_once(store, refresh_once)
        except StoreError as exc:  # a store outage must not end the loop: try again next time
            print(f"error: {exc}", file=sys.stderr)
            code = 2
        sys.stdout.flush()
        runs += 1
        if max_runs is not None and runs >= max_runs:
            break
        stop.wait(interval)
    return code
