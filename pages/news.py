"""AI news: the stored feed items around the column's story, filterable (filters live in the URL), and the feeds."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import streamlit as st

from commentary.charts.news import news_strip_figure
from commentary.text.safe_text import md_escape, plain_message
from data_sources.errors import DashboardError
from data_sources.news import feedlist, views
from data_sources.news import store as news_store
from data_sources.news.feedlist import FeedConfigError
from data_sources.news.feeds import FeedListError
from data_sources.news.store import NewsReport
from data_sources.news.tagging import TagRulesError, load_rules, tag_labels
from data_sources.readers.guard import DatabaseUnavailable
from data_sources.settings import settings
from data_sources.store import import_root as folder_import
from data_sources.store.atomic import StoreError
from ui import chrome, loaders, news_filters
from ui.details import folded_detail
from ui.i18n import lang, t
from ui.news_filters import COLUMN_END, COLUMN_START, DAY_MAX, DAY_MIN, QUERY_MAX, WINDOW_DAYS, NewsView
from ui.news_items import (
    DAY_TOP,
    coverage_note,
    day_digest,
    filter_news,
    load_news_cached,
    newest_day,
    render_items,
)
from ui.plot import plot
from ui.problems import say, summary, words
from ui.words import words as reader_words

PAGE_SIZE = 20  # a digest page: ~3 phone screens at 390x844
STRIP_MAX_DAYS = 400  # wider windows get no count chart

code = lang()
chrome.page_header(t("news.title"))
st.caption(t("news.intro"))
root = loaders.local_root()


# ---------------------------------------------------------------- feeds


def _show_report(report: NewsReport) -> None:
    """Outcome of an import or fetch: one summary line, then each problem as plain text."""
    (st.success if not report.errors else st.warning)(md_escape(summary(report.summary(), code)))
    if report.problems:  # each problem in the page's language; on a Korean page the English folded below
        said = [words(p.problem, code) for p in report.problems]
        lines = [f"{'⚠' if p.severity != 'error' else '✖'} {plain_message(r.text)}"
                 for p, r in zip(report.problems, said, strict=True)]
        st.text("\n".join(lines[:100]))
        folded_detail([r.detail for r in said], code)


def _bar_step(bar):
    """A progress callback that shows each step (a progress code) in the page's language on ``bar``."""
    return lambda fraction, step: bar.progress(min(max(fraction, 0.0), 1.0), text=plain_message(say(step, code), 80))


def _show_error(exc: DashboardError) -> None:
    """A store, feed list or tag rules problem: the reason in the page's language, the English folded."""
    said = words(exc, code)
    st.error(md_escape(said.text, 400))
    folded_detail([said.detail], code)


def _feed_list() -> None:
    try:
        feeds = feedlist.list_feeds(root)
    except DatabaseUnavailable:
        st.warning(t("safety.feeds_unavailable"))
        return
    except (StoreError, FeedListError) as exc:
        _show_error(exc)
        return
    st.dataframe(pd.DataFrame(
        [{"name": f.name, "url": f.url, "language": f.language,
          "origin": t("news.feeds.default") if f.origin == "default" else t("news.feeds.mine")} for f in feeds],
        columns=["name", "url", "language", "origin"]), hide_index=True, width="stretch",
        column_config={"name": t("news.feeds.name"), "url": t("news.feeds.url"),
                       "language": t("news.feeds.language"), "origin": t("news.feeds.origin")})


def _manage_feeds() -> None:
    """Feed list, add/remove, fetch and import (below the list: the news first)."""
    panel = st.expander(t("news.feeds.panel"), icon=":material/rss_feed:", key="news_feeds",
                        on_change="rerun")
    if not panel.open:  # folded: built only when the reader opens it
        return
    with panel:
        table_box = st.container()
        add_col, remove_col = st.columns(2)
        with add_col:
            st.markdown("**" + t("news.feeds.add_title") + "**")
            name = st.text_input(t("news.feeds.name"), key="news_feed_name", max_chars=feedlist.NAME_MAX)
            url = st.text_input(t("news.feeds.address"), key="news_feed_url")
            feed_lang = st.text_input(t("news.feeds.language_code"), value="en", key="news_feed_lang", max_chars=10)
            if st.button(t("news.feeds.add"), icon=":material/add:", key="news_feed_add"):
                try:
                    added = feedlist.add_feed(root, name, url, feed_lang)
                except FeedConfigError as exc:
                    st.error(t("news.feeds.not_added", reason=md_escape(say(exc, code), 300)))
                except StoreError as exc:
                    _show_error(exc)
                except DatabaseUnavailable:
                    st.warning(t("safety.feeds_unavailable"))
                else:
                    st.success(t("news.feeds.added", name=md_escape(added.name)))
        with remove_col:
            st.markdown("**" + t("news.feeds.remove_title") + "**")
            try:
                names = [f.name for f in feedlist.list_feeds(root)]
            except (StoreError, FeedListError, DatabaseUnavailable):
                names = []
            victim = st.selectbox(t("news.feeds.feed"), names, index=None, key="news_feed_victim",
                                  placeholder=t("news.feeds.choose"))
            if st.button(t("news.feeds.remove"), icon=":material/delete:", key="news_feed_remove",
                         disabled=victim is None):
                try:
                    feedlist.remove_feed(root, victim or "")
                except FeedConfigError as exc:
                    st.error(t("news.feeds.not_removed", reason=md_escape(say(exc, code), 300)))
                except StoreError as exc:
                    _show_error(exc)
                except DatabaseUnavailable:
                    st.warning(t("safety.feeds_unavailable"))
                else:
                    st.success(t("news.feeds.removed", name=md_escape(victim)))
        with table_box:
            _feed_list()

        fetch_col, import_col = st.columns(2)
        with fetch_col:
            st.markdown("**" + t("news.feeds.fetch_title") + "**")
            if st.button(t("news.feeds.fetch"), icon=":material/refresh:", key="news_fetch"):
                if not loaders.may_refresh():
                    st.info(t("news.feeds.refresh_off"))
                elif settings().offline:
                    st.info(t("news.feeds.offline"), icon="📴")
                else:
                    bar = st.progress(0.0)
                    try:
                        report = news_store.refresh_news(root, progress=_bar_step(bar))
                    except StoreError as exc:
                        _show_error(exc)
                    except DatabaseUnavailable:
                        st.warning(t("safety.feeds_unavailable"))
                    else:
                        _show_report(report)
        with import_col:
            _import_saved_files()


def _import_saved_files() -> None:
    """Import saved feed files from a folder under the one import root (``DASHBOARD_IMPORT_ROOT``; off when
    unset). The reader picks from the folders found there, never types a path; a refusal tells nothing."""
    st.markdown("**" + t("news.feeds.import_title") + "**")
    import_root = folder_import.import_root()
    if import_root is None:
        st.info(t("safety.import_off", command="`python -m data_sources import-feeds`"))
        return
    folders = folder_import.import_folders(import_root, news_store.FEED_SUFFIXES)
    if not folders:
        st.info(t("safety.import_none"))
        return
    choice = st.selectbox(t("safety.import_pick"), folders, key="news_import_dir")
    if st.button(t("news.feeds.import"), icon=":material/upload:", key="news_import"):
        try:
            folder = folder_import.folder_inside(import_root, choice)
        except folder_import.ImportRootError as exc:  # one answer for every refusal
            st.error(md_escape(say(exc, code), 300))
            return
        bar = st.progress(0.0)
        try:
            report = news_store.import_feed_dir(root, folder, within=import_root, progress=_bar_step(bar))
        except StoreError as exc:
            _show_error(exc)
        else:
            _show_report(report)


# ---------------------------------------------------------------- news and filters

try:
    news = load_news_cached()
    rules = load_rules()
except (StoreError, TagRulesError) as exc:
    _show_error(exc)
    st.stop()
if news.attrs.get("warning"):
    said = words(news.attrs["warning"], code)
    st.warning(md_escape(said.text, 400))
    folded_detail([said.detail], code)

tag_ids = [r.id for r in rules]
labels = tag_labels(code)
sources = sorted(set(news["source"]))
BINDING = news_filters.binding(tag_ids, sources)
for key, params in BINDING.open(NewsView()):  # an address carrying filters that cannot be used
    st.warning(t(key, **params), icon="⚠️")
newest = newest_day(news)


def _set_window(start: dt.date, end: dt.date) -> None:
    st.session_state[BINDING.key("from")], st.session_state[BINDING.key("to")] = start, end
    st.session_state["news_page"] = 1


def _filters(box) -> None:
    """The filter widgets, inside the open panel."""
    top = box.columns([3, 3, 2])
    top[0].multiselect(t("news.filter.tags"), tag_ids, key=BINDING.key("tags"), format_func=lambda i: labels.get(i, i),
                       placeholder=t("news.filter.all_tags"))
    top[1].multiselect(t("news.filter.sources"), sources, key=BINDING.key("src"),
                       placeholder=t("news.filter.all_sources"))
    top[2].text_input(t("news.filter.search"), key=BINDING.key("q"), max_chars=QUERY_MAX,
                      placeholder=t("news.filter.search_example"), help=t("news.filter.search_help"))
    row = box.columns([2, 2, 2, 2], vertical_alignment="bottom")
    row[0].date_input(t("news.filter.from"), key=BINDING.key("from"), min_value=DAY_MIN, max_value=DAY_MAX)
    row[1].date_input(t("news.filter.to"), key=BINDING.key("to"), min_value=DAY_MIN, max_value=DAY_MAX)
    row[2].button(t("news.filter.column_period"), icon=":material/article:", key="news_column_period",
                  on_click=_set_window, args=(COLUMN_START, COLUMN_END),
                  help=t("news.filter.column_period_help", start=COLUMN_START, end=COLUMN_END))
    row[3].button(t("news.filter.latest"), icon=":material/update:", key="news_latest", disabled=newest is None,
                  on_click=_set_window,
                  args=((newest - dt.timedelta(days=WINDOW_DAYS - 1), newest) if newest
                        else (COLUMN_START, COLUMN_END)),
                  help=t("news.filter.latest_help"))


filter_box = st.expander(t("news.filter.panel"), icon=":material/filter_list:", key="news_filters",
                         on_change="rerun")
if filter_box.open:  # folded: its widgets are built only when the reader opens it (the list comes first)
    _filters(filter_box)
view = BINDING.commit()
start, end = view.start, view.end
if start > end:
    st.warning(t("news.swapped"))
    start, end = end, start
shown = filter_news(news, view.tags, view.src, start, end, view.q)

# ---------------------------------------------------------------- the list

if (end - start).days < STRIP_MAX_DAYS and not shown.empty:
    counts = views.daily_tag_counts(shown, start, end, tags=list(view.tags) or None)
    plot(news_strip_figure(counts, reader_words(code), labels), key="news_counts")
    st.caption(t("news.coverage_short"), help=coverage_note(shown, start, end, code))

if news.empty:
    st.info(t("news.none_stored"))
elif shown.empty:
    st.info(t("news.none_match"))
if shown.empty:
    _manage_feeds()
    st.stop()

every = bool(view.q) or st.toggle(t("news.show_all"), key="news_all")  # a search lists every match
listed = shown if every else day_digest(shown)
pages = max(1, math.ceil(len(listed) / PAGE_SIZE))
signature = repr((sorted(news_filters.to_query(view).items()), every))
if st.session_state.get("_news_signature") != signature or st.session_state.get("news_page", 1) > pages:
    st.session_state["news_page"] = 1
st.session_state["_news_signature"] = signature
flagged = int((shown["date_flag"].ne("") | shown["published"].isna()).sum())
st.caption(t("news.count", start=start, end=end, n=f"{len(shown):,}")
           + (t("news.flagged", n=flagged) if flagged else "")
           + ("" if every else " " + t("news.digest_note", per_day=DAY_TOP, shown=f"{len(listed):,}")))


page = 1
if pages > 1:  # one page selector, after the list (above it, it pushed the list half a phone screen down)
    page = int(st.session_state.get("news_page", 1))
render_items(listed.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], code, compact=not every)
if pages > 1:
    st.number_input(t("news.page", pages=pages), min_value=1, max_value=pages, step=1, key="news_page")
_manage_feeds()
