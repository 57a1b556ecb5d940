"""Many replicas: read and page time, memory per replica (S3 store vs local), and how long a new
version takes to reach every replica. ``python -m benchmarks.replicas [--replicas 2] [--poll 2]`` prints the
figures and writes them to ``benchmarks/results/replicas.json`` (docs/deploy.md's table is generated from it).

Runs everything on 127.0.0.1: moto's S3 (tests/fakes/s3_server.py), a store seeded from ../shared/data/market,
``streamlit run tests/fakes/replica_app.py`` replicas (the tiny page that reads through
``data_sources.shared.object_store.current_prices``), headless Chromium to open them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from data_sources.settings import reload, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replicas", description=__doc__)
    parser.add_argument("--shared", type=Path, default=settings().shared_dir or ROOT.parent / "shared")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--poll", type=float, default=2.0, help="DASHBOARD_STORE_POLL of the replicas")
    parser.add_argument("--versions", type=int, default=3, help="new versions to time end to end")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    from tests.fakes.s3_server import CREDENTIALS, s3_server

    os.environ.update(CREDENTIALS)
    os.environ["DASHBOARD_OFFLINE"] = "1"
    reload()
    from data_sources.shared.object_store import LocalStore, S3Store
    from data_sources.store.csv_io import import_folder
    from data_sources.store.prices import Store

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, s3_server() as endpoint:
        local_dir = Path(tmp) / "local"
        import_folder(Store(local_dir), args.shared / "data" / "market")
        snap = Store(local_dir).read()
        url = "s3://dashboard/bench"
        writer = S3Store(url, endpoint, poll_seconds=0)
        def bumped(factor: float):
            return snap.prices.assign(close=snap.prices["close"] * factor)

        publish_ms = _median_ms(lambda: writer.publish(bumped(1 + time.time() % 1), snap.series), 3)
        rows.append((f"publish one version ({len(snap.prices):,} rows, S3)", f"{publish_ms:.0f} ms"))

        cold = _median_ms(lambda: S3Store(url, endpoint, poll_seconds=0).current(), args.runs)
        warm_store = S3Store(url, endpoint, poll_seconds=3600)
        warm_store.current()
        warm = _median_ms(warm_store.current, args.runs * 100)
        poll_store = S3Store(url, endpoint, poll_seconds=0)
        poll_store.current()
        poll = _median_ms(poll_store.current, args.runs)
        local = LocalStore(local_dir)
        local_cold = _median_ms(local.current, args.runs)
        rows += [("read: S3 first read (pointer + Parquet object)", f"{cold:.0f} ms"),
                 ("read: S3 pointer check, unchanged (304)", f"{poll:.1f} ms"),
                 ("read: S3 cached, inside the poll interval", f"{warm * 1000:.0f} µs"),
                 ("read: local store file (uncached)", f"{local_cold:.0f} ms")]

        from tests.e2e.browser import browser_page, streamlit_server

        script = ROOT / "tests" / "fakes" / "replica_app.py"
        empty = Path(tmp) / "empty"
        empty.mkdir()
        s3_env = {"DASHBOARD_STORE_URL": url, "DASHBOARD_S3_ENDPOINT": endpoint,
                  "DASHBOARD_STORE_POLL": str(args.poll), "DASHBOARD_REFRESH": "off"}
        local_env = {"DASHBOARD_STORE_URL": str(local_dir), "DASHBOARD_REFRESH": "off"}
        from contextlib import ExitStack

        with browser_page(1440, 900) as page:
            for label, env in (("local", local_env), ("S3", s3_env)):
                with streamlit_server(empty, env, script=script) as server:
                    idle = _rss_mb(server.pid)
                    times = []
                    for _ in range(5):
                        start = time.perf_counter()
                        page.goto(server)
                        page.get_by_text("as of", exact=False).first.wait_for(timeout=60_000)
                        times.append((time.perf_counter() - start) * 1000)
                    rows.append((f"page: open and show prices, {label} store (median of 5, browser)",
                                 f"{statistics.median(times):.0f} ms (first {times[0]:.0f} ms)"))
                    rows.append((f"memory: replica RSS, {label} store (idle → after 5 views)",
                                 f"{idle:.0f} → {_rss_mb(server.pid):.0f} MB"))

            with ExitStack() as stack:
                servers = [stack.enter_context(streamlit_server(empty, s3_env, script=script))
                           for _ in range(args.replicas)]
                pages = [page] + [page.context.browser.new_page() for _ in servers[1:]]
                for tab, server in zip(pages, servers, strict=True):
                    tab.goto(server)
                lags = []
                for i in range(args.versions):
                    number = writer.publish(bumped(2 + i), snap.series).version
                    published = time.monotonic()
                    for tab in pages:
                        tab.get_by_text(f"version {number} as of", exact=False).first.wait_for(timeout=120_000)
                    lags.append(time.monotonic() - published)
                rows.append((f"new version reaches all {args.replicas} replicas (poll {args.poll:g} s, fragment "
                             f"rerun 1 s; {args.versions} versions)",
                             f"median {statistics.median(lags):.1f} s, max {max(lags):.1f} s"))
                rows.append((f"memory: {args.replicas} S3 replicas, RSS each",
                             ", ".join(f"{_rss_mb(s.pid):.0f} MB" for s in servers)))
    width = max(len(name) for name, _ in rows)
    print(f"machine: {os.cpu_count()} cores; moto S3 on 127.0.0.1 (single-threaded)")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    from benchmarks import results

    print("wrote", results.write("replicas", {"command": "python -m benchmarks.replicas", "replicas": args.replicas,
                                              "poll_s": args.poll, "versions": args.versions,
                                              "rows": [{"figure": n, "value": v} for n, v in rows]}))


if __name__ == "__main__":
    main()
