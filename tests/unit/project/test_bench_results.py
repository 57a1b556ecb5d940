"""The documentation's benchmark figures are the benchmark's output (benchmarks/results.py): every table between
``<!-- benchmark:NAME -->`` markers in docs/performance.md and docs/deploy.md is exactly what its results file
renders to, and the renderer takes each figure from the file."""

from __future__ import annotations

import json

import pytest

from benchmarks import results


@pytest.mark.parametrize("path", results.DOCS, ids=lambda p: p.name)
def test_the_documents_tables_are_generated_from_the_results_files(path) -> None:
    text = path.read_text(encoding="utf-8")
    blocks = results._BLOCK.findall(text)
    assert blocks, f"{path.name} quotes no benchmark table"
    assert results.render(text) == text, f"{path.name} is out of date: run python -m benchmarks.results"
    for name in {match[1] for match in blocks}:
        assert (results.RESULTS / f"{name}.json").exists(), f"{path.name} quotes {name} with no results file"


def test_a_table_takes_its_figures_from_the_file(tmp_path) -> None:
    crowd = {"users": 40, "seconds": 60.4, "think_s": [1.0, 3.0], "views": 600, "views_per_s": 9.93, "errors": 0,
             "median_ms": 812, "p95_ms": 2345, "cpu_ms_per_view": 41.7, "rss_mb": 287, "rss_peak_mb": 301}
    data = {"measured": "2030-01-02", "machine": "x86_64", "cores": 2, "load_average_at_start": [3.5, 3.0, 2.0],
            "tab_check_s": 5.0, "column": {"views": 60, "cpu_ms_per_view": 27.3},
            "idle_tab": {"cpu_ms_per_check": 1.25}, "crowds": [crowd],
            "targets": {"column_cpu_ms_per_view": 35.0, "rss_mb_after_40_users": 300.0}}
    (tmp_path / "load.json").write_text(json.dumps(data), encoding="utf-8")
    doc = "intro\n<!-- benchmark:load -->\nold prose: ~250 MB\n<!-- /benchmark:load -->\nafter\n"
    out = results.render(doc, tmp_path)
    assert "~250 MB" not in out and out.startswith("intro\n") and out.endswith("<!-- /benchmark:load -->\nafter\n")
    for figure in ("27.3 ms", "1.25 ms", "9.93 (0)", "812 / 2345 ms", "41.7 ms", "287 / 301 MB", "2030-01-02",
                   "load average 3.5"):
        assert figure in out, figure
    assert results.render(out, tmp_path) == out  # rendering twice changes nothing
    untouched = "<!-- benchmark:fresh -->\nkept\n<!-- /benchmark:fresh -->\n"
    assert results.render(untouched, tmp_path) == untouched  # no results file: the block is left as it is


NEW_TABLES = {
    "extract": ({"measured_at": "2030-01-02T03:04:05+00:00", "cores": 2, "text_chars": 4321, "propose_cold_s": 8.76,
                 "propose_warm_s": 1.23, "proposals_shown": 17, "kiwipiepy_loaded_in_page": False,
                 "page_rss_before_mb": 201.2, "page_rss_after_mb": 202.4, "page_peak_mb": 203.6, "worker_rss_mb": 404.4,
                 "worker_peak_mb": 405.5, "inprocess_rss_before_mb": 99.9, "inprocess_rss_after_mb": 606.1,
                 "inprocess_s": 6.54},
                ["2030-01-02", "4,321 characters", "8.8 s / 1.2 s", "| 17 |", "| no |", "201 MB / 202 MB / 204 MB",
                 "404 MB / 406 MB", "100 MB → 606 MB, 6.5 s"]),
    "scoring": ({"unit": "ms (median)", "repeat": 7, "figures": {"scorecard x": 12.4, "track record": 1500.6}},
                ["median of 7 runs", "| scorecard x | 12 ms |", "| track record | 1501 ms |"]),
    "replicas": ({"measured": "2030-01-02", "machine": "x86_64", "cores": 2, "load_average_at_start": [1.5, 1, 1],
                  "replicas": 3, "rows": [{"figure": "publish one version (9 rows, S3)", "value": "321 ms"}]},
                 ["2030-01-02", "load average 1.5", "3 replicas", "| publish one version (9 rows, S3) | 321 ms |"]),
}


@pytest.mark.parametrize("name", NEW_TABLES)
def test_each_documented_results_file_renders_its_own_figures(tmp_path, name) -> None:
    data, figures = NEW_TABLES[name]
    (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    doc = f"<!-- benchmark:{name} -->\nold\n<!-- /benchmark:{name} -->\n"
    out = results.render(doc, tmp_path)
    assert "old" not in out and f"benchmarks/results/{name}.json" in out
    for figure in figures:
        assert figure in out, (name, figure, out)
