"""Faults, as a reader meets them: every page still renders with a clear message, stored data intact.

The network is faked only at its lowest layer: a fake Yahoo and a fake ECB on 127.0.0.1
(tests/fakes/fake_yahoo.py, tests/fakes/fake_ecb.py) with the real yfinance, curl_cffi and requests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_sources.market import ecb
from data_sources.market.refresh import ensure_bundled_ecb
from data_sources.store import atomic
from data_sources.store.prices import Store, now_utc
from tests.conftest import ROOT, app_page, shown
from tests.fakes import fake_ecb, fake_yahoo

PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture
def servers(market_dir, monkeypatch, tmp_path_factory):
    """Fake Yahoo and fake ECB, the app routed to both, online."""
    gen = fake_yahoo.running(market_dir, monkeypatch, tmp_path_factory)
    fake = next(gen)
    with fake_ecb.serve(market_dir / "raw") as ecb_fake:
        monkeypatch.setattr(ecb, "ECB_URL", ecb_fake.url)
        yield fake, ecb_fake
    gen.close()


@pytest.fixture
def online(servers, seeded_store: Path) -> Path:
    return seeded_store


def _all_text(at) -> str:
    return " ".join(shown(str(getattr(e, "value", ""))) for e in (*at.info, *at.warning, *at.error, *at.caption,
                                                                   *at.success, *at.markdown))


@pytest.mark.parametrize("kind, reason", [
    ("stall", "network unavailable"), ("tls", "network unavailable"), ("429", "rate-limiting")])
def test_network_down_every_page_says_offline_and_keeps_data(online, servers, monkeypatch, kind, reason) -> None:
    ensure_bundled_ecb(Store(online))  # what the app does on start, offline or not
    before = Store(online).load_prices()
    as_of = before["date"].max().date().isoformat()  # FX: whatever the installed ECB file runs to
    monkeypatch.setenv("DASHBOARD_PRICE_DEADLINE_S", "3")
    servers[0].fail("*", kind)
    for page in PAGES:
        at = app_page(page, lang="en")
        assert not at.exception, (page, at.exception)
        text = _all_text(at)
        assert "offline — prices as of" in text and f"FX as of {as_of}" in text and reason in text, (page, text[:500])
        assert "delisted" not in text, page
    pd.testing.assert_frame_equal(Store(online).load_prices(), before)
    assert servers[1].requests == []  # ECB not asked when Yahoo is down


def test_one_symbol_unknown_to_yahoo_the_others_checked(online, servers) -> None:
    servers[0].fail("NVDA", "404")
    before = Store(online).load_prices(["NVDA"])
    at = app_page("data", lang="en")
    assert not at.exception
    snap = Store(online).read()
    pd.testing.assert_frame_equal(Store(online).load_prices(["NVDA"]), before)  # untouched
    assert snap.series["MSFT"]["yahoo_checked_at"][:10] == now_utc().date().isoformat()
    text = _all_text(at)
    assert "NVDA: Yahoo Finance has no such symbol" in text and "may be delisted" in text
    assert "MSFT:" not in text


def test_refresh_now_button_fetches_through_the_fake_servers(servers, monkeypatch) -> None:
    """Issue 16 item 9: the Data page's button, a successful refresh end to end, the ECB online update."""
    fake, ecb_fake = servers
    monkeypatch.setenv("DASHBOARD_PRICE_DEADLINE_S", "90")
    store = Store()
    store.record_refresh("ok")  # refreshed today already: opening the page does not refresh
    at = app_page("data", lang="en")
    assert not at.exception and fake.requests == []
    button = next(b for b in at.button if "Refresh now" in str(b.label))
    button.click().run(timeout=180)
    assert not at.exception
    snap = store.read()
    served = [p.stem for p in sorted((ROOT.parent / "shared" / "data" / "market").glob("*.csv"))]
    stored = set(snap.prices["symbol"])
    assert {"NVDA", "0700.HK", "005930.KS", "KRW=X", "^HSI"} <= stored
    nvda = snap.prices[snap.prices["symbol"] == "NVDA"]
    assert len(nvda) == len(pd.read_csv(fake.market_dir / "NVDA.csv"))
    assert snap.series["NVDA"]["source"].startswith("Yahoo Finance")
    assert snap.series["USDKRW_ECB"]["origin"] == "online" and ecb_fake.requests == [fake_ecb.PATH]
    fetched = len(stored - {"USDKRW_ECB", "USDCNY_ECB", "USDHKD_ECB"})
    assert any(f"Updated {fetched} symbols" in shown(s.value) for s in at.success), _all_text(at)
    missing = [s for s in ("^SOX", "9988.HK") if s not in served]
    for symbol in missing:  # no CSV behind them: Yahoo's 404, named per symbol
        assert any(f"{symbol}: Yahoo Finance has no such symbol" in shown(w.value) for w in at.warning), symbol
    assert store.last_refresh()["outcome"] == "partial" if missing else "ok"


def test_damaged_store_file_serves_previous_generation(seeded_store: Path) -> None:
    store = Store(seeded_store)
    ensure_bundled_ecb(store)  # as after the app's first start
    store.note_series({"NVDA": {"checked": "yes"}})  # one more write: .prev is a complete generation
    store.prices_path.write_bytes(b"PAR1\x00\x00 damaged on disk")
    for page in PAGES:
        at = app_page(page, lang="en")
        assert not at.exception, page
        assert any("previous version" in shown(w.value) for w in at.warning), page


def test_read_only_or_full_data_dir_still_renders(monkeypatch, tmp_path) -> None:
    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", no_space)
    at = app_page("data", lang="en")
    assert not at.exception
    assert any("cannot be written" in shown(e.value) and "no space left on the disk" in shown(e.value)
               for e in at.error)


def test_fresh_install_with_no_import_every_page_renders_and_says_what_to_do() -> None:
    for page in PAGES:
        at = app_page(page, lang="en")
        assert not at.exception, (page, at.exception)
        text = _all_text(at)
        assert "No prices yet — load the snapshot or go online" in text, page
        assert "FX as of" in text, page  # the bundled ECB rates are there from the first start
    assert "Import a snapshot on the Data page" in _all_text(app_page("compare", lang="en"))
    assert "showing the USD/KRW (ECB reference) series instead" in _all_text(app_page("fx", lang="en"))  # works offline
    assert "No news is stored yet" in _all_text(app_page("news", lang="en"))
