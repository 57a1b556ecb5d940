"""Column settings for tables more than one page shows."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t


def event_day_columns(text_prices: bool = False) -> dict:
    """``st.dataframe`` column_config for an event-day moves table (``compare_view.moves_frame``).

    ``text_prices``: show the closes from ``prev_close_text``/``close_text`` (won without decimals, other
    currencies with two) and hide the numeric columns."""
    config = {
        "symbol": st.column_config.TextColumn(t("compare.table_symbol")),
        "name": st.column_config.TextColumn(t("compare.table_name")),
        "currency": st.column_config.TextColumn(t("compare.table_currency")),
        "prev_date": st.column_config.DateColumn(t("compare.table_prev_date"), format="YYYY-MM-DD"),
        "prev_close": st.column_config.NumberColumn(t("compare.table_prev_close"), format="localized"),
        "session": st.column_config.DateColumn(t("compare.table_session"), format="YYYY-MM-DD"),
        "close": st.column_config.NumberColumn(t("compare.table_close"), format="localized"),
        "change_pct": st.column_config.NumberColumn(t("compare.table_change"), format="%+.2f%%"),
        "note": st.column_config.TextColumn(t("compare.table_note")),
    }
    if text_prices:
        config.update({"prev_close": None, "close": None,
                       "prev_close_text": st.column_config.TextColumn(t("compare.table_prev_close")),
                       "close_text": st.column_config.TextColumn(t("compare.table_close"))})
    return config


EVENT_DAY_ORDER: tuple[str, ...] = ("name", "change_pct", "close_text", "session", "prev_close_text", "prev_date",
                                    "currency", "symbol", "note")  # the % change right after the name (phones)
