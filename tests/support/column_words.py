"""What a reader is told of a column file's problem (``ui.column_errors``), for tests that check the wording."""

from __future__ import annotations

from commentary.document.model import CommentaryError
from ui.column_errors import plain

#: A small valid column file (two claims, one section with a basket); bad files are edits of it.
GOOD = """\
---
id: tiny
title: 작은 칼럼
author: Tester
date: "2025-01-26"
language: ko
url: null
summary_ko: 요약
summary_en: Summary
baskets:
  cn: [BABA, JD]
sections:
  - id: one
    heading_ko: 하나
    heading_en: One
    chart: {kind: compare, baskets: [cn], symbols: [NVDA], start: "2025-01-02", end: "2025-02-28",
            base_date: "2025-01-24"}
    news: {start: "2025-01-20", end: "2025-01-28", tags: [deepseek]}
claims:
  - id: first
    text_ko: 하나
    text_en: one
    rule: {type: direction, params: {series: NVDA, direction: down}}
    horizons: [1W]
  - id: second
    text_ko: 둘
    text_en: two
    rule:
      type: outperform
      params: {a: cn, b: NVDA}
    primary: 12M
---
<!-- section: one lang: ko -->
한국어 본문.

<!-- section: one lang: en -->
English body.
"""


def said(err: CommentaryError, lang: str = "en") -> str:
    """``err`` as the page words it in ``lang`` (plain text, before Markdown escaping)."""
    assert isinstance(err, CommentaryError), err
    return plain(err, lang)
