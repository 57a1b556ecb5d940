"""Load: N simulated users (AppTest sessions in threads, sharing one process like a server) for a while."""

from __future__ import annotations

import random
import statistics
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("column", "compare", "fx", "news", "data")


def _user(seed: int, until: float, times: list[float], errors: list[str], lock: threading.Lock) -> None:
    rng = random.Random(seed)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lang"] = rng.choice(["ko", "en"])
        at.run()
    except Exception as exc:  # a user that cannot even start counts as an error
        with lock:
            errors.append(f"start: {exc!r}")
        return
    while time.monotonic() < until:
        page = rng.choice(PAGES)
        start = time.perf_counter()
        try:
            at.switch_page(f"pages/{page}.py").run()
            failed = [e.message for e in at.exception]
        except Exception as exc:
            failed = [repr(exc)]
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            times.append(elapsed)
            errors.extend(f"{page}: {f}" for f in failed)


def run(users: int = 20, seconds: float = 60.0) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=_user, args=(n, until, times, errors, lock)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else float("nan")
    rows = [
        (f"load: {users} users × {seconds:.0f} s, page views", f"{len(times)}", "—"),
        ("load: errors", f"{len(errors)}" + (f" (first: {errors[0][:80]})" if errors else ""), "0"),
        ("load: 95th-percentile script time", f"{p95:.0f} ms (median {statistics.median(times):.0f} ms)", "—"),
    ]
    return rows
