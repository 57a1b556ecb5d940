"""The AI news page in AppTest (offline): list, filters in widgets and the URL, feeds, and hostile feed text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from commentary.text.safe_text import md_escape
from tests.conftest import opened_page, shown
from tests.fakes import fake_feeds
from tests.fakes.fake_feeds import FeedServer, closed_port
from tests.fakes.hostile import HOSTILE_RSS

NVDA_TITLE = md_escape("Nvidia pre-market down 12% due Deepseek")
NVDA_LINK = "https://old.reddit.com/r/LocalLLaMA/comments/1ib8wfw/"
feed_server = fake_feeds.feed_server  # the fixture


def app_page(page: str, lang: str = "en", panels: bool = True, **params: str) -> AppTest:
    """The page with its folded panels (filters, feed management) opened, unless ``panels`` is False."""
    return opened_page(page, ("news_filters", "news_feeds") if panels else (), lang=lang, **params)


def _items(at: AppTest) -> list[str]:
    """The listed news items (one Markdown block holds them all; each starts with the bold title)."""
    from ui.news_items import ITEM_SEP

    return [item for m in at.markdown if m.value.startswith("**") and ":gray[" in m.value
            for item in m.value.split(ITEM_SEP)]


def _item(at: AppTest, escaped_title: str) -> str:
    return next(v for v in _items(at) if escaped_title in v)


def test_page_renders_in_both_languages_with_the_deepseek_week(seeded_store: Path) -> None:
    for lang, title, badges, when in [
        ("en", "AI news", ":blue-badge[DeepSeek] :blue-badge[NVIDIA]", "Jan 27, 2025 22\\:23 KST"),
        ("ko", "AI 뉴스", ":blue-badge[딥시크] :blue-badge[엔비디아]", "2025년 1월 27일 22\\:23"),
    ]:
        at = app_page("news", lang=lang)
        assert not at.exception, at.exception
        assert at.title[0].value == title
        assert (at.date_input(key="news_from").value, at.date_input(key="news_to").value) == (
            dt.date(2025, 1, 12), dt.date(2025, 2, 9))
        nvda = _item(at, NVDA_TITLE)
        assert f"[{NVDA_TITLE}]({NVDA_LINK}" in nvda and badges in nvda and when in nvda
        assert "r/LocalLLaMA" in nvda
        assert not at.warning


def test_tag_filter_widget_narrows_the_list_and_goes_into_the_url(seeded_store: Path) -> None:
    at = app_page("news", lang="en")
    before = len(_items(at))
    at.multiselect(key="news_tags").select("nvidia").run()
    items = _items(at)
    assert not at.exception and 0 < len(items) < before
    assert all(":blue-badge[NVIDIA]" in v for v in items)
    assert any(NVDA_TITLE in v for v in items)
    assert at.query_params["tags"] == "nvidia"


def test_filters_survive_a_visit_to_another_page(seeded_store: Path) -> None:
    at = app_page("news", lang="en")
    at.multiselect(key="news_tags").select("qwen").run()
    at.switch_page("pages/data.py").run()
    for key in [k for k in ("tags", "src", "from", "to", "q") if k in at.query_params]:
        del at.query_params[key]  # the browser drops a page's parameters when the reader navigates
    at.switch_page("pages/news.py").run()
    assert not at.exception and at.query_params["tags"] == "qwen"
    at.session_state["news_filters"] = True  # the panel is folded again on coming back
    at.run()
    assert at.multiselect(key="news_tags").value == ["qwen"] and at.query_params["tags"] == "qwen"


def test_url_parameters_reproduce_a_filter(seeded_store: Path) -> None:
    at = app_page("news", lang="en", tags="qwen", src="r/LocalLLaMA", q="QwQ",
                  **{"from": "2025-03-01", "to": "2025-03-10"})
    assert not at.exception and not at.warning
    assert at.multiselect(key="news_tags").value == ["qwen"]
    assert at.multiselect(key="news_src").value == ["r/LocalLLaMA"]
    assert at.date_input(key="news_from").value == dt.date(2025, 3, 1)
    assert at.text_input(key="news_q").value == "QwQ"
    items = _items(at)
    # "QwQ" is also an alias of the Qwen tag: items tagged Qwen match without the literal word
    assert items and all(("QwQ" in v or "blue-badge[Qwen / Alibaba]" in v) and "r/LocalLLaMA" in v and "Mar " in v
                         for v in items)
    assert any(md_escape("QwQ-32B is making waves in the stock market already") in v for v in items)


def test_bad_url_values_warn_and_use_defaults(seeded_store: Path) -> None:
    at = app_page("news", lang="en", panels=False, tags="deepseek,bogus", src="Nowhere", **{"from": "2025-99-01"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Unknown tags ignored: bogus" in warnings and "Nowhere" in warnings and "2025\\-99\\-01" in warnings
    at.session_state["news_filters"] = True  # the reader opens the filters: the fallbacks are in the widgets
    at.run()
    assert at.multiselect(key="news_tags").value == ["deepseek"]
    assert at.date_input(key="news_from").value == dt.date(2025, 1, 12)
    assert any(NVDA_TITLE in v for v in _items(at))


def test_free_text_search(seeded_store: Path) -> None:
    at = app_page("news", lang="en")
    at.text_input(key="news_q").input("janus").run()
    items = _items(at)
    assert items and all("janus" in v.lower() for v in items)
    assert any(md_escape("DeepSeek releases deepseek-ai/Janus-Pro-7B") in v for v in items)
    assert at.query_params["q"] == "janus"


def test_latest_button_moves_the_window_to_the_newest_items(seeded_store: Path) -> None:
    at = app_page("news", lang="en")
    at.button(key="news_latest").click().run()
    assert not at.exception
    assert at.date_input(key="news_to").value == dt.date(2026, 5, 29)
    assert at.date_input(key="news_from").value == dt.date(2026, 5, 1)
    items = _items(at)
    assert items and all("The Batch \\(DeepLearning\\.AI\\)" in v and "2026" in v for v in items)
    assert at.query_params["to"] == "2026-05-29"
    at.button(key="news_column_period").click().run()
    assert at.date_input(key="news_from").value == dt.date(2025, 1, 12) and "to" not in at.query_params


def test_add_and_remove_a_feed(seeded_store: Path) -> None:
    at = app_page("news", lang="en")
    at.text_input(key="news_feed_name").input("My AI blog")
    at.text_input(key="news_feed_url").input("javascript:alert(1)")
    at.button(key="news_feed_add").click().run()
    assert any("Not added" in e.value and "http" in e.value for e in at.error)
    at.text_input(key="news_feed_url").input("https://example.com/feed.xml")
    at.button(key="news_feed_add").click().run()
    assert not at.exception
    assert any("Added: My AI blog" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert "My AI blog" in set(table["name"]) and "r/LocalLLaMA" in set(table["name"])
    at.selectbox(key="news_feed_victim").select("My AI blog").run()
    at.button(key="news_feed_remove").click().run()
    assert any("Removed: My AI blog" in s.value for s in at.success)
    assert "My AI blog" not in set(at.dataframe[0].value["name"])


def test_fetch_now_offline_says_so(seeded_store: Path) -> None:
    at = app_page("news", lang="en")
    at.button(key="news_fetch").click().run()
    assert not at.exception
    assert any("Running offline: nothing was fetched" in m.value for m in at.info)


def test_fetch_now_online_reports_each_feed(seeded_store: Path, feed_server: FeedServer, monkeypatch) -> None:
    from data_sources.news import feedlist
    from data_sources.news.feeds import default_feeds

    # no default feed may be fetched for real: hide them all, follow two on the fake feed server
    for feed in default_feeds():
        feedlist.remove_feed(seeded_store, feed.name)
    feed_server.bodies["hostile"] = HOSTILE_RSS.encode("utf-8")
    feedlist.add_feed(seeded_store, "Hostile", feed_server.url("/body/hostile"))
    feedlist.add_feed(seeded_store, "Closed", f"http://127.0.0.1:{closed_port()}/rss")
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    at = app_page("news", lang="en")  # first run (and its auto-refresh check) happens offline
    monkeypatch.setenv("DASHBOARD_OFFLINE", "0")
    at.button(key="news_fetch").click().run()
    assert not at.exception
    assert any("4 read, 4 new" in shown(m.value) and "feeds failed: 1" in shown(m.value) for m in at.warning)
    problems = "\n".join(t.value for t in at.text)
    assert "Closed: could not fetch a feed from 127.0.0.1" in problems and "Hostile" in problems
    assert "\u202e" not in problems




def _deltas(at: AppTest) -> list[str]:
    """Every rendered element's proto as text, both escaped (``str``) and as UTF-8."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
            out.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def test_hostile_feed_is_rendered_inert(seeded_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "hostile.xml").write_text(HOSTILE_RSS, encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(tmp_path))  # the page imports only from folders under it
    at = app_page("news", lang="en")
    at.selectbox(key="news_import_dir").set_value("hostile").run()
    at.button(key="news_import").click().run()
    assert not at.exception, at.exception
    assert any("4 read, 4 new" in s.value for s in [*at.success, *at.warning])
    assert any("malformed" in t.value for t in at.text)  # the feed's problem, listed as text
    at.multiselect(key="news_src").select("Evil Feed").run()
    at.toggle(key="news_all").set_value(True).run()  # every item with its summary (the digest lists titles)
    items = _items(at)
    assert len(items) == 4 and "scoop" in items[2] and "javascript\\:alert" in items[2]
    assert "undated" in items[-1] and "⚠️ no date" in items[-1]  # flagged dates last
    assert "https://ok.example/undated" in items[-1] and sum("](" in v for v in items) == 1
    deltas = _deltas(at)
    assert len(deltas) > 20
    for text in deltas:
        lowered = text.lower()
        assert "<script" not in lowered and "&lt;script" not in lowered.replace("&amp;lt;", "")
        assert "onerror=" not in lowered and "onload=" not in lowered
        assert "javascript:" not in lowered and "](data:" not in lowered
        assert "\u202e" not in text and "\\342\\200\\256" not in text
        assert "\x07" not in text


@pytest.mark.parametrize(("query", "badge", "lang"), [("딥시크", "DeepSeek", "en"), ("DeepSeek", "딥시크", "ko"),
                                                     ("엔비디아", "NVIDIA", "en"), ("큐원", "Qwen / Alibaba", "en")])
def test_search_matches_tag_names_and_aliases_in_both_languages(seeded_store: Path, query: str, badge: str,
                                                                 lang: str) -> None:
    at = app_page("news", lang=lang, q=query)
    items = _items(at)
    assert not at.exception and items
    assert all(f"blue-badge[{badge}]" in v or query.casefold() in v.casefold() for v in items)
    assert any(query.casefold() not in v.casefold() for v in items)  # found through the tag, not the text


def test_the_list_is_a_digest_of_20_per_page_with_one_selector_after_it(seeded_store: Path) -> None:
    from data_sources.news import store as news_store
    from data_sources.news import views
    from ui.news_items import DAY_TOP, filter_news

    start, end = dt.date(2025, 1, 1), dt.date(2025, 3, 31)
    at = app_page("news", lang="en", **{"from": start.isoformat(), "to": end.isoformat()})
    first_page = _items(at)
    # the digest recomputed here: per KST day (dated items), at most DAY_TOP; then undated ones
    shown = filter_news(news_store.load_news(seeded_store), start=start, end=end)
    days = views.local_days(shown["published"])
    dated = shown["date_flag"].eq("") & days.notna()
    expected = int(days[dated].dt.date.value_counts().clip(upper=DAY_TOP).sum() + (~dated).sum())
    assert len(first_page) == 20 < expected
    selector = at.number_input(key="news_page")
    assert selector.max == -(-expected // 20)
    selector.set_value(2).run()
    assert _items(at) != first_page and len(_items(at)) == min(20, expected - 20)
    at.toggle(key="news_all").set_value(True).run()  # every item: more pages, back on page 1
    assert at.number_input(key="news_page").value == 1 and at.number_input(key="news_page").max >= -(-len(shown) // 20)


def test_count_chart_says_it_counts_snapshots(seeded_store: Path) -> None:
    at = app_page("news", lang="ko")
    caption = next(c for c in at.caption if c.value.startswith("막대: "))
    note = caption.proto.help  # the full note, with each source's span, in the caption's tooltip
    assert "실제 뉴스의 양이 아니라" in note and "r/LocalLLaMA" in note


def test_folded_panels_build_no_widgets_and_keep_the_filters(seeded_store: Path) -> None:
    """Filters and feed management are folded on opening (the list first): none of their widgets is built until
    opened, and filters from the URL hold while the panel is folded, and after it was opened and folded again."""
    at = app_page("news", lang="en", panels=False, tags="qwen")
    assert not at.multiselect and not at.text_input and not at.date_input
    assert _items(at) and all(":blue-badge[Qwen / Alibaba]" in item for item in _items(at))
    at.session_state["news_filters"] = True
    at.run()
    at.text_input(key="news_q").input("QwQ").run()
    searched = _items(at)
    at.session_state["news_filters"] = False
    at.run()
    at.run()  # runs without the panel's widgets: Streamlit drops a widget's state after such a run
    assert not at.exception and not at.multiselect
    assert at.query_params["tags"] == "qwen" and at.query_params["q"] == "QwQ"
    assert searched and _items(at) == searched  # the same list as with the panel open
