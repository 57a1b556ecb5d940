"""The sections editor's data: the text cut at paragraph breaks, stored as written, each with a chart spec."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest

from commentary.document.column import CHART_KINDS, parse_commentary
from commentary.library.builder import ClaimFields, to_claim
from commentary.library.draft import Draft, check_draft, draft_markdown
from commentary.library.preview import claim_figure, score_draft, section_preview
from commentary.library.sections import default_chart, paragraphs, section_of, split_problems, split_text
from tests.support.column_words import said
from ui.words import words

DAY = dt.date(2025, 4, 3)
TEXT = ("첫 문단: <b>굵게?</b> *별표* `코드` <script>alert(1)</script>\n  들여쓴 줄\t\n\n"
        "엔비디아 주가는 연말까지 하락할 것이다.\r\n\r\n\r\n"
        "Third paragraph — \"quotes\" 'single' #hash 📈\nsecond line\n\n"
        "원/달러 환율은 다음 달 1,400원 위에 머물 것이다.")


def test_the_text_is_cut_only_at_paragraph_breaks_and_kept_as_written() -> None:
    assert len(paragraphs(TEXT)) == 4
    bodies = split_text(TEXT, [0, 1, 3])
    normal = TEXT.replace("\r\n", "\n")
    assert all(body in normal for body in bodies)  # every character the reader wrote, unchanged
    assert bodies[0].startswith("첫 문단: <b>굵게?</b> *별표* `코드` <script>") and bodies[0].endswith("들여쓴 줄")
    assert bodies[1] == "엔비디아 주가는 연말까지 하락할 것이다.\n\n\n" + \
        "Third paragraph — \"quotes\" 'single' #hash 📈\nsecond line"
    assert bodies[2] == "원/달러 환율은 다음 달 1,400원 위에 머물 것이다."
    assert "".join("".join(b.split()) for b in bodies) == "".join(normal.split())  # nothing dropped or added


def test_bad_cuts_get_field_messages() -> None:
    assert [said(p) for p in split_problems(TEXT, [0, 2, 1])] == [
        "sections[2].start: paragraph 2 is not after the previous section's start (paragraph 3)"]
    assert [said(p) for p in split_problems(TEXT, [0, 9])] == [
        "sections[1].start: paragraph 10 does not exist (the text has 4)"]
    assert [said(p, "ko") for p in split_problems(TEXT, [0, 9])] == [
        "sections[1].start: 10번째 문단이 없습니다 (글은 4개 문단입니다)"]
    assert [said(p) for p in split_problems(TEXT, [1])] == [
        "sections[0].start: the first section must start at paragraph 1, not 2"]
    item, problems = check_draft(Draft("T", "A", DAY, TEXT, sections=[default_chart("compare", [], DAY),
                                                                      default_chart("fx", [], DAY)]))
    assert item is None and [said(p) for p in problems] == [
        "sections[1].start: paragraph 1 is not after the previous section's start (paragraph 1)"]


def _draft(kinds: tuple[str, ...]) -> Draft:
    sections = []
    for n, kind in enumerate(kinds):
        fields = default_chart(kind, ["NVDA", "0700.HK"], DAY)
        fields.start_paragraph = n
        fields.heading_en = f"Part about {kind}"
        sections.append(fields)
    claims = [to_claim(ClaimFields("nvda-down", "엔비디아 주가는 연말까지 하락할 것이다.", "direction", ["NVDA"],
                                   direction="down", horizons=["year-end"])),
              to_claim(ClaimFields("krw-above", "원/달러 환율은 다음 달 1,400원 위에 머물 것이다.", "stays",
                                   ["KRW=X"], side="above", level=1400, horizons=["1M"]))]
    return Draft("Sections", "A", DAY, TEXT, claims=claims, sections=sections)


def test_each_chart_kind_is_written_parsed_and_exported_as_written() -> None:
    draft = _draft(CHART_KINDS)
    item, problems = check_draft(draft)
    assert problems == [] and item is not None
    assert [s.chart["kind"] for s in item.sections] == list(CHART_KINDS)
    assert [s.heading_en for s in item.sections] == [f"Part about {k}" for k in CHART_KINDS]
    assert item.sections[0].chart["base_date"] == DAY and item.sections[2].chart["event_date"] == DAY
    assert item.sections[1].chart["symbols"] == ["KRW=X", "USDKRW_ECB"]
    assert [s.body_ko for s in item.sections] == split_text(TEXT, [0, 1, 2, 3])
    assert all(s.body_en == s.body_ko for s in item.sections)
    # each claim sits in the section whose narrative holds its sentence
    assert {c.id: c.section for c in item.claims} == {"nvda-down": "s2", "krw-above": "s4"}
    assert parse_commentary(draft_markdown(draft), "x").sections == item.sections


def test_the_previews_are_the_column_pages_figures(market_dir) -> None:
    prices = _prices(market_dir)
    item, _ = check_draft(_draft(CHART_KINDS))
    shown = {s.chart["kind"]: section_preview(item, s.id, prices, [], words("en")) for s in item.sections}
    assert isinstance(shown["event_day"], pd.DataFrame) and len(shown["event_day"]) >= 1
    for kind in ("compare", "fx", "fx_window"):
        assert isinstance(shown[kind], go.Figure) and any(t.x is not None and len(t.x) for t in shown[kind].data), kind
    preview = score_draft(item, prices)
    assert set(preview.combined["claim_id"]) == {"nvda-down", "krw-above"}
    fig = claim_figure(item, "nvda-down", preview, prices, [], words("en"))
    assert isinstance(fig, go.Figure) and any("NVDA" in (t.hovertemplate or "") + (t.name or "") for t in fig.data)
    with pytest.raises(KeyError):
        claim_figure(item, "nope", preview, prices, [], words("en"))


def _prices(market_dir) -> pd.DataFrame:
    import tempfile

    from data_sources.store.csv_io import import_folder
    from data_sources.store.prices import Store

    store = Store(tempfile.mkdtemp())
    import_folder(store, market_dir)
    return store.load_prices()


def test_a_sentence_finds_its_section() -> None:
    bodies = ["one two\nthree", "four  five"]
    assert section_of("four five", bodies, ["a", "b"]) == "b"
    assert section_of("two three", bodies, ["a", "b"]) == "a"
    assert section_of("not there", bodies, ["a", "b"]) == "a"
