"""The key under a chart with numbered event pins (``commentary.charts.pin_numbers``)."""

from __future__ import annotations

import streamlit as st

from commentary.charts.pin_numbers import key_from_figure, key_markdown
from ui.i18n import lang, t


def render_pin_key(fig) -> None:
    """Print the numbers' key right under the chart (nothing when the figure has no numbered pins)."""
    key = key_from_figure(fig)
    if key:
        st.caption(t("column.pin_key") + key_markdown(key, lang()))
