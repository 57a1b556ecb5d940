"""The News page's filters as one view (:class:`NewsView`), bound to its widgets and the address by
:class:`ui.view_state.ViewBinding`: tags, sources, a KST day window and search text.

The address holds only what differs from the default view: ``tags`` (comma-separated ids), ``src`` (repeated),
``from``/``to`` (ISO days) and ``q``. Values that cannot be used fall back to the default and come back as
problems — ``(catalog key, parameters)`` — for the page to word once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from commentary.text.safe_text import md_escape, plain_message
from ui.view_state import Query, ViewBinding

COLUMN_START = dt.date(2025, 1, 12)  # the column's period: two weeks either side of 2025-01-26
COLUMN_END = dt.date(2025, 2, 9)
WINDOW_DAYS = (COLUMN_END - COLUMN_START).days + 1
QUERY_MAX = 200
DAY_MIN, DAY_MAX = dt.date(1995, 1, 1), dt.date(2100, 12, 31)
PREFIX = "news_"

Problem = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class NewsView:
    """What the news list shows: no tag/source/text filter and the column's period by default."""

    tags: tuple[str, ...] = ()
    src: tuple[str, ...] = ()
    start: dt.date = COLUMN_START
    end: dt.date = COLUMN_END
    q: str = ""


def to_widgets(view: NewsView) -> dict[str, Any]:
    """The widgets' values (widget keys ``news_tags``, ``news_src``, ``news_from``, ``news_to``, ``news_q``)."""
    return {"tags": list(view.tags), "src": list(view.src), "from": view.start, "to": view.end, "q": view.q}


def from_widgets(values: Mapping[str, Any]) -> NewsView:
    """The view the widgets hold (a cleared date input falls back to the default day)."""
    base = NewsView()
    start = values.get("from") if isinstance(values.get("from"), dt.date) else base.start
    end = values.get("to") if isinstance(values.get("to"), dt.date) else base.end
    return NewsView(tuple(values.get("tags") or ()), tuple(values.get("src") or ()), start, end,
                    plain_message(values.get("q") or "", QUERY_MAX))


def _url_date(values: list[str] | str, name: str, problems: list[Problem]) -> dt.date | None:
    values = [values] if isinstance(values, str) else values
    if not values:
        return None
    text = values[0].strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not DAY_MIN <= day <= DAY_MAX:
        problems.append(("news.url.bad_date", {"name": name, "value": md_escape(text, 40)}))
        return None
    return day


def _values(query: Query, name: str) -> list[str]:
    value = query.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def parse_query(query: Query, default: NewsView, known_tags: Iterable[str],
                known_sources: Iterable[str]) -> tuple[NewsView, list[Problem]]:
    """The view an address asks for, and a problem for each value ignored (values quoted escaped).
    Unknown tags/sources are dropped; a bad or reversed window falls back to the default window."""
    problems: list[Problem] = []
    tag_ids, source_names = list(known_tags), set(known_sources)
    raw_tags = [t.strip().lower() for v in _values(query, "tags") for t in v.split(",") if t.strip()]
    tags = tuple(t for t in dict.fromkeys(raw_tags) if t in tag_ids)
    bad = [t for t in raw_tags if t not in tag_ids]
    if bad:
        problems.append(("news.url.bad_tags", {"tags": md_escape(", ".join(bad), 60)}))
    raw_sources = [v.strip() for v in _values(query, "src") if v.strip()]
    src = tuple(s for s in dict.fromkeys(raw_sources) if s in source_names)
    bad = [s for s in raw_sources if s not in source_names]
    if bad:
        problems.append(("news.url.bad_sources", {"sources": md_escape(", ".join(bad), 80)}))
    start = _url_date(_values(query, "from"), "from", problems) or default.start
    end = _url_date(_values(query, "to"), "to", problems) or default.end
    if start > end:
        problems.append(("news.url.reversed", {"start": start.isoformat(), "end": end.isoformat()}))
        start, end = default.start, default.end
    text = plain_message((_values(query, "q") or [""])[0], QUERY_MAX + 1)
    if len(text) > QUERY_MAX:
        problems.append(("news.url.long_query", {"limit": QUERY_MAX}))
        text = text[:QUERY_MAX]
    return replace(default, tags=tags, src=src, start=start, end=end, q=text), problems


def to_query(view: NewsView) -> dict[str, list[str]]:
    """The address for ``view``: only what differs from the default view."""
    base = NewsView()
    out: dict[str, list[str]] = {}
    if view.tags:
        out["tags"] = [",".join(view.tags)]
    if view.src:
        out["src"] = list(view.src)
    if view.start != base.start:
        out["from"] = [view.start.isoformat()]
    if view.end != base.end:
        out["to"] = [view.end.isoformat()]
    if view.q:
        out["q"] = [view.q]
    return out


def binding(known_tags: Iterable[str], known_sources: Iterable[str]) -> ViewBinding[NewsView]:
    """The News page's binding, checking the address against the stored tags and sources."""
    tags, sources = list(known_tags), list(known_sources)
    return ViewBinding(PREFIX, NewsView, parse=lambda query, default: parse_query(query, default, tags, sources),
                       to_query=to_query, to_widgets=to_widgets, from_widgets=from_widgets)
