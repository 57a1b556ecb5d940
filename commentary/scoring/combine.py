"""Each source's readings of a claim combined into one verdict per horizon ("source-dependent" where Yahoo and the
ECB disagree), and the dates two sources of one rate part by more than a limit."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def combined_verdict(verdicts: Sequence[str]) -> str:
    """One verdict from each source's: agreement gives it, held vs failed gives "source-dependent"."""
    scored = [v for v in verdicts if v in ("held", "failed")]
    if scored and len(set(scored)) > 1:
        return "source-dependent"
    for waiting in ("judged later", "too early"):
        if waiting in verdicts:
            return waiting
    return scored[0] if scored else (verdicts[0] if verdicts else "no data")


#: The first source's fields a combined row carries (its odds included).
COMBINED_FIRST: tuple[str, ...] = ("measured", "unit", "z", "margin", "strength", "base_rate", "independent_windows",
                                   "percentile", "as_extreme", "window_days", "call")
COMBINED_COLUMNS: tuple[str, ...] = ("claim_id", "horizon", "primary", "overlapping", "verdict", *COMBINED_FIRST,
                                     "sources", "by_source", "measured_by_source", "base_rate_by_source")


def combine_sources(card: pd.DataFrame) -> pd.DataFrame:
    """One row per claim × horizon (:data:`COMBINED_COLUMNS`): the combined verdict, the first source's
    measurement, strength and odds, and each source's verdict, measurement and base rate."""
    rows = []
    for (claim_id, horizon), group in card.groupby(["claim_id", "horizon"], sort=False):
        first = group.iloc[0]
        sources = list(group["source"])
        rows.append({"claim_id": claim_id, "horizon": horizon, "primary": bool(first["primary"]),
                     "overlapping": bool(first["overlapping"]),
                     "verdict": combined_verdict(list(group["verdict"])),
                     **{c: first[c] for c in COMBINED_FIRST}, "sources": sources,
                     "by_source": dict(zip(sources, group["verdict"], strict=True)),
                     "measured_by_source": dict(zip(sources, group["measured"], strict=True)),
                     "base_rate_by_source": dict(zip(sources, group["base_rate"], strict=True))})
    return pd.DataFrame(rows, columns=list(COMBINED_COLUMNS))


def divergences(a: pd.Series, b: pd.Series, limit_pct: float = 1.5) -> pd.DataFrame:
    """Dates where two sources of one rate differ by more than ``limit_pct`` %: ``date, a, b, gap_pct``.

    ``gap_pct`` is ``(a / b − 1) × 100`` on dates both hold.
    """
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    gap = (both["a"] / both["b"] - 1.0) * 100.0
    hits = both[gap.abs() > limit_pct].assign(gap_pct=gap[gap.abs() > limit_pct])
    return hits.rename_axis("date").reset_index()
