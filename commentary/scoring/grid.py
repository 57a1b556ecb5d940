"""The detailed scorecard as a reader's table: one row per claim, one column per horizon (pure).

The cells' words come from the caller (:mod:`ui.verdicts` words them from the catalogs): this module lays out
which verdict goes where and keeps each cell's verdict code for colouring."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from commentary.scoring.horizons import OFFSETS
from commentary.words import Words

if TYPE_CHECKING:
    from commentary.document.model import Claim

CHIP_COLOURS: dict[str, str] = {"held": "#d6f5dd", "failed": "#fbd9d9", "source-dependent": "#fde9c4",
                                "too early": "#eceff1", "judged later": "#eceff1", "no data": "#eceff1"}
CHIP_MARKS: dict[str, str] = {"held": "🟢", "failed": "🔴", "source-dependent": "🟠", "too early": "⚪",
                              "judged later": "⚪", "no data": "⚪"}


def horizon_columns(claims: Sequence[Claim]) -> list[str]:
    """Every horizon id of ``claims``: calendar ones first (in claim order), then the fixed offsets."""
    calendar: list[str] = []
    offsets: set[str] = set()
    for claim in claims:
        for h in claim.horizons:
            if h.overlapping:
                offsets.add(h.id)
            elif h.id not in calendar:
                calendar.append(h.id)
    return calendar + [h for h in OFFSETS if h in offsets]


def scorecard_grid(claims: Sequence[Claim], combined: pd.DataFrame, words: Words,
                   chip: Callable[[pd.Series], str], headers: Mapping[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(table, verdicts)``: display strings, and the verdict code behind each cell (for colouring).

    ``chip`` words a combined row (its verdict and measurement); ``headers`` holds the ``claim`` and ``primary``
    column names and ``overlap``, a format with ``{horizon}`` for the fixed offsets' headers. ``words`` names
    the horizons and picks the claims' own text in the reader's language. Columns: claim, primary verdict,
    then one per horizon; the primary horizon's cell is starred; a claim without that horizon shows "—".
    """
    horizons = horizon_columns(claims)
    labels = {}
    for h in horizons:
        sample = next(x for c in claims for x in c.horizons if x.id == h)
        name = sample.label(words)
        labels[h] = headers["overlap"].format(horizon=name) if sample.overlapping else name
    claim_col, primary_col = headers["claim"], headers["primary"]
    rows, kinds = [], []
    for claim in claims:
        mine = combined[combined["claim_id"] == claim.id].set_index("horizon")
        primary = mine.loc[claim.primary] if claim.primary in mine.index else None
        row = {claim_col: claim.text(words.language), primary_col: chip(primary) if primary is not None else "—"}
        kind = {claim_col: "", primary_col: primary["verdict"] if primary is not None else ""}
        for h in horizons:
            if h in mine.index:
                cell = chip(mine.loc[h])
                row[labels[h]] = ("★ " + cell) if h == claim.primary else cell
                kind[labels[h]] = mine.loc[h, "verdict"]
            else:
                row[labels[h]], kind[labels[h]] = "—", ""
        rows.append(row)
        kinds.append(kind)
    columns = [claim_col, primary_col, *labels.values()]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(kinds, columns=columns)


def style_grid(table: pd.DataFrame, verdicts: pd.DataFrame):
    """A pandas Styler colouring each cell by its verdict (the chips)."""
    def colours(_: pd.DataFrame) -> pd.DataFrame:
        return verdicts.apply(lambda col: col.map(lambda v: f"background-color: {CHIP_COLOURS[v]}"
                                                  if v in CHIP_COLOURS else ""))
    return table.style.apply(colours, axis=None)
