"""A column's claims as data, and their verdicts computed from stored prices.

**Reference fixed at publication.**  Every claim is measured from each series' last print observed
at or before the column's publication moment (date, time and zone of its front matter), using the
series' observation time (:mod:`commentary.timeline.observation`: exchange-calendar closes, the
ECB's 14:15 CET fixing, Yahoo FX's Asian-hours print).  A second reading starts from the first print
after publication ("the first close a reader could act on").

**Horizons** (:mod:`commentary.scoring.horizons`): fixed offsets from the publication date
(overlapping context) and calendar ones (``year-end``, ``YTD``, an explicit date).  Each series is
read at its last print dated on or before the horizon's end.  One horizon per claim is primary.

Rules (``params`` as written in a column's front matter):

==========  =================================================================  ===========================
type        params                                                             held when
==========  =================================================================  ===========================
outperform  ``a``, ``b``: basket name or list of symbols; ``margin_pp`` (0)    return(a) − return(b) > margin
direction   ``series``: symbol, basket or list; ``direction`` up|down;          change beyond ± threshold in
            ``threshold_pct`` (0)                                              the stated direction
level       ``symbol``; ``level`` (> 0); ``side`` below|above                   end-point: the print at the
                                                                               horizon's end is below/above
stays       ``symbol``; ``level`` (> 0); ``side`` below|above;                  path: at least ``share_pct``
            ``share_pct`` (100)                                                of the prints in the window
                                                                               are below/above
no_move     ``symbol`` (or basket); ``threshold_pct`` (1.0)                    \\|change\\| < threshold
==========  =================================================================  ===========================

**Strength** (:mod:`commentary.scoring.noise`): ``z`` = the measured excess ÷ (the series' daily
volatility over the 250 trading days before the reference × √trading days in the window).  Relative
claims measure A − B (volatility of the daily return difference); the others measure the change
against no change (zero drift, a driftless random walk for FX).

**Sources**: a claim on a rate held by two sources (Yahoo ``KRW=X`` and the ECB's ``USDKRW_ECB``…)
is scored on both; :func:`combine_sources` says "source-dependent" where they disagree.

Baskets are equal-weight buy-and-hold indices, each member rebased to 100 at its own reference
print and carried over its own market's holidays only (:data:`analytics.HOLIDAY_CARRY`).

Verdicts: ``held``, ``failed``, ``too early`` (the horizon ends after the last stored print of a
needed series), ``judged later`` (as-of mode: the horizon ends after the moment shown) or ``no data``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from commentary.analysis.analytics import carry_over_holidays
from commentary.scoring import noise
from commentary.scoring.horizons import OFFSETS, Horizon
from commentary.text.formatting import fmt_number, fmt_pct, fmt_pp
from commentary.timeline.observation import (
    ALTERNATE_SOURCES,
    first_after,
    last_before,
    print_moments,
    sessions_between,
)
from data_sources.market.universe import instrument
from data_sources.store.frames import wide

if TYPE_CHECKING:
    from commentary.document.column import Claim

HORIZONS = OFFSETS  # the fixed offsets (kept under their old name)
RULE_TYPES: tuple[str, ...] = ("outperform", "direction", "level", "stays", "no_move")
VERDICTS: tuple[str, ...] = ("held", "failed", "source-dependent", "too early", "judged later", "no data")
VERDICT_LABELS: dict[str, dict[str, str]] = {
    "held": {"ko": "적중", "en": "held"},
    "failed": {"ko": "빗나감", "en": "failed"},
    "source-dependent": {"ko": "출처에 따라 다름", "en": "source-dependent"},
    "too early": {"ko": "시기상조", "en": "too early"},
    "judged later": {"ko": "나중에 판정", "en": "judged later"},
    "no data": {"ko": "데이터 없음", "en": "no data"},
}
BASES: tuple[str, ...] = ("publication", "actionable")

_PARAMS: dict[str, dict[str, tuple[str, Any]]] = {
    # name: (kind, default); default None means the param must be given
    "outperform": {"a": ("series", None), "b": ("series", None), "margin_pp": ("number", 0.0)},
    "direction": {"series": ("series", None), "direction": ("choice:up|down", None),
                  "threshold_pct": ("nonneg", 0.0)},
    "level": {"symbol": ("symbol", None), "level": ("positive", None), "side": ("choice:below|above", None)},
    "stays": {"symbol": ("symbol", None), "level": ("positive", None), "side": ("choice:below|above", None),
              "share_pct": ("share", 100.0)},
    "no_move": {"symbol": ("series", None), "threshold_pct": ("positive", 1.0)},
}


@dataclass(frozen=True)
class SeriesRef:
    """What a rule measures: one symbol's price, or an equal-weight basket of symbols."""

    label: str
    symbols: tuple[str, ...]
    is_basket: bool


@dataclass(frozen=True)
class Rule:
    """A validated rule: ``type`` and its params (series params resolved to :class:`SeriesRef`)."""

    type: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Reading:
    """One claim at one horizon on one source, from the publication reference (and the actionable one).

    ``measured`` is in ``unit``: "pp" (outperform), "%" (direction, no_move), "% of prints" (stays)
    or the series' currency (level).  ``z`` and ``strength`` gauge the move against the series' noise.
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
    detail: str = ""
    detail_ko: str = ""
    actionable_reference_date: dt.date | None = None
    actionable_measured: float | None = None
    actionable_z: float = math.nan
    actionable_verdict: str = ""


# --------------------------------------------------------------------------- validation


def _series_ref(value: Any, baskets: Mapping[str, Sequence[str]], single_only: bool) -> SeriesRef | str:
    """Resolve a series param, or return a problem string."""
    if isinstance(value, str) and value.strip():
        if value in baskets and not single_only:
            return SeriesRef(value, tuple(baskets[value]), True)
        return SeriesRef(value, (value,), False)
    if not single_only and isinstance(value, list) and value and all(isinstance(s, str) and s for s in value):
        return SeriesRef("+".join(value), tuple(value), True)
    return "expected a symbol" if single_only else "expected a symbol, a basket name or a list of symbols"


def _number_problem(kind: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"expected a number, got {value!r}"
    if kind == "nonneg" and value < 0:
        return f"must be >= 0, got {value!r}"
    if kind == "positive" and value <= 0:
        return f"must be > 0, got {value!r}"
    if kind == "share" and not 0 < value <= 100:
        return f"must be a share in % (0 < share <= 100), got {value!r}"
    return None


def validate_rule(rule_type: Any, params: Any, baskets: Mapping[str, Sequence[str]] | None = None,
                  ) -> tuple[Rule | None, list[tuple[tuple[str, ...], str]]]:
    """Check a rule written as data; return the resolved :class:`Rule` and problems.

    Each problem is ``(path, message)`` with ``path`` relative to the rule, e.g. ``("params", "a")``.
    """
    baskets = baskets or {}
    if rule_type not in _PARAMS:
        return None, [(("type",), f"unknown rule {rule_type!r} (known: {', '.join(RULE_TYPES)})")]
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return None, [(("params",), "expected a mapping of rule parameters")]
    spec = _PARAMS[rule_type]
    problems: list[tuple[tuple[str, ...], str]] = []
    for name in params:
        if name not in spec:
            problems.append((("params", str(name)), f"unknown parameter for {rule_type} (known: {', '.join(spec)})"))
    resolved: dict[str, Any] = {}
    for name, (kind, default) in spec.items():
        path = ("params", name)
        if name not in params or params[name] is None:
            if default is None:
                problems.append((path, f"missing (required by {rule_type})"))
            else:
                resolved[name] = default
            continue
        value = params[name]
        if kind in ("series", "symbol"):
            ref = _series_ref(value, baskets, single_only=kind == "symbol")
            if isinstance(ref, str):
                problems.append((path, ref))
            else:
                resolved[name] = ref
        elif kind.startswith("choice:"):
            choices = kind.split(":", 1)[1].split("|")
            if value not in choices:
                problems.append((path, f"expected one of {', '.join(choices)}, got {value!r}"))
            else:
                resolved[name] = value
        else:
            problem = _number_problem(kind, value)
            if problem:
                problems.append((path, problem))
            else:
                resolved[name] = float(value)
    return (None if problems else Rule(rule_type, resolved)), problems


def rule_symbols(rule: Rule) -> list[str]:
    """Every symbol a rule needs, in order, without duplicates."""
    out: list[str] = []
    for value in rule.params.values():
        if isinstance(value, SeriesRef):
            out.extend(s for s in value.symbols if s not in out)
    return out


def source_variants(rule: Rule) -> list[tuple[str, Rule]]:
    """``(source, rule)`` pairs: the rule as written, and with each two-source rate swapped for its twin.

    ``source`` is "yahoo", "ecb" or "data" (a rule on series of one source only gives one pair).
    """
    swappable = [s for s in rule_symbols(rule) if s in ALTERNATE_SOURCES]

    def source_of(r: Rule) -> str:
        syms = [s for s in rule_symbols(r) if s in ALTERNATE_SOURCES] or rule_symbols(r)
        inst = instrument(syms[0]) if syms else None
        return inst.source if inst is not None else "data"

    if not swappable:
        return [(source_of(rule), rule)]
    params = {}
    for name, value in rule.params.items():
        if isinstance(value, SeriesRef) and any(s in ALTERNATE_SOURCES for s in value.symbols):
            syms = tuple(ALTERNATE_SOURCES.get(s, s) for s in value.symbols)
            label = "+".join(syms) if value.is_basket else syms[0]
            value = SeriesRef(label, syms, value.is_basket)
        params[name] = value
    twin = Rule(rule.type, params)
    pairs = [(source_of(rule), rule), (source_of(twin), twin)]
    return sorted(pairs, key=lambda p: 0 if p[0] == "yahoo" else 1)


# --------------------------------------------------------------------------- names

BASKET_NAMES: dict[str, dict[str, str]] = {
    "ko": {"cn_tech": "중국 기술주 바스켓", "us_bigtech": "미국 빅테크 바스켓"},
    "en": {"cn_tech": "China tech basket", "us_bigtech": "US big-tech basket"},
}


def ref_name(ref: SeriesRef, lang: str) -> str:
    """A reader's name for a rule's series: a known basket's name, or the symbol's name in ``lang``."""
    key = "ko" if lang == "ko" else "en"
    if ref.label in BASKET_NAMES[key]:
        return BASKET_NAMES[key][ref.label]
    if not ref.is_basket and len(ref.symbols) == 1:
        inst = instrument(ref.symbols[0])
        if inst is not None:
            return f"{inst.name(key)} ({inst.symbol})"
    return ref.label


# --------------------------------------------------------------------------- measuring


class _Unscorable(Exception):
    """A reading cannot be made: ``verdict`` ("no data" / "too early") and why (en, ko)."""

    def __init__(self, verdict: str, en: str, ko: str) -> None:
        super().__init__(en)
        self.verdict, self.en, self.ko = verdict, en, ko


@dataclass(frozen=True)
class _Measured:
    """One series over one window: its level path, reference and end."""

    ref_date: pd.Timestamp
    end_date: pd.Timestamp
    ref_value: float
    end_value: float
    level: pd.Series  # the whole level history (price, or basket index = 100 at the reference)

    @property
    def change_pct(self) -> float:
        return (self.end_value / self.ref_value - 1.0) * 100.0

    @property
    def path(self) -> pd.Series:
        """Levels after the reference, up to and including the end."""
        lvl = self.level
        return lvl[(lvl.index > self.ref_date) & (lvl.index <= self.end_date)]

    @property
    def returns(self) -> pd.Series:
        return self.level.pct_change(fill_method=None)


def _column(frame: pd.DataFrame, symbol: str) -> pd.Series:
    if symbol not in frame.columns:
        raise _Unscorable("no data", f"no stored prices for {symbol}", f"{symbol}: 저장된 가격 없음")
    col = frame[symbol].dropna()
    if col.empty:
        raise _Unscorable("no data", f"no stored prices for {symbol}", f"{symbol}: 저장된 가격 없음")
    return col


def _reference(symbol: str, col: pd.Series, moment: pd.Timestamp, basis: str) -> pd.Timestamp:
    """The date of ``symbol``'s reference print for ``basis`` ("publication", "actionable" or "year")."""
    if basis == "year":
        before = col.loc[:pd.Timestamp(moment.year - 1, 12, 31)]
        if before.empty:
            raise _Unscorable("no data", f"{symbol} has no print before {moment.year}",
                              f"{symbol}: {moment.year}년 이전 값 없음")
        return before.index[-1]
    day = pd.Timestamp(moment.tz_convert(None).date())
    if basis == "publication":
        near = col.loc[day - pd.Timedelta(days=31):day + pd.Timedelta(days=2)]  # later prints cannot precede it
        col = near if len(near) else col.loc[:day + pd.Timedelta(days=2)]
        pos = last_before(symbol, pd.DatetimeIndex(col.index), moment)
        if pos is None:
            first = col.index[0].date()
            raise _Unscorable("no data", f"{symbol} has no print before publication (first: {first})",
                              f"{symbol}: 발행 전 값 없음 (첫 값 {first})")
        return col.index[pos]
    near = col.loc[day - pd.Timedelta(days=2):day + pd.Timedelta(days=31)]  # earlier prints cannot follow it
    col = near if len(near) else col.loc[day - pd.Timedelta(days=2):]
    pos = first_after(symbol, pd.DatetimeIndex(col.index), moment)
    if pos is None:
        raise _Unscorable("too early", f"{symbol} has no print after publication yet",
                          f"{symbol}: 발행 후 값이 아직 없음")
    return col.index[pos]


class _Run:
    """One scoring run over a wide price frame: caches reference prints and basket levels."""

    def __init__(self, frame: pd.DataFrame, moment: pd.Timestamp) -> None:
        self.frame, self.moment = frame, moment
        self._refs: dict[tuple[str, str], pd.Timestamp | _Unscorable] = {}
        self._levels: dict[tuple[tuple[str, ...], bool, str], tuple[pd.Series, pd.Timestamp, float]] = {}

    def reference(self, symbol: str, basis: str) -> pd.Timestamp:
        key = (symbol, basis)
        if key not in self._refs:
            try:
                self._refs[key] = _reference(symbol, _column(self.frame, symbol), self.moment, basis)
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
                col = _column(self.frame, sym)
                self._levels[key] = (col, refs[sym], float(col.loc[refs[sym]]))
            else:
                rebased = pd.DataFrame({s: self.frame[s] / _column(self.frame, s).loc[refs[s]] * 100.0
                                        for s in ref.symbols})
                carried = carry_over_holidays(rebased)
                level = carried.mean(axis=1).where(carried.notna().all(axis=1)).dropna()
                self._levels[key] = (level, max(refs.values()), 100.0)
        return self._levels[key]


def _measure(ref: SeriesRef, run: _Run, end: pd.Timestamp, basis: str) -> _Measured:
    for sym in ref.symbols:
        col = _column(run.frame, sym)
        if sessions_between(sym, col.index[-1], end):
            last = col.index[-1].date()
            raise _Unscorable("too early", f"horizon ends {end.date()}, after the last stored print {last} ({sym})",
                              f"기간 끝 {end.date()}이 저장된 마지막 값 {last}({sym}) 이후")
    level, ref_date, ref_value = run.level(ref, basis)
    upto = level.loc[ref_date:end]
    if upto.empty:
        raise _Unscorable("no data", f"{ref.label}: no value between the reference and {end.date()}",
                          f"{ref.label}: 기준일과 {end.date()} 사이 값 없음")
    return _Measured(ref_date, upto.index[-1], ref_value, float(upto.iloc[-1]), level)


def _strength_inputs(rule: Rule, m: dict[str, _Measured]) -> tuple[float, float, int]:
    """(the % move gauged, σ daily in %, trading days) for a rule's measured windows."""
    if rule.type == "outperform":
        a, b = m["a"], m["b"]
        both = pd.concat([a.returns.rename("a"), b.returns.rename("b")], axis=1, join="inner").dropna()
        rel = both["a"] - both["b"]
        ref_date = max(a.ref_date, b.ref_date)
        sigma = noise.daily_vol_pct(rel, ref_date)
        days = int(((rel.index > ref_date) & (rel.index <= max(a.end_date, b.end_date))).sum())
        return a.change_pct - b.change_pct, sigma, days
    w = m["series"] if "series" in m else m["symbol"]
    return w.change_pct, noise.daily_vol_pct(w.returns, w.ref_date), len(w.path)


def _judge(rule: Rule, m: dict[str, _Measured], refs: dict[str, SeriesRef]) -> tuple[float, str, bool, str, str]:
    """(measured, unit, held, detail in English, detail in Korean)."""
    p = rule.params
    en = {k: ref_name(r, "en") for k, r in refs.items()}
    ko = {k: ref_name(r, "ko") for k, r in refs.items()}
    if rule.type == "outperform":
        a, b = m["a"], m["b"]
        measured = a.change_pct - b.change_pct
        held = measured > p["margin_pp"]
        detail = (f"{en['a']} {fmt_pct(a.change_pct)} vs {en['b']} {fmt_pct(b.change_pct)}: "
                  f"{fmt_pp(measured)} ({'>' if held else '<='} margin {fmt_pp(p['margin_pp'])})")
        detail_ko = (f"{ko['a']} {fmt_pct(a.change_pct)} 대 {ko['b']} {fmt_pct(b.change_pct)}: "
                     f"{fmt_pp(measured, lang='ko')} (기준 {fmt_pp(p['margin_pp'], lang='ko')} "
                     f"{'초과' if held else '이하'})")
        return measured, "pp", held, detail, detail_ko
    if rule.type in ("direction", "no_move"):
        key = "series" if rule.type == "direction" else "symbol"
        w = m[key]
        measured = w.change_pct
        threshold = p["threshold_pct"]
        move = f"{fmt_number(w.ref_value, 2)} → {fmt_number(w.end_value, 2)} ({fmt_pct(measured, 2)})"
        if rule.type == "direction":
            held = measured < -threshold if p["direction"] == "down" else measured > threshold
            word = "하락" if p["direction"] == "down" else "상승"
            return (measured, "%", held,
                    f"{en[key]} {move}; claim: {p['direction']} by more than {fmt_number(threshold, 2)}%",
                    f"{ko[key]} {move}; 주장: {fmt_number(threshold, 2)}% 넘게 {word}")
        held = abs(measured) < threshold
        return (measured, "%", held, f"{en[key]} {move}; claim: |change| < {fmt_number(threshold, 2)}%",
                f"{ko[key]} {move}; 주장: 변동폭 {fmt_number(threshold, 2)}% 미만")
    w = m["symbol"]
    level, below = p["level"], p["side"] == "below"
    side_ko = "아래" if below else "위"
    if rule.type == "level":
        measured = w.end_value
        held = measured < level if below else measured > level
        inst = instrument(refs["symbol"].symbols[0])
        unit = inst.currency if inst is not None else "level"
        return (measured, unit, held,
                f"end-point: {en['symbol']} at {fmt_number(measured, 2)} on {w.end_date.date()}; "
                f"claim: {p['side']} {fmt_number(level, 2)} at the horizon's end",
                f"기간 끝 기준: {ko['symbol']} {w.end_date.date()} {fmt_number(measured, 2)}; "
                f"주장: 기간 끝에 {fmt_number(level, 2)} {side_ko}")
    path = w.path
    right = (path < level) if below else (path > level)
    share = float(right.mean() * 100.0) if len(path) else math.nan
    held = len(path) > 0 and share >= p["share_pct"]
    worst = float(path.max() if below else path.min()) if len(path) else math.nan
    return (share, "% of prints", held,
            f"path: {int(right.sum())} of {len(path)} prints {p['side']} {fmt_number(level, 2)} "
            f"({fmt_number(share, 1)}%, needed {fmt_number(p['share_pct'], 0)}%); "
            f"{'highest' if below else 'lowest'} {fmt_number(worst, 2)}",
            f"경로 기준: {len(path)}개 중 {int(right.sum())}개가 {fmt_number(level, 2)} {side_ko} "
            f"({fmt_number(share, 1)}%, 필요 {fmt_number(p['share_pct'], 0)}%); "
            f"{'최고' if below else '최저'} {fmt_number(worst, 2)}")


def _read(rule: Rule, run: _Run, end: pd.Timestamp, basis: str,
          ) -> tuple[dict[str, _Measured], tuple[float, str, bool, str, str], tuple[float, float, int]]:
    refs = {k: v for k, v in rule.params.items() if isinstance(v, SeriesRef)}
    measured = {k: _measure(r, run, end, basis) for k, r in refs.items()}
    return measured, _judge(rule, measured, refs), _strength_inputs(rule, measured)


def _one(claim: Claim, horizon: Horizon, source: str, rule: Rule, run: _Run, as_of: pd.Timestamp | None,
         ) -> Reading:
    refs = {k: v for k, v in rule.params.items() if isinstance(v, SeriesRef)}
    base = dict(claim_id=claim.id, horizon=horizon.id, horizon_end=horizon.end, primary=horizon.id == claim.primary,
                overlapping=horizon.overlapping, source=source, series=" / ".join(r.label for r in refs.values()),
                measured=None, unit="", z=math.nan, strength="n/a", days=0, sigma_daily_pct=math.nan,
                reference_date=None, end_date=None)
    end = pd.Timestamp(horizon.end)
    if as_of is not None and end > pd.Timestamp(as_of.tz_convert(None).date()):
        return Reading(verdict="judged later", detail=f"the horizon ends {horizon.end}, after the moment shown",
                       detail_ko=f"기간 끝 {horizon.end}: 보여 주는 시점 이후", **base)
    basis = "year" if horizon.from_year_start else "publication"
    try:
        measured, judged, gauge = _read(rule, run, end, basis)
    except _Unscorable as why:
        return Reading(verdict=why.verdict, detail=why.en, detail_ko=why.ko, **base)
    value, unit, held, detail, detail_ko = judged
    z = noise.z_score(gauge[0], gauge[1], gauge[2])
    reading = Reading(
        verdict="held" if held else "failed", detail=detail, detail_ko=detail_ko,
        **{**base, "measured": value, "unit": unit, "z": z, "strength": noise.strength(z), "days": gauge[2],
           "sigma_daily_pct": gauge[1], "reference_date": min(w.ref_date for w in measured.values()).date(),
           "end_date": max(w.end_date for w in measured.values()).date(),
           "reference_values": {refs[k].label: w.ref_value for k, w in measured.items()},
           "end_values": {refs[k].label: w.end_value for k, w in measured.items()}})
    if horizon.from_year_start:
        return reading
    try:
        act, act_judged, act_gauge = _read(rule, run, end, "actionable")
    except _Unscorable as why:
        return replace(reading, actionable_verdict=why.verdict)
    return replace(reading, actionable_reference_date=min(w.ref_date for w in act.values()).date(),
                   actionable_measured=act_judged[0], actionable_verdict="held" if act_judged[2] else "failed",
                   actionable_z=noise.z_score(act_gauge[0], act_gauge[1], act_gauge[2]))


def _wide_prices(prices: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
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
    return _evaluate(claim, _Run(_wide_prices(prices, as_of), published), as_of)


def _evaluate(claim: Claim, run: _Run, as_of: pd.Timestamp | None) -> list[Reading]:
    return [_one(claim, h, source, rule, run, as_of)
            for h in claim.horizons for source, rule in source_variants(claim.rule)]


SCORECARD_COLUMNS: tuple[str, ...] = (
    "claim_id", "horizon", "horizon_end", "primary", "overlapping", "source", "series", "reference_date",
    "end_date", "measured", "unit", "z", "strength", "verdict", "days", "sigma_daily_pct",
    "actionable_reference_date", "actionable_measured", "actionable_z", "actionable_verdict", "detail",
)


def readings(claims: Sequence[Claim], prices: pd.DataFrame, published: pd.Timestamp,
             as_of: pd.Timestamp | None = None) -> list[Reading]:
    """Every :class:`Reading` of ``claims``, in claim, horizon and source order."""
    run = _Run(_wide_prices(prices, as_of), published)
    return [r for c in claims for r in _evaluate(c, run, as_of)]


def scorecard(claims: Sequence[Claim], prices: pd.DataFrame, published: pd.Timestamp,
              as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per claim × horizon × source (columns :data:`SCORECARD_COLUMNS`): the CLI's and CSV's table."""
    return scorecard_frame(readings(claims, prices, published, as_of))


def scorecard_frame(items: Sequence[Reading]) -> pd.DataFrame:
    """:class:`Reading` objects as the scorecard table."""
    rows = [{c: getattr(r, c) for c in SCORECARD_COLUMNS} for r in items]
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def combined_verdict(verdicts: Sequence[str]) -> str:
    """One verdict from each source's: agreement gives it, held vs failed gives "source-dependent"."""
    scored = [v for v in verdicts if v in ("held", "failed")]
    if scored and len(set(scored)) > 1:
        return "source-dependent"
    for waiting in ("judged later", "too early"):
        if waiting in verdicts:
            return waiting
    return scored[0] if scored else (verdicts[0] if verdicts else "no data")


def combine_sources(card: pd.DataFrame) -> pd.DataFrame:
    """One row per claim × horizon: the combined verdict, and the first source's measurement and strength."""
    rows = []
    for (claim_id, horizon), group in card.groupby(["claim_id", "horizon"], sort=False):
        first = group.iloc[0]
        rows.append({"claim_id": claim_id, "horizon": horizon, "primary": bool(first["primary"]),
                     "overlapping": bool(first["overlapping"]),
                     "verdict": combined_verdict(list(group["verdict"])), "measured": first["measured"],
                     "unit": first["unit"], "z": first["z"], "strength": first["strength"],
                     "sources": list(group["source"]),
                     "by_source": dict(zip(group["source"], group["verdict"], strict=True)),
                     "measured_by_source": dict(zip(group["source"], group["measured"], strict=True))})
    return pd.DataFrame(rows, columns=["claim_id", "horizon", "primary", "overlapping", "verdict", "measured",
                                       "unit", "z", "strength", "sources", "by_source", "measured_by_source"])


def claim_paths(claim: Claim, prices: pd.DataFrame, published: pd.Timestamp,
                as_of: pd.Timestamp | None = None) -> dict[str, dict[str, tuple[pd.Series, pd.Timestamp, float]]]:
    """Per source, per series label: ``(level history, reference date, reference value)`` of a claim's series.

    Baskets are indices at 100 on their reference; single symbols are their prices.  A series that
    cannot be measured is left out.
    """
    run = _Run(_wide_prices(prices, as_of), published)
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


def divergences(a: pd.Series, b: pd.Series, limit_pct: float = 1.5) -> pd.DataFrame:
    """Dates where two sources of one rate differ by more than ``limit_pct`` %: ``date, a, b, gap_pct``.

    ``gap_pct`` is ``(a / b − 1) × 100`` on dates both hold.
    """
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    gap = (both["a"] / both["b"] - 1.0) * 100.0
    hits = both[gap.abs() > limit_pct].assign(gap_pct=gap[gap.abs() > limit_pct])
    return hits.rename_axis("date").reset_index()
