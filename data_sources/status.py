"""The status table: one row per universe symbol (and any other stored symbol)."""

from __future__ import annotations

import pandas as pd

from data_sources.store import PriceSnapshot, summarise
from data_sources.universe import UNIVERSE, instrument

STATUS_COLUMNS = ("symbol", "name", "currency", "rows", "first", "last", "source", "fetched_at")


def status_table(snapshot: PriceSnapshot, lang: str = "en") -> pd.DataFrame:
    """Symbol, name, currency, rows, first/last date, source and fetched-at; "no data yet" where empty."""
    summary = summarise(snapshot).set_index("symbol")
    symbols = [i.symbol for i in UNIVERSE] + sorted(set(summary.index) - {i.symbol for i in UNIVERSE})
    rows = []
    for symbol in symbols:
        inst = instrument(symbol)
        info = snapshot.series.get(symbol, {})
        stored = symbol in summary.index
        rows.append({
            "symbol": symbol,
            "name": inst.name(lang) if inst else "",
            "currency": inst.currency if inst else "",
            "rows": int(summary.at[symbol, "rows"]) if stored else 0,
            "first": summary.at[symbol, "first"].date().isoformat() if stored else "",
            "last": summary.at[symbol, "last"].date().isoformat() if stored else "",
            "source": info.get("source", "") if stored else ("no data yet" if lang == "en" else "데이터 없음"),
            "fetched_at": str(info.get("fetched_at", "")) if stored else "",
        })
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def data_as_of(snapshot: PriceSnapshot) -> pd.Timestamp | None:
    """The latest stored trading date over all series (None for an empty store)."""
    return None if snapshot.prices.empty else snapshot.prices["date"].max()
