"""CSV snapshots: one ``SYMBOL.csv`` per series with header ``date,open,high,low,close,adj_close,volume``."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_sources.frames import PRICE_COLUMNS, VALUE_COLUMNS
from data_sources.store import Store, now_utc
from data_sources.validate import RowProblem, check_rows

HEADER: tuple[str, ...] = ("date", *VALUE_COLUMNS)
Progress = Callable[[float, str], None]


@dataclass
class ImportReport:
    """What an import did: rows stored per symbol and every rejected row or file."""

    imported: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_snapshot_file(path: Path) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Read and check one ``SYMBOL.csv``. Raises ``ValueError`` naming the file for a wrong header."""
    symbol = path.stem
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{path.name}: not a readable CSV ({exc})") from exc
    missing = [c for c in ("date", "close") if c not in raw.columns]
    if missing:
        raise ValueError(f"{path.name} line 1: header lacks {', '.join(missing)} "
                         f"(expected {','.join(HEADER)})")
    raw = raw[raw.apply(lambda r: any(str(v).strip() for v in r), axis=1)] if len(raw) else raw
    lines = pd.Series(raw.index + 2, index=raw.index)
    return check_rows(raw, symbol, path.name, lines)


def import_folder(store: Store, folder: Path, progress: Progress | None = None) -> ImportReport:
    """Load every ``*.csv`` in ``folder`` into the store; bad rows and files are reported, not stored."""
    files = sorted(p for p in Path(folder).glob("*.csv") if p.is_file())
    report = ImportReport()
    if not files:
        report.problems.append(f"{folder}: no SYMBOL.csv files found")
        return report
    frames, provenance = [], {}
    stamp = now_utc().isoformat(timespec="seconds")
    for n, path in enumerate(files, 1):
        if progress:
            progress(n / (len(files) + 1), f"reading {path.name}")
        try:
            good, problems = read_snapshot_file(path)
        except ValueError as exc:
            report.problems.append(str(exc))
            continue
        report.problems.extend(str(p) for p in problems)
        if good.empty:
            report.problems.append(f"{path.name}: no valid rows; nothing stored for {path.stem}")
            continue
        frames.append(good)
        report.imported[path.stem] = len(good)
        provenance[path.stem] = {"source": f"import: {path.name}", "fetched_at": stamp}
    if frames:
        if progress:
            progress(len(files) / (len(files) + 1), "writing the store")
        store.upsert(pd.concat(frames, ignore_index=True), provenance)
    if progress:
        progress(1.0, "done")
    return report


def export_folder(store: Store, folder: Path, symbols: list[str] | None = None) -> list[Path]:
    """Write one ``SYMBOL.csv`` per stored symbol (same format as import), returning the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    prices = store.load_prices(symbols)
    written = []
    for symbol, rows in prices.groupby("symbol", sort=True):
        path = folder / f"{symbol}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADER)
            for rec in rows.loc[:, list(PRICE_COLUMNS)].itertuples(index=False):
                writer.writerow([rec.date.strftime("%Y-%m-%d"), *(_cell(getattr(rec, c)) for c in VALUE_COLUMNS)])
        written.append(path)
    return written


def _cell(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
