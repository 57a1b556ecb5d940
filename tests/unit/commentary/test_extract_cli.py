"""``python -m commentary propose`` and ``python -m data_sources add``, run as a reader would."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, module: str = "commentary", timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def column(tmp_path: Path) -> Path:
    path = tmp_path / "column.txt"
    path.write_text("시장 전망\n\n올해 미국 빅테크는 힘이 빠지고, 중국 기술주가 반등할 것이다.\n"
                    "=NVIDIA will fall next week.\n환율은 3개월 동안 1,400원 아래에 머물 것이다.\n", encoding="utf-8")
    return path


def test_propose_csv_has_one_row_per_proposal(column: Path) -> None:
    result = run("propose", str(column), "--published", "2025-03-03", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"sentence", "symbols", "rule", "direction", "level", "horizon"} <= set(rows[0])
    got = [(r["symbols"], r["rule"], r["direction"], r["level"], r["horizon"]) for r in rows]
    us, cn = "NVDA;MSFT;AAPL;GOOGL;AMZN;META;TSLA;AVGO", "0700.HK;3690.HK;1810.HK;BABA;BIDU;JD;PDD"
    assert got == [
        (us, "direction", "down", "", "year-end"),
        (cn, "direction", "up", "", "year-end"),
        (f"{cn};{us}", "outperform", "", "", "year-end"),
        ("NVDA", "direction", "down", "", "1W"),
        ("KRW=X", "stays_below", "", "1400 KRW", "3M"),
    ]
    # a sentence that starts like a spreadsheet formula is written so that it stays text
    assert rows[3]["sentence"] == "'=NVIDIA will fall next week."
    assert rows[4]["horizon_end"] == "" and rows[0]["horizon_end"] == "2025-12-31"


def test_propose_table_and_lang_option(column: Path) -> None:
    result = run("propose", str(column), "--published", "2025-03-03")
    assert result.returncode == 0 and "stays_below" in result.stdout and "year-end" in result.stdout
    forced = run("propose", str(column), "--published", "2025-03-03", "--lang", "en", "--format", "csv")
    rules = [r["rule"] for r in csv.DictReader(io.StringIO(forced.stdout))]
    # English words only: the Korean moves are not read; the level (a surface pattern) still is, without its
    # Korean "stays" word
    assert rules == ["direction", "level"]


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file"),
    (b"caf\xe9 NVIDIA will rise", "not UTF-8 text (byte 3"),
    ("가" * 200_001, "200,001 characters; the limit is 200,000"),
    (b"x" * 800_001, "more than 800,000 bytes (stopped reading there), more than a 200,000-character text can be"),
], ids=["missing", "binary", "not-utf8", "too-many-chars", "too-many-bytes"])
def test_propose_bad_file_gets_one_line_message(tmp_path: Path, content, message: str) -> None:
    path = tmp_path / "in.txt"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif content is not None:
        path.write_bytes(content)
    result = run("propose", str(path))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert str(path) in result.stderr


def test_propose_folder_and_bad_date(tmp_path: Path, column: Path) -> None:
    assert "is a folder" in run("propose", str(tmp_path)).stderr
    bad = run("propose", str(column), "--published", "2025-02-30")
    assert bad.returncode == 2 and "--published '2025-02-30'" in bad.stderr and "Traceback" not in bad.stderr


def test_without_a_publication_date_relative_horizons_are_unresolved(column: Path) -> None:
    result = run("propose", str(column), "--format", "csv")
    assert result.returncode == 0, result.stderr
    horizons = [r["horizon"] for r in csv.DictReader(io.StringIO(result.stdout))]
    # "올해" names no year and "next week" no week without the date; "3개월" is counted from publication
    assert horizons == ["unresolved (올해)", "unresolved (올해)", "unresolved (올해)", "1W", "3M"]
    assert "no --published date given: 3 relative horizon(s)" in result.stderr


# --------------------------------------------------------------------------- files that never end


def _fails_with(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr


def test_propose_reads_at_most_its_limit_from_a_device() -> None:
    started = time.monotonic()
    _fails_with(run("propose", "/dev/zero", timeout=90), "/dev/zero: more than 800,000 bytes (stopped reading there)")
    assert time.monotonic() - started < 60  # read 800 kB and stopped, not until memory ran out


def _writer(fifo: Path, stop: threading.Event, endless: bool) -> None:
    """Open ``fifo`` for writing once a reader has it open; write forever (``endless``) or nothing until ``stop``."""
    while not stop.is_set():
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # fails (ENXIO) until the reader has opened it
            break
        except OSError:
            stop.wait(0.01)
    else:
        return
    os.set_blocking(fd, True)
    try:
        while endless and not stop.is_set():
            os.write(fd, b"NVIDIA will rise. " * 4096)
        stop.wait()
    except BrokenPipeError:  # the reader gave up: what we wait for
        pass
    finally:
        os.close(fd)


@pytest.mark.parametrize(("writer", "message"), [
    ("none", "no end of the text within 1 s (0 bytes read)"),
    ("silent", "no end of the text within 1 s (0 bytes read)"),
    ("endless", "more than 800,000 bytes (stopped reading there)"),
])
def test_propose_on_a_fifo_gives_up_with_a_message(tmp_path: Path, writer: str, message: str) -> None:
    fifo = tmp_path / "column.fifo"
    os.mkfifo(fifo)
    stop = threading.Event()
    thread = threading.Thread(target=_writer, args=(fifo, stop, writer == "endless"), daemon=True)
    if writer != "none":
        thread.start()
    try:
        _fails_with(run("propose", str(fifo), "--read-timeout", "1", timeout=90), f"{fifo}: {message}")
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(30)


def test_propose_reads_a_fifo_that_ends(tmp_path: Path) -> None:
    fifo = tmp_path / "column.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as handle:  # blocks until the reader opens it
            handle.write("NVIDIA will rise this year.\n")

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    result = run("propose", str(fifo), "--published", "2025-03-03", "--format", "csv")
    thread.join(30)
    assert result.returncode == 0, result.stderr
    assert [(r["symbols"], r["rule"], r["horizon"]) for r in csv.DictReader(io.StringIO(result.stdout))] == [
        ("NVDA", "direction", "year-end")]


# --------------------------------------------------------------------------- python -m data_sources add


def add(store: Path, *args: str) -> subprocess.CompletedProcess:
    return run("--data-dir", str(store), "add", *args, module="data_sources")


def test_add_symbol_stores_it_with_provenance_and_waits_for_a_refresh(tmp_path: Path) -> None:
    result = add(tmp_path, "9961.hk", "--name-ko", "트립닷컴", "--name-en", "Trip.com", "--currency", "hkd")
    assert result.returncode == 0, result.stderr
    assert "added 9961.HK" in result.stdout and "not fetched yet" in result.stdout
    assert "offline: not checked against Yahoo" in result.stdout
    table = pd.read_parquet(tmp_path / "custom_symbols.parquet")
    row = table.iloc[0]
    assert (row.symbol, row.name_ko, row.name_en, row.currency, row.exchange, row.source, row.added_by) == (
        "9961.HK", "트립닷컴", "Trip.com", "HKD", "HKEX", "reader", "cli")
    assert row.validated == "offline: not checked against Yahoo" and row.added_at

    from data_sources.market.universe import all_instruments

    added = [i for i in all_instruments(tmp_path) if i.symbol == "9961.HK"]
    assert len(added) == 1 and added[0].currency == "HKD" and added[0].timezone == "Asia/Hong_Kong"


def test_add_symbol_refuses_duplicates_without_losing_the_first(tmp_path: Path) -> None:
    assert add(tmp_path, "ASML", "--name-en", "ASML Holding", "--currency", "USD").returncode == 0
    again = add(tmp_path, "ASML", "--name-en", "Something else", "--currency", "EUR")
    assert again.returncode == 2 and "already added" in again.stderr and "--replace" in again.stderr
    table = pd.read_parquet(tmp_path / "custom_symbols.parquet")
    assert list(table["name_en"]) == ["ASML Holding"] and list(table["currency"]) == ["USD"]
    replaced = add(tmp_path, "ASML", "--name-en", "ASML", "--currency", "EUR", "--replace")
    assert replaced.returncode == 0
    table = pd.read_parquet(tmp_path / "custom_symbols.parquet")
    assert list(table["currency"]) == ["EUR"]


@pytest.mark.parametrize(("args", "message"), [
    (["NV DA", "--name-en", "x", "--currency", "USD"], "is not a Yahoo Finance ticker"),
    (["ASML<script>", "--name-en", "x", "--currency", "USD"], "is not a Yahoo Finance ticker"),
    (["ASML", "--name-en", "ASML", "--currency", "XYZ"], "currency: 'XYZ' is not an ISO 4217 currency code"),
    (["ASML", "--name-en", "ASML"], "currency: missing"),
    (["ASML", "--currency", "EUR"], "give at least one name"),
    (["NVDA", "--name-en", "x", "--currency", "USD"], "NVDA is already in the universe (엔비디아 / NVIDIA)"),
    (["ASML", "--name-en", "AS\u202eML", "--currency", "EUR"], "name-en: contains a control or direction-override"),
    (["ASML", "--name-ko", "<b>x</b>", "--currency", "EUR"], "name-ko: may not contain"),
    (["ASML", "--name-en", "x" * 81, "--currency", "EUR"], "name-en: 81 characters; at most 80"),
])
def test_add_symbol_bad_input_gets_a_field_message(tmp_path: Path, args: list[str], message: str) -> None:
    result = add(tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "custom_symbols.parquet").exists()
