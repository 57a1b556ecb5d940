"""Facts a column reports (not forecasts), checked on the daily prints we hold — and what those can't show.

A fact such as "USD/KRW went below 1,430 on Jan 24" may rest on an intraday low.  We hold one print
a day per source, so a check can confirm the fact (a print on the right side of the level), or say
that no print shows it: that is *not* a refutation, since an intraday move between prints is
invisible in daily data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from commentary.text.formatting import fmt_number

if TYPE_CHECKING:
    from commentary.document.column import Fact

OUTCOMES: dict[str, dict[str, str]] = {
    "seen": {"en": "seen in the daily prints", "ko": "일별 값에서 확인됨"},
    "not seen": {"en": "not seen in the daily prints (they cannot show intraday moves)",
                 "ko": "일별 값에서는 보이지 않음 (일별 값은 장중 움직임을 보여 주지 못함)"},
    "no data": {"en": "no prints in the window", "ko": "구간에 값이 없음"},
}


@dataclass(frozen=True)
class FactCheck:
    """The outcome of one fact on one source, with the prints in its window."""

    fact_id: str
    symbol: str
    outcome: str  # "seen" | "not seen" | "no data"
    prints: tuple[tuple[str, float], ...]  # (ISO date, value) in the window

    def describe(self, lang: str) -> str:
        """One line: the source, its prints in the window and the outcome."""
        key = "ko" if lang == "ko" else "en"
        values = ", ".join(f"{d} {fmt_number(v, 2)}" for d, v in self.prints) or "—"
        return f"{self.symbol}: {values} — {OUTCOMES[self.outcome][key]}"


def check_fact(fact: Fact, prices: pd.DataFrame) -> list[FactCheck]:
    """Each source of ``fact.check``: are any of its daily prints in the window on the stated side?"""
    spec = fact.check
    lo, hi = pd.Timestamp(spec["start"]), pd.Timestamp(spec["end"])
    out = []
    for sym in spec["symbols"]:
        rows = prices[(prices["symbol"] == sym) & (prices["date"] >= lo) & (prices["date"] <= hi)]
        rows = rows.sort_values("date")
        values = tuple((d.strftime("%Y-%m-%d"), float(v)) for d, v in zip(rows["date"], rows["close"], strict=True))
        if not values:
            outcome = "no data"
        else:
            hit = any(v < spec["level"] if spec["side"] == "below" else v > spec["level"] for _, v in values)
            outcome = "seen" if hit else "not seen"
        out.append(FactCheck(fact.id, sym, outcome, values))
    return out
