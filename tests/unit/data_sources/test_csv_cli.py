"""CSV snapshots: row checks, import/export round-trip, the CLI against the real snapshot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data_sources.cli import main
from data_sources.errors import Problem
from data_sources.store import csv_io
from data_sources.store.prices import Store
from tests.conftest import en
from ui.problems import say

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
                 "2025-01-31,,,,1441.66,,\n"
                 "\n"
                 "  ,,, ,,,\n"  # blank and spaces-only lines are skipped, not reported
                 "2025-02-03,,,,1460.1,,\n")
    good, problems = csv_io.read_snapshot_file(path)
    assert good["close"].tolist() == [1434.34, 1441.66, 1460.1]
    assert [en(p.problem) for p in problems] == [
        "KRW=X.csv line 3: the date '2025-13-45' cannot be read (use YYYY-MM-DD)",
        "KRW=X.csv line 4: close is missing",
        "KRW=X.csv line 5: close is not positive (-5)",
        "KRW=X.csv line 6: the date 2025-01-23 repeats line 2",
        "KRW=X.csv line 7: open is not a number ('abc')",
    ]
    assert [(p.line, p.reason.params["field"]) for p in problems] == [(3, "date"), (4, "close"), (5, "close"),
                                                                      (6, "date"), (7, "open")]


def test_wrong_header_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "NVDA.csv"
    path.write_text("Date;Close\n2025-01-24;142.6\n")
    with pytest.raises(ValueError) as info:
        csv_io.read_snapshot_file(path)
    assert en(info.value).startswith("NVDA.csv line 1: the header lacks date, close")


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
    assert "offline: Offline mode (DASHBOARD_OFFLINE is set); serving stored data" in capsys.readouterr().err


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


# --- hostile values: rejected row by row with file, line and reason -----------------------------------------

TODAY = date(2026, 3, 25)  # injected: no test depends on the real date


def test_non_finite_absurd_negative_and_future_values_are_rejected_row_by_row(tmp_path: Path) -> None:
    path = write(tmp_path, "NVDA.csv",
                 "2025-01-23,,,,142.6,142.6,100\n"
                 "2025-01-24,,,,inf,,\n"
                 "2025-01-27,,,,1e308,,\n"
                 "2025-01-28,,,,1e-300,,\n"
                 "2025-01-29,,,,0,,\n"
                 "2025-01-30,,,,120.0,-120.0,\n"
                 "2025-01-31,,,,120.0,,-5\n"
                 "2025-02-03,-inf,,,120.0,,\n"
                 "2099-12-31,,,,130.0,,\n"
                 "9999-12-31,,,,130.0,,\n"
                 "0001-01-01,,,,130.0,,\n"
                 "2026-03-25,,,,125.0,125.0,1\n"
                 "2026-03-26,,,,126.0,,\n")
    good, problems = csv_io.read_snapshot_file(path, today=TODAY)
    assert good["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-23", "2026-03-25"]
    assert [en(p.problem) for p in problems] == [
        "NVDA.csv line 3: close is not a finite number ('inf')",
        "NVDA.csv line 4: close 1e+308 is outside the plausible range 0.0001–1,000,000,000",
        "NVDA.csv line 5: close 1e-300 is outside the plausible range 0.0001–1,000,000,000",
        "NVDA.csv line 6: close is not positive (0)",
        "NVDA.csv line 7: adj_close is not positive (-120)",
        "NVDA.csv line 8: volume -5 is negative or above 1,000,000,000,000,000",
        "NVDA.csv line 9: open is not a finite number ('-inf')",
        "NVDA.csv line 10: the date 2099-12-31 is after 2026-03-25",
        "NVDA.csv line 11: the date 9999-12-31 is after 2026-03-25",
        "NVDA.csv line 12: the date 0001-01-01 is before 1900",
        "NVDA.csv line 14: the date 2026-03-26 is after 2026-03-25",
    ]


def test_a_year_9999_row_rejects_only_that_row(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "NVDA.csv", "2025-01-24,,,,142.57,142.57,\n9999-12-31,,,,1,,\n")
    store = Store(tmp_path / "store")
    report = csv_io.import_folder(store, folder, today=TODAY)
    assert report.imported == {"NVDA": 1}
    assert [en(p) for p in report.problems] == ["NVDA.csv line 3: the date 9999-12-31 is after 2026-03-25"]
    assert store.load_prices(["NVDA"])["close"].tolist() == [142.57]


# --- an import that would change stored rows lists them and needs --replace ---------------------------------

def _good_then_worse(tmp_path: Path) -> tuple[Store, Path]:
    store = Store(tmp_path / "store")
    good = tmp_path / "good"
    good.mkdir()
    write(good, "NVDA.csv", "2025-01-24,,,,142.57,142.57,\n2025-01-27,,,,118.38,118.38,\n")
    assert csv_io.import_folder(store, good, today=TODAY).imported == {"NVDA": 2}
    worse = tmp_path / "worse"
    worse.mkdir()
    write(worse, "NVDA.csv", "2025-01-24,,,,0.01,142.57,\n2025-01-27,,,,118.38,118.38,\n2025-01-28,,,,128.99,,\n")
    return store, worse


def test_worse_data_never_silently_replaces_good_data(tmp_path: Path) -> None:
    store, worse = _good_then_worse(tmp_path)
    report = csv_io.import_folder(store, worse, today=TODAY)
    assert report.held and report.imported == {}
    assert [str(c) for c in report.changes] == ["NVDA 2025-01-24 close: 142.57 → 0.01"]
    assert store.load_prices(["NVDA"])["close"].tolist() == [142.57, 118.38]  # nothing stored, not even 01-28
    report = csv_io.import_folder(store, worse, replace=True, today=TODAY)
    assert not report.held and report.imported == {"NVDA": 3}
    assert store.load_prices(["NVDA"])["close"].tolist() == [0.01, 118.38, 128.99]


def test_reimporting_the_same_rows_changes_nothing(market_dir: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    csv_io.import_folder(store, market_dir)
    again = csv_io.import_folder(store, market_dir)
    assert again.changes == [] and not again.held and len(again.imported) == 37


def test_cli_import_that_changes_rows_needs_replace(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("data_sources.store.validate.market_today", lambda: TODAY)
    store, worse = _good_then_worse(tmp_path)
    data = ["--data-dir", str(store.root)]
    assert main(["import", str(worse), *data]) == 1
    err = capsys.readouterr().err
    assert "would change: NVDA 2025-01-24 close: 142.57 → 0.01" in err
    assert "nothing stored" in err and "--replace" in err
    assert store.load_prices(["NVDA"])["close"].tolist() == [142.57, 118.38]
    assert main([*data, "import", "--replace", str(worse)]) == 0
    captured = capsys.readouterr()
    assert "replaced: NVDA 2025-01-24 close: 142.57 → 0.01" in captured.err
    assert "imported 3 rows for 1 symbols" in captured.out


# --- --data-dir before or after the subcommand -------------------------------------------------------------

@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_is_accepted_before_and_after_the_subcommand(where: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture) -> None:
    Store(tmp_path / "mine").upsert(_one_row("ZZZ"), {"ZZZ": {"source": "here"}})
    data = ["--data-dir", str(tmp_path / "mine")]
    argv = [*data, "status"] if where == "before" else ["status", *data]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"store: {tmp_path / 'mine'}" in out and "ZZZ" in out


def test_data_dir_after_the_subcommand_wins_over_the_one_before(tmp_path: Path, capsys) -> None:
    assert main(["--data-dir", str(tmp_path / "a"), "status", "--data-dir", str(tmp_path / "b")]) == 0
    assert f"store: {tmp_path / 'b'}" in capsys.readouterr().out


def _one_row(symbol: str) -> pd.DataFrame:
    return pd.DataFrame({"date": [pd.Timestamp("2025-01-02")], "symbol": symbol, "open": [float("nan")],
                         "high": [float("nan")], "low": [float("nan")], "close": [1.0], "adj_close": [1.0],
                         "volume": [float("nan")]})


# --- import from the browser: only under the configured root -----------------------------------------------

def _root_with_escape_routes(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "imports", tmp_path / "secret"
    (root / "snap").mkdir(parents=True)
    outside.mkdir()
    write(root / "snap", "NVDA.csv", "2025-01-24,,,,142.57,,\n")
    write(outside, "PASSWD.csv", "2025-01-24,,,,1,,\n")
    (root / "link-out").symlink_to(outside, target_is_directory=True)  # a folder that leads outside
    (root / "snap" / "LEAK.csv").symlink_to(outside / "PASSWD.csv")  # a file that leads outside
    return root, outside


def test_folder_import_is_limited_to_the_root(tmp_path: Path) -> None:
    root, outside = _root_with_escape_routes(tmp_path)
    assert csv_io.folder_inside(root, "snap") == (root / "snap").resolve()
    assert csv_io.folder_inside(root, ".") == root.resolve()
    refusals = []
    for escape in ["..", "../secret", str(outside), "link-out", "snap/../../secret", "/etc", "~", "no-such-folder"]:
        with pytest.raises(csv_io.ImportRootError) as caught:
            csv_io.folder_inside(root, escape)
        refusals.append(caught.value.problem)
    with pytest.raises(csv_io.ImportRootError) as caught:
        csv_io.folder_inside(None, "snap")
    refusals.append(caught.value.problem)
    assert {(p.code, tuple(p.params)) for p in refusals} == {("import.refused", ())}  # one answer, no path in it
    assert csv_io.import_folders(root) == ["snap"]  # never lists link-out


def test_import_under_a_root_skips_files_that_lead_outside(tmp_path: Path) -> None:
    root, _ = _root_with_escape_routes(tmp_path)
    store = Store(tmp_path / "store")
    report = csv_io.import_folder(store, root / "snap", root=root, today=TODAY)
    assert report.imported == {"NVDA": 1}
    assert set(store.read().prices["symbol"]) == {"NVDA"}


def test_import_root_defaults_to_none(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DASHBOARD_IMPORT_ROOT", raising=False)
    assert csv_io.import_root() is None
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(tmp_path))
    assert csv_io.import_root() == tmp_path.resolve()


# --- an import, once started, completes even when its progress display goes away ---------------------------

def test_import_completes_when_the_progress_display_raises(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for symbol in ("AAA", "BBB", "CCC"):
        write(folder, f"{symbol}.csv", "2025-01-24,,,,10,,\n")
    seen = []

    class ReaderLeft(Exception):
        pass

    def progress(fraction: float, message: str) -> None:
        seen.append(message)
        if len(seen) == 2:
            raise ReaderLeft("navigated away")

    store = Store(tmp_path / "store")
    report = csv_io.import_folder(store, folder, progress=progress, today=TODAY)
    assert isinstance(report.progress_error, ReaderLeft) and len(seen) == 2
    assert report.imported == {"AAA": 1, "BBB": 1, "CCC": 1}
    assert sorted(store.read().prices["symbol"].unique()) == ["AAA", "BBB", "CCC"]


def test_every_progress_message_has_korean(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "MSFT.csv", "2025-01-24,,,,400,,\n")
    seen = []
    csv_io.import_folder(Store(tmp_path / "store"), folder, progress=lambda f, m: seen.append(m), today=TODAY)
    assert [en(m) for m in seen] == ["reading MSFT.csv", "writing the store", "done"]
    assert [say(m, "ko") for m in seen] == ["MSFT.csv 읽는 중", "저장소에 쓰는 중", "완료"]
    assert say(Problem("progress.stored", {"rows": 12, "symbols": 3}), "ko") == "3개 종목 12행 저장"
