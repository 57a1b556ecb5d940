"""Column settings for tables more than one page shows."""

from __future__ import annotations

import streamlit as st

from ui.i18n import tr


def event_day_columns(text_prices: bool = False) -> dict:
    """``st.dataframe`` column_config for an event-day moves table (``compare_view.moves_frame``).

    ``text_prices``: show the closes from ``prev_close_text``/``close_text`` (won without decimals, other
    currencies with two) and hide the numeric columns."""
    config = {
        "symbol": st.column_config.TextColumn(tr("코드", "Symbol")),
        "name": st.column_config.TextColumn(tr("이름", "Name")),
        "currency": st.column_config.TextColumn(tr("통화", "Currency")),
        "prev_date": st.column_config.DateColumn(tr("이전 거래일", "Previous session"), format="YYYY-MM-DD"),
        "prev_close": st.column_config.NumberColumn(tr("이전 종가", "Previous close"), format="%.2f"),
        "session": st.column_config.DateColumn(tr("반영 거래일", "Session"), format="YYYY-MM-DD"),
        "close": st.column_config.NumberColumn(tr("종가", "Close"), format="%.2f"),
        "change_pct": st.column_config.NumberColumn(tr("변화 %", "Change %"), format="%+.2f"),
        "note": st.column_config.TextColumn(tr("비고", "Note")),
    }
    if text_prices:
        config.update({"prev_close": None, "close": None,
                       "prev_close_text": st.column_config.TextColumn(tr("이전 종가", "Previous close")),
                       "close_text": st.column_config.TextColumn(tr("종가", "Close"))})
    return config


EVENT_DAY_ORDER: tuple[str, ...] = ("name", "change_pct", "close_text", "session", "prev_close_text", "prev_date",
                                    "currency", "symbol", "note")  # the % change right after the name (phones)
