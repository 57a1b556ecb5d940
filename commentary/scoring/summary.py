"""Each claim's primary verdict as codes and counts, measurements with their units, and the per-claim lines laid out
from the caller's words (:mod:`ui.verdicts` words verdicts from the catalogs)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from commentary.scoring.claims import VERDICT_LABELS
from commentary.text.formatting import fmt_number, fmt_pct, fmt_pp

if TYPE_CHECKING:
    from commentary.document.model import Claim

SOURCE_NAMES: dict[str, dict[str, str]] = {
    "yahoo": {"ko": "야후", "en": "Yahoo"}, "ecb": {"ko": "ECB", "en": "ECB"}, "data": {"ko": "자료", "en": "data"},
}


def _key(lang: str) -> str:
    return "ko" if lang == "ko" else "en"


def verdict_label(verdict: str, lang: str) -> str:
    """The verdict's name in ``lang`` for the claim path chart's hover text (:mod:`commentary.charts.claim_path`);
    pages word verdicts with :func:`ui.verdicts.verdict_label` from the catalogs, in the same words."""
    return VERDICT_LABELS.get(verdict, {}).get(_key(lang), verdict)


def format_measured(value: float | None, unit: str, lang: str) -> str:
    """A measurement with its unit: ``+5.2 pp``/``+5.2%p``, ``+0.54%``, ``73.0% of prints``, ``1,441.66 KRW``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if unit == "pp":
        return fmt_pp(value, lang=lang)
    if unit == "%":
        return fmt_pct(value, 2, lang=lang)
    if unit == "% of prints":
        return f"{fmt_number(value, 1)}% " + ("의 값" if lang == "ko" else "of prints")
    if unit == "KRW":
        return f"{fmt_number(value, 1)}원" if lang == "ko" else f"₩{fmt_number(value, 1)}"
    return f"{fmt_number(value, 2)} {unit}".strip()


def claim_lines(claims: Sequence[Claim], combined: pd.DataFrame, lang: str, phrase: Callable[[pd.Series, str], str],
                missing: str) -> list[tuple[str, str, str]]:
    """``(claim text, primary horizon label, verdict phrase)`` per claim, in claim order: ``phrase`` words a combined
    row (the caller's words), ``missing`` stands for a claim without a primary-horizon row."""
    out = []
    for claim in claims:
        rows = combined[(combined["claim_id"] == claim.id) & combined["primary"]]
        horizon = claim.horizon(claim.primary)
        label = horizon.label(lang) if horizon is not None else claim.primary
        said = phrase(rows.iloc[0], lang) if len(rows) else missing
        out.append((claim.text(lang), label, said))
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
