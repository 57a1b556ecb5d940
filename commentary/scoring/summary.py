"""Each claim's primary verdict as codes and counts; verdicts, sources, measurements and a reading's detail in the
reader's words (a :class:`commentary.words.Words`: catalog keys, never a language); the per-claim lines laid out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from commentary.scoring.rules import SeriesRef, ref_name
from commentary.text.formatting import fmt_number, fmt_pct
from commentary.words import Words
from data_sources.errors import Problem

if TYPE_CHECKING:
    from commentary.document.model import Claim

#: The verdict states' catalog keys: the one vocabulary of the column page, its scorecard, the Library and the
#: claim path chart.
VERDICT_KEYS: dict[str, str] = {"held": "odds.verdict.held", "failed": "odds.verdict.failed",
                                "source-dependent": "odds.verdict.source_dependent",
                                "too early": "odds.verdict.too_early", "judged later": "odds.verdict.judged_later",
                                "no data": "odds.verdict.no_data"}
#: The price sources' catalog keys.
SOURCE_KEYS: dict[str, str] = {"yahoo": "column.source.yahoo", "ecb": "column.source.ecb",
                               "data": "column.source.data"}


def verdict_label(verdict: str, words: Words) -> str:
    """A verdict state in the reader's words; an unknown code as itself."""
    return words(VERDICT_KEYS[verdict]) if verdict in VERDICT_KEYS else verdict


def source_label(source: str, words: Words) -> str:
    """A price source's name in the reader's words; an unknown one as itself."""
    return words(SOURCE_KEYS[source]) if source in SOURCE_KEYS else source


def format_measured(value: float | None, unit: str, words: Words) -> str:
    """A measurement with its unit: ``+5.2 pp``/``+5.2%p``, ``+0.54%``, ``73.0% of prints``, ``₩1,441.7``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if unit == "pp":
        return words("scoring_words.unit.pp", value=fmt_number(value, 1, sign=True))
    if unit == "%":
        return fmt_pct(value, 2)
    if unit == "% of prints":
        return words("scoring_words.unit.prints", value=fmt_number(value, 1))
    if unit == "KRW":
        return words("unit.won", value=fmt_number(value, 1))
    return f"{fmt_number(value, 2)} {unit}".strip()


def detail_text(detail: Problem | None, words: Words) -> str:
    """A reading's detail (:attr:`commentary.scoring.claims.Reading.detail`, a code and its numbers) in the
    reader's words; a series among its parameters is named (:func:`commentary.scoring.rules.ref_name`)."""
    if detail is None:
        return ""
    params = {k: ref_name(v, words) if isinstance(v, SeriesRef) else v for k, v in detail.params.items()}
    return words(detail.code, **params)


def scorecard_csv(card: pd.DataFrame, words: Words) -> str:
    """The scorecard (:func:`commentary.scoring.claims.scorecard`) as CSV text, its details in ``words``: the
    CLI's ``csv`` format and the column page's download."""
    shown = card.assign(detail=[detail_text(d, words) for d in card["detail"]])
    return shown.to_csv(index=False, float_format="%.6g")


def claim_lines(claims: Sequence[Claim], combined: pd.DataFrame, words: Words,
                phrase: Callable[[pd.Series], str], missing: str) -> list[tuple[str, str, str]]:
    """``(claim text, primary horizon label, verdict phrase)`` per claim, in claim order: ``phrase`` words a combined
    row (the caller's words), ``missing`` stands for a claim without a primary-horizon row."""
    out = []
    for claim in claims:
        rows = combined[(combined["claim_id"] == claim.id) & combined["primary"]]
        horizon = claim.horizon(claim.primary)
        label = horizon.label(words) if horizon is not None else claim.primary
        said = phrase(rows.iloc[0]) if len(rows) else missing
        out.append((claim.text(words.language), label, said))
    return out


def primary_verdicts(claims: Sequence[Claim], combined: pd.DataFrame) -> list[str]:
    """Each claim's primary-horizon verdict (combined across sources)."""
    out = []
    for claim in claims:
        rows = combined[(combined["claim_id"] == claim.id) & combined["primary"]]
        out.append(str(rows.iloc[0]["verdict"]) if len(rows) else "no data")
    return out


VERDICT_ORDER = ("held", "failed", "source-dependent", "too early", "judged later", "no data")


def verdict_counts(verdicts: Sequence[str]) -> list[tuple[str, int]]:
    """``(verdict, how many)`` in :data:`VERDICT_ORDER`, zero counts left out."""
    return [(v, verdicts.count(v)) for v in VERDICT_ORDER if verdicts.count(v)]
