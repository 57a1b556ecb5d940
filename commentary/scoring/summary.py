"""Plain-language verdict lines for readers: one per claim (primary horizon), and an overall reading."""

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
    """The verdict's name in ``lang``."""
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


def verdict_phrase(row: pd.Series | dict, lang: str) -> str:
    """"failed (−4.2 pp)"; a source-dependent verdict names each source's (the reader's page adds the odds:
    :func:`ui.verdicts.verdict_phrase`)."""
    verdict = row["verdict"]
    label = verdict_label(verdict, lang)
    if verdict == "source-dependent":
        values = dict(row.get("measured_by_source") or {})
        parts = [f"{SOURCE_NAMES.get(s, {}).get(_key(lang), s)} {verdict_label(v, lang)} "
                 f"{format_measured(values.get(s), row['unit'], lang)}".strip()
                 for s, v in dict(row["by_source"]).items()]
        return f"{label} ({', '.join(parts)})"
    if verdict not in ("held", "failed"):
        return label
    return f"{label} ({format_measured(row['measured'], row['unit'], lang)})"


def claim_lines(claims: Sequence[Claim], combined: pd.DataFrame, lang: str,
                phrase: Callable[[pd.Series, str], str] = verdict_phrase) -> list[tuple[str, str, str]]:
    """``(claim text, primary horizon label, verdict phrase)`` per claim, in claim order."""
    out = []
    for claim in claims:
        rows = combined[(combined["claim_id"] == claim.id) & combined["primary"]]
        horizon = claim.horizon(claim.primary)
        label = horizon.label(lang) if horizon is not None else claim.primary
        said = phrase(rows.iloc[0], lang) if len(rows) else verdict_label("no data", lang)
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


def verdict_tally(verdicts: Sequence[str], lang: str) -> str:
    """The verdicts counted, short: "held 1 · failed 3 · source-dependent 1" (a phone's column); "—" for none."""
    return " · ".join(f"{verdict_label(v, lang)} {n}" for v, n in verdict_counts(verdicts)) or "—"


def overall_line(claims: Sequence[Claim], combined: pd.DataFrame, lang: str) -> str:
    """"5 claims on their primary horizon: 1 held, 3 failed, 1 source-dependent." (zero counts left out)."""
    verdicts = primary_verdicts(claims, combined)
    counts = verdict_counts(verdicts)
    if lang == "ko":
        parts = ", ".join(f"{verdict_label(v, 'ko')} {n}" for v, n in counts)
        return f"주장 {len(verdicts)}개, 각 주장의 기준 기간으로 판정: {parts}."
    parts = ", ".join(f"{n} {verdict_label(v, 'en')}" for v, n in counts)
    return f"{len(verdicts)} claims, each judged on its primary horizon: {parts}."
