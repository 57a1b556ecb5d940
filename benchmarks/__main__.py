"""Print the dashboard's performance figures: ``python -m benchmarks [--shared DIR]``."""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

from benchmarks import store

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    default_shared = Path(os.environ.get("DASHBOARD_SHARED_DIR", ROOT.parent / "shared"))
    parser.add_argument("--shared", type=Path, default=default_shared, help="the shared/ folder with data/")
    args = parser.parse_args()
    market = args.shared / "data" / "market"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    rows = store.run(market)
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<40}  target {target}")


if __name__ == "__main__":
    main()
