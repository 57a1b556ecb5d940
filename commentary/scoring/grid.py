"""The detailed scorecard as a reader's table: one row per claim, one column per horizon (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from commentary.scoring.horizons import OFFSETS
from commentary.scoring.summary import SOURCE_NAMES, format_measured, verdict_label

if TYPE_CHECKING:
    from commentary.document.model import Claim

CHIP_COLOURS: dict[str, str] = {"held": "#d6f5dd", "failed": "#fbd9d9", "source-dependent": "#fde9c4",
                                "too early": "#eceff1", "judged later": "#eceff1", "no data": "#eceff1"}
CHIP_MARKS: dict[str, str] = {"held": "🟢", "failed": "🔴", "source-dependent": "🟠", "too early": "⚪",
                              "judged later": "⚪", "no data": "⚪"}
HEADERS: dict[str, dict[str, str]] = {
    "ko": {"claim": "주장", "primary": "판정 (기준 기간)", "overlap": "겹침"},
    "en": {"claim": "Claim", "primary": "Verdict (primary)", "overlap": "overlapping"},
}


def _chip(row: pd.Series, lang: str, with_value: bool = True) -> str:
    verdict = row["verdict"]
    text = f"{CHIP_MARKS.get(verdict, '')} {verdict_label(verdict, lang)}"
    if with_value and verdict == "source-dependent":
        values = dict(row.get("measured_by_source") or {})
        text += " (" + " / ".join(f"{SOURCE_NAMES.get(s, {}).get(lang, s)} {verdict_label(v, lang)} "
                                  f"{format_measured(values.get(s), row['unit'], lang)}"
                                  for s, v in dict(row["by_source"]).items()) + ")"
    elif with_value and verdict in ("held", "failed"):
        text += f" {format_measured(row['measured'], row['unit'], lang)}"
    return text.strip()


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


def scorecard_grid(claims: Sequence[Claim], combined: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(table, verdicts)``: display strings, and the verdict behind each cell (for colouring).

    Columns: claim, primary verdict, then one per horizon (fixed offsets headed "(overlapping)");
    the primary horizon's cell is starred; a claim without that horizon shows "—".
    """
    words = HEADERS["ko" if lang == "ko" else "en"]
    horizons = horizon_columns(claims)
    labels = {}
    for h in horizons:
        sample = next(x for c in claims for x in c.horizons if x.id == h)
        labels[h] = f"{sample.label(lang)} ({words['overlap']})" if sample.overlapping else sample.label(lang)
    rows, kinds = [], []
    for claim in claims:
        mine = combined[combined["claim_id"] == claim.id].set_index("horizon")
        primary = mine.loc[claim.primary] if claim.primary in mine.index else None
        row = {words["claim"]: claim.text(lang),
               words["primary"]: _chip(primary, lang) if primary is not None else "—"}
        kind = {words["claim"]: "", words["primary"]: primary["verdict"] if primary is not None else ""}
        for h in horizons:
            if h in mine.index:
                cell = _chip(mine.loc[h], lang)
                row[labels[h]] = ("★ " + cell) if h == claim.primary else cell
                kind[labels[h]] = mine.loc[h, "verdict"]
            else:
                row[labels[h]], kind[labels[h]] = "—", ""
        rows.append(row)
        kinds.append(kind)
    columns = [words["claim"], words["primary"], *labels.values()]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(kinds, columns=columns)


def style_grid(table: pd.DataFrame, verdicts: pd.DataFrame):
    """A pandas Styler colouring each cell by its verdict (the chips)."""
    def colours(_: pd.DataFrame) -> pd.DataFrame:
        return verdicts.apply(lambda col: col.map(lambda v: f"background-color: {CHIP_COLOURS[v]}"
                                                  if v in CHIP_COLOURS else ""))
    return table.style.apply(colours, axis=None)
