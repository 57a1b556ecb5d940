"""Every chart is shown through :func:`plot`: full width, no Plotly toolbar (on a phone it sat on the chart's
title; zoom still works by dragging, a double tap resets), no Plotly logo, and the page scrolls over a chart
instead of zooming it."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

CONFIG: dict[str, Any] = {"displayModeBar": False, "displaylogo": False, "scrollZoom": False, "responsive": True}


def plot(fig: go.Figure, *, key: str | None = None, where: Any = None, **kwargs: Any) -> Any:
    """``st.plotly_chart`` with the dashboard's settings, in ``where`` (a column or container; default the page).
    Extra keyword arguments (``on_select``, ``selection_mode`` …) pass through."""
    target = st if where is None else where
    return target.plotly_chart(fig, width="stretch", key=key, config=CONFIG, **kwargs)
