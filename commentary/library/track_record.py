"""An author's track record against chance: each call's own odds, calls on the same data grouped, an exact test.

**Calls.**  Each claim's primary-horizon verdict counts once.  A claim scored on two sources of one
rate (Yahoo and the ECB) scores the share of its sources on which it held: 1, 0, or ½ when it is
source-dependent.  It is not dropped: which source is "right" is unknown, so half a hit is what the
data support, and its chance distribution is worked out from both sources together (below).

**Groups.**  Calls that measure the same series (a rate's two sources are one series) over windows
that overlap in time rest on the same price moves: they are grouped and never treated as independent.

**Chance.**  A random forecaster makes the same calls at a random moment of the past.  For each group,
the same calls — same rules, same window lengths, same offsets from each other — are replayed on
non-overlapping stretches of the series' own history that end before the group's first reference
print (no look-ahead; :func:`commentary.scoring.odds.tiles`).  Each stretch gives one joint outcome
of the group; their frequencies are the group's chance distribution, mixed with
:data:`PSEUDO_WINDOWS` imaginary stretch in which every call is a fair coin, so that a handful of
stretches never makes a call certain or impossible.  A group needs :data:`odds.MIN_WINDOWS` stretches.

**Test.**  Groups are independent of each other, so the author's total under chance is the
convolution of the groups' distributions (with single, one-source calls this is exactly the
Poisson-binomial distribution over the calls' base rates).  ``p_value`` = P(total ≥ observed): the
share of random forecasters doing as well or better; ``p_as_bad`` = P(total ≤ observed): doing as
badly or worse.  ``finding``: "better" when ``p_value`` ≤ :data:`ALPHA`, "worse" when ``p_as_bad`` ≤
:data:`ALPHA`, otherwise "none" (no evidence either way yet), "unrated" with no rated call.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from commentary.document.model import Commentary
from commentary.scoring import claims as scoring
from commentary.scoring import odds
from commentary.scoring.combine import combined_verdict
from commentary.scoring.rules import rule_symbols, source_variants
from commentary.timeline.observation import ALTERNATE_SOURCES

#: The one-in-twenty convention: a finding needs chance alone to do this well (or badly) at most 5% of the time.
ALPHA = 0.05
#: Imaginary past stretches, each a fair coin per call, mixed into every group's chance distribution.
PSEUDO_WINDOWS = 1
#: Fewer scored calls than this: the record says so plainly.
SMALL_SAMPLE = 10
SCORED = ("held", "failed", "source-dependent")
PENDING = ("too early", "judged later")
ROW_COLUMNS = ("author", "commentary_id", "claim_id", "rule", "verdict", "score", "base_rate", "windows", "group")
RECORD_COLUMNS = ("author", "columns", "claims", "n", "held", "expected", "p_value", "p_as_bad", "groups",
                  "pending", "unrated", "finding", "small_sample")


@dataclass(frozen=True)
class Leg:
    """One source of a scored call: the rule as judged on it, its reference date and window, and its verdict."""

    source: str
    target: odds.Target
    reference: pd.Timestamp
    days: int
    held: bool
    base_rate: float
    windows: int

    @property
    def symbols(self) -> list[str]:
        return rule_symbols(self.target.rule)


@dataclass(frozen=True)
class Call:
    """One claim's primary-horizon verdict; ``legs`` are its scored sources (none while pending)."""

    author: str
    commentary_id: str
    claim_id: str
    rule: str
    verdict: str
    legs: tuple[Leg, ...] = ()

    @property
    def score(self) -> float:
        """1 held, 0 failed, ½ source-dependent (the share of its sources on which it held); NaN when not scored."""
        return sum(leg.held for leg in self.legs) / len(self.legs) if self.legs else math.nan

    @property
    def series(self) -> frozenset[str]:
        """The series it measures, a rate's two sources counted as one."""
        return frozenset(min(s, ALTERNATE_SOURCES.get(s, s)) for leg in self.legs for s in leg.symbols)

    @property
    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        start = min(leg.reference for leg in self.legs)
        return start, max(leg.reference + pd.Timedelta(days=leg.days) for leg in self.legs)


def calls_for(item: Commentary, readings: Sequence[scoring.Reading]) -> list[Call]:
    """One :class:`Call` per claim of ``item`` from its readings (those on the primary horizon count)."""
    out = []
    for claim in item.claims:
        mine = [r for r in readings if r.claim_id == claim.id and r.primary]
        verdict = combined_verdict([r.verdict for r in mine]) if mine else "no data"
        rules = dict(source_variants(claim.rule))
        legs = tuple(Leg(r.source, odds.target(rules[r.source], r.reference_values),
                         pd.Timestamp(r.reference_date), r.chances.window_days, r.verdict == "held",
                         r.chances.base_rate, r.chances.windows)
                     for r in mine if verdict in SCORED and r.verdict in ("held", "failed") and r.source in rules)
        out.append(Call(item.author, item.id, claim.id, claim.rule.type, verdict, legs))
    return out


def groups(calls: Iterable[Call]) -> list[list[Call]]:
    """Scored calls joined when they share a series over overlapping windows (transitively), in call order."""
    scored = [c for c in calls if c.legs]
    parent = list(range(len(scored)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(scored):
        for j in range(i):
            b = scored[j]
            (a0, a1), (b0, b1) = a.span, b.span
            if a.series & b.series and a0 < b1 and b0 < a1:
                parent[root(i)] = root(j)
    found: dict[int, list[Call]] = {}
    for i, call in enumerate(scored):
        found.setdefault(root(i), []).append(call)
    return list(found.values())


def group_null(group: Sequence[Call], frame: pd.DataFrame) -> tuple[np.ndarray | None, int]:
    """``(chance distribution of the group's total in half points, stretches used)``; None when too few."""
    legs = [(i, leg) for i, call in enumerate(group) for leg in call.legs]
    anchor = min(leg.reference for _, leg in legs)
    symbols = {s for _, leg in legs for s in leg.symbols}
    if any(s not in frame.columns for s in symbols):
        return None, 0
    columns = odds.prints({s: frame[s] for s in symbols})
    if any(c.empty for c in columns.values()):
        return None, 0
    offsets = [(leg.reference - anchor).days for _, leg in legs]
    span = max(o + leg.days for o, (_, leg) in zip(offsets, legs, strict=True))
    starts, _ = odds.tiles(anchor, span, max(c.index[0] for c in columns.values()))
    hits = np.zeros((len(group), len(starts)))
    valid = np.ones(len(starts), dtype=bool)
    for (i, leg), offset in zip(legs, offsets, strict=True):
        begin = starts + pd.Timedelta(days=offset)
        stats = odds.window_stats(leg.target, columns, begin, begin + pd.Timedelta(days=leg.days))
        valid &= np.isfinite(stats)
        hits[i] += odds.held(leg.target, stats) / len(group[i].legs)
    halves = np.rint(2 * hits[:, valid].sum(axis=0)).astype(int)  # each call scores 0, ½ or 1
    n = len(halves)
    if n < odds.MIN_WINDOWS:
        return None, n
    size = 2 * len(group) + 1
    empirical = np.bincount(halves, minlength=size)[:size] / n
    coins = np.array([math.comb(len(group), k) for k in range(len(group) + 1)]) / 2 ** len(group)
    prior = np.zeros(size)
    prior[::2] = coins  # every call a fair coin: 0 or 1 whole point
    return (n * empirical + PSEUDO_WINDOWS * prior) / (n + PSEUDO_WINDOWS), n


def tails(pmfs: Sequence[np.ndarray], observed_halves: int) -> tuple[float, float, float]:
    """``(P(total ≥ observed), P(total ≤ observed), expected total)`` of independent half-point distributions."""
    total = np.array([1.0])
    for pmf in pmfs:
        total = np.convolve(total, pmf)
    right, left = float(total[observed_halves:].sum()), float(total[:observed_halves + 1].sum())
    return right, left, float((total * np.arange(len(total))).sum() / 2)


def finding(n: int, p_value: float, p_as_bad: float) -> str:
    """"better", "worse", "none" (no evidence either way) or "unrated" (no rated call)."""
    if n == 0:
        return "unrated"
    if p_value <= ALPHA:
        return "better"
    return "worse" if p_as_bad <= ALPHA else "none"


def author_record(author: str, calls: Sequence[Call], frame: pd.DataFrame) -> dict[str, object]:
    """One author's row of :data:`RECORD_COLUMNS` from all their calls."""
    pmfs, n, halves, rated, unrated = [], 0, 0, 0, 0
    for group in groups(calls):
        pmf, _ = group_null(group, frame)
        if pmf is None:
            unrated += len(group)
            continue
        pmfs.append(pmf)
        n, rated = n + len(group), rated + 1
        halves += round(2 * sum(c.score for c in group))
    p_value, p_as_bad, expected = tails(pmfs, halves) if pmfs else (math.nan, math.nan, math.nan)
    return {"author": author, "columns": len({c.commentary_id for c in calls}), "claims": len(calls), "n": n,
            "held": halves / 2, "expected": expected, "p_value": p_value, "p_as_bad": p_as_bad, "groups": rated,
            "pending": sum(c.verdict in PENDING for c in calls), "unrated": unrated,
            "finding": finding(n, p_value, p_as_bad), "small_sample": n < SMALL_SAMPLE}


def claim_rows(calls: Sequence[Call]) -> pd.DataFrame:
    """One row per call (:data:`ROW_COLUMNS`): verdict, score, base rate (mean of its sources'), past windows
    (the fewest of its sources') and its group number within its author's record (0 when not scored)."""
    numbers: dict[tuple[str, str, str], int] = {}
    for author in dict.fromkeys(c.author for c in calls):
        for k, group in enumerate(groups(c for c in calls if c.author == author), 1):
            numbers |= {(c.author, c.commentary_id, c.claim_id): k for c in group}
    rows = [{"author": c.author, "commentary_id": c.commentary_id, "claim_id": c.claim_id, "rule": c.rule,
             "verdict": c.verdict, "score": c.score,
             "base_rate": float(np.mean([leg.base_rate for leg in c.legs])) if c.legs else math.nan,
             "windows": min((leg.windows for leg in c.legs), default=0),
             "group": numbers.get((c.author, c.commentary_id, c.claim_id), 0)} for c in calls]
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS))


def track_record(calls: Sequence[Call], frame: pd.DataFrame) -> pd.DataFrame:
    """Per author, sorted by name (:data:`RECORD_COLUMNS`); ``frame`` is the wide price frame."""
    authors = sorted({c.author for c in calls})
    rows = [author_record(a, [c for c in calls if c.author == a], frame) for a in authors]
    return pd.DataFrame(rows, columns=list(RECORD_COLUMNS))


def records_for(items: Sequence[Commentary], prices: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(claim rows, per-author record)`` of ``items`` scored on ``prices`` (a tidy frame)."""
    frame = scoring.wide_prices(prices)
    calls = [call for item in items if item.claims
             for call in calls_for(item, scoring.readings(item.claims, prices, item.published))]
    return claim_rows(calls), track_record(calls, frame)
