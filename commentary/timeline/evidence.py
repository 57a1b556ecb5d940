"""When Yahoo's daily FX value is observed, measured against the ECB fixing, and the method paragraph saying so.

:func:`lead_lag` compares a Yahoo FX series (``KRW=X``, ``CNY=X``) with the ECB cross of the same pair:
the value dated D against the ECB fixing of the previous ECB business day and of D itself (median
absolute gap), and the daily log-return dated D against the ECB return of the previous row and of D
(correlation), overall and per calendar half-year.  On the snapshot the previous day wins everywhere,
which is why :data:`commentary.timeline.observation.YAHOO_FX_PRINT` is 00:00 London time on D
(docs/method-observation.md).  :func:`ui.column_words.observation_paragraph` words it for the method box.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Yahoo FX series -> its ECB counterpart
ECB_PAIRS: dict[str, str] = {"KRW=X": "USDKRW_ECB", "CNY=X": "USDCNY_ECB", "HKD=X": "USDHKD_ECB"}
MIN_DAYS = 60  # fewer common days than this: no finding is claimed


@dataclass(frozen=True)
class LeadLag:
    """How a Yahoo FX series lines up with the ECB fixings (gaps in %, correlations of daily log-returns)."""

    symbol: str
    reference: str
    days: int
    first: dt.date
    last: dt.date
    gap_prev: float  # median |Yahoo(D) / ECB(previous ECB day) - 1|, %
    gap_same: float  # median |Yahoo(D) / ECB(D) - 1|, %
    corr_prev: float  # corr(Yahoo return dated D, ECB return of the previous ECB row)
    corr_same: float  # corr(Yahoo return dated D, ECB return dated D)
    halves: int  # calendar half-years with at least 20 common returns
    halves_agree: int  # of those, how many favour the previous day on both the gap and the correlation

    @property
    def previous_day(self) -> bool:
        """True when every measure says Yahoo's value dated D is nearer the ECB fixing of D-1 than of D."""
        return (self.gap_prev < self.gap_same and self.corr_prev > self.corr_same
                and self.halves > 0 and self.halves_agree == self.halves)


def _clean(series: pd.Series) -> pd.Series:
    out = pd.to_numeric(series, errors="coerce").dropna()
    out = out[out > 0]
    out.index = pd.DatetimeIndex(out.index).tz_localize(None).normalize() if len(out) else out.index
    return out[~out.index.duplicated(keep="last")].sort_index()


def _frame(yahoo: pd.Series, ecb: pd.Series) -> pd.DataFrame:
    """One row per Yahoo date: its value, the previous and same-day ECB values, and the three returns."""
    pos = ecb.index.searchsorted(yahoo.index, side="left") - 1  # last ECB date strictly before D
    prev = np.where(pos >= 0, ecb.to_numpy()[np.clip(pos, 0, None)], np.nan)
    ecb_ret = np.log(ecb).diff()
    return pd.DataFrame({
        "yahoo": yahoo, "ecb_prev": prev, "ecb_same": ecb.reindex(yahoo.index),
        "ret": np.log(yahoo).diff(),
        "ret_prev": ecb_ret.shift(1).reindex(yahoo.index),  # the ECB row before D's (D is an ECB day)
        "ret_same": ecb_ret.reindex(yahoo.index),
    }, index=yahoo.index)


def _measures(frame: pd.DataFrame) -> tuple[float, float, float, float, int]:
    gaps = frame.dropna(subset=["ecb_prev", "ecb_same"])
    gap_prev = float((gaps["yahoo"] / gaps["ecb_prev"] - 1).abs().median() * 100)
    gap_same = float((gaps["yahoo"] / gaps["ecb_same"] - 1).abs().median() * 100)
    rets = frame.dropna(subset=["ret", "ret_prev", "ret_same"])
    corr_prev = float(rets["ret"].corr(rets["ret_prev"])) if len(rets) > 2 else float("nan")
    corr_same = float(rets["ret"].corr(rets["ret_same"])) if len(rets) > 2 else float("nan")
    return gap_prev, gap_same, corr_prev, corr_same, len(rets)


def lead_lag(yahoo: pd.Series, ecb: pd.Series, symbol: str = "", reference: str = "") -> LeadLag | None:
    """Lead/lag of a Yahoo FX series against its ECB counterpart (None with under :data:`MIN_DAYS` common days)."""
    y, e = _clean(yahoo), _clean(ecb)
    if len(y) < 2 or len(e) < 2:
        return None
    frame = _frame(y, e)
    gap_prev, gap_same, corr_prev, corr_same, days = _measures(frame)
    if days < MIN_DAYS:
        return None
    halves = agree = 0
    idx = pd.DatetimeIndex(frame.index)
    for _, part in frame.groupby([idx.year, (idx.month - 1) // 6]):
        g_prev, g_same, c_prev, c_same, n = _measures(part)
        if n < 20:
            continue
        halves += 1
        agree += int(g_prev < g_same and c_prev > c_same)
    used = frame.dropna(subset=["ret", "ret_prev", "ret_same"]).index
    return LeadLag(symbol or str(yahoo.name or ""), reference or str(ecb.name or ""), days, used[0].date(),
                   used[-1].date(), gap_prev, gap_same, corr_prev, corr_same, halves, agree)


def store_lead_lag(prices: pd.DataFrame, symbol: str = "KRW=X") -> LeadLag | None:
    """:func:`lead_lag` of ``symbol`` and its ECB pair from a tidy price frame (``date``, ``symbol``, ``close``)."""
    reference = ECB_PAIRS.get(symbol)
    if reference is None or prices.empty:
        return None

    def closes(sym: str) -> pd.Series:
        rows = prices[prices["symbol"] == sym]
        return pd.Series(rows["close"].to_numpy(), index=pd.DatetimeIndex(rows["date"]), name=sym)

    return lead_lag(closes(symbol), closes(reference), symbol, reference)
