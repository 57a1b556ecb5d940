"""CSV snapshots: one ``SYMBOL.csv`` per series with header ``date,open,high,low,close,adj_close,volume``."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from data_sources.errors import InputError, Problem
from data_sources.store import import_root as _import_root
from data_sources.store.frames import PRICE_COLUMNS, VALUE_COLUMNS
from data_sources.store.import_root import IMPORT_ROOT_ENV as IMPORT_ROOT_ENV  # the one import-root rule, re-exported
from data_sources.store.import_root import ImportRootError as ImportRootError
from data_sources.store.import_root import files_inside
from data_sources.store.import_root import folder_inside as folder_inside
from data_sources.store.import_root import import_root as import_root
from data_sources.store.prices import RowChange, Store, now_utc
from data_sources.store.validate import RowProblem, check_rows, market_today

HEADER: tuple[str, ...] = ("date", *VALUE_COLUMNS)
Progress = Callable[[float, Problem], None]  # (fraction done, the step: a progress.* code)


@dataclass
class ImportReport:
    """What an import did: rows stored per symbol, every rejected row or file, and stored values it
    would change (``held`` is True when those changes kept the whole import from being stored)."""

    imported: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    held: bool = False
    progress_error: BaseException | None = None  # the progress display failed (e.g. the reader left)


def import_folders(root: Path) -> list[str]:
    """Folders under the import ``root`` holding ``*.csv`` files (see :mod:`data_sources.store.import_root`)."""
    return _import_root.import_folders(root, (".csv",))


def _csv_files(folder: Path, root: Path | None = None) -> list[Path]:
    """The ``*.csv`` files of ``folder``; with ``root``, only those whose real path lies inside it."""
    return files_inside(folder, root, (".csv",))


def read_snapshot_file(path: Path, today: date | None = None) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Read and check one ``SYMBOL.csv`` (dates after ``today`` are rejected). Raises :class:`InputError`
    (``csv.unreadable`` or ``csv.bad_header``, naming the file) for a file that is not a CSV of prices."""
    symbol = path.stem
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError("csv.unreadable", file=path.name, detail=str(exc)[:200]) from exc
    missing = [c for c in ("date", "close") if c not in raw.columns]
    if missing:
        raise InputError("csv.bad_header", file=path.name, missing=", ".join(missing), expected=",".join(HEADER))
    if len(raw):  # drop blank lines (every cell empty or spaces), column by column rather than row by row
        raw = raw[raw.astype(str).apply(lambda column: column.str.strip() != "").any(axis=1)]
    lines = pd.Series(raw.index + 2, index=raw.index)
    return check_rows(raw, symbol, path.name, lines, today=today or market_today())


def import_folder(store: Store, folder: Path, progress: Progress | None = None, replace: bool = False,
                  today: date | None = None, root: Path | None = None) -> ImportReport:
    """Load every ``*.csv`` in ``folder`` into the store; bad rows and files are reported, not stored.

    If the good rows would change stored values, nothing is stored unless ``replace`` is True; the
    report lists the changes either way. With ``root``, files whose real path lies outside it are
    skipped. Once started, an import runs to its end even if ``progress`` raises (the reader left the
    page): the exception is kept in ``report.progress_error`` for the caller to re-raise.
    """
    report = ImportReport()

    def step(fraction: float, message: Problem) -> None:
        if progress is None or report.progress_error is not None:
            return
        try:
            progress(fraction, message)
        except BaseException as exc:
            report.progress_error = exc

    files = _csv_files(folder, Path(root).resolve() if root is not None else None)
    if not files:
        report.problems.append(Problem("csv.no_files", {"folder": Path(folder).name or str(folder)}))
        return report
    frames, provenance = [], {}
    stamp = now_utc().isoformat(timespec="seconds")
    for n, path in enumerate(files, 1):
        step(n / (len(files) + 1), Problem("progress.reading", {"file": path.name}))
        try:
            good, problems = read_snapshot_file(path, today=today)
        except InputError as exc:
            report.problems.append(exc.problem)
            continue
        report.problems.extend(p.problem for p in problems)
        if good.empty:
            report.problems.append(Problem("csv.no_rows", {"file": path.name, "symbol": path.stem}))
            continue
        frames.append(good)
        report.imported[path.stem] = len(good)
        provenance[path.stem] = {"source": f"import: {path.name}", "fetched_at": stamp}
    if frames:
        step(len(files) / (len(files) + 1), Problem("progress.writing"))
        _, report.changes = store.merge(pd.concat(frames, ignore_index=True), provenance, replace=replace)
        if report.changes and not replace:
            report.held, report.imported = True, {}
    step(1.0, Problem("progress.done"))
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
