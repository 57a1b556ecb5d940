"""``python -m commentary score``: the scorecard table and CSV, and bad claims reported while the rest score."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from commentary.__main__ import main
from commentary.document.column import COLUMNS_DIR

CSV_COLUMNS = ["claim_id", "horizon", "primary", "source", "reference_date", "end_date", "measured", "unit", "z",
               "margin", "strength", "base_rate", "independent_windows", "percentile", "call", "verdict"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["score", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_csv_of_the_baek_column(market_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "baek-2025-01-26", "--market-dir", str(market_dir), "--format", "csv")
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert set(CSV_COLUMNS) <= set(rows[0])
    assert len(rows) == 23
    by_key = {(r["claim_id"], r["horizon"], r["source"]): r for r in rows}
    indictment = by_key[("indictment-no-fx-move", "1W", "ecb")]
    assert (indictment["primary"], indictment["verdict"], indictment["reference_date"], indictment["end_date"]) == (
        "True", "failed", "2025-01-24", "2025-01-31")
    assert float(indictment["measured"]) == pytest.approx(1.0967, abs=1e-3) and indictment["unit"] == "%"
    year = by_key[("cn-tech-beats-us-bigtech", "year-end", "yahoo")]
    assert year["verdict"] == "failed" and year["strength"] == "narrow" and year["unit"] == "pp"


def test_table_format_marks_the_primary_horizon(market_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "baek-2025-01-26", "--market-dir", str(market_dir))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == CSV_COLUMNS
    year = next(line for line in lines if "cn-tech-beats-us-bigtech" in line and "year-end" in line)
    assert year.split()[2] == "*" and year.split()[-1] == "failed"


def test_unknown_id_is_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "no-such-column")
    assert code == 1 and out == "" and "no commentary with id 'no-such-column'" in err


def test_bad_claims_are_named_and_the_others_scored(market_dir: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    text = (COLUMNS_DIR / "baek-2025-01-26.md").read_text(encoding="utf-8")
    text = text.replace("params: {series: us_bigtech, direction: down}", "params: {series: NOPE, direction: down}")
    text = text.replace("params: {symbol: KRW=X, threshold_pct: 1.0}", "params: {symbol: KRW=X, threshold_pct: -1}")
    text = text.replace('- {id: holiday-week, end: "2025-01-31"', '- {id: holiday-week, end: "9999-01-31"')
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "x", "--file", str(path), "--market-dir", str(market_dir), "--format", "csv")
    assert code == 0
    problems = [line for line in err.splitlines() if line.startswith("not scored:")]
    assert len(problems) == 3
    assert any("bad.md line" in p and "claims[2].rule.params.series" in p and "'NOPE'" in p
               and "us-bigtech-loses-steam" in p for p in problems)
    assert any("claims[4].rule.params.threshold_pct" in p and "must be > 0" in p for p in problems)
    assert any("claims[3].horizons[0]" in p and "9999-01-31" in p for p in problems)
    scored = {r["claim_id"] for r in csv.DictReader(io.StringIO(out))}
    assert scored == {"cn-tech-beats-us-bigtech", "cn-tech-rebounds"}
