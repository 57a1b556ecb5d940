"""AppTest of the New column page: editing proposals, the claim builder, sections, import, publish, bad input."""

from __future__ import annotations

import dataclasses

from commentary.document.column import list_commentaries, parse_commentary
from commentary.document.model import Commentary
from commentary.library.export import export_commentary
from commentary.library.sections import split_text
from tests.conftest import app_page, fill_new_column, notebook_of, shown

EN = "Nvidia will fall by year-end. Tencent will outperform Nvidia this year."
KO3 = ("첫 문단에는 <b>태그</b>와 <script>alert(1)</script>가 있다.\n\n엔비디아 주가는 연말까지 하락할 것이다.\n\n"
       "원/달러 환율은 다음 달 1,400원 위에 머물 것이다.")


def _errors(at) -> list[str]:
    return [shown(e.value) for e in at.error]


def _saved(notebook: str) -> list:
    from data_sources.readers.repository import open_repository

    return open_repository().list_commentaries(notebook)


def test_edit_a_proposal_and_build_a_basket_claim_with_live_previews(seeded_store) -> None:
    at = app_page("new_column", "en")
    at.selectbox(key="new_lang").set_value("en")
    fill_new_column(at, EN, "Edited column", "Ed Itor")
    at.button(key="new_propose").click().run()
    at.checkbox(key="new_accept_0").check().run()
    assert at.multiselect(key="new_p0_series").value == ["NVDA"]  # the proposal's own fields, ready to edit
    assert at.selectbox(key="new_p0_rule").value == "direction"

    # edit: a level rule on two series is refused on the field, with the loader's line
    at.selectbox(key="new_p0_rule").set_value("level").run()
    at.multiselect(key="new_p0_series").set_value(["NVDA", "MSFT"]).run()
    assert "claims[0].rule.params.symbol: the rule cannot be used: expected a symbol" in _errors(at), _errors(at)
    at.multiselect(key="new_p0_series").set_value(["NVDA"])
    at.radio(key="new_p0_side").set_value("above")
    at.number_input(key="new_p0_level").set_value(100.0)
    at.multiselect(key="new_p0_horizons").set_value(["1M", "year-end"]).run()
    at.radio(key="new_p0_primary").set_value("1M").run()
    assert not _errors(at) and not at.exception

    # the builder: a basket (members picked, searched in Korean) against another, on a named calendar end
    at.checkbox(key="new_own0").check()
    at.text_input(key="new_o0_series_q").set_value("텐센트").run()
    assert "Tencent" in at.multiselect(key="new_o0_series").options  # by its name, never "0700.HK"
    assert len(at.multiselect(key="new_o0_series").options) <= 3  # narrowed to the search (plus what is chosen)
    at.text_input(key="new_o0_series_q").set_value("").run()
    at.selectbox(key="new_o0_rule").set_value("outperform").run()
    at.multiselect(key="new_o0_series").set_value(["0700.HK", "BABA"])
    at.multiselect(key="new_o0_against").set_value(["NVDA", "MSFT"])
    at.multiselect(key="new_o0_horizons").set_value(["year-end"])
    at.text_input(key="new_o0_end").set_value("2025-06-30")
    at.text_input(key="new_o0_end_name").set_value("june").run()
    at.radio(key="new_o0_primary").set_value("june").run()
    assert not _errors(at) and not at.exception, _errors(at)
    assert len(at.dataframe[0].value) == 2  # one verdict line per claim
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # each claim's path chart, beside its editor

    at.button(key="new_save").click().run()
    assert at.success, _errors(at)
    [row] = _saved(notebook_of(at))
    item = parse_commentary(row.body, "saved")
    level, basket = item.claims
    assert (level.rule.type, level.rule.params["side"], level.rule.params["level"], level.primary) == (
        "level", "above", 100.0, "1M")
    assert [h.id for h in level.horizons] == ["1M", "year-end"]
    assert basket.rule.params["a"].symbols == ("0700.HK", "BABA") and basket.rule.params["b"].symbols == (
        "NVDA", "MSFT")
    assert basket.primary == "june" and basket.horizon("june").end.isoformat() == "2025-06-30"


def test_sections_each_with_a_previewed_chart_and_the_text_stored_as_written(seeded_store) -> None:
    at = app_page("new_column", "ko")
    fill_new_column(at, KO3, "구간 칼럼", "구간필자")
    at.checkbox(key="new_split").check().run()
    at.multiselect(key="new_cuts").set_value([1, 2]).run()
    at.selectbox(key="new_s1_kind").set_value("event_day").run()
    at.selectbox(key="new_s2_kind").set_value("fx").run()
    at.text_input(key="new_s2_hko").set_value("환율 <i>부분</i>").run()
    at.checkbox(key="new_own0").check().run()
    assert not _errors(at) and not at.exception, _errors(at)
    assert len(at.get("plotly_chart")) == 3  # compare + fx section charts, and the claim's path
    assert any(len(d.value) for d in at.dataframe[1:])  # the event-day table
    at.button(key="new_save").click().run()
    assert at.success, _errors(at)
    [row] = _saved(notebook_of(at))
    item = parse_commentary(row.body, "saved")
    assert [s.chart["kind"] for s in item.sections] == ["compare", "event_day", "fx"]
    assert [s.body_ko for s in item.sections] == split_text(KO3, [0, 1, 2]) == KO3.split("\n\n")
    assert item.sections[2].heading_ko == "환율 <i>부분</i>"
    col = app_page("column", "ko", c=item.id, notebook=notebook_of(at))
    assert not col.exception
    assert all("<script>" not in m.value and "<i>" not in m.value for m in col.markdown)


def _file(new_id: str) -> bytes:
    item = next(c for c in list_commentaries() if isinstance(c, Commentary) and c.id == "example-2025-04-04-semis")
    return export_commentary(dataclasses.replace(item, id=new_id, title=f"Imported {new_id}")).encode()


def test_import_an_md_file_into_the_notebook_and_back_out_unchanged(seeded_store) -> None:
    at = app_page("new_column", "en")
    broken = _file("broken-one").replace(b"timezone: ", b"timezone: Mars/Olympus #", 1)
    at.file_uploader(key="new_import").set_value(("broken.md", broken, "text/markdown")).run()
    at.button(key="new_import_go").click().run()
    assert any(e.startswith("Not imported. broken.md, line ") and ", field timezone: unknown time zone" in e
               for e in _errors(at)), _errors(at)
    taken = export_commentary(next(c for c in list_commentaries() if isinstance(c, Commentary))).encode()
    at.file_uploader(key="new_import").set_value(("taken.md", taken, "text/markdown")).run()
    at.button(key="new_import_go").click().run()
    assert any("field id: the id baek-2025-01-26 is already used by" in e for e in _errors(at)), _errors(at)

    data = _file("my-import")
    at.file_uploader(key="new_import").set_value(("semis.md", data, "text/markdown")).run()
    at.button(key="new_import_go").click().run()
    assert any("Imported: Imported my-import" in shown(s.value) for s in at.success)
    notebook = notebook_of(at)
    [row] = _saved(notebook)
    assert row.body.encode() == data  # stored as uploaded: exporting it gives the same bytes

    lib = app_page("library", "en", notebook=notebook)
    table = lib.dataframe[0].value
    assert list(table[table["title"] == "Imported my-import"]["kind"]) == ["yours"]
    assert not lib.exception


def test_a_column_is_private_until_published_then_every_reader_sees_it(seeded_store) -> None:
    from data_sources.readers.repository import open_repository

    notebook = "b" * 32
    repo = open_repository()
    row_id = repo.save_commentary(notebook, "Imported shared-one", _file("shared-one").decode(), author="Jane")
    other = app_page("library", "en")
    assert "Imported shared-one" not in list(other.dataframe[0].value["title"])

    mine = app_page("library", "en", notebook=notebook)
    mine.button(key="lib_publish").click().run()
    assert any("Published: Imported shared-one" in shown(s.value) for s in mine.success), _errors(mine)
    other = app_page("library", "en")
    table = other.dataframe[0].value
    row = table[table["title"] == "Imported shared-one"]
    assert list(row["kind"]) == ["published by a reader"] and notebook not in row.iloc[0]["open"]
    col = app_page("column", "en", c="shared-one")  # opens without the author's notebook
    assert not col.exception
    headings = [*col.markdown, *col.title, *col.header, *col.subheader]
    assert any("Imported shared-one" in shown(m.value) for m in headings)

    mine = app_page("library", "en", notebook=notebook)
    mine.button(key="lib_unpublish").click().run()
    assert any("Taken back" in shown(s.value) for s in mine.success)
    assert "Imported shared-one" not in list(app_page("library", "en").dataframe[0].value["title"])
    assert [r.id for r in repo.list_commentaries(notebook)] == [row_id]  # still in the notebook


def test_bad_input_each_gets_a_field_message_and_nothing_saved_is_lost(seeded_store) -> None:
    at = app_page("new_column", "en")
    fill_new_column(at, "Nvidia will fall by year-end.", "Kept column", "Keeper")
    at.checkbox(key="new_own0").check().run()
    at.button(key="new_save").click().run()
    assert at.success
    notebook = notebook_of(at)

    # control character in the text
    at.text_area(key="new_text").set_value("Nvidia will fall\x07 by year-end.").run()
    assert "the column's text: contains a control character (U+0007) at character 17" in _errors(at), _errors(at)
    at.text_area(key="new_text").set_value("Nvidia will fall by year-end.").run()
    # bidi control in the author
    at.text_input(key="new_author").set_value("Kee\u2067per").run()
    assert any("author: contains a text-direction control character (U+2067)" in e for e in _errors(at))
    at.text_input(key="new_author").set_value("Keeper 2").run()
    # a series with no stored prices
    at.multiselect(key="new_o0_series").set_value(["^SOX"]).run()
    assert any("^SOX has no stored prices yet" in shown(w.value) for w in at.warning)
    at.multiselect(key="new_o0_series").set_value(["NVDA"])
    # a horizon before publication, then one in 9999
    at.multiselect(key="new_o0_horizons").set_value([])
    at.text_input(key="new_o0_end").set_value("2025-01-02").run()
    assert any("claims[0].horizons[0]: this horizon cannot be used: ends 2025-01-02, before the reference (the "
               "column was published 2025-04-03)" in e for e in _errors(at)), _errors(at)
    at.text_input(key="new_o0_end").set_value("9999-12-31").run()
    assert any("claims[0].horizons[0]: this horizon cannot be used: ends 9999-12-31, more than 30 years" in e
               for e in _errors(at))
    at.text_input(key="new_o0_end").set_value("12/31/2025").run()
    assert any("claims[0].horizons[0]: this horizon cannot be used: unknown horizon '12/31/2025'" in e
               for e in _errors(at)), _errors(at)
    at.button(key="new_save").click().run()
    assert not at.exception
    assert not at.success and any("Not saved: fix the problems above" in e for e in _errors(at))
    assert [r.title for r in _saved(notebook)] == ["Kept column"]  # the first save is intact, nothing half-saved


def test_a_korean_page_words_the_drafts_problems_in_korean(seeded_store) -> None:
    at = app_page("new_column", "ko")
    fill_new_column(at, "엔비디아 주가는\x07 연말까지 하락할 것이다.", "제목", "글쓴이")
    assert "칼럼 본문: 9번째 글자에 제어 문자(U+0007)가 있습니다" in _errors(at), _errors(at)
    at.text_area(key="new_text").set_value("엔비디아 주가는 연말까지 하락할 것이다.")
    at.text_input(key="new_author").set_value(" ").run()
    assert "글쓴이: 비어 있습니다" in _errors(at), _errors(at)
    at.text_input(key="new_author").set_value("글쓴이")
    at.checkbox(key="new_own0").check()
    at.multiselect(key="new_o0_series").set_value(["^SOX"]).run()
    warnings = [shown(w.value) for w in at.warning]
    assert any("^SOX의 저장된 가격이 아직 없습니다" in w for w in warnings), warnings
