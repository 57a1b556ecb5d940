"""A column's claims as data, and their verdicts computed from stored prices.

**Reference fixed at publication.**  Every claim is measured from each series' last print observed
at or before the column's publication moment (date, time and zone of its front matter), using the
series' observation time (:mod:`commentary.timeline.observation`: exchange-calendar closes, the
ECB's 14:15 CET fixing, Yahoo FX's Asian-hours print).  A second reading starts from the first print
after publication ("the first close a reader could act on").

**Horizons** (:mod:`commentary.scoring.horizons`): fixed offsets from the publication date
(overlapping context) and calendar ones (``year-end``, ``YTD``, an explicit date).  Each series is
read at its last print dated on or before the horizon's end.  One horizon per claim is primary.

Rules (:mod:`commentary.scoring.rules`): ``outperform``, ``direction``, ``level`` (end point), ``stays``
and ``touches`` (path), ``no_move``.

**Strength** (:mod:`commentary.scoring.noise`): ``z`` = the measured move ÷ the window's usual swing (the
series' daily volatility over the 250 trading days before the reference × √trading days in the window;
relative claims use the volatility of the daily return difference).  ``margin`` is rule-aware: how far
the result sat from the rule's line, in usual swings, in the claim's favour (``no_move``: how far inside
the band the move stayed, as a share of the band); ``strength`` is "clear" or "narrow" from it.

**Odds** (:mod:`commentary.scoring.odds`): ``base_rate``, ``independent_windows``, ``percentile``,
``as_extreme`` and ``call`` compare the reading with the same rule over non-overlapping windows of the
same length in the series' own history before the reference print.

**Sources**: a claim on a rate held by two sources (Yahoo ``KRW=X`` and the ECB's ``USDKRW_ECB``…)
is scored on both; :func:`commentary.scoring.combine.combine_sources` says "source-dependent" where they disagree.

Baskets are equal-weight buy-and-hold indices, each member rebased to 100 at its own reference
print and carried over its own market's holidays only, on the sessions of the members' own exchange
calendars (:mod:`commentary.analysis.baskets`): other stored files never add dates to a basket.

Verdicts: ``held``, ``failed``, ``too early`` (the horizon ends after the last stored print of a
needed series), ``judged later`` (as-of mode: the horizon ends after the moment shown) or ``no data``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from commentary.analysis.baskets import session_basket
from commentary.scoring import judge, noise, odds
from commentary.scoring.horizons import Horizon
from commentary.scoring.rules import Rule, SeriesRef, rule_symbols, source_variants
from commentary.timeline.observation import (
    first_after,
    last_before,
    print_moments,
    sessions_between,
)
from data_sources.errors import Problem
from data_sources.store.frames import wide

if TYPE_CHECKING:
    from commentary.document.model import Claim

VERDICTS: tuple[str, ...] = ("held", "failed", "source-dependent", "too early", "judged later", "no data")
BASES: tuple[str, ...] = ("publication", "actionable")


@dataclass(frozen=True)
class Reading:
    """One claim at one horizon on one source, from the publication reference (and the actionable one).

    ``measured`` is in ``unit``: "pp" (outperform), "%" (direction, no_move), "% of prints" (stays)
    or the series' currency (level; touches: the print that came nearest the level or went furthest
    beyond it).  ``z`` gauges the move against the series' noise, ``margin``/``strength`` how far the
    result sat from the rule's line, and ``chances`` (:class:`commentary.scoring.odds.Odds`) how often
    the same rule held before.
    """

    claim_id: str
    horizon: str
    horizon_end: dt.date
    primary: bool
    overlapping: bool
    source: str
    series: str
    verdict: str
    measured: float | None
    unit: str
    z: float
    strength: str
    days: int
    sigma_daily_pct: float
    reference_date: dt.date | None
    end_date: dt.date | None
    reference_values: Mapping[str, float] = field(default_factory=dict)
    end_values: Mapping[str, float] = field(default_factory=dict)
    detail: Problem | None = None  # what was measured, as a code and numbers (summary.detail_text words it)
    actionable_reference_date: dt.date | None = None
    actionable_measured: float | None = None
    actionable_z: float = math.nan
    actionable_verdict: str = ""
    margin: float = math.nan
    chances: odds.Odds = field(default_factory=odds.Odds)


# --------------------------------------------------------------------------- measuring


class _Unscorable(Exception):
    """A reading cannot be made: ``verdict`` ("no data" / "too early") and why (a ``scoring_words.detail.*``
    code and its parameters)."""

    def __init__(self, verdict: str, code: str, **params: object) -> None:
        self.verdict, self.detail = verdict, Problem(code, params)
        super().__init__(str(self.detail))


def _column(frame: pd.DataFrame, symbol: str) -> pd.Series:
    if symbol not in frame.columns:
        raise _Unscorable("no data", "scoring_words.detail.no_prices", symbol=symbol)
    col = frame[symbol].dropna()
    if col.empty:
        raise _Unscorable("no data", "scoring_words.detail.no_prices", symbol=symbol)
    return col


def _reference(symbol: str, col: pd.Series, moment: pd.Timestamp, basis: str) -> pd.Timestamp:
    """The date of ``symbol``'s reference print for ``basis`` ("publication", "actionable" or "year")."""
    if basis == "year":
        before = col.loc[:pd.Timestamp(moment.year - 1, 12, 31)]
        if before.empty:
            raise _Unscorable("no data", "scoring_words.detail.none_before_year", symbol=symbol, year=moment.year)
        return before.index[-1]
    day = pd.Timestamp(moment.tz_convert(None).date())
    if basis == "publication":
        near = col.loc[day - pd.Timedelta(days=31):day + pd.Timedelta(days=2)]  # later prints cannot precede it
        col = near if len(near) else col.loc[:day + pd.Timedelta(days=2)]
        pos = last_before(symbol, pd.DatetimeIndex(col.index), moment)
        if pos is None:
            first = col.index[0].date()
            raise _Unscorable("no data", "scoring_words.detail.none_before_publication", symbol=symbol,
                              first=str(first))
        return col.index[pos]
    near = col.loc[day - pd.Timedelta(days=2):day + pd.Timedelta(days=31)]  # earlier prints cannot follow it
    col = near if len(near) else col.loc[day - pd.Timedelta(days=2):]
    pos = first_after(symbol, pd.DatetimeIndex(col.index), moment)
    if pos is None:
        raise _Unscorable("too early", "scoring_words.detail.none_after_publication", symbol=symbol)
    return col.index[pos]


class _Run:
    """One scoring run over a wide price frame: caches reference prints and basket levels."""

    def __init__(self, frame: pd.DataFrame, moment: pd.Timestamp) -> None:
        self.frame, self.moment = frame, moment
        self._refs: dict[tuple[str, str], pd.Timestamp | _Unscorable] = {}
        self._levels: dict[tuple[tuple[str, ...], bool, str], tuple[pd.Series, pd.Timestamp, float]] = {}
        self._columns: dict[str, pd.Series] = {}

    def column(self, symbol: str) -> pd.Series:
        """``symbol``'s stored prints (NaNs dropped), read once per run."""
        if symbol not in self._columns:
            self._columns[symbol] = _column(self.frame, symbol)
        return self._columns[symbol]

    def reference(self, symbol: str, basis: str) -> pd.Timestamp:
        key = (symbol, basis)
        if key not in self._refs:
            try:
                self._refs[key] = _reference(symbol, self.column(symbol), self.moment, basis)
            except _Unscorable as why:
                self._refs[key] = why
        found = self._refs[key]
        if isinstance(found, _Unscorable):
            raise found
        return found

    def level(self, ref: SeriesRef, basis: str) -> tuple[pd.Series, pd.Timestamp, float]:
        """(level history, reference date, reference value) of a symbol or basket."""
        key = (ref.symbols, ref.is_basket, basis)
        if key not in self._levels:
            refs = {s: self.reference(s, basis) for s in ref.symbols}
            if not ref.is_basket:
                sym = ref.symbols[0]
                col = self.column(sym)
                self._levels[key] = (col, refs[sym], float(col.loc[refs[sym]]))
            else:
                level = session_basket({s: self.column(s) for s in ref.symbols}, refs)
                self._levels[key] = (level, max(refs.values()), 100.0)
        return self._levels[key]


def _measure(ref: SeriesRef, run: _Run, end: pd.Timestamp, basis: str) -> judge.Measured:
    for sym in ref.symbols:
        col = run.column(sym)
        if sessions_between(sym, col.index[-1], end):
            last = col.index[-1].date()
            raise _Unscorable("too early", "scoring_words.detail.after_last_print", end=str(end.date()),
                              last=str(last), symbol=sym)
    level, ref_date, ref_value = run.level(ref, basis)
    upto = level.loc[ref_date:end]
    if upto.empty:
        raise _Unscorable("no data", "scoring_words.detail.no_value", series=ref.label, end=str(end.date()))
    return judge.Measured(ref_date, upto.index[-1], ref_value, float(upto.iloc[-1]), level)


def _read(rule: Rule, run: _Run, end: pd.Timestamp, basis: str,
          ) -> tuple[dict[str, judge.Measured], tuple[float, str, bool, Problem | None], tuple[float, float, int]]:
    refs = {k: v for k, v in rule.params.items() if isinstance(v, SeriesRef)}
    measured = {k: _measure(r, run, end, basis) for k, r in refs.items()}
    return measured, judge.judge(rule, measured, refs), judge.strength_inputs(rule, measured)


def _one(claim: Claim, horizon: Horizon, source: str, rule: Rule, run: _Run, as_of: pd.Timestamp | None,
         ) -> Reading:
    refs = {k: v for k, v in rule.params.items() if isinstance(v, SeriesRef)}
    base = dict(claim_id=claim.id, horizon=horizon.id, horizon_end=horizon.end, primary=horizon.id == claim.primary,
                overlapping=horizon.overlapping, source=source, series=" / ".join(r.label for r in refs.values()),
                measured=None, unit="", z=math.nan, strength="n/a", days=0, sigma_daily_pct=math.nan,
                reference_date=None, end_date=None)
    end = pd.Timestamp(horizon.end)
    if as_of is not None and end > pd.Timestamp(as_of.tz_convert(None).date()):
        return Reading(verdict="judged later",
                       detail=Problem("scoring_words.detail.judged_later", {"end": str(horizon.end)}), **base)
    basis = "year" if horizon.from_year_start else "publication"
    try:
        measured, judged, gauge = _read(rule, run, end, basis)
    except _Unscorable as why:
        return Reading(verdict=why.verdict, detail=why.detail, **base)
    value, unit, held, detail = judged
    z = noise.z_score(gauge[0], gauge[1], gauge[2])
    swing = gauge[1] * math.sqrt(gauge[2]) if gauge[2] > 0 else math.nan
    margin = judge.margin(rule, value, measured, swing)
    verdict = "held" if held else "failed"
    reference_date = min(w.ref_date for w in measured.values())
    reference_values = {refs[k].label: w.ref_value for k, w in measured.items()}
    chances = _odds(rule, run, reference_values, reference_date, horizon, value, verdict)
    reading = Reading(
        verdict=verdict, detail=detail,
        **{**base, "measured": value, "unit": unit, "z": z, "strength": noise.strength(margin, rule.type),
           "days": gauge[2], "sigma_daily_pct": gauge[1], "reference_date": reference_date.date(),
           "end_date": max(w.end_date for w in measured.values()).date(),
           "reference_values": reference_values,
           "end_values": {refs[k].label: w.end_value for k, w in measured.items()},
           "margin": margin, "chances": chances})
    if horizon.from_year_start:
        return reading
    try:
        act, act_judged, act_gauge = _read(rule, run, end, "actionable")
    except _Unscorable as why:
        return replace(reading, actionable_verdict=why.verdict)
    return replace(reading, actionable_reference_date=min(w.ref_date for w in act.values()).date(),
                   actionable_measured=act_judged[0], actionable_verdict="held" if act_judged[2] else "failed",
                   actionable_z=noise.z_score(act_gauge[0], act_gauge[1], act_gauge[2]))


def _odds(rule: Rule, run: _Run, reference_values: Mapping[str, float], reference_date: pd.Timestamp,
          horizon: Horizon, value: float, verdict: str) -> odds.Odds:
    """The reading's odds against the rule's own series before the reference (:mod:`commentary.scoring.odds`)."""
    target = odds.target(rule, reference_values)
    columns = {s: run.column(s) for s in rule_symbols(rule)}
    days = (pd.Timestamp(horizon.end) - reference_date).days
    return odds.reading_odds(target, columns, reference_date, days, odds.statistic(target, value), verdict)


def wide_prices(prices: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Dates × symbols of the return prices; with ``as_of``, prints observed after that moment are hidden."""
    if prices.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    frame = wide(prices)
    if as_of is not None:
        frame = frame.copy()
        for sym in frame.columns:  # a print observed after the moment shown was not known then
            moments = print_moments(str(sym), frame.index)
            frame.loc[moments > as_of, sym] = math.nan
    return frame


def evaluate_claim(claim: Claim, prices: pd.DataFrame, published: pd.Timestamp,
                   as_of: pd.Timestamp | None = None) -> list[Reading]:
    """Readings of ``claim`` at each horizon on each source, from a tidy price frame.

    ``published`` is the column's publication moment (tz-aware); ``as_of`` (tz-aware) hides every
    print observed after it and marks later horizons "judged later".
    """
    return _evaluate(claim, _Run(wide_prices(prices, as_of), published), as_of)


def _evaluate(claim: Claim, run: _Run, as_of: pd.Timestamp | None) -> list[Reading]:
    return [_one(claim, h, source, rule, run, as_of)
            for h in claim.horizons for source, rule in source_variants(claim.rule)]


SCORECARD_COLUMNS: tuple[str, ...] = (
    "claim_id", "horizon", "horizon_end", "primary", "overlapping", "source", "series", "reference_date",
    "end_date", "measured", "unit", "z", "margin", "strength", "base_rate", "independent_windows", "percentile",
    "as_extreme", "window_days", "call", "verdict", "days", "sigma_daily_pct",
    "actionable_reference_date", "actionable_measured", "actionable_z", "actionable_verdict", "detail",
)


def readings(claims: Sequence[Claim], prices: pd.DataFrame, published: pd.Timestamp,
             as_of: pd.Timestamp | None = None) -> list[Reading]:
    """Every :class:`Reading` of ``claims``, in claim, horizon and source order."""
    return [r for batch in _batches(claims, prices, published, as_of) for r in batch]


def iter_readings(claims: Sequence[Claim], prices: pd.DataFrame, published: pd.Timestamp,
                  as_of: pd.Timestamp | None = None) -> Iterator[list[Reading]]:
    """The readings of each claim in turn (one list per claim, one shared scoring run): :func:`readings` for
    callers that report progress between claims."""
    return _batches(claims, prices, published, as_of)


def _batches(claims: Sequence[Claim], prices: pd.DataFrame, published: pd.Timestamp,
             as_of: pd.Timestamp | None) -> Iterator[list[Reading]]:
    run = _Run(wide_prices(prices, as_of), published)
    for claim in claims:
        yield _evaluate(claim, run, as_of)


def scorecard(claims: Sequence[Claim], prices: pd.DataFrame, published: pd.Timestamp,
              as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per claim × horizon × source (columns :data:`SCORECARD_COLUMNS`): the CLI's and CSV's table."""
    return scorecard_frame(readings(claims, prices, published, as_of))


#: Scorecard columns read from a reading's :class:`~commentary.scoring.odds.Odds` (column: its field).
ODDS_COLUMNS: dict[str, str] = {"base_rate": "base_rate", "independent_windows": "windows",
                                "percentile": "percentile", "as_extreme": "as_extreme", "window_days": "window_days",
                                "call": "call"}


def scorecard_frame(items: Sequence[Reading]) -> pd.DataFrame:
    """:class:`Reading` objects as the scorecard table (the odds flattened into their columns)."""
    rows = [{c: getattr(r.chances, ODDS_COLUMNS[c]) if c in ODDS_COLUMNS else getattr(r, c)
             for c in SCORECARD_COLUMNS} for r in items]
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def claim_paths(claim: Claim, prices: pd.DataFrame, published: pd.Timestamp,
                as_of: pd.Timestamp | None = None) -> dict[str, dict[str, tuple[pd.Series, pd.Timestamp, float]]]:
    """Per source, per series label: ``(level history, reference date, reference value)`` of a claim's series.

    Baskets are indices at 100 on their reference; single symbols are their prices.  A series that
    cannot be measured is left out.
    """
    run = _Run(wide_prices(prices, as_of), published)
    out: dict[str, dict[str, tuple[pd.Series, pd.Timestamp, float]]] = {}
    for source, rule in source_variants(claim.rule):
        lines = {}
        for ref in (v for v in rule.params.values() if isinstance(v, SeriesRef)):
            try:
                lines[ref.label] = run.level(ref, "publication")
            except _Unscorable:
                continue
        out[source] = lines
    return out
