"""Facts a column reports (not forecasts), checked on the daily prints we hold — and what those can't show.

A fact such as "USD/KRW went below 1,430 on Jan 24" may rest on an intraday low.  We hold one print
a day per source, so a check can confirm the fact (a print on the right side of the level), or say
that no print shows it: that is *not* a refutation, since an intraday move between prints is
invisible in daily data.  Each print carries the moment it was taken
(:mod:`commentary.timeline.observation`): Yahoo's KRW=X dated D at 08:00-09:00 Seoul time, before Seoul
opens, so it cannot hold that day's Seoul session; the ECB's at 22:15 or so, after it.  The words are the
page's (:func:`ui.column_words.fact_line`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from commentary.timeline.observation import print_moments

if TYPE_CHECKING:
    from commentary.document.model import Fact

OUTCOMES = ("seen", "not seen", "no data")


@dataclass(frozen=True)
class FactCheck:
    """The outcome of one fact on one source, with the prints in its window and when each was taken."""

    fact_id: str
    symbol: str
    outcome: str  # "seen" | "not seen" | "no data"
    prints: tuple[tuple[str, float], ...]  # (ISO date, value) in the window
    taken: tuple[pd.Timestamp, ...] = ()  # the moment (UTC) each print was observed, same order


def check_fact(fact: Fact, prices: pd.DataFrame) -> list[FactCheck]:
    """Each source of ``fact.check``: are any of its daily prints in the window on the stated side?"""
    spec = fact.check
    lo, hi = pd.Timestamp(spec["start"]), pd.Timestamp(spec["end"])
    out = []
    for sym in spec["symbols"]:
        rows = prices[(prices["symbol"] == sym) & (prices["date"] >= lo) & (prices["date"] <= hi)]
        rows = rows.sort_values("date")
        values = tuple((d.strftime("%Y-%m-%d"), float(v)) for d, v in zip(rows["date"], rows["close"], strict=True))
        taken = tuple(print_moments(sym, pd.DatetimeIndex(rows["date"]))) if len(rows) else ()
        if not values:
            outcome = "no data"
        else:
            hit = any(v < spec["level"] if spec["side"] == "below" else v > spec["level"] for _, v in values)
            outcome = "seen" if hit else "not seen"
        out.append(FactCheck(fact.id, sym, outcome, values, taken))
    return out
