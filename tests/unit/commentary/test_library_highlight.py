"""Proposal sentences highlighted with escaped Markdown bold, never HTML."""

from __future__ import annotations

from commentary.library.highlight import highlighted, merged


def test_merged_spans() -> None:
    assert merged([(5, 9), (0, 3), (2, 4), (9, 12), (20, 30)], 25) == [(0, 4), (5, 12), (20, 25)]
    assert merged([(3, 3), (-2, 1)], 10) == [(0, 1)]


def test_spans_are_bold_and_the_rest_escaped() -> None:
    sentence = "엔비디아 주가는 연말까지 하락할 것이다."
    out = highlighted(sentence, [(0, 4), (9, 11), (14, 16)])
    assert out == "**엔비디아** 주가는 **연말**까지 **하락**할 것이다\\."


def test_html_and_markdown_in_the_sentence_stay_inert() -> None:
    out = highlighted("<script>alert(1)</script> *NVDA* [x](javascript:y) up", [(27, 31)])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "**NVDA**" in out and "\\[x\\]\\(javascript\\:y\\)" in out
    assert "\u202e" not in highlighted("a\u202eb", [(0, 1)])


def test_the_bold_span_itself_is_escaped() -> None:
    out = highlighted("a <img src=x onerror=alert(1)> c", [(2, 30)])
    assert out.startswith("a **&lt;img") and "<img" not in out and "alert\\(1\\)" in out
