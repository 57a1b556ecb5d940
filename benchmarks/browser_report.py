"""The browser benchmark's results: one JSON file with every figure (raw times included) and the Markdown table
generated from it (``benchmarks/results/browser.json``, ``browser.md``).

:func:`table` takes the JSON's content and returns the table, so a documentation generator can render it from
the file alone (``python -m benchmarks.browser_report`` rewrites ``browser.md`` from ``browser.json``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FLOOR_NAMES = {"hello-world": "hello-world", "shell": "shell"}
KIND_WORDS = {"cold": "cold cache", "warm": "warm cache", "in-app": "sidebar click", "shell": "warm cache"}


def started(**settings: object) -> dict:
    """The results' head: when, where (with the machine's load at the start) and how it was measured."""
    return {"measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "command": "python -m benchmarks "
            "browser", "machine": platform.machine(), "cores": os.cpu_count(), "python": platform.python_version(),
            "load_average_start": [round(x, 2) for x in os.getloadavg()], **settings, "series": []}


def _median(values: list[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return statistics.median(kept) if kept else math.nan


def _num(value: float, digits: int = 0) -> float | None:
    return None if math.isnan(value) else round(value, digits) if digits else round(value)


def add(results: dict, kind: str, page: str, size: str, floor: str, got: dict[str, list[list[float]]],
        target: float | None = None) -> dict:
    """Append one series (``got``: the page's and the floor's (first, every) times, in pair order)."""
    page_first, floor_first = [f for f, _ in got["page"]], [f for f, _ in got["floor"]]
    pair = [p / f for p, f in zip(page_first, floor_first, strict=True) if not (math.isnan(p) or math.isnan(f))]
    first, every, base = _median(page_first), _median([e for _, e in got["page"]]), _median(floor_first)
    ratio = first / base if base else math.nan
    series = {
        "kind": kind, "page": page, "size": size, "floor": floor, "pairs": len(got["page"]),
        "floor_first_ms": _num(base), "first_ms": _num(first), "every_ms": _num(every),
        "ratio_first": _num(ratio, 2), "ratio_every": _num(every / base if base else math.nan, 2),
        "pair_ratios_first": [round(r, 2) for r in pair],
        "median_pair_ratio_first": _num(_median(pair), 2) if pair else None,
        "spread_first": [round(min(pair), 2), round(max(pair), 2)] if pair else None,
        "target_first": target, "met": None if target is None or math.isnan(ratio) else ratio <= target,
        "raw_ms": {side: [[_num(v, 1) for v in view] for view in got[side]] for side in ("page", "floor")},
    }
    results["series"].append(series)
    print(f"  {kind} {page} {size}: {floor} {_ms(series['floor_first_ms'])}, page {_ms(series['first_ms'])} "
          f"({_ratio(series)})", file=sys.stderr)  # progress, as the run goes
    return series


def finish(results: dict, folder: Path = RESULTS) -> list[Path]:
    """Stamp the load at the end, write ``browser.json`` and ``browser.md``; returns both paths."""
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    folder.mkdir(parents=True, exist_ok=True)
    data, md = folder / "browser.json", folder / "browser.md"
    data.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md.write_text(table(results), encoding="utf-8")
    return [data, md]


def _ratio(series: dict) -> str:
    if series["ratio_first"] is None:
        return "—"
    mark = "" if series["met"] is None else " ✓" if series["met"] else " ✗"
    low, high = series["spread_first"] or (math.nan, math.nan)
    return f"{series['ratio_first']:.2f}×{mark} (pairs {series['median_pair_ratio_first']:.2f}×, {low:.2f}–{high:.2f}×)"


def _times(ratio: float | None) -> str:
    return "" if ratio is None else f" ({ratio:.2f}×)"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def table(results: dict) -> str:
    """The Markdown table of ``results`` (the content of ``browser.json``), with a line saying how it was run."""
    served = "behind the project's nginx" if results["served"] == "nginx" else "served by Streamlit directly"
    load = f"load average {results['load_average_start'][0]:g} at the start"
    if "load_average_end" in results:
        load += f", {results['load_average_end'][0]:g} at the end"
    targets = results["targets"]
    lines = [f"From `benchmarks/results/browser.json` ({results['measured'][:10]}, {results['machine']}, "
             f"{results['cores']} cores shared with other jobs, {load}; {results['repeat']} interleaved pairs per row, "
             f"pages in `{results['lang']}`, every app {served}). Targets: cold first chart ≤ {targets['cold']:g}× "
             f"hello-world, warm first chart ≤ {targets['warm']:g}× the shell; sidebar clicks are measured against "
             "the shell's own. Ratio: median over median (median of the pairs' ratios, their range).", "",
             "| page | size | view | floor | floor → first chart | page → first chart | ratio | page → every chart |",
             "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"]
    order = {"shell": 0, "cold": 1, "warm": 2, "in-app": 3}
    for s in sorted(results["series"], key=lambda s: (order.get(s["kind"], 9), s["size"] != "desktop")):
        lines.append(f"| {s['page']} | {s['size']} | {KIND_WORDS.get(s['kind'], s['kind'])} | "
                     f"{FLOOR_NAMES.get(s['floor'], s['floor'])} | {_ms(s['floor_first_ms'])} | {_ms(s['first_ms'])} | "
                     f"{_ratio(s)} | {_ms(s['every_ms'])}{_times(s['ratio_every'])} |")
    if "memory_mb" in results:
        lines += ["", f"Server memory (RSS) after the run: {results['memory_mb']:.0f} MB."]
    return "\n".join(lines) + "\n"


def rows(results: dict) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows for ``python -m benchmarks``'s printout."""
    out = [(f"server: {r['figure'].removeprefix('server: ')}", r["value"], "—") for r in results.get("server", [])]
    for s in results["series"]:
        target = f"≤ {s['target_first']:g}× {s['floor']}" if s["target_first"] else "—"
        out.append((f"browser: {s['page']}, {s['size']}, {KIND_WORDS.get(s['kind'], s['kind'])} → first chart "
                    f"(vs {s['floor']})", f"{_ms(s['first_ms'])} ({_ratio(s)})", target))
    if "memory_mb" in results:
        out.append(("server memory (RSS) after the browser run", f"{results['memory_mb']:.0f} MB", "≤ 300 MB"))
    return out


if __name__ == "__main__":
    found = json.loads((RESULTS / "browser.json").read_text(encoding="utf-8"))
    (RESULTS / "browser.md").write_text(table(found), encoding="utf-8")
    print(f"rewrote {RESULTS / 'browser.md'} from browser.json")
