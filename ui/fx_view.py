"""The USD/KRW page's view-model, without Streamlit: URL parameters, event table, messages (from the catalogs).

The page keeps its view in the URL (``?start=2024-11-01&end=2025-04-30&ref=1430&src=yahoo&cny=1&kind=line``).
:func:`parse_view` turns query parameters into an :class:`FxView` plus a list of problems (a bad value
falls back to its default); :meth:`FxView.to_params` writes it back.  Problems and reader-annotation
errors are ``(code, params)`` pairs that :func:`message` words from ``catalog/<lang>/fx.toml``; any value
that came from the reader is passed through :func:`commentary.text.safe_text.md_escape` first (shown as literal text).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from catalog import text
from commentary.text.formatting import MISSING, fmt_number, fmt_pct
from commentary.text.safe_text import md_escape
from commentary.timeline.events import KINDS, Event
from data_sources.market.universe import instrument
from ui.words import words

# source key -> (main USD/KRW symbol, USD/CNY symbol)
SOURCES: dict[str, tuple[str, str]] = {"yahoo": ("KRW=X", "CNY=X"), "ecb": ("USDKRW_ECB", "USDCNY_ECB")}
SOURCE_NAMES: dict[str, str] = {"yahoo": "fx.source_yahoo", "ecb": "fx.source_ecb"}  # catalog keys
CHART_KINDS: tuple[str, ...] = ("line", "candles")
DEFAULT_SRC = "yahoo"
DEFAULT_START = dt.date(2024, 12, 1)  # the column's window: December 2024 to March 2025
DEFAULT_END = dt.date(2025, 3, 31)
DEFAULT_REF = 1430.0
REF_MIN, REF_MAX = 1.0, 100_000.0
FWD_DAYS = 5
KIND_NAMES: dict[str, str] = {  # catalog keys
    "politics": "fx.kind_politics", "fx": "fx.kind_fx", "ai": "fx.kind_ai", "market": "fx.kind_market",
    "holiday": "fx.kind_holiday", "central_bank": "fx.kind_central_bank", "trade": "fx.kind_trade",
}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

Problem = tuple[str, dict]

# code -> catalog key (catalog/<lang>/fx.toml); params are the template's fields.
MESSAGES: dict[str, str] = {
    "bad_date_param": "fx.problem.bad_date_param", "date_clamped": "fx.problem.date_clamped",
    "start_after_end": "fx.problem.start_after_end", "bad_number": "fx.problem.bad_number",
    "bad_choice": "fx.problem.bad_choice", "source_empty": "fx.problem.source_empty",
    # reader annotations (data_sources.readers.notes.AnnotationError codes)
    "bad_date": "fx.problem.bad_date", "date_out_of_range": "fx.problem.date_out_of_range",
    "empty_label": "fx.problem.empty_label", "label_too_long": "fx.problem.label_too_long",
    "note_too_long": "fx.problem.note_too_long",
}

UNTRUSTED_PARAMS = frozenset({"value"})  # params that may hold reader-typed text (URL values)


def message(code: str, params: Mapping[str, object] | None, lang: str, fallback: str = "") -> str:
    """The Korean or English markdown text for a problem ``code``; the reader-supplied ``value`` is escaped.

    An unknown code gives ``fallback`` (escaped) or the code itself.
    """
    key = MESSAGES.get(code)
    if key is None:
        return md_escape(fallback or code, 300)
    safe = {name: md_escape(val, 60) if name in UNTRUSTED_PARAMS else _reader_value(name, val, lang)
            for name, val in (params or {}).items()}
    try:
        return text(lang, key, **safe)
    except (KeyError, IndexError):
        return md_escape(fallback or code, 300)


def _reader_value(name: str, value: object, lang: str) -> str:
    """A symbol parameter as readers name the series (``USDKRW_ECB`` → "원/달러 (ECB 기준율)")."""
    return series_name(str(value), lang) if name in ("symbol", "fallback") else str(value)


@dataclass(frozen=True)
class FxView:
    """What the USD/KRW chart shows."""

    start: dt.date
    end: dt.date
    ref: float | None = DEFAULT_REF
    src: str = DEFAULT_SRC
    cny: bool = False
    kind: str = "line"
    kinds: tuple[str, ...] = field(default=KINDS)

    @property
    def symbol(self) -> str:
        """The main USD/KRW symbol of the chosen source."""
        return SOURCES[self.src][0]

    @property
    def cny_symbol(self) -> str:
        """The USD/CNY symbol of the chosen source."""
        return SOURCES[self.src][1]

    def to_params(self) -> dict[str, str]:
        """Query parameters that reproduce this view (``kinds`` only when not every kind is shown)."""
        out = {"start": self.start.isoformat(), "end": self.end.isoformat(),
               "ref": "none" if self.ref is None else f"{self.ref:g}", "src": self.src,
               "cny": "1" if self.cny else "0", "kind": self.kind}
        if set(self.kinds) != set(KINDS):
            out["kinds"] = ",".join(k for k in KINDS if k in self.kinds) or "none"
        return out


def _clamp(day: dt.date, lo: dt.date, hi: dt.date) -> dt.date:
    return min(max(day, lo), hi)


def default_view(lo: dt.date, hi: dt.date, src: str = DEFAULT_SRC) -> FxView:
    """The default view for a source whose data spans ``lo .. hi``: the column's window (December 2024 to
    March 2025), clipped to the data (the whole data when it does not reach that window)."""
    start, end = _clamp(DEFAULT_START, lo, hi), _clamp(DEFAULT_END, lo, hi)
    if start >= end:
        start, end = lo, hi
    return FxView(start=start, end=end, src=src)


def _parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _choice(params: Mapping[str, str], name: str, choices: Sequence[str], default: str,
            problems: list[Problem]) -> str:
    raw = params.get(name)
    if raw is None:
        return default
    value = str(raw).strip().lower()
    if value in choices:
        return value
    problems.append(("bad_choice", {"param": name, "value": raw, "choices": ", ".join(choices), "default": default}))
    return default


def parse_view(params: Mapping[str, str], bounds: Mapping[str, tuple[dt.date, dt.date] | None]) -> tuple[
        FxView, list[Problem]]:
    """Read the view from query parameters; every bad value falls back to its default and adds a problem.

    ``bounds`` maps each source key to its stored ``(first, last)`` dates (None when it has no data);
    a source without data falls back to one that has some.  Raises ``ValueError`` when no source has data.
    """
    problems: list[Problem] = []
    src = _choice(params, "src", tuple(SOURCES), DEFAULT_SRC, problems)
    if not bounds.get(src):
        other = next((s for s in SOURCES if bounds.get(s)), None)
        if other is None:
            raise ValueError("no USD/KRW data stored for any source")
        problems.append(("source_empty", {"symbol": SOURCES[src][0], "fallback": SOURCES[other][0]}))
        src = other
    lo, hi = bounds[src]  # type: ignore[misc]
    base = default_view(lo, hi, src)
    days: dict[str, dt.date] = {}
    for name, default in (("start", base.start), ("end", base.end)):
        raw = params.get(name)
        day = default if raw is None else _parse_day(str(raw))
        if day is None:
            problems.append(("bad_date_param", {"param": name, "value": raw, "default": default.isoformat()}))
            day = default
        elif not lo <= day <= hi:
            used = _clamp(day, lo, hi)
            problems.append(("date_clamped", {"param": name, "value": raw, "lo": lo.isoformat(), "hi": hi.isoformat(),
                                              "used": used.isoformat()}))
            day = used
        days[name] = day
    start, end = days["start"], days["end"]
    if start > end:
        problems.append(("start_after_end", {"start": start.isoformat(), "end": end.isoformat(),
                                             "default_start": base.start.isoformat(),
                                             "default_end": base.end.isoformat()}))
        start, end = base.start, base.end
    ref = _parse_ref(params.get("ref"), problems)
    cny_text = _choice(params, "cny", _TRUE + _FALSE, "0", problems)
    kind = _choice(params, "kind", CHART_KINDS, "line", problems)
    kinds = _parse_kinds(params.get("kinds"), problems)
    return FxView(start=start, end=end, ref=ref, src=src, cny=cny_text in _TRUE, kind=kind, kinds=kinds), problems


def _parse_ref(raw: str | None, problems: list[Problem]) -> float | None:
    if raw is None:
        return DEFAULT_REF
    text = str(raw).strip().replace(",", "")
    if text.lower() in ("none", "off"):
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and REF_MIN <= value <= REF_MAX):
        problems.append(("bad_number", {"param": "ref", "value": raw, "lo": f"{REF_MIN:g}", "hi": f"{REF_MAX:g}",
                                        "default": f"{DEFAULT_REF:g}"}))
        return DEFAULT_REF
    return value


def _parse_kinds(raw: str | None, problems: list[Problem]) -> tuple[str, ...]:
    if raw is None:
        return KINDS
    text = str(raw).strip().lower()
    if text == "none":
        return ()
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    bad = [k for k in wanted if k not in KINDS]
    if bad or not wanted:
        problems.append(("bad_choice", {"param": "kinds", "value": raw, "choices": ", ".join(KINDS),
                                        "default": "all"}))
    good = tuple(k for k in KINDS if k in wanted)
    return good if good else KINDS


def to_widgets(view: FxView) -> dict[str, object]:
    """The widgets' values for ``view`` (the event kinds as a list, for the multiselect)."""
    return {"start": view.start, "end": view.end, "ref": view.ref, "src": view.src, "cny": view.cny,
            "kind": view.kind, "kinds": list(view.kinds)}


def from_widgets(values: Mapping[str, object]) -> FxView:
    """The view the widgets hold."""
    return FxView(start=values["start"], end=values["end"], ref=values["ref"],  # type: ignore[arg-type]
                  src=str(values["src"]), cny=bool(values["cny"]), kind=str(values["kind"]),
                  kinds=tuple(values["kinds"] or ()))  # type: ignore[arg-type]


def series_name(symbol: str, lang: str) -> str:
    """A rate series as readers name it (``USDKRW_ECB`` → "원/달러 (ECB 기준율)"), never its internal id."""
    inst = instrument(symbol)
    return inst.name(lang) if inst is not None else symbol


def kind_name(kind: str, lang: str) -> str:
    """Display name of an event kind."""
    key = KIND_NAMES.get(kind)
    return kind if key is None else text(lang, key)


def source_name(src: str, lang: str) -> str:
    """Display name of a source key ("yahoo", "ecb")."""
    return text(lang, SOURCE_NAMES.get(src, "fx.source_yahoo"))


def series_bounds(prices: pd.DataFrame, symbol: str) -> tuple[dt.date, dt.date] | None:
    """First and last date with a close for ``symbol`` in a tidy frame (None when there is none)."""
    rows = prices.loc[(prices["symbol"] == symbol) & prices["close"].notna(), "date"]
    if rows.empty:
        return None
    return pd.Timestamp(rows.min()).date(), pd.Timestamp(rows.max()).date()


def in_window(prices: pd.DataFrame, symbol: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Rows of ``symbol`` dated ``start .. end`` (inclusive), oldest first."""
    dates = prices["date"]
    mask = (prices["symbol"] == symbol) & (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
    return prices.loc[mask].sort_values("date").reset_index(drop=True)


def filter_kinds(events: Iterable[Event], kinds: Iterable[str]) -> list[Event]:
    """Events whose kind is in ``kinds``."""
    wanted = set(kinds)
    return [e for e in events if e.kind in wanted]


TABLE_COLUMNS: tuple[str, ...] = ("date", "change_pct", "close", "event", "fwd_change_pct", "change", "fwd_change",
                                  "kind", "rate_date", "source", "source_url")  # the % move on a phone's screen


def moves_table(moves: pd.DataFrame, events: Sequence[Event], lang: str, decimals: int = 1) -> pd.DataFrame:
    """:func:`commentary.timeline.events.event_moves` output as display strings, one row per event.

    ``events`` are the events ``moves`` was built from (same order), for the kind, date basis and
    publisher.  ``rate_date`` is the date of the rate used, marked when the event day was not a
    trading day of the series (a weekend or holiday: the previous close stands in).
    """
    by_id = {e.id: e for e in events}
    said = words(lang)
    rows = []
    for row in moves.itertuples(index=False):
        event = by_id.get(row.id)
        day = said.date(row.date)
        if event is not None and event.is_range:
            day = f"{day} ~ {said.date(event.end)}"
        if event is not None and event.date_basis == "US":
            day += " " + text(lang, "fx.us_date")
        rate_date = said.date(row.obs_date)
        if rate_date != MISSING and not row.on_trading_day:
            rate_date += " " + text(lang, "fx.first_print_after")
        rows.append({
            "date": day, "event": row.label, "kind": kind_name(event.kind, lang) if event else "",
            "rate_date": rate_date, "close": MISSING if pd.isna(row.close)
            else said("unit.won", value=fmt_number(row.close, decimals)),
            "change": fmt_number(row.change, decimals, sign=True), "change_pct": fmt_pct(row.change_pct, 2),
            "fwd_change": fmt_number(row.fwd_change, decimals, sign=True),
            "fwd_change_pct": fmt_pct(row.fwd_change_pct, 2),
            "source": event.source_name if event else "", "source_url": row.source_url or None,
        })
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def source_words(source: str, lang: str) -> str:
    """Where a stored series came from, in readers' words (never a file name or a library's option)."""
    if source.startswith("import: "):
        return text(lang, "fx.source_snapshot")
    if source.startswith("ECB"):
        return text(lang, "fx.source_ecb")  # (the same words as the source picker's)
    if source.startswith("Yahoo"):
        return text(lang, "fx.source_yahoo")
    return text(lang, "fx.source_other")
