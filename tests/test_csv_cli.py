"""CSV snapshots: row checks, import/export round-trip, the CLI against the real snapshot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_sources import csv_io
from data_sources.cli import main
from data_sources.store import Store

HEADER = "date,open,high,low,close,adj_close,volume\n"


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_bad_rows_are_rejected_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "KRW=X.csv",
                 "2025-01-23,,,,1434.34,,\n"
                 "2025-13-45,,,,1433.0,,\n"
                 "2025-01-24,,,,,,\n"
                 "2025-01-27,,,,-5,,\n"
                 "2025-01-23,,,,1400.0,,\n"
                 "2025-01-28,abc,,,1417.92,,\n"
                 "2025-01-31,,,,1441.66,,\n")
    good, problems = csv_io.read_snapshot_file(path)
    assert good["close"].tolist() == [1434.34, 1441.66]
    assert [str(p) for p in problems] == [
        "KRW=X.csv line 3: unparsable date '2025-13-45'",
        "KRW=X.csv line 4: close is missing",
        "KRW=X.csv line 5: close is not positive (-5.0)",
        "KRW=X.csv line 6: duplicate date 2025-01-23 (first at line 2)",
        "KRW=X.csv line 7: open is not a number ('abc')",
    ]


def test_wrong_header_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "NVDA.csv"
    path.write_text("Date;Close\n2025-01-24;142.6\n")
    with pytest.raises(ValueError, match=r"NVDA\.csv line 1: header lacks date, close"):
        csv_io.read_snapshot_file(path)


def test_bad_import_never_replaces_good_stored_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    good = tmp_path / "good"
    good.mkdir()
    write(good, "NVDA.csv", "2025-01-24,,,,142.57,142.57,\n2025-01-27,,,,118.38,118.38,\n")
    csv_io.import_folder(store, good)
    bad = tmp_path / "bad"
    bad.mkdir()
    write(bad, "NVDA.csv", "2025-01-24,,,,0,,\n2025-01-27,,,,,,\nnot-a-date,,,,1,,\n")
    report = csv_io.import_folder(store, bad)
    assert report.imported == {} and len(report.problems) == 4
    assert store.load_prices(["NVDA"])["close"].tolist() == [142.57, 118.38]


def test_real_snapshot_import_export_round_trip(market_dir: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    report = csv_io.import_folder(store, market_dir)
    assert report.problems == []
    assert len(report.imported) == 37 and report.imported["KRW=X"] == 719
    out = tmp_path / "out"
    csv_io.export_folder(store, out)
    for original in sorted(market_dir.glob("*.csv")):
        a = pd.read_csv(original)
        b = pd.read_csv(out / original.name)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=original.name)
    nvda = store.load_prices(["NVDA"]).set_index("date")["close"]
    assert round(nvda[pd.Timestamp("2025-01-27")] / nvda[pd.Timestamp("2025-01-24")] - 1, 4) == -0.1697


def test_cli_import_status_export(market_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = ["--data-dir", str(tmp_path / "store")]
    assert main([*data, "import", str(market_dir)]) == 0
    assert "imported 48169 rows for 37 symbols" in capsys.readouterr().out
    assert main([*data, "status"]) == 0
    out = capsys.readouterr().out
    assert "symbol" in out and "fetched_at" in out
    krw = next(line for line in out.splitlines() if line.strip().startswith("KRW=X"))
    assert "719" in krw and "2024-01-01" in krw and "2026-10-08" in krw and "import: KRW=X.csv" in krw
    sox = next(line for line in out.splitlines() if line.strip().startswith("^SOX"))
    assert "no data yet" in sox
    assert main([*data, "export", str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out").glob("*.csv"))) == 37


def test_cli_refresh_offline_says_so(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--data-dir", str(tmp_path), "refresh"]) == 1
    assert "offline: DASHBOARD_OFFLINE is set; serving stored data" in capsys.readouterr().err


def test_cli_import_of_missing_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--data-dir", str(tmp_path), "import", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_cli_import_feeds_then_again_adds_nothing(news_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    data = ["--data-dir", str(tmp_path / "store")]
    assert main([*data, "import-feeds", str(news_dir)]) == 0
    first = capsys.readouterr().out
    assert main([*data, "import-feeds", str(news_dir)]) == 0
    second = capsys.readouterr().out
    assert "633 new (633 stored)" in first and "0 new (633 stored)" in second


def test_cli_refresh_news_offline_reports_each_feed(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--data-dir", str(tmp_path), "refresh-news"]) == 1
    out = capsys.readouterr().out
    assert "0 new (0 stored)" in out and out.count("problem:") >= 5 and "offline" in out.lower()
