"""A fact the column reports, checked on the real daily prints, each shown with the Seoul time it was taken."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

import catalog
from commentary.document.column import COLUMNS_DIR, load_commentary
from commentary.scoring.facts import check_fact
from ui.column_words import fact_line, series_name

SEOUL, LONDON, FRANKFURT = ZoneInfo("Asia/Seoul"), ZoneInfo("Europe/London"), ZoneInfo("Europe/Berlin")


def _prices(market_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(market_dir / f"{s}.csv", parse_dates=["date"]).assign(symbol=s)
              for s in ("KRW=X", "USDKRW_ECB")]
    return pd.concat(frames, ignore_index=True)


def _seoul_time(day: dt.date, hour: int, minute: int, zone: ZoneInfo) -> str:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(SEOUL).strftime("%H:%M")


def test_below_1430_on_jan_24_is_not_in_either_daily_print(market_dir: Path) -> None:
    fact = load_commentary(COLUMNS_DIR / "baek-2025-01-26.md").facts[0]
    prices = _prices(market_dir)
    checks = {c.symbol: c for c in check_fact(fact, prices)}
    day = dt.date(2025, 1, 24)
    for symbol, (hour, minute, zone) in {"KRW=X": (0, 0, LONDON), "USDKRW_ECB": (14, 15, FRANKFURT)}.items():
        value = float(prices[(prices["symbol"] == symbol) & (prices["date"] == "2025-01-24")]["close"].iloc[0])
        check = checks[symbol]
        assert check.prints == (("2025-01-24", value),) and value > 1430 and check.outcome == "not seen"
        for lang in ("ko", "en"):
            line = fact_line(check, lang)
            taken = _seoul_time(day, hour, minute, zone)
            assert catalog.text(lang, "timeline.fact_print", date="2025-01-24", value=f"{value:,.2f}",
                                time=taken) in line
            assert line.endswith(catalog.text(lang, "timeline.fact_not_seen"))
    assert fact_line(checks["KRW=X"], "en").count("09:00") == 1  # Yahoo's value: before Seoul opened that day
    assert "22:15" in fact_line(checks["USDKRW_ECB"], "en")  # the ECB's: after Seoul's close


def test_seen_and_no_data(market_dir: Path) -> None:
    fact = load_commentary(COLUMNS_DIR / "baek-2025-01-26.md").facts[0]
    prices = _prices(market_dir)
    seen = replace(fact, check={**fact.check, "level": 1434.0})  # Yahoo 1,433.93 is below 1,434; the ECB's too
    assert {c.symbol: c.outcome for c in check_fact(seen, prices)} == {"KRW=X": "seen", "USDKRW_ECB": "seen"}
    weekend = replace(fact, check={**fact.check, "start": dt.date(2025, 1, 25), "end": dt.date(2025, 1, 26)})
    for check in check_fact(weekend, prices):
        said = fact_line(check, "ko")
        assert check.outcome == "no data" and said.endswith(catalog.text("ko", "timeline.fact_no_data"))


def test_a_fact_line_names_its_source_in_readers_words_not_its_code(market_dir: Path) -> None:
    fact = load_commentary(COLUMNS_DIR / "baek-2025-01-26.md").facts[0]
    for check in check_fact(fact, _prices(market_dir)):
        for lang in ("ko", "en"):
            line = fact_line(check, lang)
            assert check.symbol not in line, line  # "KRW=X" / "USDKRW_ECB" are codes, not names
            assert line.startswith(series_name(check.symbol, lang)) and series_name(check.symbol, lang) != check.symbol
