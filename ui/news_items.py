"""AI news items for readers: the cached loader, safe rendering, filtering, the digests (beside a chart and on
the News page) and the coverage note.

Feed text is untrusted. It reaches Streamlit only through ``commentary.text.safe_text.md_escape`` (inside
``st.markdown``); links are built by ``commentary.text.safe_text.md_link`` only for http(s) addresses.
``unsafe_allow_html`` is never used.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from catalog import text
from commentary.charts.news import KST
from commentary.text.safe_text import md_escape, md_link
from data_sources.news import store as news_store
from data_sources.news import views
from data_sources.news.tagging import load_rules, tag_labels
from ui import loaders
from ui.i18n import lang
from ui.words import words as reader_words

SUMMARY_MAX = 400  # characters of an item's summary shown in full lists
COMPACT_TITLE = 70  # characters of a title in a digest (about two lines on a phone)
DAY_TOP = 3  # items per day in the News page's digest
FLAG_KEYS = {"missing": "news.flag.missing", "future": "news.flag.future", "absurd": "news.flag.absurd"}
#: Addresses inside a feed's summary text (often an image's): a reader cannot use them as text.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def format_kst(stamp: object, lang_code: str) -> str:
    """A time in KST for the reader: ``2025년 1월 27일 22:23`` (a Korean reader's own zone) / ``Jan 27, 2025 22:23 KST``
    ("" when missing)."""
    if stamp is None or pd.isna(stamp):
        return ""
    ts = pd.Timestamp(stamp)
    ts = (ts.tz_localize("UTC") if ts.tzinfo is None else ts).tz_convert(KST)
    return text(lang_code, "news.kst_time", date=reader_words(lang_code).date(ts), time=f"{ts:%H:%M}")


def summary_text(raw: object, limit: int = SUMMARY_MAX) -> str:
    """A feed summary as plain reader text: addresses (image links and the like) left out, at most ``limit``
    characters, escaped for Markdown."""
    cleaned = " ".join(_URL.sub(" ", str(raw or "")).split())
    return md_escape(cleaned, limit)


def item_markdown(item: Mapping[str, object] | pd.Series, lang_code: str, labels: Mapping[str, str],
                  compact: bool = False, summary_max: int = SUMMARY_MAX) -> str:
    """One news item as safe Markdown: linked title, source · KST time (+ date flag; an item without a usable
    date says "no date"), summary (not when ``compact``; no addresses), tag badges in ``lang_code`` (on the
    time's line when ``compact``)."""
    title = str(item.get("title") or text(lang_code, "news.untitled"))
    if compact and len(title) > COMPACT_TITLE:  # a digest line: a long title cut at a word (it links to the post)
        title = title[:COMPACT_TITLE].rsplit(" ", 1)[0].rstrip(" ,.:;") + "…"
    lines = [f"**{md_link(title, item.get('link'))}**"]
    meta = [md_escape(item.get("source"), 80), md_escape(format_kst(item.get("published"), lang_code))]
    flag = str(item.get("date_flag") or "")
    published = item.get("published")
    if not flag and (published is None or pd.isna(published)):
        flag = "missing"
    if flag:
        raw = md_escape(item.get("date_raw"), 40)
        meta.append(f"⚠️ {text(lang_code, FLAG_KEYS.get(flag, 'news.flag.check'))}" + (f" \\({raw}\\)" if raw else ""))
    tags = item.get("tags") or ()
    badges = " ".join(f":blue-badge[{md_escape(labels.get(t, t), 40)}]" for t in tags)
    said = ":gray[" + " · ".join(m for m in meta if m) + "]"
    lines.append(f":small[{said} {badges}]" if compact and badges else f":small[{said}]" if compact else said)
    summary = "" if compact else summary_text(item.get("summary_text"), summary_max)
    if summary:
        lines.append(summary)
    if badges and not compact:
        lines.append(badges)
    return "  \n".join(lines)


ITEM_SEP = "\n\n"  # between two items in one Markdown block (item text never holds a blank line: md_escape)


def items_markdown(items: pd.DataFrame, lang_code: str, compact: bool = False,
                   summary_max: int = SUMMARY_MAX) -> str:
    """News items one under another, as one safe Markdown block (``compact``: no summaries)."""
    labels = tag_labels(lang_code)
    return ITEM_SEP.join(item_markdown(record, lang_code, labels, compact, summary_max)
                         for record in items.to_dict("records"))


def render_items(items: pd.DataFrame, lang_code: str | None = None, compact: bool = False,
                 summary_max: int = SUMMARY_MAX) -> None:
    """Draw news items one under another in a single Markdown element: one element per item cost the browser a
    Markdown parse and a layout each (40 on the news page, 25 beside a chart) before the page's chart was drawn."""
    if len(items):
        st.markdown(items_markdown(items, lang_code or lang(), compact, summary_max))


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
            said = reader_words(lang_code)
            spans.append(f"{md_escape(source, 60)} {said.date(lo)}–{said.date(hi)}")
    return text(lang_code, "news.coverage", spans=(": " + "; ".join(spans)) if spans else "")


def newest_day(news: pd.DataFrame) -> dt.date | None:
    """KST day of the newest item with a plausible, not-in-the-future date."""
    if news.empty:
        return None
    usable = news[news["date_flag"].eq("") & news["published"].notna()]
    if usable.empty:
        return None
    return views.local_days(usable["published"]).max().date()


def day_digest(shown: pd.DataFrame, per_day: int = DAY_TOP) -> pd.DataFrame:
    """The News page's digest of already-filtered items: each KST day's ``per_day`` items with the most tags
    (newest first among equals), days newest first; items without a usable date follow, in their order."""
    if shown.empty:
        return shown
    days = views.local_days(shown["published"])
    dated = shown["date_flag"].eq("") & days.notna()
    ranked = shown[dated].assign(_day=days[dated], _n=shown.loc[dated, "tags"].map(len))
    ranked = ranked.sort_values(["_day", "_n", "published"], ascending=[False, False, False], kind="stable")
    top = ranked.groupby("_day", sort=False).head(per_day).drop(columns=["_day", "_n"])
    return pd.concat([top, shown[~dated]]).reset_index(drop=True)


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

