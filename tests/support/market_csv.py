"""The market snapshot's CSVs read with the csv module and numpy only: the independent side of the odds tests."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np


@cache
def series(market_dir: Path, symbol: str) -> tuple[np.ndarray, np.ndarray]:
    """(dates, return prices) of one CSV: adj_close where given, else close."""
    with (market_dir / f"{symbol}.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if (r["adj_close"] or r["close"])]
    return (np.array([r["date"] for r in rows], dtype="datetime64[D]"),
            np.array([float(r["adj_close"] or r["close"]) for r in rows]))


def value_at(market_dir: Path, symbol: str, day: np.datetime64) -> float:
    """The last print of ``symbol`` dated on or before ``day``."""
    dates, values = series(market_dir, symbol)
    return float(values[np.searchsorted(dates, day, side="right") - 1])


def basket_move(market_dir: Path, members: list[str], start: np.datetime64, end: np.datetime64) -> float:
    """Equal-weight buy-and-hold return (%) of ``members`` from ``start`` to ``end``."""
    return (float(np.mean([value_at(market_dir, s, end) / value_at(market_dir, s, start) for s in members])) - 1) * 100
