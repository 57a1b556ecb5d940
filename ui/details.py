"""The raw messages behind a Korean explanation, folded under "기술 정보(원문)" (English pages show them as is)."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from commentary.text.safe_text import plain_message

DETAIL_TITLE = "기술 정보(원문)"


def folded_detail(details: Iterable[str], lang: str, limit: int = 100) -> None:
    """On a Korean page, ``details`` (raw data-layer messages) as plain text in a folded expander."""
    lines = [plain_message(d, 600) for d in details if str(d or "").strip()][:limit]
    if lang == "ko" and lines:
        with st.expander(DETAIL_TITLE):
            st.text("\n".join(lines))
