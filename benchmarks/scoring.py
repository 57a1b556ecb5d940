"""Scoring figures: ``python -m benchmarks scoring`` — each bundled commentary's scorecard (verdicts and their
odds against past windows) and every author's track record, on the shared snapshot, warm (median of runs).

Also written to ``benchmarks/results/scoring.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.store import _median_ms
from commentary.cli.score import prices_from
from commentary.document.column import list_commentaries
from commentary.document.model import Commentary
from commentary.library.track_record import records_for
from commentary.scoring.claims import scorecard

RESULTS = Path(__file__).resolve().parent / "results" / "scoring.json"


def _warm_median_ms(fn, repeat: int) -> float:
    fn()  # warm: imports, exchange calendars
    return _median_ms(fn, repeat)


def run(market_dir: Path, repeat: int = 5) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows; the figures also go to :data:`RESULTS`."""
    prices, _ = prices_from(market_dir)
    items = [c for c in list_commentaries() if isinstance(c, Commentary)]
    figures: dict[str, float] = {}
    rows = []
    for item in items:
        ms = _warm_median_ms(lambda item=item: scorecard(item.claims, prices, item.published), repeat)
        readings = len(scorecard(item.claims, prices, item.published))
        figures[f"scorecard {item.id}"] = ms
        rows.append((f"scorecard with odds, {item.id}", f"{ms:.0f} ms ({readings} readings; median of {repeat})",
                     "—"))
    ms = _warm_median_ms(lambda: records_for(items, prices), repeat)
    figures["track record, all authors"] = ms
    rows.append((f"track record, {len(items)} commentaries", f"{ms:.0f} ms (median of {repeat})", "—"))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"unit": "ms (median)", "repeat": repeat, "figures": figures}, indent=1) + "\n",
                       encoding="utf-8")
    return rows
