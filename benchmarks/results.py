"""Benchmark results as files, and the documentation tables generated from them.

``python -m benchmarks load fresh`` writes ``benchmarks/results/<part>.json``; ``python -m benchmarks.results``
rewrites the tables between ``<!-- benchmark:NAME -->`` and ``<!-- /benchmark:NAME -->`` in docs/performance.md
and docs/deploy.md from those files (``--check``: exit 1 when a table differs from its file). So the figures
the documentation quotes are the benchmark's output, never retyped prose (tests/unit/project/test_bench_results.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOCS = (ROOT / "docs" / "performance.md", ROOT / "docs" / "deploy.md")
_BLOCK = re.compile(r"(<!-- benchmark:(?P<name>[a-z_-]+) -->\n)(?P<body>.*?)(<!-- /benchmark:(?P=name) -->)", re.S)


def machine() -> dict:
    """Where the figures were measured."""
    return {"machine": platform.machine(), "cores": os.cpu_count(), "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def write(name: str, data: dict, folder: Path = RESULTS) -> Path:
    """``folder/<name>.json``: ``data`` with the machine and the date it was measured."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    payload = {"measured": dt.date.today().isoformat(), **machine(), **data}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read(name: str, folder: Path = RESULTS) -> dict:
    """The last results written for ``name``."""
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def _source(results: dict, name: str) -> str:
    return (f"From `benchmarks/results/{name}.json` ({results['measured']}, {results['machine']}, "
            f"{results['cores']} cores, load average {results['load_average_at_start'][0]:g} at the start).")


def load_table(results: dict) -> str:
    """Per-replica budgets: the column page's CPU per view, then each crowd."""
    column, targets = results["column"], results["targets"]
    lines = [_source(results, "load"), "",
             "| figure | value | target |", "| --- | --- | --- |",
             f"| column page, one warm user, {column['views']} views: server CPU per view | "
             f"{column['cpu_ms_per_view']} ms | ≤ {targets['column_cpu_ms_per_view']:g} ms |",
             f"| an open tab left idle: server CPU per data-version check (every {results['tab_check_s']:g} s by "
             f"default) | {results['idle_tab']['cpu_ms_per_check']} ms | — |"]
    for c in results["crowds"]:
        who = f"{c['users']} users × {c['seconds']:.0f} s, {c['think_s'][0]:g}–{c['think_s'][1]:g} s apart"
        target = f"≤ {targets['rss_mb_after_40_users']:g} MB" if c["users"] >= 40 else "—"
        lines += [f"| {who}: views/s (errors) | {c['views_per_s']} ({c['errors']}) | — |",
                  f"| {who}: request → script finished, median / p95 | {c['median_ms']} / {c['p95_ms']} ms | — |",
                  f"| {who}: server CPU per view, all pages | {c['cpu_ms_per_view']} ms | — |",
                  f"| {who}: replica RSS after / peak | {c['rss_mb']} / {c['rss_peak_mb']} MB | {target} |"]
    return "\n".join(lines) + "\n"


def fresh_table(results: dict) -> str:
    """A fresh replica's first views, started cold (``streamlit run``) and warm (``python -m ui.serve``)."""
    lines = [_source(results, "fresh"), "",
             "| start | healthy after | first view, server (request → finished) | first view, browser | page |",
             "| --- | --- | --- | --- | --- |"]
    def secs(value: object) -> str:
        return f"{value} s" if isinstance(value, int | float) else str(value)

    for row in results["rows"]:
        lines.append(f"| {row['start']} | {secs(row['healthy_s'])} | {secs(row['server_s'])} | "
                     f"{secs(row['browser_s'])} | /{row['page']} |")
    return "\n".join(lines) + "\n"


def bigcolumn_table(results: dict) -> str:
    """A published column with the maximum of claims on the column page."""
    n = results["claims"]
    return "\n".join([
        _source(results, "bigcolumn"), "",
        "| figure | value | target |", "| --- | --- | --- |",
        f"| a published {n}-claim column, first run of the column page (progress shown while scoring) | "
        f"{results['first_run_s']} s | ≤ 2 s |",
        f"| … scoring it in the background, once per data version | {results['background_s']} s | — |",
        f"| … the same reader's next run | {results['second_run_s']} s | ≤ 2 s |",
        f"| … another reader's first run | {results['other_reader_first_run_s']} s | ≤ 2 s |"]) + "\n"


def extract_table(results: dict) -> str:
    """Proposing claims from a column's text: the worker process against extracting in the server."""
    def mb(key: str) -> str:
        return f"{results[key]:.0f} MB"

    return "\n".join([
        f"From `benchmarks/results/extract.json` ({results['measured_at'][:10]}, {results['cores']} cores; a text of "
        f"{results['text_chars']:,} characters).", "",
        "| figure | value |", "| --- | --- |",
        f"| proposals, first request (the worker starts and loads the Korean model) / next request | "
        f"{results['propose_cold_s']:.1f} s / {results['propose_warm_s']:.1f} s |",
        f"| proposals shown on the page | {results['proposals_shown']} |",
        f"| the Korean model loaded in the server process | {'yes' if results['kiwipiepy_loaded_in_page'] else 'no'} |",
        f"| server RSS before / after / peak | {mb('page_rss_before_mb')} / {mb('page_rss_after_mb')} / "
        f"{mb('page_peak_mb')} |",
        f"| worker RSS / peak | {mb('worker_rss_mb')} / {mb('worker_peak_mb')} |",
        f"| for comparison, extracting inside one process: RSS before → after, time | "
        f"{mb('inprocess_rss_before_mb')} → {mb('inprocess_rss_after_mb')}, {results['inprocess_s']:.1f} s |"]) + "\n"


def scoring_table(results: dict) -> str:
    """Scoring each bundled column, and every author's track record."""
    lines = [f"From `benchmarks/results/scoring.json` (median of {results['repeat']} runs).", "",
             "| figure | value |", "| --- | --- |"]
    lines += [f"| {name} | {ms:.0f} ms |" for name, ms in results["figures"].items()]
    return "\n".join(lines) + "\n"


def replicas_table(results: dict) -> str:
    """Publishing and reading a version through moto's S3, and replicas following it."""
    lines = [_source(results, "replicas") + f" moto's S3 on 127.0.0.1, {results['replicas']} replicas.", "",
             "| figure | value |", "| --- | --- |"]
    lines += [f"| {row['figure']} | {row['value']} |" for row in results["rows"]]
    return "\n".join(lines) + "\n"


def browser_table(results: dict) -> str:
    """Navigation to chart in Chromium, per page (:func:`benchmarks.browser_report.table`)."""
    from benchmarks.browser_report import table

    return table(results)


TABLES: dict[str, Callable[[dict], str]] = {"load": load_table, "fresh": fresh_table, "bigcolumn": bigcolumn_table,
                                            "extract": extract_table, "scoring": scoring_table,
                                            "browser": browser_table, "replicas": replicas_table}


def render(text: str, folder: Path = RESULTS) -> str:
    """``text`` with every benchmark block replaced by the table generated from its results file."""
    def block(match: re.Match) -> str:
        name = match["name"]
        body = TABLES[name](read(name, folder)) if name in TABLES and (folder / f"{name}.json").exists() else match[
            "body"]
        return match[1] + body + match[4]

    return _BLOCK.sub(block, text)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.results", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when a document's table is out of date")
    args = parser.parse_args()
    stale = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "out of date" if args.check else "updated"
    print(f"{verb}: {', '.join(map(str, stale))}" if stale else "tables match the results files")
    sys.exit(1 if args.check and stale else 0)


if __name__ == "__main__":
    main()
