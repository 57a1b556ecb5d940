"""The New column page in a reader's words: a proposal's caption names the rule, the company and the horizon in
the page's language (no "claim-1 · level · 005930.KS"), and the draft preview words a miss as the column page does,
with its odds, never as "cannot judge"."""

from __future__ import annotations

import re

from data_sources.market.universe import instrument
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


TOKEN = re.compile(r"[A-Za-z0-9^=.-]*[A-Za-z][A-Za-z0-9^=.-]*")  # "005930.KS", "Asia/Seoul", "1W", "year-end"


def _latin(words: str) -> list[str]:
    """Latin-script words a Korean reader would meet, beyond the Korean catalog's own ("A가 B보다"), the Korean
    names of the universe ("SK하이닉스") and plain tickers ("NVDA", "^SOX")."""
    import catalog
    from data_sources.market.universe import all_instruments

    allowed = {w for v in catalog.catalog("ko").values() for w in TOKEN.findall(re.sub(r"\{[^}]*\}", " ", v))}
    allowed |= {w for i in all_instruments() for w in TOKEN.findall(i.name_ko)}
    words = re.sub(r":material/\w+:", " ", words)  # an icon, drawn, not read
    return [w.strip(".-") for w in TOKEN.findall(words)
            if w.strip(".-") not in allowed and not re.fullmatch(r"\^?[A-Z]{1,5}", w)]


def test_the_korean_claim_form_names_every_choice_in_korean(seeded_store) -> None:
    import catalog

    at = app_page("new_column", "ko")
    fill_new_column(at, KO, "테스트 칼럼", "김필자")
    at.checkbox(key="new_split").check().run()
    at.multiselect(key="new_o0_series").set_value(["005930.KS", "NVDA"]).run()
    assert not at.exception
    zones = at.selectbox(key="new_zone")
    assert zones.options[0] == catalog.text("ko", "new_column.zone.seoul")  # not "Asia/Seoul"
    series = at.multiselect(key="new_o0_series")
    samsung, nvidia = instrument("005930.KS"), instrument("NVDA")
    assert samsung.name_ko in series.options and f"{nvidia.name_ko} (NVDA)" in series.options  # never "005930.KS"
    horizons = at.multiselect(key="new_o0_horizons")
    assert catalog.text("ko", "new_column.form_horizon.year_end") in horizons.options
    widgets = [*at.selectbox, *at.multiselect, *at.radio]
    said = [w.label for w in [*widgets, *at.text_input, *at.checkbox, *at.number_input, *at.button]]
    said += [str(o) for w in widgets for o in w.options]
    said += [shown(m.value) for m in [*at.markdown, *at.caption, *at.subheader, *at.info]]
    assert [w for s in said for w in _latin(s)] == []
