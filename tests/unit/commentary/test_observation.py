"""Observation times from real exchange calendars, and reactions measured on the right print."""

from __future__ import annotations

import datetime as dt

import exchange_calendars
import pandas as pd
import pytest

from commentary.analysis.baskets import HOLIDAY_CARRY, basket_index, carry_over_holidays
from commentary.analysis.event_day import event_day_moves
from commentary.timeline.events import Event, event_moves
from commentary.timeline.observation import (
    first_after,
    is_session,
    last_before,
    print_moment,
    sessions_between,
)
from data_sources.store.frames import normalise
from ui.words import words


def _event(eid: str, day: str, basis: str = "KST", time: str | None = None) -> Event:
    return Event(eid, "fx", "라벨", "label", "노트", "note", "src", "https://example.com/x",
                 date=dt.date.fromisoformat(day), date_basis=basis, time=time)


def _utc(text: str, zone: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=zone).tz_convert("UTC")


def test_print_moments_per_series() -> None:
    assert print_moment("NVDA", "2025-01-27") == _utc("2025-01-27 16:00", "America/New_York")
    assert print_moment("USDKRW_ECB", "2025-01-27") == _utc("2025-01-27 14:15", "Europe/Berlin")
    # Yahoo FX dated D: 00:00 London on D (09:00 KST in winter, 08:00 KST in British summer time).
    assert print_moment("KRW=X", "2025-01-27") == _utc("2025-01-27 09:00", "Asia/Seoul")
    assert print_moment("KRW=X", "2025-04-09") == _utc("2025-04-09 08:00", "Asia/Seoul")
    assert print_moment("CNY=X", "2025-04-09") == _utc("2025-04-08 19:00", "America/New_York")
    # HKEX half day on the eve of Lunar New Year: the session closes at 12:00 (from the calendar).
    assert print_moment("0700.HK", "2025-01-28") == _utc("2025-01-28 12:00", "Asia/Hong_Kong")
    assert print_moment("0700.HK", "2025-01-27") == _utc("2025-01-27 16:00", "Asia/Hong_Kong")


def test_exchange_holidays_come_from_the_calendars() -> None:
    assert is_session("005930.KS", dt.date(2025, 1, 27)) is False  # KRX temporary holiday
    assert is_session("005930.KS", dt.date(2025, 1, 31)) is True
    assert is_session("0700.HK", dt.date(2025, 1, 29)) is False and is_session("0700.HK", dt.date(2025, 1, 28))
    assert is_session("NVDA", dt.date(2025, 1, 9)) is False  # national day of mourning
    assert is_session("NVDA", dt.date(2025, 1, 27)) is True
    assert is_session("KRW=X", dt.date(2025, 1, 27)) is None  # no exchange calendar for FX
    assert not sessions_between("005930.KS", pd.Timestamp("2025-01-24"), pd.Timestamp("2025-01-30"))
    assert sessions_between("NVDA", pd.Timestamp("2025-01-24"), pd.Timestamp("2025-01-27"))


def test_us_evening_event_shows_in_the_next_krw_and_ecb_prints() -> None:
    days = pd.DatetimeIndex(pd.to_datetime(["2025-01-22", "2025-01-23", "2025-01-24", "2025-01-27"]))
    interview = _utc("2025-01-23 18:00", "America/New_York")  # = 08:00 KST on the 24th
    for symbol in ("KRW=X", "USDKRW_ECB", "NVDA"):
        assert days[last_before(symbol, days, interview)] == pd.Timestamp("2025-01-23"), symbol
        assert days[first_after(symbol, days, interview)] == pd.Timestamp("2025-01-24"), symbol
    # A US-daytime event (the 09:30 open of 01-27) comes after that day's KRW=X and ECB prints.
    selloff = _utc("2025-01-27 09:30", "America/New_York")
    more = days.append(pd.DatetimeIndex([pd.Timestamp("2025-01-28")]))
    for symbol in ("KRW=X", "USDKRW_ECB"):
        assert more[first_after(symbol, more, selloff)] == pd.Timestamp("2025-01-28"), symbol
    assert more[first_after("NVDA", more, selloff)] == pd.Timestamp("2025-01-27")


def test_event_moves_from_last_print_before_to_first_print_after() -> None:
    days = pd.to_datetime(["2025-01-22", "2025-01-23", "2025-01-24", "2025-01-27", "2025-01-28", "2025-01-29"])
    krw = pd.Series([1425.0, 1434.0, 1434.0, 1428.0, 1418.0, 1443.0], index=days, name="KRW=X")
    events = [_event("interview", "2025-01-23", "US", "18:00"), _event("sunday", "2025-01-26"),
              _event("selloff", "2025-01-27", "US", "09:30"), _event("seoul_noon", "2025-01-27", "KST", "12:00")]
    moves = event_moves(events, krw, horizon=1).set_index("id")
    assert (moves.loc["interview", "prev_date"], moves.loc["interview", "obs_date"]) == (
        pd.Timestamp("2025-01-23"), pd.Timestamp("2025-01-24"))
    assert moves.loc["interview", "change"] == pytest.approx(0.0)
    sunday = moves.loc["sunday"]  # no time recorded: from 00:00 KST; Friday's print before, Monday's after
    assert (sunday["prev_date"], sunday["obs_date"]) == (pd.Timestamp("2025-01-24"), pd.Timestamp("2025-01-27"))
    assert sunday["change"] == pytest.approx(-6.0) and not sunday["on_trading_day"]
    assert sunday["fwd_date"] == pd.Timestamp("2025-01-28") and sunday["fwd_change"] == pytest.approx(-10.0)
    selloff = moves.loc["selloff"]  # US open: after Monday's Asian-hours print
    assert selloff["obs_date"] == pd.Timestamp("2025-01-28") and selloff["change_pct"] == pytest.approx(
        (1418 / 1428 - 1) * 100)
    noon = moves.loc["seoul_noon"]  # 12:00 KST comes after that day's print (09:00 KST): the next day's shows it
    assert noon["prev_date"] == pd.Timestamp("2025-01-27") and noon["obs_date"] == pd.Timestamp("2025-01-28")
    assert not noon["on_trading_day"]
    ecb = krw.rename("USDKRW_ECB")
    assert event_moves([events[2]], ecb).loc[0, "obs_date"] == pd.Timestamp("2025-01-28")  # 14:15 CET < 09:30 ET
    nvda = krw.rename("NVDA")
    assert event_moves([events[2]], nvda).loc[0, "obs_date"] == pd.Timestamp("2025-01-27")


def _tidy(series: dict[str, dict[str, float]]) -> pd.DataFrame:
    rows = [{"date": d, "symbol": s, "open": None, "high": None, "low": None, "close": v, "adj_close": None,
             "volume": None} for s, pts in series.items() for d, v in pts.items()]
    return normalise(pd.DataFrame(rows))


def test_event_day_moves_hkex_half_day_and_krx_holiday() -> None:
    prices = _tidy({
        "NVDA": {"2025-01-24": 142.0, "2025-01-27": 118.0},
        "0700.HK": {"2025-01-24": 400.0, "2025-01-27": 404.0, "2025-01-28": 396.0, "2025-02-03": 410.0},
        "000660.KS": {"2025-01-24": 200.0, "2025-01-31": 180.0},
    })
    moves = event_day_moves(prices, "2025-01-27", words("en"),
                            event_time="2025-01-27 09:30 America/New_York").set_index("symbol")
    assert moves.loc["NVDA", "session"] == pd.Timestamp("2025-01-27")
    # HKEX's 01-27 close (16:00 HKT) came before the US open: the half day of 01-28 is its first reaction.
    assert moves.loc["0700.HK", "session"] == pd.Timestamp("2025-01-28")
    assert moves.loc["0700.HK", "change_pct"] == pytest.approx((396 / 404 - 1) * 100)
    # KRX was shut 01-27..01-30 (temporary holiday, then Seollal): its first reaction is 01-31.
    assert moves.loc["000660.KS", "session"] == pd.Timestamp("2025-01-31")
    assert moves.loc["000660.KS", "change_pct"] == pytest.approx(-10.0)


@pytest.mark.parametrize(("lang", "said"), [
    ("ko", {"0700.HK": "2025-01-27 장은 사건 전에 마감; 반영 첫 거래일 2025-01-28",
            "000660.KS": "2025-01-27 휴장; 다음 거래일 2025-01-31",
            "AAPL": "2025-01-27 이전 10일 안에 종가 없음", "MSFT": "2025-01-27 전후 10일 안에 데이터 없음"}),
    ("en", {"0700.HK": "session on 2025-01-27 closed before the event; first session after it 2025-01-28",
            "000660.KS": "market closed on 2025-01-27; next session 2025-01-31",
            "AAPL": "no close before 2025-01-27 within 10 days", "MSFT": "no data within 10 days of 2025-01-27"}),
])
def test_event_day_notes_in_the_readers_words(lang: str, said: dict[str, str]) -> None:
    prices = _tidy({
        "NVDA": {"2025-01-24": 142.0, "2025-01-27": 118.0},
        "0700.HK": {"2025-01-24": 400.0, "2025-01-27": 404.0, "2025-01-28": 396.0},
        "000660.KS": {"2025-01-24": 200.0, "2025-01-31": 180.0},
        "AAPL": {"2025-01-27": 230.0},  # no close before the day
        "MSFT": {"2024-11-01": 400.0},  # nothing near the day
    })
    moves = event_day_moves(prices, "2025-01-27", words(lang),
                            event_time="2025-01-27 09:30 America/New_York").set_index("symbol")
    assert moves["note"].to_dict() == {"NVDA": "", **said}


def test_holiday_carry_only_over_the_members_own_market_holidays() -> None:
    days = pd.to_datetime(["2025-01-24", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
                           "2025-02-03"])
    wide = pd.DataFrame({
        "0700.HK": [100.0, 101.0, 102.0, None, None, None, 110.0],  # HKEX shut 01-29..01-31: carried
        "NVDA": [10.0, 9.0, None, 9.5, 9.6, 9.7, 9.8],  # 01-28 is an NYSE session: a gap, not carried
        "005930.KS": [50.0, None, None, None, None, 55.0, 56.0],  # KRX shut 01-27..01-30: carried
    }, index=days)
    carried = carry_over_holidays(wide)
    assert list(carried["0700.HK"]) == [100.0, 101.0, 102.0, 102.0, 102.0, 102.0, 110.0]
    assert pd.isna(carried.loc["2025-01-28", "NVDA"])
    assert list(carried["005930.KS"].iloc[:5]) == [50.0] * 5
    basket = basket_index(wide, ["0700.HK", "005930.KS"], "2025-01-24", max_carry_days=HOLIDAY_CARRY)
    # The basket lives on its members' sessions (as the scorecard's baskets do): a day on which neither HKEX nor
    # KRX traded gives it no value, even though NVDA's column brought that date into the frame.
    xhkg, xkrx = (exchange_calendars.get_calendar(code) for code in ("XHKG", "XKRX"))
    open_days = [d for d in days if xhkg.is_session(d) or xkrx.is_session(d)]
    assert pd.Timestamp("2025-01-30") not in open_days  # HKEX shut 01-29..01-31, KRX 01-27..01-30
    assert list(basket.dropna().index) == open_days
    # 01-31: KRX reopened (55 / 50), Tencent carried over HKEX's holiday (102 / 100)
    assert basket.loc["2025-01-31"] == pytest.approx((102 / 100 + 55 / 50) / 2 * 100)
    with_gap = basket_index(wide, ["0700.HK", "NVDA"], "2025-01-24", max_carry_days=HOLIDAY_CARRY)
    assert pd.isna(with_gap.loc["2025-01-28"]) and with_gap.loc["2025-01-29"] == pytest.approx((102 + 95) / 2)
