"""Safe Markdown for feed text, KST times, news filters and URL parameters, and the news strip (AppTest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from catalog import text
from commentary.text.safe_text import md_escape, md_link
from ui.news_filters import COLUMN_END, COLUMN_START, NewsView, parse_query, to_query
from ui.news_items import ITEM_SEP, day_digest, filter_news, format_kst, item_markdown, newest_day
from ui.news_strip import DIGEST_MORE, selected_day

TAGS = ["deepseek", "qwen", "nvidia"]


def _news() -> pd.DataFrame:
    return pd.DataFrame({
        "published": pd.to_datetime(["2025-01-27 13:23:17", "2025-01-26 15:30:00", "2025-01-20 01:00:00", None,
                                     "2025-02-10 00:00:00"], utc=True),
        "source": ["r/LocalLLaMA", "r/LocalLLaMA", "The Batch", "Odd", "The Batch"],
        "title": ["Nvidia pre-market down 12% due Deepseek", "Qwen2.5-1M release", "DeepSeek-R1 paper",
                  "no date at all", "Issue 288"],
        "link": ["https://old.reddit.com/x", "https://old.reddit.com/y", "https://example.com/r1", "", ""],
        "summary_text": ["NVidia down", "", "reasoning model", "", "weekly letter"],
        "tags": [("deepseek", "nvidia"), ("qwen",), ("deepseek",), (), ()],
        "uid": ["a", "b", "c", "d", "e"],
        "date_flag": ["", "", "", "missing", "future"],
        "date_raw": ["", "", "", "", ""],
    })


# ---------------------------------------------------------------- md_escape / md_link


@pytest.mark.parametrize(("text", "expected"), [
    ("plain words", "plain words"),
    ("**bold** _it_ `code`", r"\*\*bold\*\* \_it\_ \`code\`"),
    ("[x](javascript:alert(1))", r"\[x\]\(javascript\:alert\(1\)\)"),
    ("<script>alert(1)</script>", r"&lt;script&gt;alert\(1\)&lt;/script&gt;"),
    ("a & b", "a &amp; b"),
    ("$x$ :red[y] # h", r"\$x\$ \:red\[y\] \# h"),
    ("line\nbreak\t x", "line break x"),
    ("evil\u202etxt.exe\x07", r"eviltxt\.exe"),
])
def test_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


def test_md_escape_cuts_plain_text_first() -> None:
    assert md_escape("a" * 50, 10) == "a" * 9 + "…"
    assert md_escape(None) == ""


def test_md_link_only_for_http_urls() -> None:
    assert md_link("R1 (paper)", "https://example.com/a(b)") == r"[R1 \(paper\)](https://example.com/a%28b%29)"
    assert md_link("x", "javascript:alert(1)") == "x"
    assert md_link("x", "data:text/html;base64,PHNjcmlwdD4=") == "x"
    assert md_link("", "") == "…"


def test_format_kst_both_languages() -> None:
    stamp = pd.Timestamp("2025-01-27 14:48", tz="UTC")
    assert format_kst(stamp, "ko") == "2025년 1월 27일 23:48"
    assert format_kst(stamp, "en") == "Jan 27, 2025 23:48 KST"
    assert format_kst(pd.NaT, "en") == ""


def test_item_markdown_shows_labels_flag_and_safe_link() -> None:
    item = _news().iloc[0].to_dict()
    text = item_markdown(item, "ko", {"deepseek": "딥시크", "nvidia": "엔비디아"})
    assert text.startswith(r"**[Nvidia pre\-market down 12% due Deepseek](https://old.reddit.com/x)**")
    assert "2025년 1월 27일 22\\:23" in text and ":blue-badge[딥시크] :blue-badge[엔비디아]" in text
    flagged = item_markdown(_news().iloc[3].to_dict(), "en", {})
    assert "⚠️ no date" in flagged and "](" not in flagged


# ---------------------------------------------------------------- filters


def test_filter_by_window_tag_source_and_text() -> None:
    news = _news()
    window = filter_news(news, start=dt.date(2025, 1, 21), end=dt.date(2025, 2, 9))
    # 13:23 UTC on the 27th and 15:30 UTC on the 26th are the 27th (KST) and the 27th 00:30 (KST); undated last
    assert window["uid"].tolist() == ["a", "b", "d"]
    assert filter_news(news, tags=["nvidia", "qwen"], include_undated=False)["uid"].tolist() == ["a", "b"]
    assert filter_news(news, sources=["The Batch"])["uid"].tolist() == ["c", "e"]  # future-dated last
    assert filter_news(news, query="DEEPSEEK nvidia")["uid"].tolist() == ["a"]
    assert filter_news(news, query="reasoning")["uid"].tolist() == ["c"]


def test_newest_day_ignores_flagged_dates() -> None:
    assert newest_day(_news()) == dt.date(2025, 1, 27)


def test_parse_filter_params_good_values() -> None:
    params = {"tags": ["deepseek,NVIDIA"], "src": ["r/LocalLLaMA"], "from": ["2025-01-20"], "to": ["2025-01-31"],
              "q": ["R1"]}
    view, problems = parse_query(params, NewsView(), TAGS, ["r/LocalLLaMA", "The Batch"])
    assert problems == []
    assert view == NewsView(("deepseek", "nvidia"), ("r/LocalLLaMA",), dt.date(2025, 1, 20), dt.date(2025, 1, 31),
                            "R1")
    assert to_query(view) == params | {"tags": ["deepseek,nvidia"]}
    assert to_query(NewsView()) == {}


def test_parse_filter_params_bad_values_warn_and_fall_back() -> None:
    params = {"tags": ["deepseek,bogus"], "src": ["Nope"], "from": ["2025-13-40"], "to": ["<b>x</b>"],
              "q": ["x" * 500]}
    view, problems = parse_query(params, NewsView(), TAGS, ["r/LocalLLaMA"])
    assert view.tags == ("deepseek",) and view.src == ()
    assert (view.start, view.end) == (COLUMN_START, COLUMN_END)
    assert len(view.q) == 200
    english = " | ".join(text("en", key, **p) for key, p in problems)
    assert "Unknown tags ignored: bogus" in english and "Nope" in english
    assert "'2025\\-13\\-40' in the address (from)" in english
    assert "&lt;b&gt;x&lt;/b&gt;" in english and "<b>" not in english  # shown escaped
    reversed_window, problems = parse_query({"from": ["2025-03-01"], "to": ["2025-01-01"]}, NewsView(), TAGS, [])
    assert (reversed_window.start, reversed_window.end) == (COLUMN_START, COLUMN_END) and len(problems) == 1


def test_day_digest_keeps_each_days_items_with_most_tags() -> None:
    news = _news()
    extra = news.iloc[[0, 0, 0]].assign(uid=["f", "g", "h"], tags=[(), ("qwen",), ("deepseek", "nvidia", "qwen")])
    shown = filter_news(pd.concat([news, extra], ignore_index=True))
    picked = day_digest(shown, per_day=2)
    days = pd.to_datetime(shown["published"]).dt.tz_convert("Asia/Seoul").dt.date
    # recomputed here: per KST day of a usable date, the two items with the most tags; undated/flagged after
    usable = shown[shown["date_flag"].eq("") & shown["published"].notna()]
    expected = []
    for day in sorted(set(days[usable.index]), reverse=True):
        group = usable[days[usable.index] == day]
        expected += list(group.assign(n=group["tags"].map(len)).sort_values("n", ascending=False, kind="stable")
                         ["uid"].head(2))
    expected += list(shown[~shown.index.isin(usable.index)]["uid"])
    assert picked["uid"].tolist() == expected
    assert picked["uid"].tolist()[:2] == ["h", "a"] and "f" not in picked["uid"].tolist()


def test_summaries_show_no_addresses() -> None:
    item = _news().iloc[2].to_dict() | {
        "summary_text": "Read this https://i.redd.it/abc123.png and www.example.com/x then more"}
    shown = item_markdown(item, "en", {})
    assert "i.redd.it" not in shown and "www" not in shown and "Read this and then more" in shown


def test_selected_day_from_plotly_selection() -> None:
    assert selected_day({"selection": {"points": [{"x": "2025-01-27", "y": 3, "customdata": "2025-01-27"}]}}) \
        == dt.date(2025, 1, 27)
    assert selected_day({"selection": {"points": [{"x": "2025-01-26 00:00:00", "y": 1}]}}) == dt.date(2025, 1, 26)
    assert selected_day({"selection": {"points": []}}) is None
    assert selected_day(None) is None
    assert selected_day({"selection": {"points": [{"x": "not a day"}]}}) is None


# ---------------------------------------------------------------- the strip in AppTest


def _strip_script() -> None:
    import datetime as dt

    import streamlit as st

    from ui.news_strip import pinned_news_events, render_news_strip

    pins = pinned_news_events("t")
    st.text("PINS=[" + " | ".join(f"{p.date} {p.label_en}" for p in pins) + "]")
    render_news_strip(dt.date(2025, 1, 12), dt.date(2025, 2, 9), key="t")


def _pins_line(at: AppTest) -> str:
    return next(t.value for t in at.text if t.value.startswith("PINS=["))[len("PINS=["):-1]


def test_strip_lists_a_day_and_pins_it(seeded_store: Path) -> None:
    at = AppTest.from_function(_strip_script, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["t_panel"] = True  # the reader opened the folded "news per day" panel
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1 and _pins_line(at) == ""
    day_box = at.selectbox(key="t_day")
    assert dt.date(2025, 1, 27) in day_box.options or "Jan 27, 2025" in " ".join(day_box.options)
    day_box.set_value(dt.date(2025, 1, 27)).run()
    assert any("Nvidia pre\\-market down 12% due Deepseek" in m.value for m in at.markdown)
    assert at.session_state["t_pin_day"] is None
    at.toggle(key="t_pin").set_value(True).run()
    assert at.session_state["t_pin_day"] == "2025-01-27"
    pins = _pins_line(at)
    assert "2025-01-27 Nvidia pre-market down 12% due Deepseek" in pins
    assert all(part.startswith("2025-01-27") for part in pins.split(" | "))
    at.toggle(key="t_pin").set_value(False).run()
    assert at.session_state["t_pin_day"] is None and _pins_line(at) == ""


def test_folded_panel_builds_no_chart_and_keeps_the_pin(seeded_store: Path) -> None:
    """Folded (the default), the per-day panel costs nothing: no count chart, no widgets. A pin set while it
    was open survives folding it and opening it again."""
    at = AppTest.from_function(_strip_script, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 0 and not at.selectbox and not at.toggle
    at.session_state["t_panel"] = True
    at.run()
    at.selectbox(key="t_day").set_value(dt.date(2025, 1, 27)).run()
    at.toggle(key="t_pin").set_value(True).run()
    assert at.session_state["t_pin_day"] == "2025-01-27"
    at.session_state["t_panel"] = False
    at.run()
    at.run()  # two runs without the panel's widgets: Streamlit would have dropped their state by now
    assert len(at.get("plotly_chart")) == 0
    assert "2025-01-27 Nvidia pre-market down 12% due Deepseek" in _pins_line(at)
    at.session_state["t_panel"] = True
    at.run()
    assert at.toggle(key="t_pin").value is True and at.session_state["t_pin_day"] == "2025-01-27"
    assert "2025-01-27" in _pins_line(at)


def test_strip_without_news_says_so() -> None:
    at = AppTest.from_function(_strip_script, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["t_panel"] = True
    at.run()
    assert not at.exception
    assert any("No stored news in this period" in c.value for c in at.caption)
    assert _pins_line(at) == ""


def test_pick_pins_prefers_tagged_items_and_keeps_time_order() -> None:
    from ui.news_strip import pick_pins

    news = _news().iloc[[2, 1, 0, 4]].sort_values("published")
    picked = pick_pins(news, limit=2)
    assert picked["uid"].tolist() == ["c", "a"]  # two-tag 'a' and one-tag 'c' beat untagged; oldest first
    assert pick_pins(news, limit=10)["uid"].tolist() == news["uid"].tolist()


def test_digest_keeps_dated_items_on_the_themes_most_matching_first() -> None:
    from ui.news_items import digest

    news = _news()
    news.at[3, "tags"] = ("deepseek",)  # an undated item on the theme
    picked = digest(news, dt.date(2025, 1, 1), dt.date(2025, 12, 31), ("deepseek", "nvidia"))
    assert "d" not in set(picked["uid"])
    assert len(picked) and picked["published"].notna().all()  # an undated item has no place in a window
    hits = picked["tags"].map(lambda t: len({"deepseek", "nvidia"} & set(t)))
    assert (hits > 0).all() and list(hits) == sorted(hits, reverse=True)


def test_undated_items_say_so() -> None:
    from ui.news_items import item_markdown

    item = {"title": "No date here", "link": "https://x.example/a", "source": "Feed", "published": None,
            "date_flag": "", "date_raw": "", "summary_text": "", "tags": ()}
    assert "⚠️ no date" in item_markdown(item, "en", {})
    assert "⚠️ 날짜 없음" in item_markdown(item, "ko", {})


def test_strip_shows_a_short_digest_with_more(seeded_store: Path) -> None:
    def script() -> None:
        import datetime as dt

        from ui.news_strip import render_news_strip

        render_news_strip(dt.date(2025, 1, 12), dt.date(2025, 2, 9), key="d", tags=("deepseek",))

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["lang"] = "ko"
    at.run()
    assert not at.exception
    blocks = [m.value for m in at.main.children.values() if getattr(m, "type", "") == "markdown"
              and m.value.startswith("**")]
    assert len(blocks) == 1  # one Markdown element for the digest, not one per item
    top = blocks[0].split(ITEM_SEP)
    assert len(top) == 5 and all("blue-badge[딥시크]" in v for v in top)  # Korean tag names
    more = at.expander[0]
    assert more.label.startswith("관련 뉴스 더 보기")
    assert not any(m.value.startswith("**") for m in more.markdown)  # folded: its items are not built
    at.session_state["d_more"] = True  # the reader opens "more"
    at.run()
    shown = [item for m in at.expander[0].markdown if m.value.startswith("**") for item in m.value.split(ITEM_SEP)]
    assert len(shown) == min(int(more.label.split("(")[1].split("건")[0]), DIGEST_MORE)
    assert all(item not in top for item in shown)
