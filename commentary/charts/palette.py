"""One palette for every chart, keyed by series: a basket, benchmark or FX source keeps its colour on every
page, plus the date axis formats the chart builders share (in the reader's words, handed in by ``ui``).

Colours are chosen so that the two baskets (the column's two sides) are the strongest pair, benchmarks
are lighter relatives of their market's basket, and Yahoo vs ECB differ in hue as well as dash.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

from commentary.words import Words

SERIES_COLOURS: dict[str, str] = {
    # the two baskets
    "US_BASKET": "#1f4e9c",  # deep blue
    "CN_BASKET": "#c8102e",  # red
    # US benchmarks: blues / teals
    "^NDX": "#5b9bd5",
    "^IXIC": "#6fa8dc",
    "^GSPC": "#2e86ab",
    "QQQ": "#4a90c2",
    "SPY": "#3d7ea6",
    "SOXX": "#17a2b8",
    "SMH": "#148f9f",
    "^SOX": "#0e6f7c",
    # China / Hong Kong benchmarks: warm
    "^HSI": "#e67e22",
    "3033.HK": "#d35400",
    "KWEB": "#b03a2e",
    "CQQQ": "#a04000",
    "FXI": "#f39c12",
    "MCHI": "#ca6f1e",
    "EWH": "#dc7633",
    # Korea
    "^KS11": "#27ae60",
    # FX: Yahoo vs ECB (same pair, two sources), and the yuan
    "KRW=X": "#1f3b73",
    "USDKRW_ECB": "#7d3c98",
    "CNY=X": "#c0392b",
    "USDCNY_ECB": "#e59866",
    "HKD=X": "#138d75",
    "USDHKD_ECB": "#48c9b0",
    "DX-Y.NYB": "#566573",
    # the reader's notes and the column's marks
    "user_note": "#9b30d9",
    "reference": "#7f7f7f",
}
FALLBACK: tuple[str, ...] = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#9467bd", "#2ca02c",
                             "#ff7f0e", "#aec7e8", "#98df8a")
DASHES: dict[str, str] = {"USDKRW_ECB": "dash", "USDCNY_ECB": "dash", "CNY=X": "dot"}
#: Other names of one series: a column's front matter names its baskets (``us_bigtech``), the column's section
#: charts key them ``basket:<name>``, the compare page ``US_BASKET``. All are the same identity.
ALIASES: dict[str, str] = {"us_bigtech": "US_BASKET", "us_tech": "US_BASKET", "us": "US_BASKET",
                           "cn_tech": "CN_BASKET", "china_tech": "CN_BASKET", "cn": "CN_BASKET"}
BASKET_PREFIX = "basket:"


def identity(key: str) -> str:
    """The series a chart key stands for (``basket:us_bigtech`` → ``US_BASKET``; a symbol is itself)."""
    name = str(key).removeprefix(BASKET_PREFIX)
    return ALIASES.get(name, ALIASES.get(name.lower(), name))


def colour(key: str, index: int = 0) -> str:
    """The colour of series ``key`` (a basket key or alias, a symbol or a named role); unknown keys cycle
    :data:`FALLBACK` by ``index`` so a chart's extra lines still differ."""
    return SERIES_COLOURS.get(identity(key)) or FALLBACK[index % len(FALLBACK)]


def colours(keys: Iterable[str]) -> dict[str, str]:
    """``{key: colour}`` for ``keys`` in order (unknown keys each take the next fallback colour)."""
    out: dict[str, str] = {}
    spare = 0
    for key in keys:
        if identity(key) in SERIES_COLOURS:
            out[key] = SERIES_COLOURS[identity(key)]
        else:
            out[key] = FALLBACK[spare % len(FALLBACK)]
            spare += 1
    return out


def dash(key: str) -> str:
    """The line dash of series ``key`` ("solid" unless it is a second source of the same pair)."""
    return DASHES.get(identity(key), "solid")


# --------------------------------------------------------------------------- axis formats


def date_ticks(words: Words) -> list[dict[str, object]]:
    """Plotly ``tickformatstops`` saying dates in the reader's words: times within a day, days up to a month,
    months up to a year, then years."""
    fmt = words.date_format
    return [
        {"dtickrange": [None, 86_400_000], "value": fmt["minute"]},
        {"dtickrange": [86_400_000, "M1"], "value": fmt["short"]},
        {"dtickrange": ["M1", "M12"], "value": fmt["month"]},
        {"dtickrange": ["M12", None], "value": fmt["year"]},
    ]


def apply_date_axis(fig: go.Figure, words: Words) -> go.Figure:
    """Date ticks and hover dates in the reader's words on every x axis of ``fig`` (``1월 27일``, ``2025년 2월``)."""
    fig.update_xaxes(tickformatstops=date_ticks(words), hoverformat=hover_date(words))
    return fig


def hover_date(words: Words) -> str:
    """The ``%{x|…}`` date format for hover templates in the reader's words."""
    return words.date_format["long"]
