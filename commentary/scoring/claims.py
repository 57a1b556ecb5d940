"""A column's claims as data, and their verdicts computed from stored prices.

A claim names a rule (``type`` + ``params``), a start date and horizons.  For each horizon the rule
compares the last observation on/before ``start`` with the last observation on/before
``start + horizon`` (calendar offsets: 1W, 1M, 3M, 6M, 12M).

Rules (``params`` as written in a column's front matter):

==========  ===============================================================  ============================
type        params                                                           held when
==========  ===============================================================  ============================
outperform  ``a``, ``b``: basket name or list of symbols; ``margin_pp`` (0)  return(a) − return(b) > margin
direction   ``series``: symbol, basket name or list; ``direction`` up|down;  change beyond ± threshold in
            ``threshold_pct`` (0)                                            the stated direction
level       ``symbol``; ``level``; ``side`` below|above                      end value below/above level
no_move     ``symbol`` (or basket); ``threshold_pct`` (1.0)                  \\|change\\| < threshold
==========  ===============================================================  ============================

Baskets are equal-weight buy-and-hold indices of adjusted closes, rebased to 100 at the claim's
start (:func:`commentary.analysis.analytics.basket_index`, members carried over holidays of up to
:data:`BASKET_CARRY_DAYS` days).  A single symbol is used as its own price.

Verdicts: ``held``, ``failed``, ``too early`` (the horizon ends after the last stored date of a
needed series) or ``no data`` (a needed series is missing or has nothing on/before the start).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from commentary.analysis.analytics import basket_index
from commentary.text.formatting import fmt_date, fmt_number, fmt_pct, fmt_pp
from data_sources.frames import wide
from data_sources.universe import instrument

if TYPE_CHECKING:
    from commentary.document.column import Claim

HORIZONS: dict[str, pd.DateOffset] = {
    "1W": pd.DateOffset(weeks=1),
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "6M": pd.DateOffset(months=6),
    "12M": pd.DateOffset(months=12),
}
# A basket member's last price is carried over its own market's holidays for up to this many calendar
# days (HKEX was shut 2025-01-29..02-02), so a basket still has a value on the other members' dates.
BASKET_CARRY_DAYS = 7
RULE_TYPES: tuple[str, ...] = ("outperform", "direction", "level", "no_move")
VERDICTS: tuple[str, ...] = ("held", "failed", "too early", "no data")
VERDICT_LABELS: dict[str, dict[str, str]] = {
    "held": {"ko": "적중", "en": "held"},
    "failed": {"ko": "빗나감", "en": "failed"},
    "too early": {"ko": "시기상조", "en": "too early"},
    "no data": {"ko": "데이터 없음", "en": "no data"},
}

_PARAMS: dict[str, dict[str, tuple[str, Any]]] = {
    # name: (kind, default); default _REQUIRED means the param must be given
    "outperform": {"a": ("series", None), "b": ("series", None), "margin_pp": ("number", 0.0)},
    "direction": {"series": ("series", None), "direction": ("choice:up|down", None),
                  "threshold_pct": ("nonneg", 0.0)},
    "level": {"symbol": ("symbol", None), "level": ("number", None), "side": ("choice:below|above", None)},
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
class Verdict:
    """The outcome of one claim at one horizon.

    ``measured`` is in ``unit``: "pp" (outperform), "%" (direction, no_move) or the series' own
    unit (level).  ``start_values``/``end_values`` map a series label to its value.
    """

    claim_id: str
    horizon: str
    verdict: str
    measured: float | None
    unit: str
    start_date: dt.date | None
    end_date: dt.date | None
    target_date: dt.date | None
    start_values: Mapping[str, float] = field(default_factory=dict)
    end_values: Mapping[str, float] = field(default_factory=dict)
    detail: str = ""
    detail_ko: str = ""


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
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                problems.append((path, f"expected a number, got {value!r}"))
            elif (kind == "nonneg" and value < 0) or (kind == "positive" and value <= 0):
                problems.append((path, f"must be {'>= 0' if kind == 'nonneg' else '> 0'}, got {value!r}"))
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


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class _Window:
    start_date: pd.Timestamp
    end_date: pd.Timestamp
    start_value: float
    end_value: float

    @property
    def change_pct(self) -> float:
        return (self.end_value / self.start_value - 1.0) * 100.0


def _series(ref: SeriesRef, prices: pd.DataFrame, start: pd.Timestamp) -> pd.Series:
    """The price (single symbol) or basket index (rebased to 100 at ``start``) of ``ref``."""
    if not ref.is_basket:
        return prices[ref.symbols[0]].dropna()
    return basket_index(prices, list(ref.symbols), start, max_carry_days=BASKET_CARRY_DAYS).dropna()


def _check(refs: Sequence[SeriesRef], prices: pd.DataFrame, start: pd.Timestamp, target: pd.Timestamp,
           ) -> tuple[str, str, str] | None:
    """("no data" | "too early", why in English, why in Korean) when a needed series cannot answer, else None."""
    last_dates: dict[str, pd.Timestamp] = {}
    for ref in refs:
        for sym in ref.symbols:
            col = prices[sym].dropna() if sym in prices.columns else pd.Series(dtype="float64")
            if col.empty:
                return "no data", f"no stored prices for {sym}", f"{sym}: 저장된 가격 없음"
            if col.index[0] > start:
                first = col.index[0].date()
                return ("no data", f"{sym} has no price on or before {start.date()} (first: {first})",
                        f"{sym}: {start.date()} 이전 가격 없음 (첫 가격 {first})")
            last_dates[sym] = col.index[-1]
    sym, last = min(last_dates.items(), key=lambda kv: kv[1])
    if target > last:
        return ("too early", f"horizon ends {target.date()}, after the last stored date {last.date()} ({sym})",
                f"기간 끝 {target.date()}이 저장된 마지막 날짜 {last.date()}({sym}) 이후")
    return None


def _window(series: pd.Series, start: pd.Timestamp, target: pd.Timestamp) -> _Window | None:
    before_start = series.loc[:start]
    before_end = series.loc[:target]
    if before_start.empty or before_end.empty:
        return None
    return _Window(before_start.index[-1], before_end.index[-1], float(before_start.iloc[-1]),
                   float(before_end.iloc[-1]))


def _judge(rule: Rule, windows: dict[str, _Window], refs: dict[str, SeriesRef]
           ) -> tuple[float, str, bool, str, str]:
    """(measured, unit, held, detail in English, detail in Korean) for a rule given its measured windows."""
    p = rule.params
    en = {k: ref_name(r, "en") for k, r in refs.items()}
    ko = {k: ref_name(r, "ko") for k, r in refs.items()}
    if rule.type == "outperform":
        a, b = windows["a"], windows["b"]
        measured = a.change_pct - b.change_pct
        margin = p["margin_pp"]
        held = measured > margin
        detail = (f"{en['a']} {fmt_pct(a.change_pct)} vs {en['b']} {fmt_pct(b.change_pct)}: "
                  f"{fmt_pp(measured)} ({'>' if held else '<='} margin {fmt_pp(margin)})")
        detail_ko = (f"{ko['a']} {fmt_pct(a.change_pct)} 대 {ko['b']} {fmt_pct(b.change_pct)}: "
                     f"{fmt_pp(measured, lang='ko')} (기준 {fmt_pp(margin, lang='ko')} {'초과' if held else '이하'})")
        return measured, "pp", held, detail, detail_ko
    if rule.type == "direction":
        w = windows["series"]
        measured = w.change_pct
        threshold = p["threshold_pct"]
        held = measured < -threshold if p["direction"] == "down" else measured > threshold
        move = f"{fmt_number(w.start_value, 2)} → {fmt_number(w.end_value, 2)} ({fmt_pct(measured, 2)})"
        detail = f"{en['series']} {move}; claim: {p['direction']} by more than {fmt_number(threshold, 2)}%"
        word = "하락" if p["direction"] == "down" else "상승"
        detail_ko = f"{ko['series']} {move}; 주장: {fmt_number(threshold, 2)}% 넘게 {word}"
        return measured, "%", held, detail, detail_ko
    if rule.type == "level":
        w = windows["symbol"]
        measured = w.end_value
        held = measured < p["level"] if p["side"] == "below" else measured > p["level"]
        detail = (f"{en['symbol']} at {fmt_number(measured, 2)} on {w.end_date.date()}; "
                  f"claim: {p['side']} {fmt_number(p['level'], 2)}")
        side = "아래" if p["side"] == "below" else "위"
        detail_ko = (f"{ko['symbol']} {w.end_date.date()} {fmt_number(measured, 2)}; "
                     f"주장: {fmt_number(p['level'], 2)} {side}")
        return measured, "level", held, detail, detail_ko
    w = windows["symbol"]  # no_move
    measured = w.change_pct
    threshold = p["threshold_pct"]
    held = abs(measured) < threshold
    move = f"{fmt_number(w.start_value, 2)} → {fmt_number(w.end_value, 2)} ({fmt_pct(measured, 2)})"
    detail = f"{en['symbol']} {move}; claim: |change| < {fmt_number(threshold, 2)}%"
    detail_ko = f"{ko['symbol']} {move}; 주장: 변동폭 {fmt_number(threshold, 2)}% 미만"
    return measured, "%", held, detail, detail_ko


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


def _evaluate(claim: Claim, horizon: str, prices: pd.DataFrame) -> Verdict:
    start = pd.Timestamp(claim.start)
    target = start + HORIZONS[horizon]
    refs = {k: v for k, v in claim.rule.params.items() if isinstance(v, SeriesRef)}
    base = {"claim_id": claim.id, "horizon": horizon, "start_date": None, "end_date": None,
            "target_date": target.date()}
    problem = _check(list(refs.values()), prices, start, target)
    if problem is not None:
        return Verdict(verdict=problem[0], measured=None, unit="", detail=problem[1], detail_ko=problem[2], **base)
    windows: dict[str, _Window] = {}
    for name, ref in refs.items():
        win = _window(_series(ref, prices, start), start, target)
        if win is None:
            return Verdict(verdict="no data", measured=None, unit="",
                           detail=f"{ref.label} has no value on or before {start.date()}",
                           detail_ko=f"{ref_name(ref, 'ko')}: {start.date()} 이전 값 없음", **base)
        windows[name] = win
    measured, unit, held, detail, detail_ko = _judge(claim.rule, windows, refs)
    base["start_date"] = min(w.start_date for w in windows.values()).date()
    base["end_date"] = max(w.end_date for w in windows.values()).date()
    return Verdict(verdict="held" if held else "failed", measured=measured, unit=unit,
                   start_values={refs[k].label: w.start_value for k, w in windows.items()},
                   end_values={refs[k].label: w.end_value for k, w in windows.items()},
                   detail=detail, detail_ko=detail_ko, **base)


def _wide_prices(prices: pd.DataFrame) -> pd.DataFrame:
    if prices.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    return wide(prices)


def evaluate_claim(claim: Claim, prices: pd.DataFrame) -> list[Verdict]:
    """Verdicts of ``claim`` at each of its horizons, from a tidy price frame."""
    table = _wide_prices(prices)
    return [_evaluate(claim, h, table) for h in claim.horizons]


SCORECARD_COLUMNS: tuple[str, ...] = (
    "claim_id", "horizon", "verdict", "measured", "unit", "start_date", "end_date", "target_date",
    "start_values", "end_values", "detail", "detail_ko",
)


def scorecard(claims: Sequence[Claim], prices: pd.DataFrame) -> pd.DataFrame:
    """One row per claim × horizon (columns :data:`SCORECARD_COLUMNS`), in claim and horizon order."""
    table = _wide_prices(prices)
    rows = [_evaluate(c, h, table).__dict__ for c in claims for h in c.horizons]
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def describe_verdict(verdict: Verdict, lang: str = "en") -> str:
    """A one-line, plain-text summary of a verdict in ``lang`` (for tables and tooltips)."""
    label = VERDICT_LABELS.get(verdict.verdict, {}).get(lang, verdict.verdict)
    if verdict.measured is None:
        return f"{verdict.horizon}: {label}"
    if verdict.unit == "pp":
        value = fmt_pp(verdict.measured, lang=lang)
    elif verdict.unit == "%":
        value = fmt_pct(verdict.measured, 2, lang=lang)
    else:
        value = fmt_number(verdict.measured, 2, lang)
    span = f"{fmt_date(verdict.start_date, lang)} → {fmt_date(verdict.end_date, lang)}"
    return f"{verdict.horizon}: {label} ({value}, {span})"
