"""Print the dashboard's performance figures: ``python -m benchmarks [PART ...]`` (parts: :data:`PARTS`).

Runs offline against a temporary store seeded from ``../shared/data`` (``--shared`` to move it).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from data_sources.settings import settings

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("store", "network", "pages", "bigcolumn", "browser", "load", "fresh", "anatomy", "timeline", "scoring",
         "extract")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    default_shared = settings().shared_dir or ROOT.parent / "shared"
    parser.add_argument("--shared", type=Path, default=default_shared, help="the shared/ folder with data/")
    parser.add_argument("--runs", type=int, default=20, help="AppTest runs per page (median)")
    parser.add_argument("--users", type=int, nargs="+", default=[20, 40], help="crowd sizes for load (each on a "
                        "fresh replica)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                        help="seconds a simulated user waits between page views (0 0 = flat out)")
    parser.add_argument("parts", nargs="*", metavar="PART", help=f"any of {', '.join(PARTS)} (default: all)")
    args = parser.parse_args()
    unknown = sorted(set(args.parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    args.parts = args.parts or list(PARTS)
    market, news = args.shared / "data" / "market", args.shared / "data" / "feeds" / "news"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    rows: list[tuple[str, str, str]] = []
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        from benchmarks import pages
        from benchmarks.results import write

        store_dir = Path(tmp) / "store"
        pages.seeded_env(store_dir, market, news)
        if "store" in args.parts:
            from benchmarks import store

            rows += store.run(market)
        if "network" in args.parts:
            from benchmarks import network

            rows += network.run()
        if "pages" in args.parts:
            times = pages.page_times(args.runs)
            empty = times[0][1]
            rows.append(("script time, empty Streamlit page (AppTest, warm, median)", f"{empty:.1f} ms", "—"))
            for name, ms in times[1:]:
                rows.append((f"script time, {name} (AppTest, warm, median of {args.runs})",
                             f"{ms:.1f} ms ({ms / empty:.0f}× empty)", "≤ 150 ms"))
        if "bigcolumn" in args.parts:
            big_rows, results = pages.big_column()
            rows += big_rows
            written.append(write("bigcolumn", {**results, "command": "python -m benchmarks bigcolumn"}))
        if "browser" in args.parts:
            from benchmarks import browser

            rows += browser.run(store_dir)
        if "anatomy" in args.parts:
            from benchmarks import anatomy

            rows += anatomy.run(store_dir)
        if "timeline" in args.parts:
            from benchmarks import timeline

            rows += timeline.run(store_dir)
        if "scoring" in args.parts:
            from benchmarks import scoring

            rows += scoring.run(market)
        if "extract" in args.parts:
            from benchmarks import extract

            rows += extract.run(store_dir)
        if "load" in args.parts:
            from benchmarks import load

            load_rows, results = load.run(store_dir, tuple(args.users), args.seconds, tuple(args.think))
            rows += load_rows
            written.append(write("load", {**results, "command": "python -m benchmarks load"}))
        if "fresh" in args.parts:
            from benchmarks import fresh

            fresh_rows, results = fresh.run(store_dir)
            rows += fresh_rows
            written.append(write("fresh", {**results, "command": "python -m benchmarks fresh"}))
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<44}  target {target}")
    if "browser" in args.parts:
        from benchmarks import browser

        print("\n" + "\n".join(browser.LAST_TABLE))
    for path in written:
        print(f"wrote {path.relative_to(ROOT)} (python -m benchmarks.results puts it into the docs' tables)")


if __name__ == "__main__":
    main()
