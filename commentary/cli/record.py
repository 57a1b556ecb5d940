"""record — print each author's track record against chance (every bundled commentary).

``python -m commentary record [--format table|csv] [--market-dir DIR]``

One row per author (:mod:`commentary.library.track_record`): ``n`` rated calls, ``held`` (a
source-dependent call counts ½), ``expected`` by chance, ``p_value`` (the share of random forecasters
doing as well or better), ``p_as_bad`` (as badly or worse), ``groups`` (independent groups of calls
on the same data), ``pending`` and ``unrated`` calls, and the ``finding``.  Exit status: 0 printed,
1 unreadable prices.
"""

from __future__ import annotations

import argparse
import math
import sys

import pandas as pd

from catalog import describe
from commentary.cli.score import add_source_arguments, load_prices
from commentary.document.column import list_commentaries
from commentary.document.model import Commentary
from commentary.library.track_record import records_for

COLUMNS: tuple[str, ...] = ("author", "columns", "n", "held", "expected", "p_value", "p_as_bad", "groups",
                            "pending", "unrated", "finding")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``record``'s arguments."""
    add_source_arguments(parser)


def format_table(record: pd.DataFrame) -> str:
    """The record as a fixed-width text table."""
    shown = record[list(COLUMNS)].copy()

    def num(value: float, digits: int) -> str:
        return "—" if not math.isfinite(value) else f"{value:.{digits}f}"

    shown["held"] = [num(v, 1) for v in shown["held"]]
    shown["expected"] = [num(v, 2) for v in shown["expected"]]
    for col in ("p_value", "p_as_bad"):
        shown[col] = [num(v, 3) for v in shown[col]]
    return shown.to_string(index=False)


def run(args: argparse.Namespace) -> int:
    """Print the record of every bundled commentary's author."""
    prices = load_prices(args.market_dir)
    if prices is None:
        return 1
    items = list_commentaries()
    for bad in (c for c in items if not isinstance(c, Commentary)):
        print(f"not loaded: {describe(bad.located, 'en')}", file=sys.stderr)
    _rows, record = records_for([c for c in items if isinstance(c, Commentary)], prices)
    if args.format == "csv":
        sys.stdout.write(record[list(COLUMNS)].to_csv(index=False, float_format="%.6g"))
    else:
        sys.stdout.write(format_table(record) + "\n")
    return 0
