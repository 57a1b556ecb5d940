"""AI news in the UI: the cached news loader, safe rendering of items, filtering, and the news strip.

Feed text is untrusted. It reaches Streamlit only through ``commentary.text.safe_text.md_escape`` (inside
``st.markdown``) or as widget options/labels that Streamlit shows as text; links are built
by ``commentary.text.safe_text.md_link`` only for http(s) addresses. ``unsafe_allow_html`` is never used.

Price-chart pages use the strip in two steps (pins must exist before the chart is drawn)::

    events += pinned_news_events("fx")          # before drawing the price chart
    ...                                         # draw the price chart with the pins
    render_news_strip(start, end, key="fx")     # below the chart
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from commentary.charts.news import KST, news_pins, news_strip_figure
from commentary.text.formatting import fmt_date
from commentary.text.safe_text import md_escape, md_link, plain_message
from commentary.timeline.events import Event
from data_sources.errors import DashboardError, Problem
from data_sources.news import store as news_store
from data_sources.news import views
from data_sources.news.tagging import load_rules, tag_labels
from ui import loaders
from ui.details import folded_detail
from ui.i18n import lang, tr
from ui.problems import words

DAY_LIST_MAX = 25  # items listed under the strip for one day
DIGEST_TOP = 5  # items shown beside a chart before "more"
DIGEST_MORE = 20  # further items behind "more"
PIN_MAX = 6  # pins drawn on a price chart for one day (all on one date: each takes a label level)
_FLAG_TEXT = {
    "missing": ("날짜 없음", "no date"),
    "future": ("미래 날짜", "future date"),
    "absurd": ("날짜 이상", "implausible date"),
}




def format_kst(stamp: object, lang_code: str) -> str:
    """A time in KST for the reader: ``2025년 1월 27일 22:23 KST`` / ``Jan 27, 2025 22:23 KST`` ("" when missing)."""
    if stamp is None or pd.isna(stamp):
        return ""
    ts = pd.Timestamp(stamp)
    ts = (ts.tz_localize("UTC") if ts.tzinfo is None else ts).tz_convert(KST)
    return f"{fmt_date(ts, lang_code)} {ts:%H:%M} KST"


def item_markdown(item: Mapping[str, object] | pd.Series, lang_code: str, labels: Mapping[str, str],
                  compact: bool = False) -> str:
    """One news item as safe Markdown: linked title, source · KST time (+ date flag; an item without a usable
    date says "no date"), summary (not when ``compact``), tag badges in ``lang_code``."""
    ko = lang_code == "ko"
    lines = [f"**{md_link(item.get('title') or ('(제목 없음)' if ko else '(untitled)'), item.get('link'))}**"]
    meta = [md_escape(item.get("source"), 80), md_escape(format_kst(item.get("published"), lang_code))]
    flag = str(item.get("date_flag") or "")
    published = item.get("published")
    if not flag and (published is None or pd.isna(published)):
        flag = "missing"
    if flag:
        ko_text, en_text = _FLAG_TEXT.get(flag, ("날짜 확인 필요", "check date"))
        raw = md_escape(item.get("date_raw"), 40)
        meta.append(f"⚠️ {ko_text if ko else en_text}" + (f" \\({raw}\\)" if raw else ""))
    lines.append(":gray[" + " · ".join(m for m in meta if m) + "]")
    summary = "" if compact else md_escape(item.get("summary_text"), 400)
    if summary:
        lines.append(summary)
    tags = item.get("tags") or ()
    if len(tags):
        lines.append(" ".join(f":blue-badge[{md_escape(labels.get(t, t), 40)}]" for t in tags))
    return "  \n".join(lines)


ITEM_SEP = "\n\n"  # between two items in one Markdown block (item text never holds a blank line: md_escape)


def items_markdown(items: pd.DataFrame, lang_code: str, compact: bool = False) -> str:
    """News items one under another, as one safe Markdown block (``compact``: no summaries)."""
    labels = tag_labels(lang_code)
    return ITEM_SEP.join(item_markdown(record, lang_code, labels, compact) for record in items.to_dict("records"))


def render_items(items: pd.DataFrame, lang_code: str | None = None, compact: bool = False) -> None:
    """Draw news items one under another in a single Markdown element: one element per item cost the browser a
    Markdown parse and a layout each (40 on the news page, 25 beside a chart) before the page's chart was drawn."""
    if len(items):
        st.markdown(items_markdown(items, lang_code or lang(), compact))


# ---------------------------------------------------------------- filtering


def filter_news(
    news: pd.DataFrame,
    tags: Iterable[str] = (),
    sources: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    query: str = "",
    include_undated: bool = True,
) -> pd.DataFrame:
    """Items matching every given filter, for reading: dated items newest first, flagged dates last.

    ``tags``: any of them; ``sources``: any of them; ``start``/``end``: inclusive KST days; ``query``:
    every word must occur (case-insensitive) in title, summary or source. Undated items (no usable
    date) ignore the date window when ``include_undated``.
    """
    if news.empty:
        return news
    mask = pd.Series(True, index=news.index)
    wanted_tags = set(tags)
    if wanted_tags:
        mask &= news["tags"].map(lambda t: bool(wanted_tags.intersection(t)))
    wanted_sources = set(sources)
    if wanted_sources:
        mask &= news["source"].isin(wanted_sources)
    days = views.local_days(news["published"])
    undated = days.isna()
    in_window = pd.Series(True, index=news.index)
    if start is not None:
        in_window &= days >= pd.Timestamp(start)
    if end is not None:
        in_window &= days <= pd.Timestamp(end)
    mask &= in_window | (undated & include_undated)
    words = unicodedata.normalize("NFKC", query or "").casefold().split()
    if words:
        haystack = (news["title"] + " " + news["summary_text"] + " " + news["source"]).map(
            lambda s: unicodedata.normalize("NFKC", s).casefold())
        for word in words:
            word_tags = tags_named(word)  # 딥시크 finds DeepSeek items, NVIDIA finds 엔비디아 ones
            hit = haystack.str.contains(word, regex=False)
            if word_tags:
                hit |= news["tags"].map(lambda t, wanted=word_tags: bool(wanted.intersection(t)))
            mask &= hit
    picked = news[mask].copy()
    picked["_flagged"] = picked["date_flag"].ne("") | picked["published"].isna()
    picked = picked.sort_values("published", ascending=False, na_position="last", kind="stable")
    picked = picked.sort_values("_flagged", kind="stable")
    return picked.drop(columns="_flagged").reset_index(drop=True)


def tags_named(word: str) -> frozenset[str]:
    """Ids of the tags whose Korean or English name or one of whose patterns contains ``word`` (case- and
    width-insensitive), so a search in either language finds the items tagged with that theme."""
    needle = unicodedata.normalize("NFKC", word or "").casefold().strip()
    if len(needle) < 2:
        return frozenset()
    found = set()
    for rule in load_rules():
        terms = (rule.label_ko, rule.label_en, *rule.patterns)
        if any(needle in unicodedata.normalize("NFKC", term).casefold().replace(" ", "")
               or needle in unicodedata.normalize("NFKC", term).casefold() for term in terms):
            found.add(rule.id)
    return frozenset(found)


def digest(news: pd.DataFrame, start: dt.date, end: dt.date, tags: Iterable[str] = ()) -> pd.DataFrame:
    """The items worth showing beside a chart for ``start``..``end`` (KST days): dated items only (an undated
    item has no place in a window), matching any of ``tags`` when given, most matching tags first, then
    newest first."""
    if news.empty:
        return news
    days = views.local_days(news["published"])
    mask = days.notna() & news["date_flag"].eq("")  # no future or implausible dates either
    mask &= (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))
    wanted = set(tags)
    hits = news["tags"].map(lambda t: len(wanted.intersection(t)) if wanted else len(t))
    if wanted:
        mask &= hits > 0
    picked = news[mask].assign(_hits=hits[mask])
    picked = picked.sort_values("published", ascending=False, kind="stable")
    picked = picked.sort_values("_hits", ascending=False, kind="stable")
    return picked.drop(columns="_hits").reset_index(drop=True)


def coverage_note(news: pd.DataFrame, start: dt.date, end: dt.date, lang_code: str) -> str:
    """What the count chart's bars can and cannot say: each source's dated items in the window span only the
    days its saved snapshots covered, so the counts reflect the snapshots held, not the news flow."""
    days = views.local_days(news["published"]) if not news.empty else pd.Series(dtype="datetime64[ns]")
    inside = news[(days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))] if not news.empty else news
    spans = []
    if not inside.empty:
        inside_days = days[inside.index]
        for source, group in inside_days.groupby(inside["source"]):
            lo, hi = group.min(), group.max()
            spans.append(f"{md_escape(source, 60)} {fmt_date(lo, lang_code)}–{fmt_date(hi, lang_code)}")
    if lang_code == "ko":
        return ("막대는 우리가 가진 피드 스냅샷에 담긴 글 수입니다. 피드는 저장할 때의 최근 글만 담으므로 "
                "실제 뉴스의 양이 아니라 스냅샷이 덮는 기간을 보여 줍니다"
                + (": " + "; ".join(spans) if spans else "") + ".")
    return ("Bars count the items in the feed snapshots we hold. A feed holds only its latest posts when it is "
            "saved, so the bars show which days the snapshots cover, not the flow of news"
            + (": " + "; ".join(spans) if spans else "") + ".")


COLUMN_START = dt.date(2025, 1, 12)  # the column's period: two weeks either side of 2025-01-26
COLUMN_END = dt.date(2025, 2, 9)
WINDOW_DAYS = (COLUMN_END - COLUMN_START).days + 1
FILTER_KEYS = ("tags", "src", "from", "to", "q")
QUERY_MAX = 200
_EARLIEST_DAY = dt.date(1995, 1, 1)
_LATEST_DAY = dt.date(2100, 12, 31)


def default_filters() -> dict:
    """The filters a first visit starts with: no tag/source/text filter, the column's period."""
    return {"tags": [], "src": [], "from": COLUMN_START, "to": COLUMN_END, "q": ""}


def _url_date(values: list[str], name: str, problems: list[tuple[str, str]]) -> dt.date | None:
    if not values:
        return None
    text = values[0].strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not _EARLIEST_DAY <= day <= _LATEST_DAY:
        shown = md_escape(text, 40)
        problems.append((f"주소의 {name} 값 '{shown}'은(는) 날짜(YYYY-MM-DD)가 아닙니다. 기본값을 씁니다.",
                         f"'{shown}' in the address ({name}) is not a date (YYYY-MM-DD); using the default."))
        return None
    return day


def parse_filter_params(
    params: Mapping[str, list[str]], known_tags: Iterable[str], known_sources: Iterable[str]
) -> tuple[dict, list[tuple[str, str]]]:
    """Filters from URL parameters (each a list of values), and (ko, en) warnings for the values ignored.

    ``tags`` is comma-separated tag ids; ``src`` may repeat (one source per value); ``from``/``to``
    are ISO days; ``q`` is free text. Unknown tags/sources are dropped, a bad or reversed date
    window falls back to the default window; every such fix is reported (values shown escaped).
    """
    out = default_filters()
    problems: list[tuple[str, str]] = []
    tag_ids, source_names = list(known_tags), set(known_sources)
    raw_tags = [t.strip().lower() for v in params.get("tags", []) for t in v.split(",") if t.strip()]
    out["tags"] = [t for t in dict.fromkeys(raw_tags) if t in tag_ids]
    bad = [t for t in raw_tags if t not in tag_ids]
    if bad:
        shown = md_escape(", ".join(bad), 60)
        problems.append((f"알 수 없는 태그는 무시합니다: {shown}", f"Unknown tags ignored: {shown}"))
    raw_sources = [v.strip() for v in params.get("src", []) if v.strip()]
    out["src"] = [s for s in dict.fromkeys(raw_sources) if s in source_names]
    bad = [s for s in raw_sources if s not in source_names]
    if bad:
        shown = md_escape(", ".join(bad), 80)
        problems.append((f"저장된 뉴스에 없는 출처는 무시합니다: {shown}",
                         f"Sources not in the stored news ignored: {shown}"))
    start = _url_date(params.get("from", []), "from", problems)
    end = _url_date(params.get("to", []), "to", problems)
    start, end = start or out["from"], end or out["to"]
    if start > end:
        problems.append((f"시작일({start})이 종료일({end})보다 늦습니다. 기본 기간을 씁니다.",
                         f"The start ({start}) is after the end ({end}); using the default period."))
        start, end = out["from"], out["to"]
    out["from"], out["to"] = start, end
    query = plain_message(params.get("q", [""])[0] if params.get("q") else "", QUERY_MAX + 1)
    if len(query) > QUERY_MAX:
        problems.append((f"검색어가 너무 깁니다. 앞 {QUERY_MAX}자만 씁니다.",
                         f"The search text is too long; using its first {QUERY_MAX} characters."))
        query = query[:QUERY_MAX]
    out["q"] = query
    return out, problems


def filter_params(filters: Mapping[str, object]) -> dict[str, list[str]]:
    """URL parameters for ``filters`` (only those that differ from :func:`default_filters`)."""
    base = default_filters()
    out: dict[str, list[str]] = {}
    if filters.get("tags"):
        out["tags"] = [",".join(filters["tags"])]  # type: ignore[arg-type]
    if filters.get("src"):
        out["src"] = [str(s) for s in filters["src"]]  # type: ignore[union-attr]
    for name in ("from", "to"):
        value = filters.get(name)
        if isinstance(value, dt.date) and value != base[name]:
            out[name] = [value.isoformat()]
    if filters.get("q"):
        out["q"] = [str(filters["q"])]
    return out


def newest_day(news: pd.DataFrame) -> dt.date | None:
    """KST day of the newest item with a plausible, not-in-the-future date."""
    if news.empty:
        return None
    usable = news[news["date_flag"].eq("") & news["published"].notna()]
    if usable.empty:
        return None
    return views.local_days(usable["published"]).max().date()


# ---------------------------------------------------------------- cached loader


@st.cache_resource(ttl=600, max_entries=4, show_spinner=False)
def _news(root: str, version: str) -> pd.DataFrame:
    """One shared frame per news file version (as the shared store does): callers never mutate it."""
    del version  # part of the cache key only
    return news_store.load_news(Path(root))


def _news_version() -> tuple[str, str]:
    root = loaders.local_root()
    return str(root), loaders.file_version(root / news_store.NEWS_FILE)


def load_news_cached() -> pd.DataFrame:
    """All stored news, newest first (cached until ``news.parquet`` changes, or, on a shared ``s3://`` store,
    the news published with the current version, cached by the store). Raises on failure."""
    current = loaders.store()
    if hasattr(current, "news"):
        return current.news()
    return _news(*_news_version())


@st.cache_resource(ttl=600, max_entries=32, show_spinner=False)
def _strip_parts(root: str, version: str, first: dt.date, last: dt.date, code: str) -> tuple[go.Figure, pd.Series]:
    """The strip figure and the item count per day for a window (shared, never mutated: no copy per run)."""
    news = _news(root, version)
    counts = views.daily_tag_counts(news, first, last)
    return news_strip_figure(counts, code, tag_labels(code)), _days_with_items(news, first, last)


# ---------------------------------------------------------------- the strip


def selected_day(selection: object) -> dt.date | None:
    """The day of the first clicked bar in a ``st.plotly_chart`` selection state (None when nothing is picked)."""
    try:
        points = selection["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        points = getattr(getattr(selection, "selection", None), "points", None)
    for point in points or []:
        value = point.get("customdata") or point.get("x") if isinstance(point, Mapping) else None
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        try:
            stamp = pd.Timestamp(str(value)[:10]) if value else None
        except ValueError:
            stamp = None
        if stamp is not None and not pd.isna(stamp):
            return stamp.date()
    return None


def _days_with_items(news: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    usable = news[news["published"].notna() & news["date_flag"].ne("absurd")]
    days = views.local_days(usable["published"])
    days = days[(days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))]
    return days.dt.date.value_counts().sort_index()


def _update_pin(key: str) -> None:
    """Callback: keep ``{key}_pin_day`` in step with the toggle and the chosen day."""
    on = st.session_state.get(f"{key}_pin", False)
    day = st.session_state.get(f"{key}_day")
    st.session_state[f"{key}_pin_day"] = day.isoformat() if on and isinstance(day, dt.date) else None


def render_news_strip(start: object, end: object, key: str, tags: Iterable[str] = ()) -> None:
    """Beside a price chart: a short digest of the window's news matching ``tags`` (top
    :data:`DIGEST_TOP`, "more" expands), then — folded — the counts per day (click a bar or pick a day), that
    day's items and a toggle pinning them on the chart.

    The toggle stores the pinned day in ``st.session_state[f"{key}_pin_day"]`` (ISO string or None);
    :func:`pinned_news_events` reads it on the next run, before the price chart is drawn.
    """
    code = lang()
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    st.session_state.setdefault(f"{key}_pin_day", None)
    wanted = tuple(tags)
    try:
        labels = tag_labels(code)  # a broken tag rules file raises here, a damaged store below
        news = load_news_cached()
        picked = digest(news, first, last, wanted)
    except Exception as exc:  # a store or tag rules problem must not break the price page above
        st.markdown("##### " + tr("관련 AI 뉴스", "Related AI news"))
        said = words(exc if isinstance(exc, DashboardError) else Problem("unknown", {"code": type(exc).__name__}),
                     code)
        told = md_escape(said.text, 300)
        st.warning(tr(f"뉴스를 읽을 수 없습니다: {told}", f"News cannot be read: {told}"))
        folded_detail([said.detail], code)
        return
    st.markdown("##### " + tr("관련 AI 뉴스", "Related AI news")
                + (" · " + ", ".join(md_escape(labels.get(t, t), 40) for t in wanted) if wanted else ""))
    if picked.empty:
        st.caption(tr("이 기간에 관련된 저장 뉴스가 없습니다. AI 뉴스 페이지에서 피드를 가져오세요.",
                      "No stored news on these themes in this period. Fetch or import feeds on the AI news page."))
    else:
        render_items(picked.head(DIGEST_TOP), code, compact=True)
        more = picked.iloc[DIGEST_TOP:DIGEST_TOP + DIGEST_MORE]
        if len(more):  # folded, "more" costs nothing: its items are built only when opened
            more_panel = st.expander(tr(f"관련 뉴스 더 보기 ({len(picked) - DIGEST_TOP}건)",
                                        f"More related news ({len(picked) - DIGEST_TOP})"),
                                     key=f"{key}_more", on_change="rerun")
            if more_panel.open:
                with more_panel:
                    render_items(more, code, compact=True)
                    if len(picked) > DIGEST_TOP + DIGEST_MORE:
                        st.caption(tr("나머지는 AI 뉴스 페이지에서 볼 수 있습니다.",
                                      "See the rest on the AI news page."))
    for kept in (f"{key}_pin", f"{key}_day", f"{key}_chart_seen"):  # the folded panel's widgets keep their state
        if kept in st.session_state:
            st.session_state[kept] = st.session_state[kept]
    panel = st.expander(tr("날짜별 뉴스 건수 · 차트에 표시", "News per day · pin a day on the chart"),
                        icon=":material/bar_chart:", expanded=bool(st.session_state.get(f"{key}_pin")),
                        key=f"{key}_panel", on_change="rerun")
    if panel.open:  # folded, it costs nothing: the count chart and its widgets are built only when opened
        with panel:
            _day_picker(news, first, last, key, code)


def _day_picker(news: pd.DataFrame, first: dt.date, last: dt.date, key: str, code: str) -> None:
    """The count chart, a day selector, the pin toggle and the chosen day's items (tagged first)."""
    figure, per_day = _strip_parts(*_news_version(), first, last, code)
    event = st.plotly_chart(figure, key=f"{key}_chart", on_select="rerun", selection_mode="points",
                            width="stretch", config={"displayModeBar": False})
    if per_day.empty:
        st.caption(tr("이 기간에 저장된 뉴스가 없습니다. AI 뉴스 페이지에서 피드를 가져오세요.",
                      "No stored news in this period. Fetch or import feeds on the AI news page."))
        st.session_state[f"{key}_pin_day"] = None
        return
    st.caption(coverage_note(news, first, last, code))
    options = list(per_day.index)
    day_key, seen_key = f"{key}_day", f"{key}_chart_seen"
    clicked = selected_day(event)
    if clicked != st.session_state.get(seen_key):
        st.session_state[seen_key] = clicked
        if clicked in options:
            st.session_state[day_key] = clicked
    if st.session_state.get(day_key) not in options:
        st.session_state[day_key] = per_day.idxmax()
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    fmt = (lambda d: f"{d.month}월 {d.day}일 ({per_day[d]}건)") if code == "ko" else (
        lambda d: f"{fmt_date(d, 'en')} ({per_day[d]} items)")
    left.selectbox(tr("날짜 (막대를 클릭해도 됩니다)", "Day (or click a bar)"), options, key=day_key,
                   format_func=fmt, on_change=_update_pin, args=(key,))
    right.toggle(tr("이 날의 뉴스를 차트에 표시", "Pin this day's items on the chart"), key=f"{key}_pin",
                 on_change=_update_pin, args=(key,))
    day = st.session_state[day_key]
    wanted = day.isoformat() if st.session_state.get(f"{key}_pin") else None
    if st.session_state.get(f"{key}_pin_day") != wanted:  # a bar click changed the day: redraw the pins
        st.session_state[f"{key}_pin_day"] = wanted
        st.rerun()
    items = views.items_on_day(news, day)
    ranked = items.assign(_n=items["tags"].map(len)).sort_values("_n", ascending=False, kind="stable")
    render_items(ranked.drop(columns="_n").head(DIGEST_TOP), code, compact=True)
    if len(items) > DIGEST_TOP:
        st.caption(tr(f"외 {len(items) - DIGEST_TOP}건 — AI 뉴스 페이지에서 모두 볼 수 있습니다.",
                      f"and {len(items) - DIGEST_TOP} more — see the AI news page."))


def pinned_news_events(key: str) -> list[Event]:
    """Pins for the day the reader pinned under the chart ``key`` (call before drawing the price chart)."""
    value = st.session_state.get(f"{key}_pin_day")
    if not value:
        return []
    try:
        day = dt.date.fromisoformat(str(value))
        news = load_news_cached()
    except Exception:  # a bad state or an unreadable store: no pins rather than a broken chart
        return []
    return news_pins(pick_pins(views.items_on_day(news, day)), lang())


def pick_pins(items: pd.DataFrame, limit: int = PIN_MAX) -> pd.DataFrame:
    """At most ``limit`` items to pin: those with the most column tags first, then in time order."""
    if len(items) <= limit:
        return items
    ranked = items.assign(_n=items["tags"].map(len)).sort_values("_n", ascending=False, kind="stable")
    return ranked.head(limit).drop(columns="_n").sort_values("published", kind="stable")
