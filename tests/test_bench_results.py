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
