"""The live preview of a draft: its claims scored, each claim's path chart, each section's chart (pure; the page
words the verdicts with :mod:`ui.verdicts`, as the column page does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from commentary.charts.claim_path import claim_path_figure
from commentary.charts.sections import section_figure
from commentary.document.model import Commentary
from commentary.scoring import claims as scoring
from commentary.scoring.combine import combine_sources
from commentary.timeline.events import Event
from commentary.words import Words


@dataclass(frozen=True)
class DraftPreview:
    """The scored draft: its readings and the combined scorecard (worded by the page, as the column page does)."""

    combined: pd.DataFrame
    readings: tuple[scoring.Reading, ...]


def score_draft(item: Commentary, prices: pd.DataFrame) -> DraftPreview:
    """Every claim of ``item`` scored once on ``prices`` from its publication."""
    readings = tuple(scoring.readings(item.claims, prices, item.published))
    return DraftPreview(combine_sources(scoring.scorecard_frame(readings)), readings)


def claim_figure(item: Commentary, claim_id: str, preview: DraftPreview, prices: pd.DataFrame,
                 events: Sequence[Event], words: Words) -> go.Figure:
    """The claim's path chart (:mod:`commentary.charts.claim_path`) in the reader's ``words``, as on the column
    page."""
    claim = item.claim(claim_id)
    if claim is None:
        raise KeyError(claim_id)
    paths = scoring.claim_paths(claim, prices, item.published)
    mine = [r for r in preview.readings if r.claim_id == claim_id]
    return claim_path_figure(claim, mine, paths, events, words)


def section_preview(item: Commentary, section_id: str, prices: pd.DataFrame, events: Sequence[Event],
                    words: Words) -> go.Figure | pd.DataFrame:
    """The section's chart (or event-day table) exactly as the column page will draw it."""
    section = item.section(section_id)
    if section is None:
        raise KeyError(section_id)
    return section_figure(section, item, prices, events, words)
