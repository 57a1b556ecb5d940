"""The answer first on a markets page: the lead column's calls on the page's series (US vs China: the baskets
and indices; USD/KRW: the rate), each with its verdict and odds as the Column page words them, and a link to
the column's page.

The results come from :mod:`ui.column_cache` under the Column page's own key (the same column, data version and
"all prices" view), so both pages show the same verdicts and whichever a reader opens first scores the column.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import streamlit as st

from commentary.document.model import Claim, Commentary
from commentary.scoring.grid import CHIP_MARKS
from commentary.scoring.rules import rule_symbols
from commentary.text.safe_text import md_escape
from commentary.text.short_claim import short_claim
from data_sources.market.universe import instrument
from data_sources.store.atomic import StoreError
from ui import column_cache, column_parts, column_words, loaders
from ui.i18n import t

#: The column the Column page opens with, and the one the markets pages answer for.
LEAD_ID = "baek-2025-01-26"
#: Characters of a claim's text in a first screen's verdict line (the Column page's scorecard has it whole).
SHORT_CLAIM = 40
#: How long a markets page waits for the column's scoring (the first visit of a data version) before it says
#: the verdicts are on their way.
BUDGET_S = 1.0


def verdict_lines(lines: Sequence[tuple[str, str, str]], verdicts: Sequence[str]) -> list[str]:
    """One Markdown line per claim (every text escaped, small type for a phone's screen): the verdict's mark, the
    claim cut short, the verdict phrase with its odds, and the horizon it was judged on."""
    return [f":small[{CHIP_MARKS.get(verdict, '')} {md_escape(short_claim(text), max_len=SHORT_CLAIM)} — "
            f"**{md_escape(phrase)}** · {md_escape(horizon)}]"
            for (text, horizon, phrase), verdict in zip(lines, verdicts, strict=True)]


def claim_groups(claim: Claim) -> set[str]:
    """The universe groups ("us_bigtech", "cn_tech", "fx", …) of the series ``claim`` measures (a symbol outside
    the universe adds none)."""
    return {found.group for found in map(instrument, rule_symbols(claim.rule)) if found is not None}


def lead_column() -> Commentary | None:
    """The bundled lead column (None when its file is missing or cannot be read)."""
    return next((c for c in column_parts.bundled() if isinstance(c, Commentary) and c.id == LEAD_ID), None)


def show(slot: st.delta_generator.DeltaGenerator, groups: Collection[str], lang: str) -> None:
    """Write into ``slot`` (a container near the page's top) the lead column's verdicts on claims about
    ``groups``, or that they are still being worked out, or could not be; nothing when the column makes no such
    claim or the store cannot be read (the page's own banner says why)."""
    item = lead_column()
    keep = [i for i, claim in enumerate(item.claims) if claim_groups(claim) & set(groups)] if item else []
    if item is None or not keep:
        return
    try:
        outcome = column_cache.results(item, loaders.store_version(), "all", loaders.prices,
                                       column_parts.result_views(item), lang, budget_s=BUDGET_S)
    except StoreError:
        return
    except column_cache.ScoringFailed:  # logged for the operator by the cache
        outcome = None
    with slot.container(border=True):
        st.markdown(f"**{t('answer.title')}** · " + column_words.citation(item, lang))
        if outcome is None:
            st.caption(t("answer.failed"))
        elif isinstance(outcome, column_cache.Job):
            st.caption(t("answer.pending"))
        else:
            lines, verdicts = outcome.view(lang, "lines"), outcome.view(lang, "verdicts")
            st.markdown("  \n".join(verdict_lines([lines[i] for i in keep], [verdicts[i] for i in keep])))
        st.page_link("pages/column.py", label=t("answer.to_column"), icon=":material/article:")
