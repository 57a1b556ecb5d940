"""A proposed claim in a reader's words for the New column page: "주장 1 · 수준 · 삼성전자 · 연말(2025-12-31)"
rather than the draft's codes ("claim-1 · level · 005930.KS · year-end")."""

from __future__ import annotations

from catalog import text
from commentary.extract.model import Horizon, Proposal
from data_sources.market.universe import instrument

RULE_KEYS = {"outperform": "new_column.rule.outperform", "direction": "new_column.rule.direction",
             "level": "new_column.rule.level", "stays_below": "new_column.rule.stays_below",
             "stays_above": "new_column.rule.stays_above", "touches": "new_column.rule.touches",
             "no_move": "new_column.rule.no_move"}
FIXED_KEYS = {"1W": "new_column.horizon.week", "1M": "new_column.horizon.month", "3M": "new_column.horizon.quarter",
              "6M": "new_column.horizon.half", "12M": "new_column.horizon.year"}


def series_name(symbol: str, lang: str) -> str:
    """The instrument's name in ``lang`` (the symbol only for one the universe does not know)."""
    found = instrument(symbol)
    return found.name(lang) if found else symbol


def horizon_words(horizon: Horizon | None, lang: str) -> str:
    """"연말(2025-12-31)", "1개월", "2025-01-30", the phrase of an unresolved one; "—" without a horizon."""
    if horizon is None:
        return "—"
    if horizon.kind == "fixed" and horizon.value in FIXED_KEYS:
        return text(lang, FIXED_KEYS[horizon.value])
    if horizon.kind == "calendar" and horizon.value == "year-end" and horizon.end:
        return text(lang, "new_column.horizon.year_end", day=horizon.end.isoformat())
    if horizon.kind == "unresolved":
        return horizon.phrase or horizon.value
    return horizon.end.isoformat() if horizon.end else horizon.value


def proposal_caption(proposal: Proposal, number: int, confidence: str, lang: str) -> str:
    """One line under a proposed sentence: its number, rule, series, horizon and the extractor's confidence."""
    rule = text(lang, RULE_KEYS[proposal.rule]) if proposal.rule in RULE_KEYS else proposal.rule
    names = ", ".join(series_name(s, lang) for s in proposal.symbols) or "—"
    return text(lang, "new_column.proposal.caption", number=number, rule=rule, names=names,
                horizon=horizon_words(proposal.horizon, lang), confidence=confidence)
