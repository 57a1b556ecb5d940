"""Event pins: deterministic label staggering, traces/shapes/annotations, escaping, reader-note style."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from commentary.charts.pins import (
    LEVEL_STEP,
    LEVEL_TOP,
    USER_COLOUR,
    add_event_pins,
    add_reference_line,
    events_from_annotations,
    label_width,
    stagger_levels,
)
from commentary.timeline.events import Event, load_events
from ui.words import words


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _ev(ident: str, day: str | None = None, start: str | None = None, end: str | None = None,
        label: str | None = None, kind: str = "fx") -> Event:
    text = label or ident
    return Event(ident, kind, text, text, f"note {ident}", f"note {ident}", "Publisher",
                 f"https://example.com/{ident}", date=_d(day), start=_d(start), end=_d(end))


def _base() -> go.Figure:
    days = pd.date_range("2025-01-01", "2025-03-31", freq="D")
    return go.Figure(go.Scatter(x=days, y=list(range(len(days))), name="series"))


def test_stagger_far_apart_events_share_the_top_level() -> None:
    assert stagger_levels(["2025-01-01", "2025-02-01", "2025-03-01"], min_gap_days=7) == [0, 0, 0]


def test_stagger_close_events_get_successive_levels() -> None:
    dates = ["2025-01-20", "2025-01-20", "2025-01-24", "2025-01-26", "2025-02-20"]
    assert stagger_levels(dates, min_gap_days=7, n_levels=6) == [0, 1, 2, 3, 0]


def test_stagger_frees_a_level_after_the_gap_and_is_order_independent() -> None:
    # 01-01 L0; 01-05 L1; 01-10 is 9 days after 01-01 (> 7) so L0 is free again.
    assert stagger_levels(["2025-01-01", "2025-01-05", "2025-01-10"], min_gap_days=7) == [0, 1, 0]
    assert stagger_levels(["2025-01-10", "2025-01-01", "2025-01-05"], min_gap_days=7) == [0, 0, 1]
    assert stagger_levels(["2025-01-01", "2025-01-08"], min_gap_days=7) == [0, 1]  # exactly 7 days: still busy


def test_stagger_reuses_the_level_that_frees_first_when_full() -> None:
    dates = ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"]
    assert stagger_levels(dates, min_gap_days=30, n_levels=3) == [0, 1, 2, 0]


def test_stagger_long_labels_keep_their_level_busy_longer() -> None:
    dates = ["2025-01-01", "2025-01-10"]
    assert stagger_levels(dates, min_gap_days=3) == [0, 0]
    assert stagger_levels(dates, min_gap_days=3, busy_days=[20, 1]) == [0, 1]
    with pytest.raises(ValueError, match="one entry per date"):
        stagger_levels(dates, busy_days=[1])


def test_label_width_counts_korean_as_double() -> None:
    assert label_width("abc") == 3 and label_width("환율") == 4


def _by_name(items, prefix: str) -> dict:
    return {item.name.split(":", 1)[1]: item for item in items if item.name and item.name.startswith(prefix)}


def test_pins_add_marker_trace_lines_labels_and_band() -> None:
    events = [_ev("a", "2025-01-20"), _ev("b", "2025-01-22"), _ev("c", "2025-03-20"),
              _ev("seollal", start="2025-01-27", end="2025-01-30", kind="holiday")]
    fig = add_event_pins(_base(), events, words("en"), min_gap_days=7)
    pins = [t for t in fig.data if t.meta == "event-pins"]
    assert len(pins) == 1 and len(pins[0].x) == 4 and pins[0].mode == "markers"
    assert "Publisher" in pins[0].hovertext[0] and "https://example.com/a" in pins[0].hovertext[0]
    assert "note a" in pins[0].hovertext[0]
    overlay = fig.layout[f"yaxis{pins[0].yaxis[1:]}"]
    assert overlay.overlaying == "y" and tuple(overlay.range) == (0, 1) and overlay.visible is False

    lines = _by_name(fig.layout.shapes, "line:")
    assert set(lines) == {"event:a", "event:b", "event:c"}
    assert lines["event:a"].x0 == lines["event:a"].x1
    band = _by_name(fig.layout.shapes, "band:")["event:seollal"]
    assert band.type == "rect" and band.yref == "y domain" and (band.y0, band.y1) == (0, 1)
    assert pd.Timestamp(band.x0) == pd.Timestamp("2025-01-27") and pd.Timestamp(band.x1) == pd.Timestamp("2025-01-31")

    labels = _by_name(fig.layout.annotations, "label:")
    assert {k: v.text for k, v in labels.items()} == {"event:a": "a", "event:b": "b", "event:c": "c",
                                                      "event:seollal": "seollal"}
    levels = {k: round((LEVEL_TOP - v.y) / LEVEL_STEP) for k, v in labels.items()}
    assert levels == {"event:a": 0, "event:b": 1, "event:seollal": 2, "event:c": 0}
    assert all(a.showarrow is False for a in labels.values())


def test_pins_escape_html_and_style_reader_notes() -> None:
    notes = pd.DataFrame({"id": ["n1"], "date": [pd.Timestamp("2025-02-03")],
                          "label": ["<b>big</b> & <script>x</script>"], "note": ["first\n<img src=x>"]})
    fig = add_event_pins(_base(), events_from_annotations(notes), words("ko"), user=True)
    (trace,) = [t for t in fig.data if t.meta == "user-pins"]
    assert trace.marker.symbol == "star" and trace.marker.color[0] == USER_COLOUR
    label = _by_name(fig.layout.annotations, "label:")["user:n1"].text
    assert label == "(내 메모) &lt;b&gt;big&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"
    assert "<img" not in trace.hovertext[0] and "&lt;img src=x&gt;" in trace.hovertext[0]
    assert "first<br>" in trace.hovertext[0]
    fig_en = add_event_pins(_base(), events_from_annotations(notes), words("en"), user=True)
    assert _by_name(fig_en.layout.annotations, "label:")["user:n1"].text.startswith("(my note) ")


def test_pins_on_a_subplot_row_and_reused_overlay_axis() -> None:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True)
    days = pd.date_range("2025-01-01", periods=40)
    fig.add_trace(go.Scatter(x=days, y=list(range(40))), row=1, col=1)
    fig.add_trace(go.Scatter(x=days, y=list(range(40))), row=2, col=1)
    add_event_pins(fig, [_ev("a", "2025-01-10")], words("en"), row=2)
    add_event_pins(fig, [_ev("n", "2025-01-12")], words("en"), row=2, user=True)
    pins = [t for t in fig.data if t.meta in ("event-pins", "user-pins")]
    assert {t.xaxis for t in pins} == {"x2"} and len({t.yaxis for t in pins}) == 1
    overlay = fig.layout[f"yaxis{pins[0].yaxis[1:]}"]
    assert overlay.overlaying == "y2"
    assert _by_name(fig.layout.shapes, "line:")["event:a"].yref == "y2 domain"


def test_pins_at_a_data_value_and_empty_input() -> None:
    fig = add_event_pins(_base(), [_ev("a", "2025-01-10")], words("en"), y_ref=50.0)
    (trace,) = [t for t in fig.data if t.meta == "event-pins"]
    assert trace.yaxis == "y" and tuple(trace.y) == (50.0,)
    same = _base()
    assert len(add_event_pins(same, [], words("en")).data) == 1
    with pytest.raises(ValueError, match="y_ref"):
        add_event_pins(_base(), [_ev("a", "2025-01-10")], words("en"), y_ref="data")


def test_priority_labels_are_placed_first_and_crowded_ones_collapse() -> None:
    dates = ["2025-01-20", "2025-01-21", "2025-01-22", "2025-01-23"]
    assert stagger_levels(dates, min_gap_days=10, n_levels=2, collapse=True) == [0, 1, None, None]
    ranked = stagger_levels(dates, min_gap_days=10, n_levels=2, collapse=True, priorities=[1, 1, 2, 2])
    assert ranked == [None, None, 0, 1]
    # without collapse a crowded label reuses the level that frees up first
    assert stagger_levels(dates, min_gap_days=10, n_levels=2)[2] in (0, 1)


def test_reference_line_is_a_shape_plus_annotation() -> None:
    fig = add_reference_line(_base(), 1430.0, "1,430 <KRW>")
    (shape,) = fig.layout.shapes
    assert (shape.y0, shape.y1, shape.xref, shape.yref) == (1430.0, 1430.0, "x domain", "y")
    (note,) = fig.layout.annotations
    assert note.text == "1,430 &lt;KRW&gt;" and note.y == 1430.0


def test_real_events_never_use_vline_annotations_and_all_pinned() -> None:
    events = load_events()
    fig = add_event_pins(_base(), events, words("ko"))
    (pins,) = [t for t in fig.data if t.meta == "event-pins"]
    assert len(pins.x) == len(events)  # every event has its marker (and hover), labelled or collapsed
    labelled = {name.split(":")[-1] for name in _by_name(fig.layout.annotations, "label:")}
    assert {e.id for e in events if e.priority >= 2} <= labelled  # key events keep their labels
    assert all(a.xref == "x" for a in fig.layout.annotations)
