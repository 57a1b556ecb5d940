"""When Yahoo's daily FX value is observed, established on the real snapshot with plain pandas.

The finding (docs/method-observation.md): Yahoo's KRW=X / CNY=X value dated D is the quote at 00:00 London
time on D, i.e. after the ECB fixing and the US close of D-1 and before Seoul opens on D.  Each test
computes its figures here from the CSVs, independently of ``commentary.timeline.evidence``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import catalog
from commentary.timeline.events import EVENTS_PATH
from commentary.timeline.evidence import lead_lag, store_lead_lag
from commentary.timeline.observation import last_before, print_moment, print_moments
from ui.column_words import observation_paragraph

PAIRS = [("KRW=X", "USDKRW_ECB"), ("CNY=X", "USDCNY_ECB")]


def _closes(market_dir: Path, symbol: str) -> pd.Series:
    frame = pd.read_csv(market_dir / f"{symbol}.csv", parse_dates=["date"])
    return frame.set_index("date")["close"].astype(float).rename(symbol)


def _aligned(yahoo: pd.Series, ecb: pd.Series) -> pd.DataFrame:
    """For each Yahoo date D: the ECB fixing of the last ECB day before D and of D, and the returns."""
    rows = []
    ecb_dates = list(ecb.index)
    ecb_returns = np.log(ecb).diff()
    yahoo_returns = np.log(yahoo).diff()
    for day, value in yahoo.items():
        earlier = [d for d in ecb_dates if d < day] if day not in ecb.index else None
        if earlier is None:
            k = ecb_dates.index(day)
            prev_day = ecb_dates[k - 1] if k else None
            rows.append({"date": day, "yahoo": value, "prev": ecb[prev_day] if prev_day is not None else np.nan,
                         "same": ecb[day], "ret": yahoo_returns[day],
                         "ret_prev": ecb_returns[prev_day] if prev_day is not None else np.nan,
                         "ret_same": ecb_returns[day]})
    return pd.DataFrame(rows).set_index("date")


def _figures(rows: pd.DataFrame) -> tuple[float, float, float, float]:
    both = rows.dropna(subset=["prev", "same"])
    gap_prev = ((both["yahoo"] - both["prev"]).abs() / both["prev"]).median() * 100
    gap_same = ((both["yahoo"] - both["same"]).abs() / both["same"]).median() * 100
    rets = rows.dropna(subset=["ret", "ret_prev", "ret_same"])
    return gap_prev, gap_same, np.corrcoef(rets["ret"], rets["ret_prev"])[0, 1], np.corrcoef(
        rets["ret"], rets["ret_same"])[0, 1]


@pytest.mark.parametrize(("yahoo_symbol", "ecb_symbol"), PAIRS)
def test_yahoo_value_dated_d_matches_the_ecb_fixing_of_the_day_before(market_dir: Path, yahoo_symbol: str,
                                                                      ecb_symbol: str) -> None:
    yahoo, ecb = _closes(market_dir, yahoo_symbol), _closes(market_dir, ecb_symbol)
    rows = _aligned(yahoo, ecb)
    gap_prev, gap_same, corr_prev, corr_same = _figures(rows)
    assert gap_prev < 0.7 * gap_same, (gap_prev, gap_same)
    assert corr_prev > corr_same + 0.3, (corr_prev, corr_same)
    # ... in every calendar half-year, not only on average.
    halves = rows.groupby([rows.index.year, rows.index.month > 6])
    measured = 0
    for half, part in halves:
        if part["ret_same"].notna().sum() < 20:
            continue
        measured += 1
        h_gap_prev, h_gap_same, h_corr_prev, h_corr_same = _figures(part)
        assert h_gap_prev < h_gap_same and h_corr_prev > h_corr_same, (half, h_gap_prev, h_gap_same, h_corr_prev,
                                                                         h_corr_same)
    assert measured >= 6
    # The method page quotes the same figures (computed by the code from the same series).
    found = lead_lag(yahoo, ecb, yahoo_symbol, ecb_symbol)
    assert found is not None and found.previous_day and found.halves == found.halves_agree == measured
    assert found.gap_prev == pytest.approx(gap_prev, rel=1e-9) and found.gap_same == pytest.approx(gap_same, rel=1e-9)
    assert found.corr_prev == pytest.approx(corr_prev, rel=1e-9)
    assert found.corr_same == pytest.approx(corr_same, rel=1e-9)


def test_yahoo_fx_close_is_the_opening_quote_of_its_bar(market_dir: Path) -> None:
    """CNY=X has OHLC: its daily 'close' is the bar's open in nearly every row (KRW=X has closes only)."""
    frame = pd.read_csv(market_dir / "CNY=X.csv")
    same = (frame["close"] == frame["open"]).mean()
    assert same > 0.9, same


def test_yahoo_value_dated_d_already_holds_the_us_day_before(market_dir: Path) -> None:
    """Against the dollar index (dated by the US day): KRW=X's move dated D follows the US session of D-1."""
    krw = np.log(_closes(market_dir, "KRW=X")).diff()
    dxy = np.log(_closes(market_dir, "DX-Y.NYB")).diff()
    us_days = list(dxy.index)
    pairs_prev, pairs_same = [], []
    for day, move in krw.dropna().items():
        if day in dxy.index:
            k = us_days.index(day)
            if k >= 1 and not np.isnan(dxy.iloc[k - 1]) and not np.isnan(dxy.iloc[k]):
                pairs_prev.append((move, dxy.iloc[k - 1]))
                pairs_same.append((move, dxy.iloc[k]))
    corr_prev = np.corrcoef(np.array(pairs_prev).T)[0, 1]
    corr_same = np.corrcoef(np.array(pairs_same).T)[0, 1]
    assert len(pairs_prev) > 500 and corr_prev > 0.4 and corr_same < 0.2, (corr_prev, corr_same)


def _seoul_closes() -> dict[pd.Timestamp, float]:
    """The Seoul FX closes the events file quotes (``reported`` entries of what = "seoul_close" with a date)."""
    out = {}
    for event in tomllib.loads(EVENTS_PATH.read_text(encoding="utf-8"))["event"]:
        for item in event.get("reported", []):
            if item["what"] == "seoul_close" and "date" in item:
                out[pd.Timestamp(item["date"])] = float(item.get("value", (item.get("values") or [None])[0]))
    return out


def test_seoul_closes_fall_between_yahoos_print_of_the_day_and_the_next(market_dir: Path) -> None:
    """Seoul's 15:30 close of D is nearer Yahoo's D than Yahoo's D+1 or the ECB fixing of D-1."""
    seoul = _seoul_closes()
    assert len(seoul) >= 8
    yahoo, ecb = _closes(market_dir, "KRW=X"), _closes(market_dir, "USDKRW_ECB")
    gaps: dict[str, list[float]] = {"yahoo_d": [], "yahoo_next": [], "ecb_prev": []}
    for day, close in seoul.items():
        later = yahoo[yahoo.index > day]
        earlier_ecb = ecb[ecb.index < day]
        gaps["yahoo_d"].append(abs(yahoo[day] / close - 1))
        gaps["yahoo_next"].append(abs(later.iloc[0] / close - 1))
        gaps["ecb_prev"].append(abs(earlier_ecb.iloc[-1] / close - 1))
    median = {k: float(np.median(v)) for k, v in gaps.items()}
    assert median["yahoo_d"] < median["yahoo_next"] and median["yahoo_d"] < median["ecb_prev"], median


def test_the_code_places_each_yahoo_print_between_the_us_close_before_and_seoul_opening(market_dir: Path) -> None:
    """The finding, as the code uses it: ECB D-1 < US close D-1 < Yahoo D < Seoul opens (09:00 KST) on D."""
    days = pd.DatetimeIndex(_closes(market_dir, "KRW=X").index)
    yahoo = print_moments("KRW=X", days)
    ecb_prev = print_moments("USDKRW_ECB", days - pd.Timedelta(days=1))
    us_close_prev = (days - pd.Timedelta(days=1) + pd.Timedelta(hours=16)).tz_localize("America/New_York")
    seoul_open = (days + pd.Timedelta(hours=9)).tz_localize("Asia/Seoul")
    assert (ecb_prev < yahoo).all()
    assert (us_close_prev.tz_convert("UTC") < yahoo).all()
    assert (yahoo <= seoul_open.tz_convert("UTC")).all()


def test_indictment_week_agrees_across_sources_on_matching_moments(market_dir: Path) -> None:
    """Yahoo's 01-24 and 01-31 prints match the ECB fixings of 01-23 and 01-30; both move under 1% over them."""
    yahoo, ecb = _closes(market_dir, "KRW=X"), _closes(market_dir, "USDKRW_ECB")
    ecb_dates = pd.DatetimeIndex(ecb.index)
    start = ecb_dates[last_before("USDKRW_ECB", ecb_dates, print_moment("KRW=X", "2025-01-24"))]
    end = ecb_dates[last_before("USDKRW_ECB", ecb_dates, print_moment("KRW=X", "2025-01-31"))]
    assert (start, end) == (pd.Timestamp("2025-01-23"), pd.Timestamp("2025-01-30"))
    yahoo_move = abs(yahoo["2025-01-31"] / yahoo["2025-01-24"] - 1) * 100
    ecb_move = abs(ecb[end] / ecb[start] - 1) * 100
    assert yahoo_move < 1 and ecb_move < 1, (yahoo_move, ecb_move)


def test_method_paragraph_quotes_the_measured_figures(market_dir: Path) -> None:
    rows = []
    for symbol in ("KRW=X", "USDKRW_ECB"):
        frame = pd.read_csv(market_dir / f"{symbol}.csv", parse_dates=["date"])
        rows.append(frame.assign(symbol=symbol))
    prices = pd.concat(rows, ignore_index=True)
    found = store_lead_lag(prices)
    gap_prev, gap_same, corr_prev, corr_same = _figures(_aligned(_closes(market_dir, "KRW=X"),
                                                                 _closes(market_dir, "USDKRW_ECB")))
    for lang in ("ko", "en"):
        text = observation_paragraph(lang, found)
        assert text.startswith(catalog.text(lang, "timeline.method_observation"))
        for figure in (gap_prev, gap_same, corr_prev, corr_same):
            assert f"{figure:.2f}" in text, (lang, figure)
        assert observation_paragraph(lang, None) == catalog.text(lang, "timeline.method_observation")
    assert store_lead_lag(prices[prices["symbol"] == "KRW=X"]) is None  # no ECB series: no figures claimed
    assert store_lead_lag(prices, "NVDA") is None


def test_no_finding_is_claimed_on_too_little_or_contrary_data(market_dir: Path) -> None:
    yahoo, ecb = _closes(market_dir, "KRW=X"), _closes(market_dir, "USDKRW_ECB")
    assert lead_lag(yahoo["2025-01-01":"2025-02-15"], ecb["2025-01-01":"2025-02-15"]) is None  # ~30 days
    # A "Yahoo" series that is the same-day fixing: the paragraph states the timing without the figures.
    found = lead_lag(ecb.reindex(yahoo.index).dropna(), ecb)
    assert found is not None and not found.previous_day
    for lang in ("ko", "en"):
        assert observation_paragraph(lang, found) == catalog.text(lang, "timeline.method_observation")
