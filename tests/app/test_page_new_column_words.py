"""The New column page in a reader's words: a proposal's caption names the rule, the company and the horizon in
the page's language (no "claim-1 · level · 005930.KS"), and the draft preview words a miss as the column page does,
with its odds, never as "cannot judge"."""

from __future__ import annotations

import re

from tests.conftest import app_page, fill_new_column, shown

KO = "삼성전자 주가는 연말까지 하락할 것이다. 엔비디아 주가는 다음 달까지 크게 오를 것이다."
LATIN = re.compile(r"[A-Za-z]{2,}")


def test_proposals_are_captioned_in_korean_and_the_preview_gives_odds(seeded_store) -> None:
    at = app_page("new_column", "ko")
    fill_new_column(at, KO, "테스트 칼럼", "김필자")
    at.button(key="new_propose").click().run()
    assert not at.exception
    captions = [shown(c.value) for c in at.caption if c.value.startswith("주장 ")]
    assert captions, [c.value for c in at.caption]
    for caption in captions:
        assert not LATIN.findall(caption.replace("KST", "")), caption  # no rule codes, symbols or "year-end"
    assert any("삼성전자" in c and "연말(" in c for c in captions), captions
    boxes = [c.key for c in at.checkbox if c.key.startswith("new_accept_")]
    for key in boxes:
        at.checkbox(key=key).check()
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(boxes) >= 2
    for verdict in table.iloc[:, 2]:
        assert "판단 불가" not in verdict  # the old preview's "margin unknown" for a plain miss
        if verdict.startswith(("적중", "빗나감")):
            assert "과거" in verdict, verdict  # with its odds against the series' own past, as on the column page
