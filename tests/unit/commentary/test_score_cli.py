"""``python -m commentary score``: the scorecard table and CSV, and bad claims reported while the rest score."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from commentary.__main__ import main
from commentary.document.column import COLUMNS_DIR, load_commentary

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
    # each row says what was measured, in English (a terminal has no reader language): the catalog's words
    assert indictment["detail"].endswith("; claim: |change| < 1.00%") and "USDKRW_ECB" in indictment["detail"]
    assert year["detail"].startswith("China tech basket ") and " vs US big-tech basket " in year["detail"]
    assert not any(re.search(r"[\uac00-\ud7a3]", r["detail"]) for r in rows)


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
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "series: NOPE" in row)
    assert any(f"bad.md, line {line}, field claims[2].rule.params.series" in p and "NOPE" in p for p in problems)
    assert any("claims[4].rule.params.threshold_pct" in p and "must be > 0" in p for p in problems)
    assert any("claims[3].horizons[0]" in p and "9999-01-31" in p for p in problems)
    scored = {r["claim_id"] for r in csv.DictReader(io.StringIO(out))}
    assert scored == {"cn-tech-beats-us-bigtech", "cn-tech-rebounds"}


def _ecb_weeks(market_dir: Path, reference: str, days: int) -> list[float]:
    """|change| (%) of USDKRW_ECB over non-overlapping ``days``-long windows ending on ``reference`` (csv module)."""
    with (market_dir / "USDKRW_ECB.csv").open(encoding="utf-8") as handle:
        rows = [(dt.date.fromisoformat(r["date"]), float(r["close"])) for r in csv.DictReader(handle) if r["close"]]

    def at(day: dt.date) -> float:
        return [v for d, v in rows if d <= day][-1]

    ref, out, k = dt.date.fromisoformat(reference), [], 1
    while ref - dt.timedelta(days=k * days) >= rows[0][0]:
        start, end = ref - dt.timedelta(days=k * days), ref - dt.timedelta(days=(k - 1) * days)
        out.append(abs(at(end) / at(start) - 1) * 100)
        k += 1
    return out


def test_csv_carries_each_verdict_s_odds(market_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "baek-2025-01-26", "--market-dir", str(market_dir), "--format", "csv")
    rows = {(r["claim_id"], r["horizon"], r["source"]): r for r in csv.DictReader(io.StringIO(out))}
    ecb = rows[("indictment-no-fx-move", "1W", "ecb")]
    moves = _ecb_weeks(market_dir, ecb["reference_date"], int(ecb["window_days"]))
    assert int(ecb["independent_windows"]) == len(moves)
    assert float(ecb["base_rate"]) == pytest.approx(sum(m < 1.0 for m in moves) / len(moves), abs=1e-5)
    measured = abs(float(ecb["measured"]))
    below = sum(m < measured for m in moves) + sum(m == measured for m in moves) / 2
    assert float(ecb["percentile"]) == pytest.approx(below / len(moves) * 100, abs=1e-3)


def test_record_prints_each_author_s_track_record(market_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "baek-2025-01-26", "--market-dir", str(market_dir), "--format", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["primary"] == "True"]
    by_claim: dict[str, list[str]] = {}
    for r in rows:
        by_claim.setdefault(r["claim_id"], []).append(r["verdict"])
    held = sum(v.count("held") / len(v) for v in by_claim.values())  # a split verdict counts half
    code = main(["record", "--market-dir", str(market_dir), "--format", "csv"])
    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    record = {r["author"]: r for r in csv.DictReader(io.StringIO(out.out))}
    assert set(record) == {c.author for c in (load_commentary(p) for p in COLUMNS_DIR.glob("*.md"))}
    baek = record["백석현"]
    assert {"n", "held", "expected", "p_value", "p_as_bad", "groups"} <= set(baek)
    assert (int(baek["n"]), float(baek["held"])) == (len(by_claim), held)
    assert 0 < float(baek["p_value"]) <= 1 and 0 < float(baek["p_as_bad"]) <= 1
    assert float(baek["p_value"]) + float(baek["p_as_bad"]) >= 1  # the two tails share the observed total
    code = main(["record", "--market-dir", str(market_dir)])
    table = capsys.readouterr().out.splitlines()
    assert code == 0 and table[0].split()[:6] == ["author", "columns", "n", "held", "expected", "p_value"]
    assert any(line.strip().startswith("백석현") for line in table[1:])


def test_record_with_no_prices_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["record", "--market-dir", str(tmp_path), "--format", "csv"])
    out = capsys.readouterr()
    assert code == 0 and f"skipped: {tmp_path}: no SYMBOL.csv files" in out.err
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert {r["finding"] for r in rows} == {"unrated"} and {r["p_value"] for r in rows} == {""}  # no p-value
