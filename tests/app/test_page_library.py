"""AppTest: from pasted text to a saved, scored column in the library (ko and en), and bad input."""

from __future__ import annotations

import re

import pytest

from tests.conftest import app_page, fill_new_column, notebook_of, shown

KO = ("엔비디아 주가는 연말까지 하락할 것이다. 원/달러 환율은 다음 주 1,430원 아래에 머물 것이다. "
      "오늘은 날씨 이야기를 조금 했다.")
EN = "Tencent will outperform Nvidia this year. The Nasdaq will rise 5% by Q3. We had lunch."


def _texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


@pytest.mark.parametrize(("lang", "text", "author"), [("ko", KO, "김필자"), ("en", EN, "Jane Writer")])
def test_paste_propose_accept_save_and_see_it_in_the_library(seeded_store, lang: str, text: str,
                                                              author: str) -> None:
    at = app_page("new_column", lang)
    if lang == "en":
        at.selectbox(key="new_lang").set_value("en")
    fill_new_column(at, text, f"Test column {lang}", author)
    at.button(key="new_propose").click().run()
    assert not at.exception
    boxes = [c.key for c in at.checkbox if c.key.startswith("new_accept_")]
    assert len(boxes) >= 2, ([c.value for c in at.caption], [w.value for w in at.warning])
    assert any("**" in m.value for m in at.markdown)  # the sentences are shown with their spans in bold
    at.checkbox(key=boxes[0]).check()
    at.checkbox(key=boxes[1]).check()
    at.checkbox(key="new_own0").check()  # plus one claim by hand: NVDA rises over 3M (the builder's defaults)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    preview = at.dataframe[0].value
    assert len(preview) == 3
    at.button(key="new_save").click().run()
    assert not at.exception and at.success, [e.value for e in at.error]
    notebook = notebook_of(at)

    lib = app_page("library", lang, notebook=notebook)
    assert not lib.exception
    table = lib.dataframe[0].value
    row = table[table["title"] == f"Test column {lang}"]
    assert len(row) == 1 and row.iloc[0]["author"] == author and row.iloc[0]["claims"] == 3
    link = row.iloc[0]["open"]
    assert link.startswith("/column?c=nb-2025-04-03-") and notebook not in link  # a link never carries the key
    record = [m.value for m in lib.markdown if m.value.startswith(f"**{author}**")]
    assert len(record) == 1 and ("3" in record[0])
    warning = r"평가된 주장이 \d개뿐입니다" if lang == "ko" else r"Only \d rated call\(s\), fewer than 10"
    assert re.search(warning, record[0])  # a plain small-sample warning, under the author's record

    # another reader (no notebook) does not see it
    other = app_page("library", lang)
    assert f"Test column {lang}" not in list(other.dataframe[0].value["title"])

    # the column page opens it from the link's id and notebook
    cid = link.split("c=")[1].split("&")[0]
    col = app_page("column", lang, c=cid, notebook=notebook)
    assert not col.exception
    assert not [w.value for w in col.warning if "not found" in w.value or "찾을 수 없어" in w.value]


def test_library_search_both_languages(seeded_store) -> None:
    at = app_page("library", "ko")
    assert len(at.dataframe[0].value) >= 4
    at.text_input(key="lib_q").set_value("항셍").run()  # a word of a Korean summary
    titles = list(at.dataframe[0].value["title"])
    assert titles == ["관세 충격 이후의 원화·항셍지수·텐센트"]  # a Korean page shows the Korean title (title_ko)
    at.text_input(key="lib_q").set_value("TARIFF").run()  # the English title still matches, any case
    assert sorted(at.dataframe[0].value["title"]) == ["관세 충격 이후의 원화·항셍지수·텐센트",
                                                      "관세발 매도 이틀, 그 뒤의 반도체주"]
    at.text_input(key="lib_q").set_value("백석현").run()
    assert list(at.dataframe[0].value["author"]) == ["백석현"]
    at.text_input(key="lib_q").set_value("no such thing zz").run()
    assert not at.dataframe and at.info


def test_bad_input_gets_field_messages_and_nothing_saved_is_lost(seeded_store) -> None:
    at = app_page("new_column", "en")
    fill_new_column(at, KO, "Good one", "A. Writer")
    at.button(key="new_propose").click().run()
    at.checkbox(key="new_accept_0").check().run()
    at.button(key="new_save").click().run()
    assert at.success
    notebook = notebook_of(at)

    # 200,001 characters: propose and save both refuse, naming the field and the limit
    at.text_area(key="new_text").set_value("가" * 200_001).run()
    at.button(key="new_propose").click().run()
    assert not at.exception
    assert any("200,001 characters (limit 200,000)" in shown(w.value) for w in at.warning)
    assert any("the column's text: 200,001 characters" in shown(e.value) for e in at.error)
    at.button(key="new_save").click().run()
    assert any("Not saved" in shown(e.value) for e in at.error)

    # HTML/script text: stored as written, shown escaped, never as HTML
    at.text_area(key="new_text").set_value("<script>alert(1)</script> 엔비디아 주가는 연말까지 하락할 것이다.").run()
    at.button(key="new_propose").click().run()
    assert not at.exception and not at.error
    assert all("<script>" not in m.value for m in at.markdown)
    assert any("**엔비디아**" in m.value for m in at.markdown)  # the extractor read the text around the tags

    # bidi control in the title
    at.text_input(key="new_title").set_value("evil\u202etitle").run()
    assert any("title: contains a text-direction control character (U+202E)" in shown(e.value) for e in at.error)
    at.text_input(key="new_title").set_value("Good one 2").run()

    # a claim of the reader's own without a series (claim ids are the page's own, never typed)
    at.checkbox(key="new_accept_0").check()
    at.checkbox(key="new_own0").check()
    at.multiselect(key="new_o0_series").set_value([])
    at.run()
    assert any("claims[1]" in shown(e.value) for e in at.error), [shown(e.value) for e in at.error]
    at.button(key="new_save").click().run()
    assert any("Not saved" in shown(e.value) for e in at.error) and not at.exception

    lib = app_page("library", "en", notebook=notebook)
    assert list(lib.dataframe[0].value["title"]).count("Good one") == 1  # the first save is intact
    assert "Good one 2" not in list(lib.dataframe[0].value["title"])


def test_a_saved_column_opens_on_the_column_page_escaped(seeded_store) -> None:
    import datetime as dt

    from commentary.library.draft import Draft, check_draft, draft_markdown
    from data_sources.readers.repository import open_repository

    text = "<b>bold?</b> <script>alert(1)</script> 엔비디아 주가는 연말까지 하락할 것이다."
    claim = {"id": "nvda-down", "section": "text", "text_ko": "엔비디아 하락", "text_en": "NVIDIA falls",
             "rule": {"type": "direction", "params": {"series": "NVDA", "direction": "down"}},
             "horizons": ["year-end"], "primary": "year-end"}
    draft = Draft("HTML column", "Escaper", dt.date(2025, 4, 3), text, claims=[claim])
    item, problems = check_draft(draft)
    assert item is not None and not problems
    notebook = "a" * 32
    open_repository().save_commentary(notebook, item.title, draft_markdown(draft), author=item.author)
    at = app_page("column", "en", c=item.id, notebook=notebook)
    assert not at.exception
    bodies = [m.value for m in at.markdown]
    assert any("&lt;script&gt;" in b for b in bodies) and all("<script>" not in b and "<b>" not in b for b in bodies)
    assert item.title in "\n".join(shown(m.value) for m in at.markdown) + "\n".join(
        s.label for s in at.selectbox) + str([s.options for s in at.selectbox])


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_stored_column_that_no_longer_parses_is_named_in_the_readers_words(seeded_store, lang: str) -> None:
    from data_sources.readers.repository import open_repository

    notebook = "b" * 32
    open_repository().save_commentary(notebook, "Broken <b>", "no front matter <b>here</b>", author="Someone")
    at = app_page("library", lang, notebook=notebook)
    assert not at.exception
    warnings = [shown(w.value) for w in at.warning]
    start, problem = {
        "ko": ("저장된 칼럼 하나를 읽지 못했습니다: 'Broken <b>'", ", 1번째 줄: 파일은 '---' 줄(머리말의"),
        "en": ("A saved column cannot be read: 'Broken <b>'", ", line 1: the file must start with a '---' line"),
    }[lang]
    assert any(w.startswith(start) and problem in w for w in warnings), warnings  # named by its title, not an id
    assert not [w.value for w in at.warning if "<b>" in w.value]
