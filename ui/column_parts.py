"""The column page's cached parts: the bundled columns, each section's evidence figure and news, each claim's
path figure, and the per-language views of a column's results (built with them by :mod:`ui.column_cache`).

Everything is keyed by the column's content fingerprint (:func:`ui.column_cache.fingerprint`), whoever's column
it is — bundled, uploaded, saved or published columns all cost their readers one build per data version. The
column object itself is passed unhashed (``_item``). Resource caches: nothing is rebuilt from a pickle on each
run, so callers never mutate what they get. The functions live in a module, not the page script, so they are
decorated once per process rather than on every run.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from catalog import text
from commentary.charts import sections as sc
from commentary.charts.claim_path import claim_path_figure
from commentary.charts.event_day import event_day_figure
from commentary.document.column import list_commentaries
from commentary.document.model import Commentary, CommentaryError, Section
from commentary.scoring import claims as claims_mod
from commentary.scoring.grid import style_grid
from commentary.scoring.summary import primary_verdicts
from commentary.text.safe_text import md_escape
from commentary.timeline.events import Event, EventsError
from commentary.timeline.evidence import LeadLag, store_lead_lag
from ui import loaders
from ui.column_cache import View
from ui.news_items import load_news_cached
from ui.verdicts import claim_lines, grid, odds_cell, overall_line
from ui.words import words


@st.cache_resource(show_spinner=False)
def bundled() -> list[Commentary | CommentaryError]:
    """The bundled commentaries (immutable objects, so a resource cache is enough)."""
    return list_commentaries()


def events_or_empty() -> list[Event]:
    """The checked events (none when the events file is bad: the page says so elsewhere)."""
    try:
        return loaders.events()
    except EventsError:
        return []


def _moment(item: Commentary, as_of: str) -> pd.Timestamp | None:
    return item.published if as_of == "column" else None


@st.cache_resource(ttl=600, max_entries=128, show_spinner=False)
def figure(fp: str, version: str, events_v: str, section_id: str, language: str, as_of: str, _item: Commentary):
    """The section's evidence: a Plotly figure, the event-day frame, or the ValueError saying why it cannot be
    drawn (kept: a column whose chart cannot be drawn costs one try per data version)."""
    del fp, version, events_v
    try:
        return sc.section_figure(_item.section(section_id), _item, loaders.prices(), events_or_empty(), words(language),
                                 _moment(_item, as_of))
    except ValueError as exc:
        return exc


@st.cache_resource(ttl=600, max_entries=64, show_spinner=False)
def event_day_chart(fp: str, version: str, events_v: str, section_id: str, language: str, as_of: str, title: str,
                    _evidence: pd.DataFrame):
    """The event-day bars drawn from a section's cached evidence frame."""
    del fp, version, events_v, section_id, as_of
    return event_day_figure(_evidence, words(language), title)


@st.cache_resource(ttl=600, max_entries=64, show_spinner=False)
def claim_figure(fp: str, version: str, events_v: str, claim_id: str, language: str, as_of: str,
                 _item: Commentary, _readings: list):
    """claim_path_figure for a claim (its pins and horizon bands are the slowest figure of the page)."""
    del fp, version, events_v
    claim = _item.claim(claim_id)
    moment = _moment(_item, as_of)
    paths = claims_mod.claim_paths(claim, loaders.prices(), _item.published, moment)
    return claim_path_figure(claim, [r for r in _readings if r.claim_id == claim_id], paths, events_or_empty(),
                             words(language), last_day=_item.published.tz_convert(None) if moment is not None else None)


@st.cache_resource(ttl=600, max_entries=128, show_spinner=False)
def section_news(fp: str, news_v: str, section_id: str, known_at: pd.Timestamp | None, _section: Section,
                 ) -> list[dict]:
    """The stored news items of a section's window (only those known at ``known_at``, when given), as records.
    Raises ``StoreError`` (never cached) when the news cannot be read."""
    del fp, news_v, section_id
    news = load_news_cached()
    if known_at is not None and news is not None and len(news):
        published = pd.to_datetime(news["published"], utc=True, errors="coerce")
        news = news[published <= known_at]
    return sc.section_news(news, _section).to_dict("records")


@st.cache_resource(ttl=600, max_entries=8, show_spinner=False)
def lead_lag(version: str) -> LeadLag | None:
    """How Yahoo's KRW=X lines up with the ECB's fixing, measured once per data version (the method box)."""
    del version
    return store_lead_lag(loaders.prices())


def result_views(item: Commentary) -> dict[str, View]:
    """The page's per-language views of a column's results (built once with them, in the background for a big
    column): each claim's primary verdict, its summary line, the overall line and the scorecard grid."""
    return {"verdicts": lambda s, _lang: primary_verdicts(item.claims, s.combined),
            "lines": lambda s, lang: claim_lines(item.claims, s.combined, lang),
            "overall": lambda s, lang: overall_line(item.claims, s.combined, lang),
            "grid": lambda s, lang: _grid(item, s.combined, lang),
            "cards": lambda s, lang: scorecard_cards(grid_table(item, s.combined, lang)[0], lang)}


def computed_styler(styler: Styler, uuid: str) -> Styler:
    """``styler`` with its styles computed once, now, and then only read.

    ``st.dataframe`` asks a Styler to compute and translate its styles on every run (~15 ms of CPU for the
    scorecard, a third of the column page's run). This one answers both with what it computed here (in the
    background, with the results), so the shared object is never written again and sessions may render it at
    once. It stays a ``Styler`` (Streamlit recognises that exact type); ``uuid`` names its CSS selectors."""
    styler.set_uuid(uuid)
    styler._compute()
    full = styler._translate(False, False)
    # What Streamlit reads: the CSS rules. The body (each cell's display value) is left out: the grid's cells are
    # their own display strings, so Streamlit's per-cell copy of them (another ~10 ms a run) would change nothing.
    translated = {key: full[key] for key in ("table_styles", "cellstyle") if key in full}
    styler._compute = lambda: styler  # instance attributes: the class's methods are left alone
    styler._translate = lambda *_args, **_kwargs: translated
    return styler


def grid_table(item: Commentary, combined: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard grid (claims × horizons, with the primary horizon's odds) and each cell's verdict kind."""
    table, kinds = grid(item.claims, combined, lang)
    primary_rows = combined[combined["primary"]].set_index("claim_id")
    header = text(lang, "odds.grid.header")  # built in the background too: the language is passed, not read
    table.insert(2, header, [odds_cell(primary_rows.loc[c.id], lang) if c.id in primary_rows.index else "—"
                             for c in item.claims])
    kinds.insert(2, header, "")
    return table, kinds


def scorecard_cards(table: pd.DataFrame, lang: str) -> str:
    """The scorecard as one card per claim, in one safe Markdown block (every cell escaped): the claim whole (it
    wraps at any width), its primary verdict with the primary horizon's name, the odds, then the other horizons.

    ``table`` is :func:`grid_table`'s: claim, primary verdict and odds first, then one column per horizon (the
    primary horizon's cell starred, "—" where a claim has no such horizon)."""
    claim_col, primary_col, odds_col, *horizons = table.columns
    cards = []
    for n, row in enumerate(table.to_dict("records"), 1):
        starred = next((h for h in horizons if str(row[h]).startswith("★")), "")
        others = [f"{md_escape(h)} {md_escape(row[h])}" for h in horizons if h != starred and row[h] != "—"]
        lines = [f"**{n}\\. {md_escape(row[claim_col])}**",
                 " · ".join(x for x in (f"**{md_escape(row[primary_col])}**", md_escape(starred)) if x),
                 f":small[{md_escape(odds_col)}\\: {md_escape(row[odds_col])}]"]
        if others:
            lines.append(":small[:gray[" + text(lang, "column.card_other", cells=" · ".join(others)) + "]]")
        cards.append("  \n".join(lines))
    return "\n\n".join(cards)


def _grid(item: Commentary, combined: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, Styler]:
    """The scorecard grid: its table, and the table styled by verdict (computed once)."""
    table, kinds = grid_table(item, combined, lang)
    return table, computed_styler(style_grid(table, kinds), "scorecard")
