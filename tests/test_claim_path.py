"""The claim-path figure read at a phone's width (390 px): the bundled column's claims on the real snapshot,
their labels placed so that none overlaps another on a 330 px plot."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from commentary.charts import claim_path as cp
from commentary.charts.pins import label_px
from commentary.document.column import list_commentaries
from commentary.scoring.claims import claim_paths, readings
from commentary.timeline.events import EVENTS_PATH, load_events
from data_sources.store import Store


@pytest.fixture(scope="module")
def baek():
    return next(c for c in list_commentaries() if getattr(c, "id", "") == "baek-2025-01-26")


@pytest.fixture(scope="module")
def prices(_seeded_template: Path) -> pd.DataFrame:
    return Store(_seeded_template).read().prices


def _figure(item, claim_id: str, prices: pd.DataFrame, lang: str = "ko"):
    claim = item.claim(claim_id)
    mine = [r for r in readings(item.claims, prices, item.published) if r.claim_id == claim_id]
    paths = claim_paths(claim, prices, item.published)
    return cp.claim_path_figure(claim, mine, paths, load_events(EVENTS_PATH), lang)


def _x_px(fig, x) -> float:
    xs = [pd.Timestamp(v) for t in fig.data if t.mode == "lines" for v in t.x]
    lo, hi = min(xs), max(xs)
    for shape in fig.layout.shapes:  # the horizon lines widen the range past the last close
        if _is_horizon_line(shape):
            hi = max(hi, pd.Timestamp(shape.x0))
    return (pd.Timestamp(x) - lo).days / max((hi - lo).days, 1) * cp.PHONE_PLOT_PX


def _is_horizon_line(shape) -> bool:
    return shape.type == "line" and shape.x0 is not None and shape.x0 == shape.x1 and not shape.name


def _overlaps(boxes: list[tuple[float, float]]) -> bool:
    boxes = sorted(boxes)
    return any(b[0] < a[1] for a, b in pairwise(boxes))


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("claim_id", ["cn-tech-beats-us-bigtech", "usdkrw-keeps-falling", "indictment-no-fx-move"])
def test_top_labels_do_not_overlap_on_a_phone(baek, prices, claim_id: str, lang: str) -> None:
    fig = _figure(baek, claim_id, prices, lang)
    horizons = [a for a in fig.layout.annotations if (a.name or "").startswith("horizon:")]
    claim = baek.claim(claim_id)
    assert f"horizon:{claim.primary}" in {a.name for a in horizons}  # the primary horizon is always named
    boxes = []
    for a in horizons:
        centre, half = _x_px(fig, a.x), label_px(a.text) / 2
        boxes.append((centre - half, centre + half))
    assert not _overlaps(boxes), [(a.text, a.x) for a in horizons]
    # every horizon still has its line, and its verdict in the end markers' hover
    lines = [s for s in fig.layout.shapes if _is_horizon_line(s)]
    assert len(lines) >= len(claim.horizons) - 1
    assert {t.name for t in fig.data if (t.name or "").startswith("end:")} >= {f"end:{claim.primary}"}


def test_five_horizons_name_fewer_labels_than_lines(baek, prices) -> None:
    """1W, 1M, 3M, 6M and year-end over a year: the short ones would pile up at the left of a phone's plot."""
    fig = _figure(baek, "cn-tech-beats-us-bigtech", prices)
    named = {a.name for a in fig.layout.annotations if (a.name or "").startswith("horizon:")}
    assert "horizon:year-end" in named and len(named) < 5
    ends = {t.name for t in fig.data if (t.name or "").startswith("end:")}
    assert ends == {"end:1W", "end:1M", "end:3M", "end:6M", "end:year-end"}  # nothing of the reading is lost


def test_at_most_one_divergence_label_and_every_gap_in_hover(baek, prices) -> None:
    fig = _figure(baek, "usdkrw-keeps-falling", prices, "en")
    labels = [a for a in fig.layout.annotations if (a.name or "").startswith("divergence:")]
    marks = [t for t in fig.data if t.name == "divergences"]
    assert len(labels) <= cp.MAX_DIVERGENCE_LABELS
    if marks:
        assert len(marks[0].x) >= len(labels) and all("Yahoo vs ECB" in h for h in marks[0].hovertext)


def test_event_labels_collapse_rather_than_overlap_on_a_phone(baek, prices) -> None:
    fig = _figure(baek, "cn-tech-beats-us-bigtech", prices, "ko")
    pins = next(t for t in fig.data if t.meta == "event-pins")
    labels = [a for a in fig.layout.annotations if (a.name or "").startswith("label:event:")]
    assert len(labels) < len(pins.x)  # a year of events: some pins keep only their marker and hover
    by_level: dict[float, list[tuple[float, float]]] = {}
    for a in labels:  # left-anchored labels, 6 px off their pin
        left = _x_px(fig, a.x) + 6
        by_level.setdefault(round(a.y, 3), []).append((left, left + label_px(a.text)))
    assert not any(_overlaps(boxes) for boxes in by_level.values())


def test_legend_sits_below_the_plot(baek, prices) -> None:
    fig = _figure(baek, "cn-tech-beats-us-bigtech", prices)
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0
    assert fig.layout.height >= 300
    # level date ticks, at most 4: rotated ones ran into the legend on a phone (the browser test measures it)
    assert fig.layout.xaxis.tickangle == 0 and fig.layout.xaxis.nticks <= 4
