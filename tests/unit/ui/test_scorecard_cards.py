"""The scorecard's cards: hostile claim text stays inert, the starred horizon names the primary verdict's
window, and horizons a claim lacks are left out."""

from __future__ import annotations

import pandas as pd

from catalog import text
from ui.column_parts import scorecard_cards

HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](https://evil.example) :red[x] $x$"


def _table(claim: str) -> pd.DataFrame:
    return pd.DataFrame([{"Claim": claim, "Verdict (primary)": "🔴 failed -4.2 pp",
                          "Odds (primary)": "toss-up · 50% of 4",
                          "end of 2025": "★ 🔴 failed -4.2 pp", "1 week (overlapping)": "🟢 held +5.2 pp",
                          "1 month (overlapping)": "—"}])


def test_a_claim_is_shown_as_inert_text() -> None:
    cards = scorecard_cards(_table(HOSTILE), "en")
    assert "<img" not in cards and "&lt;img" in cards  # never a tag
    assert "](https" not in cards and "\\*\\*bold\\*\\*" in cards and "\\:red" in cards  # no live Markdown


def test_the_card_names_the_primary_horizon_and_leaves_out_missing_ones() -> None:
    card = scorecard_cards(_table("Chinese tech beats US big tech in 2025."), "en").split("  \n")
    assert card[0] == "**1\\. Chinese tech beats US big tech in 2025\\.**"
    assert card[1] == "**🔴 failed \\-4\\.2 pp** · end of 2025"
    assert card[2] == ":small[Odds \\(primary\\)\\: toss\\-up · 50% of 4]"
    other = text("en", "column.card_other", cells="1 week \\(overlapping\\) 🟢 held \\+5\\.2 pp")
    assert card[3] == f":small[:gray[{other}]]" and "1 month" not in card[3]
