"""The key under a chart with numbered event pins (``commentary.charts.pin_numbers``)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from commentary.charts.pin_numbers import PinKey, key_from_figure
from commentary.text.safe_text import md_escape
from commentary.words import Words
from ui.i18n import lang, t
from ui.words import words

KEY_COLOURS = {"politics": "red", "fx": "blue", "ai": "green", "market": "orange", "holiday": "gray",
               "central_bank": "blue", "trade": "violet"}  # Streamlit's named colours nearest the pins' KIND_COLOURS


def key_markdown(key: Sequence[PinKey], said: Words) -> str:
    """The key as one Markdown paragraph: ``1 12월 3일 비상계엄 선포의 밤 · 2 …``, the number in its kind's colour,
    the year on the first entry and whenever it changes. Labels are escaped (reader text can never be markup)."""
    parts, year = [], None
    for item in key:
        day = pd.Timestamp(item.date.split(" ~ ")[0])
        text = said.date(day, "long" if day.year != year else "short")
        year = day.year
        colour = KEY_COLOURS.get(item.kind, "gray")
        parts.append(f":{colour}[**{item.number}**] {md_escape(text)} {md_escape(item.label, 80)}")
    return " · ".join(parts)


def render_pin_key(fig) -> None:
    """Print the numbers' key right under the chart (nothing when the figure has no numbered pins)."""
    key = key_from_figure(fig)
    if key:
        st.caption(t("column.pin_key") + key_markdown(key, words(lang())))
