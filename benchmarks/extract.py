"""Korean extraction: the memory of the process that serves the page, before and after a Korean proposal.

Three fresh interpreters, each measured from /proc (VmRSS, and VmHWM for the peak):

- ``page``: the New column page in AppTest (a replica's script runner) proposes claims for a Korean text; the
  extractor runs in the worker process, so the page's process should not grow by the model's ~450 MB;
- the worker itself (its RSS while alive, and the cold and warm proposal times);
- ``inprocess``: the same proposal with the extractor in the calling process (how it was before), for scale.

``python -m benchmarks extract`` prints the rows and writes ``benchmarks/results/extract.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "extract.json"
#: A Korean column's worth of text, written for this benchmark.
TEXT = ("올해 미국 빅테크는 힘이 빠지고 중국 기술주가 반등할 것으로 본다. 원/달러 환율은 석 달 안에 1,500원을 넘을 수 "
        "있다. 엔비디아 실적 발표가 다음 주에 있다. 코스피는 연말까지 2,800선을 넘지 않을 것이다.\n") * 40
PUBLISHED = dt.date(2025, 3, 3)
BUDGET_MB = 300


def _status(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def _child_page() -> dict[str, object]:
    """The New column page (AppTest) proposing claims for a Korean text; this process's memory around it."""
    from streamlit.testing.v1 import AppTest

    from commentary.extract import worker

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "ko"
    at.run()
    at.switch_page("pages/new_column.py")
    at.run()
    at.date_input(key="new_date").set_value(PUBLISHED)
    at.text_area(key="new_text").set_value(TEXT)
    at.run()
    before = _status()
    started = time.perf_counter()
    at.button(key="new_propose").click().run()
    cold = time.perf_counter() - started
    after = _status()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    pid = worker.worker_pid()
    worker_rss = _status(pid) if pid else {}
    started = time.perf_counter()
    at.button(key="new_propose").click().run()
    warm = time.perf_counter() - started
    proposals = len([c for c in at.checkbox if c.key.startswith("new_accept_")])
    worker.stop_worker()
    return {"page_rss_before_mb": before["VmRSS"], "page_rss_after_mb": after["VmRSS"],
            "page_peak_mb": after["VmHWM"], "kiwipiepy_loaded_in_page": "kiwipiepy" in sys.modules,
            "worker_rss_mb": worker_rss.get("VmRSS"), "worker_peak_mb": worker_rss.get("VmHWM"),
            "propose_cold_s": cold, "propose_warm_s": warm, "proposals_shown": proposals}


def _child_inprocess() -> dict[str, object]:
    """The same proposal with the extractor in this process (the model loads here)."""
    from commentary.extract import extract
    from data_sources.market.universe import all_instruments

    instruments = all_instruments()
    before = _status()
    started = time.perf_counter()
    result = extract(TEXT, PUBLISHED, instruments=instruments)
    took = time.perf_counter() - started
    after = _status()
    return {"inprocess_rss_before_mb": before["VmRSS"], "inprocess_rss_after_mb": after["VmRSS"],
            "inprocess_s": took, "inprocess_proposals": len(result.proposals)}


def _in_child(mode: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-m", "benchmarks.extract", mode], cwd=ROOT, capture_output=True,
                            text=True, timeout=900, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if result.returncode != 0:
        raise RuntimeError(f"benchmarks.extract {mode} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(store_dir: Path | None = None) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows; the figures are also written to :data:`RESULTS`."""
    from data_sources.settings import settings

    figures = {**_in_child("page"), **_in_child("inprocess"), "measured_at": dt.datetime.now(dt.UTC).isoformat(),
               "text_chars": len(TEXT), "cores": os.cpu_count()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    f = figures
    return [
        ("Korean proposal: page process RSS before → after (extractor in the worker)",
         f"{f['page_rss_before_mb']:.0f} → {f['page_rss_after_mb']:.0f} MB (peak {f['page_peak_mb']:.0f}; "
         f"kiwipiepy loaded: {f['kiwipiepy_loaded_in_page']})", f"≤ {BUDGET_MB} MB"),
        ("Korean proposal: the worker process's RSS (peak)",
         f"{f['worker_rss_mb']:.0f} MB ({f['worker_peak_mb']:.0f}); exits after "
         f"{settings().extract_idle_s:.0f} s idle", "—"),
        ("Korean proposal: time on the page, cold worker → warm",
         f"{f['propose_cold_s']:.1f} s → {f['propose_warm_s']:.2f} s ({f['proposals_shown']} shown)", "—"),
        ("Korean proposal in the calling process (before): RSS before → after",
         f"{f['inprocess_rss_before_mb']:.0f} → {f['inprocess_rss_after_mb']:.0f} MB "
         f"({f['inprocess_s']:.1f} s)", "—"),
    ]


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in ("page", "inprocess"):
        print(json.dumps(_child_page() if sys.argv[1] == "page" else _child_inprocess()))
    else:
        for name, value, target in run():
            print(f"{name}: {value} (target {target})")
