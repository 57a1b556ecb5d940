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
from ui import chrome, loaders
from ui.details import folded_detail
from ui.i18n import lang, t, tr
from ui.news_strip import (
    COLUMN_END,
    COLUMN_START,
    FILTER_KEYS,
    QUERY_MAX,
    WINDOW_DAYS,
    coverage_note,
    default_filters,
    filter_news,
    filter_params,
    load_news_cached,
    newest_day,
    parse_filter_params,
    render_items,
)
from ui.problems import say, summary, words

PAGE_SIZE = 40
STRIP_MAX_DAYS = 400  # wider windows get no count chart
WIDGET_KEYS = {"tags": "news_tags", "src": "news_src", "from": "news_from", "to": "news_to", "q": "news_q"}
DAY_MIN, DAY_MAX = dt.date(1995, 1, 1), dt.date(2100, 12, 31)

code = lang()
chrome.page_header("AI 뉴스", "AI news")
st.caption(tr("AI 관련 피드에 올라온 글을 날짜·태그별로 모았습니다. "
              "처음에는 칼럼 전후 2주(딥시크 충격 주간)를 보여줍니다.",
              "Posts from AI feeds, by day and theme. It opens on the two weeks either side of the column "
              "(the DeepSeek week)."))
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
          "origin": tr("기본", "default") if f.origin == "default" else tr("내가 추가", "mine")} for f in feeds],
        columns=["name", "url", "language", "origin"]), hide_index=True, width="stretch",
        column_config={"name": tr("이름", "name"), "url": "URL", "language": tr("언어", "language"),
                       "origin": tr("구분", "origin")})


def _manage_feeds() -> None:
    """Feed list, add/remove, fetch and import (below the list: the news first)."""
    panel = st.expander(tr("피드 관리", "Manage feeds"), icon=":material/rss_feed:", key="news_feeds",
                        on_change="rerun")
    if not panel.open:  # folded: built only when the reader opens it
        return
    with panel:
        table_box = st.container()
        add_col, remove_col = st.columns(2)
        with add_col:
            st.markdown("**" + tr("피드 추가", "Add a feed") + "**")
            name = st.text_input(tr("이름", "Name"), key="news_feed_name", max_chars=feedlist.NAME_MAX)
            url = st.text_input(tr("주소 (http/https)", "Address (http/https)"), key="news_feed_url")
            feed_lang = st.text_input(tr("언어 코드", "Language code"), value="en", key="news_feed_lang", max_chars=10)
            if st.button(tr("추가", "Add"), icon=":material/add:", key="news_feed_add"):
                try:
                    added = feedlist.add_feed(root, name, url, feed_lang)
                except FeedConfigError as exc:
                    told = md_escape(say(exc, code), 300)
                    st.error(tr(f"추가하지 못했습니다: {told}", f"Not added: {told}"))
                except StoreError as exc:
                    _show_error(exc)
                except DatabaseUnavailable:
                    st.warning(t("safety.feeds_unavailable"))
                else:
                    st.success(tr(f"추가함: {md_escape(added.name)}", f"Added: {md_escape(added.name)}"))
        with remove_col:
            st.markdown("**" + tr("피드 삭제", "Remove a feed") + "**")
            try:
                names = [f.name for f in feedlist.list_feeds(root)]
            except (StoreError, FeedListError, DatabaseUnavailable):
                names = []
            victim = st.selectbox(tr("피드", "Feed"), names, index=None, key="news_feed_victim",
                                  placeholder=tr("피드를 고르세요", "Choose a feed"))
            if st.button(tr("삭제", "Remove"), icon=":material/delete:", key="news_feed_remove",
                         disabled=victim is None):
                try:
                    feedlist.remove_feed(root, victim or "")
                except FeedConfigError as exc:
                    told = md_escape(say(exc, code), 300)
                    st.error(tr(f"삭제하지 못했습니다: {told}", f"Not removed: {told}"))
                except StoreError as exc:
                    _show_error(exc)
                except DatabaseUnavailable:
                    st.warning(t("safety.feeds_unavailable"))
                else:
                    st.success(tr(f"삭제함: {md_escape(victim)}", f"Removed: {md_escape(victim)}"))
        with table_box:
            _feed_list()

        fetch_col, import_col = st.columns(2)
        with fetch_col:
            st.markdown("**" + tr("지금 가져오기", "Fetch now") + "**")
            if st.button(tr("피드 새로 가져오기", "Fetch feeds now"), icon=":material/refresh:", key="news_fetch"):
                if not loaders.may_refresh():
                    st.info(tr("이 서버는 피드를 가져오지 않습니다 (DASHBOARD_REFRESH=off). 갱신 작업이 가져옵니다.",
                               "This server does not fetch feeds (DASHBOARD_REFRESH=off); the refresher does."))
                elif settings().offline:
                    st.info(tr("오프라인 모드(DASHBOARD_OFFLINE)라 네트워크에서 가져오지 않습니다. "
                               "저장된 뉴스를 보여줍니다.",
                               "Offline mode (DASHBOARD_OFFLINE) is on: nothing was fetched; showing stored news."),
                            icon="📴")
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
    st.markdown("**" + tr("저장된 피드 파일 가져오기", "Import saved feed files") + "**")
    import_root = folder_import.import_root()
    if import_root is None:
        st.info(t("safety.import_off", command="`python -m data_sources import-feeds`"))
        return
    folders = folder_import.import_folders(import_root, news_store.FEED_SUFFIXES)
    if not folders:
        st.info(t("safety.import_none"))
        return
    choice = st.selectbox(t("safety.import_pick"), folders, key="news_import_dir")
    if st.button(tr("폴더에서 가져오기", "Import from folder"), icon=":material/upload:", key="news_import"):
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


def _url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in FILTER_KEYS if st.query_params.get_all(k)}


def _apply(filters: dict) -> None:
    """Put ``filters`` into the widgets' state (before the widgets are drawn)."""
    st.session_state["news_tags"] = [t for t in filters["tags"] if t in tag_ids]
    st.session_state["news_src"] = [s for s in filters["src"] if s in sources]
    st.session_state["news_from"] = filters["from"]
    st.session_state["news_to"] = filters["to"]
    st.session_state["news_q"] = filters["q"]


url_now = _url_params()
if url_now and url_now != st.session_state.get("_news_url"):  # an address carrying other filters
    parsed, problems = parse_filter_params(url_now, tag_ids, sources)
    for ko, en in problems:
        st.warning(tr(ko, en), icon="⚠️")
    _apply(parsed)
elif any(k not in st.session_state for k in WIDGET_KEYS.values()) or not st.session_state.get("news_filters"):
    # first visit, back from another page, or the filters panel folded (no widgets: the saved filters hold)
    _apply(st.session_state.get("_news_saved") or default_filters())


def _set_window(start: dt.date, end: dt.date) -> None:
    st.session_state["news_from"], st.session_state["news_to"] = start, end
    st.session_state["news_page"] = 1


newest = newest_day(news)


def _filters(box) -> None:
    """The filter widgets, inside the open panel."""
    top = box.columns([3, 3, 2])
    top[0].multiselect(tr("태그", "Tags"), tag_ids, key="news_tags", format_func=lambda t: labels.get(t, t),
                       placeholder=tr("모든 태그", "All tags"))
    top[1].multiselect(tr("출처", "Sources"), sources, key="news_src", placeholder=tr("모든 출처", "All sources"))
    top[2].text_input(tr("검색어", "Search"), key="news_q", max_chars=QUERY_MAX,
                      placeholder=tr("예: 딥시크", "e.g. DeepSeek"),
                      help=tr("태그 이름과 별칭도 찾습니다: 딥시크 ↔ DeepSeek, 엔비디아 ↔ NVIDIA, 큐원 ↔ Qwen",
                              "Tag names and aliases match too: DeepSeek ↔ 딥시크, NVIDIA ↔ 엔비디아, Qwen ↔ 큐원"))
    row = box.columns([2, 2, 2, 2], vertical_alignment="bottom")
    row[0].date_input(tr("시작일", "From"), key="news_from", min_value=DAY_MIN, max_value=DAY_MAX)
    row[1].date_input(tr("종료일", "To"), key="news_to", min_value=DAY_MIN, max_value=DAY_MAX)
    row[2].button(tr("칼럼 기간", "Column period"), icon=":material/article:", key="news_column_period",
                  on_click=_set_window, args=(COLUMN_START, COLUMN_END),
                  help=tr(f"{COLUMN_START} ~ {COLUMN_END}", f"{COLUMN_START} to {COLUMN_END}"))
    row[3].button(tr("최신 뉴스", "Latest"), icon=":material/update:", key="news_latest", disabled=newest is None,
                  on_click=_set_window,
                  args=((newest - dt.timedelta(days=WINDOW_DAYS - 1), newest) if newest
                        else (COLUMN_START, COLUMN_END)),
                  help=tr("가장 최근 항목으로 끝나는 4주", "The four weeks ending at the newest item"))


filter_box = st.expander(tr("필터: 태그·출처·검색어·기간", "Filters: tags, sources, search, period"),
                         icon=":material/filter_list:", key="news_filters", on_change="rerun")
if filter_box.open:  # folded: its widgets are built only when the reader opens it (the list comes first)
    _filters(filter_box)

start, end = st.session_state["news_from"], st.session_state["news_to"]
if start > end:
    st.warning(tr("시작일이 종료일보다 늦어 두 날짜를 바꿔서 봅니다.",
                  "The start is after the end; showing the dates swapped."))
    start, end = end, start
filters = {"tags": list(st.session_state["news_tags"]), "src": list(st.session_state["news_src"]),
           "from": start, "to": end, "q": plain_message(st.session_state["news_q"], QUERY_MAX)}
st.session_state["_news_saved"] = filters
wanted = filter_params(filters)
if wanted != url_now:
    for key in FILTER_KEYS:
        if key in wanted:
            st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]
st.session_state["_news_url"] = wanted

shown = filter_news(news, filters["tags"], filters["src"], start, end, filters["q"])

# ---------------------------------------------------------------- the list

if (end - start).days < STRIP_MAX_DAYS and not shown.empty:
    counts = views.daily_tag_counts(shown, start, end, tags=filters["tags"] or None)
    st.plotly_chart(news_strip_figure(counts, code, labels), width="stretch", config={"displayModeBar": False},
                    key="news_counts")
    st.caption(coverage_note(shown, start, end, code))

if news.empty:
    st.info(tr("저장된 뉴스가 없습니다. 위의 '피드 관리'에서 피드를 가져오거나 저장된 피드 파일 폴더를 불러오세요.",
               "No news is stored yet. Fetch the feeds or import a folder of saved feed files under 'Manage feeds'."))
elif shown.empty:
    st.info(tr("조건에 맞는 뉴스가 없습니다. 기간이나 필터를 바꿔 보세요 (필터의 '최신 뉴스').",
               "No news matches. Try another period or fewer filters (or 'Latest' under Filters)."))
if shown.empty:
    _manage_feeds()
    st.stop()

pages = max(1, math.ceil(len(shown) / PAGE_SIZE))
signature = repr(sorted(wanted.items()))
if st.session_state.get("_news_signature") != signature or st.session_state.get("news_page", 1) > pages:
    st.session_state["news_page"] = 1
st.session_state["_news_signature"] = signature
flagged = int((shown["date_flag"].ne("") | shown["published"].isna()).sum())
st.caption(tr(f"{start} ~ {end}: {len(shown):,}건", f"{start} to {end}: {len(shown):,} items")
           + (tr(f" (날짜 확인 필요 {flagged}건은 맨 뒤)", f" ({flagged} with doubtful dates, listed last)")
              if flagged else ""))
def _page_from(source: str) -> None:
    """Keep the two page selectors (above and after the list) in step."""
    value = st.session_state.get(source, 1)
    st.session_state["news_page"] = st.session_state["news_page_end"] = value


page = 1
if pages > 1:
    st.session_state["news_page_end"] = st.session_state.get("news_page", 1)
    page = int(st.number_input(tr(f"페이지 (전체 {pages})", f"Page (of {pages})"), min_value=1, max_value=pages,
                               step=1, key="news_page", on_change=_page_from, args=("news_page",)))
render_items(shown.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], code)
if pages > 1:
    st.number_input(tr(f"페이지 (전체 {pages})", f"Page (of {pages})"), min_value=1, max_value=pages, step=1,
                    key="news_page_end", on_change=_page_from, args=("news_page_end",))
_manage_feeds()

