"""score ID — print a commentary's scorecard (one row per claim × horizon × source).

``python -m commentary score baek-2025-01-26 [--format table|csv] [--market-dir DIR] [--file FILE.md]``

Prices come from the local store (``$DASHBOARD_DATA_DIR``), or from a folder of ``SYMBOL.csv``
snapshots with ``--market-dir``.  Besides the verdict, each row carries its odds against the series'
own past (:mod:`commentary.scoring.odds`): ``base_rate`` (share of past windows in which the same rule
held), ``independent_windows`` (how many non-overlapping windows that is), ``percentile`` (where the
claim's result ranks among them) and ``call`` (easy, toss-up, strong, long shot).

Claims that cannot be scored are reported on stderr (file, claim, field); the others are still printed.
Exit status: 0 printed, 1 unknown id / unreadable input.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

from catalog import describe
from catalog.words import words
from commentary.document.column import list_commentaries, load_commentary
from commentary.document.model import Commentary, CommentaryError
from commentary.scoring.claims import scorecard
from commentary.scoring.summary import scorecard_csv
from data_sources.errors import DashboardError, InputError
from data_sources.store.atomic import StoreError
from data_sources.store.frames import empty_prices, normalise

TABLE_COLUMNS: tuple[str, ...] = ("claim_id", "horizon", "primary", "source", "reference_date", "end_date",
                                  "measured", "unit", "z", "margin", "strength", "base_rate", "independent_windows",
                                  "percentile", "call", "verdict")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``score``'s arguments."""
    parser.add_argument("id", help="commentary id (e.g. baek-2025-01-26)")
    add_source_arguments(parser)


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """``--format`` and ``--market-dir``, shared with ``record``."""
    parser.add_argument("--format", choices=("table", "csv"), default="table", help="output format (table)")
    parser.add_argument("--market-dir", type=Path, default=None,
                        help="read prices from this folder of SYMBOL.csv files instead of the store")
    parser.add_argument("--file", type=Path, default=None, help="score this commentary file instead of a bundled one")


def prices_from(market_dir: Path | None) -> tuple[pd.DataFrame, list[str]]:
    if market_dir is None:
        from data_sources.store.prices import Store

        return Store().read().prices, []
    from data_sources.store.csv_io import read_snapshot_file

    frames, problems = [], []
    for path in sorted(Path(market_dir).glob("*.csv")):
        try:
            good, bad = read_snapshot_file(path)
        except InputError as exc:
            problems.append(describe(exc.problem, "en"))
            continue
        frames.append(good)
        problems += [describe(p.problem, "en") for p in bad]
    if not frames:
        return empty_prices(), problems or [f"{market_dir}: no SYMBOL.csv files"]
    return normalise(pd.concat(frames, ignore_index=True)), problems


def _find(args: argparse.Namespace) -> Commentary | str:
    if args.file is not None:
        try:
            return load_commentary(args.file)
        except CommentaryError as exc:
            return describe(exc.located, "en")
    items = list_commentaries()
    for item in items:
        if isinstance(item, Commentary) and item.id == args.id:
            return item
    known = ", ".join(c.id for c in items if isinstance(c, Commentary))
    return f"no commentary with id {args.id!r} (known: {known})"


def format_table(card: pd.DataFrame) -> str:
    """The scorecard as a fixed-width text table (the CLI's ``table`` format)."""
    shown = card[list(TABLE_COLUMNS)].copy()

    def num(value: object, digits: int) -> str:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "—"
        return f"{float(value):+.{digits}f}" if digits else str(value)

    for col in ("measured", "z", "margin"):
        shown[col] = [num(v, 2) for v in shown[col]]
    shown["base_rate"] = ["—" if not math.isfinite(v) else f"{v * 100:.0f}%" for v in shown["base_rate"]]
    shown["percentile"] = ["—" if not math.isfinite(v) else f"{v:.0f}" for v in shown["percentile"]]
    shown["call"] = [c or "—" for c in shown["call"]]
    shown["primary"] = ["*" if p else "" for p in shown["primary"]]
    for col in ("reference_date", "end_date"):
        shown[col] = [str(d) if d is not None and not pd.isna(d) else "—" for d in shown[col]]
    return shown.to_string(index=False)


def to_csv(card: pd.DataFrame) -> str:
    """The scorecard as CSV text, its details in English (the same table the column page offers for download)."""
    return scorecard_csv(card, words("en"))


def load_prices(market_dir: Path | None) -> pd.DataFrame | None:
    """The prices to score on, problems reported on stderr; None when they cannot be read at all."""
    try:
        prices, problems = prices_from(market_dir)
    except (StoreError, OSError, ValueError) as exc:  # an unreadable store is reported, not a traceback
        told = describe(exc.problem, "en") if isinstance(exc, DashboardError) else exc
        print(f"cannot read prices: {told}", file=sys.stderr)
        return None
    for problem in problems[:5]:
        print(f"skipped: {problem}", file=sys.stderr)
    return prices


def run(args: argparse.Namespace) -> int:
    """Print the scorecard; bad claims go to stderr."""
    item = _find(args)
    if isinstance(item, str):
        print(item, file=sys.stderr)
        return 1
    prices = load_prices(args.market_dir)
    if prices is None:
        return 1
    for error in item.claim_errors:
        print(f"not scored: {describe(error.located, 'en')}", file=sys.stderr)
    card = scorecard(item.claims, prices, item.published)
    sys.stdout.write(to_csv(card) if args.format == "csv" else format_table(card) + "\n")
    return 0
