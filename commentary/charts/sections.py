"""The evidence beside each section of a column: its chart spec turned into a figure or a table (pure).

Uses the same builders as the other pages: :func:`commentary.charts.compare.compare_figure` with event
pins for ``compare``, :func:`commentary.charts.fx.fx_figure` for ``fx``/``fx_window`` and
:func:`commentary.analysis.event_day.event_day_moves` for ``event_day``.

``as_of`` (a date, or a tz-aware moment such as the column's publication) drops every price observed
after it (each series at its own observation time): the chart shows what was known then.  With
``as_of=None`` everything stored is used; a ``compare`` chart then runs on past the spec's end up to
the last stored date ("everything since"), while the FX and event-day charts keep their own windows
(they are about a particular week or month).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from commentary.analysis import compare_lines as cv
from commentary.analysis.baskets import HOLIDAY_CARRY, basket_index, rebase
from commentary.analysis.event_day import event_day_moves
from commentary.charts.compare import compare_figure
from commentary.charts.fx import fx_figure
from commentary.charts.palette import colour, identity
from commentary.charts.pin_numbers import add_numbered_pins
from commentary.charts.pins import add_reference_line, esc, keep_labels_off_data
from commentary.scoring.combine import divergences
from commentary.scoring.rules import basket_name
from commentary.text.formatting import fmt_number
from commentary.timeline.events import Event, events_in_window
from commentary.timeline.observation import print_moments
from commentary.words import Words
from data_sources.market.universe import instrument
from data_sources.news.views import local_days
from data_sources.store.frames import wide

if TYPE_CHECKING:
    from commentary.document.model import Commentary, Section

BASKET_PREFIX = "basket:"  # column key of a basket line in a compare chart


def _ts(value: object) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def cut_prices(prices: pd.DataFrame, as_of: dt.date | pd.Timestamp | None) -> pd.DataFrame:
    """Rows of the tidy ``prices`` known at ``as_of`` (all rows when None).

    A date keeps rows dated on or before it; a tz-aware moment keeps each symbol's prints observed at
    or before it (:func:`commentary.timeline.observation.print_moments`).
    """
    if as_of is None or prices.empty:
        return prices
    if isinstance(as_of, pd.Timestamp) and as_of.tzinfo is not None:
        keep = pd.Series(False, index=prices.index)
        for symbol, rows in prices.groupby("symbol"):
            keep[rows.index] = print_moments(str(symbol), pd.DatetimeIndex(rows["date"])) <= as_of
        return prices[keep]
    return prices[prices["date"] <= _ts(as_of)]


def section_events(section: Section, commentary: Commentary, events: Sequence[Event]) -> list[Event]:
    """The events a section's chart pins: its ``chart.events`` ids, else the commentary's ``events``."""
    wanted = section.chart.get("events") or list(commentary.events)
    ids = set(wanted)
    return [e for e in events if e.id in ids]


def _empty_figure(words: Words) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=words("chart_compare.no_data"), x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False)
    return fig


def compare_levels(prices: pd.DataFrame, symbols: Iterable[str], baskets: dict[str, Sequence[str]],
                   base: dt.date, start: dt.date, end: dt.date) -> tuple[pd.DataFrame, list[str]]:
    """Baskets (keys ``basket:<name>``) and symbols rebased to 100 at ``base``, rows ``start``..``end``.

    Returns ``(levels, left_out)``: a symbol or basket member without a price on or before ``base``
    is left out (a basket is drawn from its remaining members) and named in ``left_out``.
    """
    lo, hi = min(_ts(start), _ts(base)) - pd.Timedelta(days=cv.BASE_LOOKBACK_DAYS), _ts(end)
    window = prices[(prices["date"] >= lo) & (prices["date"] <= hi)]
    frame = wide(window) if len(window) else pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    columns: dict[str, pd.Series] = {}
    left_out: list[str] = []
    for name, members in baskets.items():
        usable, out = cv.rebasable(frame, members, base)
        left_out += [m for m in out if m not in left_out]
        if usable:
            columns[BASKET_PREFIX + name] = basket_index(frame, usable, base, max_carry_days=HOLIDAY_CARRY)
    usable, out = cv.rebasable(frame, list(symbols), base)
    left_out += [m for m in out if m not in left_out]
    if usable:
        rebased = rebase(frame[usable], base)
        for sym in usable:
            columns[sym] = rebased[sym]
    levels = pd.DataFrame(columns, index=frame.index)
    return levels.loc[_ts(start):hi].dropna(how="all"), left_out


COMPARE_HEIGHT = 500  # px of a section's compare chart (Plotly's default is 450)
MAX_POINTS = 160  # rows of a section's compare chart: beyond its own window, "everything since" is thinned to this


def thin_rows(levels: pd.DataFrame, dense_until: dt.date | pd.Timestamp, max_points: int = MAX_POINTS,
              keep: Iterable[object] = ()) -> pd.DataFrame:
    """``levels`` with every row up to ``dense_until`` and, after it, every k-th row so that at most about
    ``max_points`` rows remain; each column's first and last value and the ``keep`` dates always stay.

    A long "everything since" range costs the browser its drawing time, not the reader any reading: the
    section's own window stays daily and every line still ends on its last close (the legend's % change).
    """
    if len(levels) <= max_points:
        return levels
    cut = _ts(dense_until)
    dense = levels.index[levels.index <= cut]
    later = levels.index[levels.index > cut]
    room = max(max_points - len(dense), 2)
    step = max(1, -(-len(later) // room))
    chosen = set(dense) | set(later[::step])
    for col in levels.columns:
        chosen |= {i for i in (levels[col].first_valid_index(), levels[col].last_valid_index()) if i is not None}
    wanted = {_ts(d) for d in keep}
    chosen |= {i for i in levels.index if i in wanted}
    return levels.loc[sorted(chosen)]


def _compare(section: Section, commentary: Commentary, prices: pd.DataFrame, events: Sequence[Event],
             words: Words, as_of: dt.date | None) -> go.Figure:
    chart = section.chart
    start, base = chart["start"], chart.get("base_date") or chart["start"]
    end = chart["end"]
    if as_of is None and len(prices):
        end = max(end, prices["date"].max().date())
    elif as_of is not None:
        end = min(end, as_of.date() if isinstance(as_of, pd.Timestamp) else as_of)
    baskets = {name: commentary.baskets[name] for name in chart.get("baskets", []) if name in commentary.baskets}
    levels, _ = compare_levels(prices, chart.get("symbols", []), baskets, base, start, end)
    if levels.empty:
        return _empty_figure(words)
    # One common window: every line ends on the date the shortest one ends (never before the base), so the
    # legend's changes compare like with like; the title names that end.
    common_end = max(min(levels[c].last_valid_index() for c in levels.columns if levels[c].notna().any()), _ts(base))
    levels = levels.loc[:common_end]
    pins_all = section_events(section, commentary, events)
    levels = thin_rows(levels, chart["end"], keep=[base, *(e.anchor for e in pins_all)])
    names = {col: (basket_name(col.removeprefix(BASKET_PREFIX), words) if col.startswith(BASKET_PREFIX)
                   else cv.symbol_name(col, words)) for col in levels.columns}
    highlight = {c for c in levels.columns if c.startswith(BASKET_PREFIX)}
    fig = compare_figure(levels, names, base, words, highlight=highlight, currency="local")
    title = f"{fig.layout.title.text}<br>~ {common_end:%Y-%m-%d}"  # two lines: fits a phone
    _title_above(fig, title)
    for trace in fig.data:  # nothing after the base yet (the column's own date): no change to state
        if trace.meta and len(trace.x) and pd.Timestamp(trace.x[-1]) <= _ts(base):
            trace.name = trace.meta
    lo, hi = levels.index.min(), levels.index.max()
    add_numbered_pins(fig, events_in_window(pins_all, lo, hi), words, (lo, hi))  # badges above, key under the chart
    # a phone's legend wraps onto five rows: 500 px keeps the plot tall enough for two badge rows (20 px each)
    fig.update_layout(height=COMPARE_HEIGHT)
    return keep_labels_off_data(fig, float(levels.min().min()), float(levels.max().max()))  # lines under the badges


def _title_above(fig: go.Figure, title: str) -> None:
    """A multi-line title above the plot, whole: anchored at the container's top, Plotly lets a title's first line
    leave the figure; sitting on the plot area, it pushes the top margin as far as its lines need (room kept for a
    label at the plot's top, such as the base date)."""
    fig.update_layout(title=dict(text=title, yref="paper", y=1.0, yanchor="bottom", automargin=True,
                                 pad=dict(b=22)), margin=dict(t=20))


def _fx(section: Section, commentary: Commentary, prices: pd.DataFrame, events: Sequence[Event],
        words: Words) -> go.Figure:
    chart = section.chart
    lo, hi = _ts(chart["start"]), _ts(chart["end"])
    symbols = chart.get("symbols") or ["KRW=X"]
    window = prices[(prices["date"] >= lo) & (prices["date"] <= hi)]
    main = next((s for s in symbols if (window["symbol"] == s).any()), symbols[0])
    rate = window[window["symbol"] == main]
    level = chart.get("level")
    fig = fx_figure(rate, ref_level=float(level) if level is not None else None,
                    events=section_events(section, commentary, events), words=words, numbered=True)
    for sym in symbols:
        extra = window[window["symbol"] == sym].sort_values("date")
        if sym == main or extra.empty:
            continue
        fig.add_trace(go.Scatter(x=extra["date"], y=extra["close"], mode="lines", name=cv.symbol_name(sym, words),
                                 line=dict(width=1.2, dash="dot", color=colour(sym)), legendgroup=identity(sym),
                                 hovertemplate="%{x|%Y-%m-%d}: %{y:,.2f}<extra></extra>"), secondary_y=False)
    _mark_divergences(fig, window, symbols, words)
    shown = window["date"] if len(window) else pd.Series([lo, hi])
    names = " · ".join(_reader_name(s, words) for s in symbols if (window["symbol"] == s).any()) or main
    when = f"{shown.min():%Y-%m-%d} ~ {shown.max():%Y-%m-%d}"
    _title_above(fig, f"{esc(names)}<br>{when}")  # what and when, on two lines (a phone's width)
    threshold = chart.get("threshold_pct")
    if chart["kind"] == "fx_window" and threshold is not None and len(rate):
        before = rate[rate["date"] <= _ts(chart["event_date"])].sort_values("date")
        if len(before):
            ref = float(before["close"].iloc[-1])
            for sign in (1, -1):  # labelled inside the band at the window's start: the rate is then near the
                y = ref * (1 + sign * float(threshold) / 100.0)  # centre, and the badges sit on the top edge
                add_reference_line(fig, y, f"{'+' if sign > 0 else '−'}{fmt_number(float(threshold), 1)}% "
                                           f"({fmt_number(y, 1)})", colour="#8e44ad", at="left",
                                   side="below" if sign > 0 else "above")
    return fig


def _reader_name(symbol: str, words: Words) -> str:
    """The universe's name of ``symbol`` in the reader's language (the bare symbol outside it)."""
    found = instrument(symbol)
    return found.name(words.language) if found is not None else symbol


DIVERGENCE_PCT = 1.5  # two sources of one rate further apart than this on a day: marked on the chart


def _mark_divergences(fig: go.Figure, window: pd.DataFrame, symbols: Sequence[str], words: Words) -> None:
    """Mark each day where the chart's first two rate series differ by more than :data:`DIVERGENCE_PCT` %."""
    if len(symbols) < 2:
        return
    a, b = (window[window["symbol"] == s].set_index("date")["close"] for s in symbols[:2])
    names = " · ".join(_reader_name(s, words) for s in symbols[:2])
    for row in divergences(a, b, DIVERGENCE_PCT).itertuples(index=False):
        # a mark on the day, its gap in the hover: no text on the lines, the axis or the reference level
        hover = esc(f"{row.date:%Y-%m-%d} · {names}: {fmt_number(row.gap_pct, 1, sign=True)}%")
        fig.add_trace(go.Scatter(x=[row.date, row.date], y=[row.a, row.b], mode="lines+markers",
                                 name=f"divergence:{row.date:%Y-%m-%d}", showlegend=False,
                                 line=dict(color="#b26a00", width=2), marker=dict(symbol="line-ew", size=10,
                                                                                   line=dict(width=2, color="#b26a00")),
                                 hovertemplate=hover + "<extra></extra>"), secondary_y=False)


def event_moment(section: Section, events: Sequence[Event]) -> str | pd.Timestamp:
    """The moment an event-day chart measures from: its ``event``'s moment, else the US open of ``event_date``."""
    wanted = section.chart.get("event")
    found = next((e for e in events if e.id == wanted), None) if wanted else None
    return found.moment if found is not None else cv.event_time(section.chart["event_date"])


def event_day_table(section: Section, prices: pd.DataFrame, words: Words,
                    events: Sequence[Event] = ()) -> pd.DataFrame:
    """:func:`event_day_moves` of the section's symbols on its ``event_date`` (names added), within its window.

    Each symbol's move runs from its last close before the event's moment to its first after it.
    """
    chart = section.chart
    day = chart["event_date"]
    lo, hi = _ts(chart["start"]), _ts(chart["end"])
    picked = prices[prices["symbol"].isin(chart.get("symbols", [])) & (prices["date"] >= lo) & (prices["date"] <= hi)]
    moves = event_day_moves(picked, day, words, event_time=event_moment(section, events))
    return cv.moves_frame(moves, words)


def _beside_text(fig: go.Figure) -> go.Figure:
    """A chart that sits in a half-width column next to the narrative: legend below the plot, not beside it."""
    return fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
                             margin=dict(r=10))


def section_figure(section: Section, commentary: Commentary, prices: pd.DataFrame, events: Sequence[Event],
                   words: Words, as_of: dt.date | pd.Timestamp | None = None) -> go.Figure | pd.DataFrame:
    """The evidence for ``section``'s chart spec: a figure (compare, fx, fx_window) or a table (event_day).

    ``prices`` is the store's tidy frame; ``events`` the known events (the spec's ``events`` ids, else
    the commentary's, are pinned); ``as_of`` drops prices after that date.
    """
    data = cut_prices(prices, as_of)
    kind = section.chart["kind"]
    if kind == "compare":
        return _beside_text(_compare(section, commentary, data, events, words, as_of))
    if kind in ("fx", "fx_window"):
        return _beside_text(_fx(section, commentary, data, events, words))
    if kind == "event_day":
        return event_day_table(section, data, words, events)
    raise ValueError(f"section {section.id}: unknown chart kind {kind!r}")


# --------------------------------------------------------------------------- news beside a section

NEWS_LIMIT = 8


def section_news(news: pd.DataFrame, section: Section, limit: int = NEWS_LIMIT, tz: str = "Asia/Seoul",
                 ) -> pd.DataFrame:
    """Items of ``news`` in the section's news window (local days in ``tz``) carrying one of its tags.

    Items with more of the section's tags come first, then oldest first; at most ``limit`` rows.
    No tags in the spec means any tag; no news spec (or no news) gives an empty frame.
    """
    spec = section.news
    if spec is None or news is None or news.empty:
        return news.iloc[0:0] if news is not None else pd.DataFrame()
    published = pd.to_datetime(news["published"], utc=True, errors="coerce")
    days = local_days(published, tz)
    mask = (days >= _ts(spec["start"])) & (days <= _ts(spec["end"]))
    if "date_flag" in news.columns:
        mask &= news["date_flag"].fillna("") != "absurd"
    wanted = set(spec.get("tags") or [])
    hits = news["tags"].map(lambda tags: len(wanted & set(tags or ())) if wanted else 1)
    picked = news[mask & (hits > 0)].assign(_hits=hits, _when=published)
    picked = picked.sort_values(["_hits", "_when"], ascending=[False, True], kind="stable")
    return picked.drop(columns=["_hits", "_when"]).head(limit).reset_index(drop=True)
