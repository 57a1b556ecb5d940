"""The USD/KRW page's view state and texts, without Streamlit: URL parameters, event table, messages.

The page keeps its view in the URL (``?start=2024-11-01&end=2025-04-30&ref=1430&src=yahoo&cny=1&kind=line``).
:func:`parse_view` turns query parameters into an :class:`FxView` plus a list of problems (a bad value
falls back to its default); :meth:`FxView.to_params` writes it back.  Problems and reader-annotation
errors are ``(code, params)`` pairs that :func:`message` turns into Korean or English text; any value
that came from the reader is passed through :func:`commentary.text.safe_text.md_escape` first (shown as literal text).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from commentary.text.formatting import MISSING, fmt_date, fmt_krw, fmt_number, fmt_pct
from commentary.text.safe_text import md_escape
from commentary.timeline.events import KINDS, Event

# source key -> (main USD/KRW symbol, USD/CNY symbol)
SOURCES: dict[str, tuple[str, str]] = {"yahoo": ("KRW=X", "CNY=X"), "ecb": ("USDKRW_ECB", "USDCNY_ECB")}
SOURCE_NAMES: dict[str, tuple[str, str]] = {"yahoo": ("야후 파이낸스 호가", "Yahoo Finance quote"),
                                            "ecb": ("ECB 기준환율", "ECB reference rate")}
CHART_KINDS: tuple[str, ...] = ("line", "candles")
DEFAULT_SRC = "yahoo"
DEFAULT_START = dt.date(2024, 12, 1)  # the column's window: December 2024 to March 2025
DEFAULT_END = dt.date(2025, 3, 31)
DEFAULT_REF = 1430.0
REF_MIN, REF_MAX = 1.0, 100_000.0
FWD_DAYS = 5
KIND_NAMES: dict[str, tuple[str, str]] = {
    "politics": ("정치", "Politics"),
    "fx": ("환율", "FX"),
    "ai": ("AI", "AI"),
    "market": ("시장", "Markets"),
    "holiday": ("휴장", "Holidays"),
    "central_bank": ("중앙은행", "Central banks"),
    "trade": ("무역·관세", "Trade & tariffs"),
}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

Problem = tuple[str, dict]

# code -> (Korean template, English template); params are str.format fields.
MESSAGES: dict[str, tuple[str, str]] = {
    "bad_date_param": ("주소의 {param}={value} 는 날짜(YYYY-MM-DD)가 아닙니다. 기본값 {default}을(를) 씁니다.",
                       "URL parameter {param}={value} is not a YYYY-MM-DD date; using the default {default}."),
    "date_clamped": ("주소의 {param}={value} 는 저장된 데이터 범위({lo} ~ {hi}) 밖이라 {used}(으)로 맞췄습니다.",
                     "URL parameter {param}={value} is outside the stored data ({lo} to {hi}); using {used}."),
    "start_after_end": ("주소의 시작일 {start}이(가) 종료일 {end}보다 늦어 "
                        "기본 기간({default_start} ~ {default_end})을 씁니다.",
                        "URL start {start} is after end {end}; using the default window "
                        "({default_start} to {default_end})."),
    "bad_number": ("주소의 {param}={value} 는 {lo}~{hi} 사이의 숫자가 아닙니다. 기본값 {default}을(를) 씁니다.",
                   "URL parameter {param}={value} is not a number between {lo} and {hi}; using the default {default}."),
    "bad_choice": ("주소의 {param}={value} 는 허용된 값({choices})이 아닙니다. 기본값 {default}을(를) 씁니다.",
                   "URL parameter {param}={value} is not one of {choices}; using the default {default}."),
    "source_empty": ("{symbol} 데이터가 저장돼 있지 않아 {fallback} 자료로 보여줍니다.",
                     "No {symbol} data is stored; showing the {fallback} series instead."),
    # reader annotations (data_sources.readers.notes.AnnotationError codes)
    "bad_date": ("메모 날짜 {value} 를 읽을 수 없습니다 (YYYY-MM-DD).",
                 "The note's date {value} is not a date (YYYY-MM-DD)."),
    "date_out_of_range": ("메모 날짜 {date}은(는) 데이터 범위({start} ~ {end}) 밖입니다.",
                          "The note's date {date} is outside the data ({start} to {end})."),
    "empty_label": ("메모 제목이 비어 있습니다. 한 단어라도 적어 주세요.",
                    "The note's label is empty: type at least one word."),
    "label_too_long": ("메모 제목이 {length}자입니다. {limit}자 이하로 줄여 주세요.",
                       "The note's label has {length} characters; keep it to {limit} or fewer."),
    "note_too_long": ("메모 내용이 {length}자입니다. {limit}자 이하로 줄여 주세요.",
                      "The note's text has {length} characters; keep it to {limit} or fewer."),
}

UNTRUSTED_PARAMS = frozenset({"value"})  # params that may hold reader-typed text (URL values)


def message(code: str, params: Mapping[str, object] | None, lang: str, fallback: str = "") -> str:
    """The Korean or English markdown text for a problem ``code``; the reader-supplied ``value`` is escaped.

    An unknown code gives ``fallback`` (escaped) or the code itself.
    """
    templates = MESSAGES.get(code)
    if templates is None:
        return md_escape(fallback or code, 300)
    safe = {key: md_escape(val, 60) if key in UNTRUSTED_PARAMS else str(val) for key, val in (params or {}).items()}
    try:
        return templates[0 if lang == "ko" else 1].format(**safe)
    except (KeyError, IndexError):
        return md_escape(fallback or code, 300)


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


def kind_name(kind: str, lang: str) -> str:
    """Display name of an event kind."""
    names = KIND_NAMES.get(kind)
    return kind if names is None else names[0 if lang == "ko" else 1]


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
    ko = lang == "ko"
    rows = []
    for row in moves.itertuples(index=False):
        event = by_id.get(row.id)
        day = fmt_date(row.date, lang)
        if event is not None and event.is_range:
            day = f"{day} ~ {fmt_date(event.end, lang)}"
        if event is not None and event.date_basis == "US":
            day += " (미국 날짜)" if ko else " (US date)"
        rate_date = fmt_date(row.obs_date, lang)
        if rate_date != MISSING and not row.on_trading_day:
            rate_date += " (사건 뒤 첫 값)" if ko else " (first print after)"
        rows.append({
            "date": day, "event": row.label, "kind": kind_name(event.kind, lang) if event else "",
            "rate_date": rate_date, "close": fmt_krw(row.close, lang, decimals),
            "change": fmt_number(row.change, decimals, sign=True), "change_pct": fmt_pct(row.change_pct, 2),
            "fwd_change": fmt_number(row.fwd_change, decimals, sign=True),
            "fwd_change_pct": fmt_pct(row.fwd_change_pct, 2),
            "source": event.source_name if event else "", "source_url": row.source_url or None,
        })
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
