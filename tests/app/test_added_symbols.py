"""A symbol outside the universe, added from the New column page (issue 11 item 5): checked on the fake Yahoo
through the real yfinance when online, stored unchecked offline, and then usable in a claim like any series
("not fetched yet" until a refresh brings its prices)."""

from __future__ import annotations

from commentary.document.column import parse_commentary
from commentary.scoring.claims import scorecard
from data_sources.market import added_symbols
from data_sources.market.universe import instrument
from data_sources.store.prices import Store
from tests.conftest import app_page, shown
from tests.fakes import fake_yahoo
from tests.fakes.hostile import COMMENTARY
from ui.column_errors import plain

ADR, ADR_NAME = "TCEHY", "Tencent Holdings Limited"


def _add(at, symbol: str, ko: str = "", ccy: str = ""):
    at.text_input(key="new_add_sym").set_value(symbol)
    at.text_input(key="new_add_ko").set_value(ko)
    at.text_input(key="new_add_ccy").set_value(ccy).run()
    return at.button(key="new_add_go").click().run()


def test_an_added_symbol_is_a_series_claims_can_name(seeded_store) -> None:
    assert instrument(ADR) is None
    text = COMMENTARY.replace("series: NVDA, direction: down", f"series: {ADR}, direction: down")
    before = parse_commentary(text, "adr.md")
    assert not before.claims and f"unknown series {ADR}" in plain(before.claim_errors[0], "en")  # before it is added
    added_symbols.add_symbol(ADR, "텐센트 ADR", None, "USD", store_root=seeded_store, added_by="test")
    found = instrument(ADR)
    assert found is not None and (found.name_ko, found.currency, found.group) == ("텐센트 ADR", "USD", "custom")
    item = parse_commentary(text, "adr.md")
    assert not item.claim_errors and item.claims[0].rule.params["series"].symbols == (ADR,)

    store = Store(seeded_store)  # once a refresh has brought its prices (here MSFT's real rows), it is scored
    rows = store.load_prices(["MSFT"]).assign(symbol=ADR)
    store.upsert(rows, {ADR: {"source": "test: MSFT's rows"}})
    card = scorecard(item.claims, store.load_prices(), item.published)
    msft = scorecard(parse_commentary(COMMENTARY.replace("series: NVDA,", "series: MSFT,"), "m.md").claims,
                     store.load_prices(), item.published)
    assert card["verdict"].isin(["held", "failed"]).all() and card["measured"].notna().all()
    assert card["measured"].tolist() == msft["measured"].tolist()  # same rows, same calendar: same reading


def test_offline_the_page_adds_it_unchecked_and_a_claim_on_it_says_not_fetched_yet(seeded_store) -> None:
    at = app_page("new_column", "en")
    _add(at, "tcehy", ko="텐센트 ADR", ccy="usd")
    assert not at.exception and not at.error, [shown(e.value) for e in at.error]
    message = shown(at.success[0].value)
    assert f"Added {ADR}" in message and "not checked on Yahoo (offline)" in message and "not fetched yet" in message
    row = added_symbols.read(seeded_store).iloc[0]
    assert (row.symbol, row.name_ko, row.currency, row.added_by) == (ADR, "텐센트 ADR", "USD", "app")
    assert row.validated == added_symbols.OFFLINE

    at.checkbox(key="new_own0").check()
    at.text_input(key="new_o0_series_q").set_value("텐센트 ADR").run()
    assert at.multiselect(key="new_o0_series").options[-1] == f"{instrument(ADR).name('en')} ({ADR})"  # its name
    at.multiselect(key="new_o0_series").set_value([ADR]).run()
    assert any(f"{ADR} has no stored prices yet" in shown(w.value)
               for w in (*at.warning, *at.error, *at.caption)), "no 'not fetched yet' on the claim"

    _add(at, ADR, ko="다른 이름", ccy="USD")  # a second add is refused; the first row is kept as it was
    assert any(ADR in shown(e.value) and "already" in shown(e.value) for e in at.error)
    assert added_symbols.read(seeded_store).iloc[0].name_ko == "텐센트 ADR"


def test_a_bad_ticker_gets_a_message_naming_it_and_nothing_is_stored(seeded_store) -> None:
    at = app_page("new_column", "en")
    _add(at, "<b>NV DA</b>", ko="x", ccy="USD")
    errors = [shown(e.value) for e in at.error]
    assert errors and errors[0].startswith("<b>NV DA</b>: symbol:"), errors  # shown as typed, never as markup
    assert not at.success and added_symbols.read(seeded_store).empty


def test_online_yahoo_fills_the_name_and_currency(seeded_store, market_dir, monkeypatch, tmp_path_factory) -> None:
    Store(seeded_store).record_refresh("ok")  # refreshed already: opening the page does not refresh
    for fake in fake_yahoo.running(market_dir, monkeypatch, tmp_path_factory):
        fake.add_listing(ADR, "MSFT", ADR_NAME, "Tencent Holdings Ltd")
        at = app_page("new_column", "en")
        _add(at, "tcehy", ko="텐센트 ADR")
        assert not at.exception and not at.error, [shown(e.value) for e in at.error]
        assert "checked on Yahoo" in shown(at.success[0].value)
        row = added_symbols.read(seeded_store).iloc[0]
        assert (row.name_en, row.currency, row.validated, row.yahoo_name) == (ADR_NAME, "USD", "yahoo", ADR_NAME)
        assert any(r["symbol"] == ADR for r in fake.requests)
