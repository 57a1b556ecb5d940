"""An author's track record: primary-horizon verdicts across their columns, against chance.

The **base rate** of a claim is how often its rule held from random start dates in the stored prices
(the same rule, series and horizon length; a seeded RNG, so the figure is reproducible): 60% "held"
on calls that hold 55% of the time by chance is a 5 pp edge, not a 60% skill.  ``excess_pp`` is the
hit rate minus the mean base rate of the same claims; ``mean_z`` is the mean signed z of the scored
calls (positive = in the call's favour beyond noise, see :mod:`commentary.scoring.noise`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from commentary.document.column import Claim, Commentary
from commentary.scoring import claims as scoring

DRAWS = 200
SEED = 20250126
#: Fewer scored calls than this: the record says so plainly.
SMALL_SAMPLE = 10
#: Trading days of history a start needs (the volatility window of the strength measure).
WARMUP_DAYS = 250
ROW_COLUMNS = ("author", "commentary_id", "claim_id", "rule", "verdict", "strength", "z", "base_rate", "base_n")
RECORD_COLUMNS = ("author", "columns", "claims", "scored", "held", "hit_rate", "base_rate", "excess_pp", "mean_z",
                  "strong", "weak", "within_noise", "pending", "small_sample")


def _change_pct(frame: pd.DataFrame, ref: scoring.SeriesRef, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Equal-weight return (%) of ``ref``'s members from their last print on/before ``start`` to ``end``."""
    out = []
    for sym in ref.symbols:
        col = frame[sym].dropna() if sym in frame.columns else pd.Series(dtype=float)
        a, b = col.loc[:start], col.loc[:end]
        if a.empty or b.empty:
            return math.nan
        out.append(float(b.iloc[-1]) / float(a.iloc[-1]) - 1.0)
    return float(np.mean(out)) * 100.0


def rule_held(rule: scoring.Rule, frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> bool | None:
    """Whether ``rule`` held from the close of ``start`` to the last close on/before ``end`` (None: no data).

    The scoring engine's rules close to close (:func:`commentary.scoring.claims._judge`), without its
    observation-time placement: enough for a chance baseline.
    """
    p = rule.params
    if rule.type == "outperform":
        diff = _change_pct(frame, p["a"], start, end) - _change_pct(frame, p["b"], start, end)
        return None if math.isnan(diff) else diff > p["margin_pp"]
    if rule.type in ("direction", "no_move"):
        change = _change_pct(frame, p["series" if rule.type == "direction" else "symbol"], start, end)
        if math.isnan(change):
            return None
        if rule.type == "no_move":
            return abs(change) < p["threshold_pct"]
        return change < -p["threshold_pct"] if p["direction"] == "down" else change > p["threshold_pct"]
    sym = p["symbol"].symbols[0]
    col = frame[sym].dropna() if sym in frame.columns else pd.Series(dtype=float)
    below = p["side"] == "below"
    if rule.type == "level":
        upto = col.loc[:end]
        if upto.empty:
            return None
        value = float(upto.iloc[-1])
        return value < p["level"] if below else value > p["level"]
    path = col[(col.index > start) & (col.index <= end)]
    if path.empty:
        return None
    right = (path < p["level"]) if below else (path > p["level"])
    return float(right.mean() * 100.0) >= p["share_pct"]


def base_rate(claim: Claim, frame: pd.DataFrame, published: pd.Timestamp, *, draws: int = DRAWS,
              seed: int = SEED) -> tuple[float, int]:
    """``(share of random starts on which the claim's primary rule held, number of scored starts)``.

    ``frame`` is a wide price frame (dates × symbols).  Starts are drawn (with ``seed``, without
    replacement) from the dates of the claim's first series that have :data:`WARMUP_DAYS` prints before
    them and the horizon's whole length (in calendar days, as in the claim) before the last print of
    every series.  NaN and 0 when no start is possible or the horizon is a calendar year (YTD).
    """
    horizon = claim.horizon(claim.primary)
    if horizon is None or horizon.from_year_start:
        return math.nan, 0
    rule = scoring.source_variants(claim.rule)[0][1]
    symbols = scoring.rule_symbols(rule)
    if not symbols or any(s not in frame.columns or frame[s].dropna().empty for s in symbols):
        return math.nan, 0
    length = pd.Timedelta(days=(horizon.end - published.tz_convert(None).date()).days)
    last = min(frame[s].dropna().index[-1] for s in symbols) - length
    candidates = frame[symbols[0]].dropna().index[WARMUP_DAYS:]
    candidates = candidates[candidates <= last]
    if len(candidates) == 0:
        return math.nan, 0
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(candidates), size=min(draws, len(candidates)), replace=False)
    results = [rule_held(rule, frame, candidates[i], candidates[i] + length) for i in sorted(picks)]
    scored = [r for r in results if r is not None]
    return (sum(scored) / len(scored) if scored else math.nan), len(scored)


def _signed_z(row: pd.Series) -> float:
    z = row["z"]
    if z is None or not math.isfinite(z):
        return math.nan
    return abs(z) if row["verdict"] == "held" else -abs(z)


def claim_rows(item: Commentary, prices: pd.DataFrame, *, draws: int = DRAWS, seed: int = SEED,
               wide: pd.DataFrame | None = None, combined: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per claim of ``item`` (columns :data:`ROW_COLUMNS`): its primary verdict and base rate.

    ``combined`` is the item's :func:`~commentary.scoring.claims.combine_sources` table when already made.
    """
    card = combined if combined is not None else scoring.combine_sources(
        scoring.scorecard(item.claims, prices, item.published))
    frame = wide if wide is not None else scoring._wide_prices(prices, None)
    rows = []
    for claim in item.claims:
        found = card[(card["claim_id"] == claim.id) & card["primary"]]
        first = found.iloc[0] if len(found) else None
        rate, n = base_rate(claim, frame, item.published, draws=draws, seed=seed)
        rows.append({"author": item.author, "commentary_id": item.id, "claim_id": claim.id, "rule": claim.rule.type,
                     "verdict": str(first["verdict"]) if first is not None else "no data",
                     "strength": str(first["strength"]) if first is not None else "n/a",
                     "z": float(first["z"]) if first is not None and first["z"] is not None else math.nan,
                     "base_rate": rate, "base_n": n})
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS))


def track_record(rows: pd.DataFrame) -> pd.DataFrame:
    """Per author (columns :data:`RECORD_COLUMNS`), from :func:`claim_rows` rows of all their columns.

    ``scored`` counts held/failed calls (source-dependent, too early, no data are ``pending`` or left
    out of the rate); ``base_rate`` is the mean base rate of the scored calls that have one.
    """
    out = []
    for author, group in rows.groupby("author", sort=True):
        scored = group[group["verdict"].isin(["held", "failed"])]
        n = len(scored)
        held = int((scored["verdict"] == "held").sum())
        hit = held / n if n else math.nan
        rates = scored["base_rate"].dropna()
        base = float(rates.mean()) if len(rates) else math.nan
        zs = scored.apply(_signed_z, axis=1) if n else pd.Series(dtype=float)
        zs = zs.dropna()
        out.append({"author": author, "columns": group["commentary_id"].nunique(), "claims": len(group),
                    "scored": n, "held": held, "hit_rate": hit, "base_rate": base,
                    "excess_pp": (hit - base) * 100 if n and math.isfinite(base) else math.nan,
                    "mean_z": float(zs.mean()) if len(zs) else math.nan,
                    "strong": int((scored["strength"] == "strong").sum()),
                    "weak": int((scored["strength"] == "weak").sum()),
                    "within_noise": int((scored["strength"] == "within noise").sum()),
                    "pending": int(group["verdict"].isin(["too early", "judged later", "source-dependent"]).sum()),
                    "small_sample": n < SMALL_SAMPLE})
    return pd.DataFrame(out, columns=list(RECORD_COLUMNS))


def sample_warning(record: pd.Series, lang: str) -> str:
    """A plain warning when an author's record rests on few calls, else ""."""
    n = int(record["scored"])
    if n >= SMALL_SAMPLE:
        return ""
    if lang == "ko":
        return (f"판정된 주장이 {n}개뿐입니다({SMALL_SAMPLE}개 미만). 이 정도 표본으로는 실력과 운을 구별할 수 "
                "없습니다.")
    return (f"Only {n} scored call{'s' if n != 1 else ''} (fewer than {SMALL_SAMPLE}): too few to tell skill "
            "from luck.")


def records_for(items: Sequence[Commentary], prices: pd.DataFrame, *, draws: int = DRAWS,
                seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(claim rows, per-author record)`` of ``items``."""
    frame = scoring._wide_prices(prices, None)
    parts = [claim_rows(c, prices, draws=draws, seed=seed, wide=frame) for c in items if c.claims]
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(ROW_COLUMNS))
    return rows, track_record(rows)
