"""Make pasted text safe to analyse: size limit first, then HTML, control and bidi characters out."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

from commentary.extract.model import ExtractError

# possessive runs: "<" followed by 200,000 spaces is one linear scan, not a quadratic backtrack
_TAG = re.compile(r"<\s*+/?\s*+[A-Za-z!][^<>]{0,2000}+>")
_BLOCK_TAG = re.compile(
    r"<\s*+/?\s*+(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|blockquote|pre)\b[^<>]{0,2000}+>",
    re.IGNORECASE)
_KEEP = {"\n", "\t"}


def check_length(text: str, max_chars: int) -> None:
    """Refuse text longer than ``max_chars`` before any other work is done on it."""
    if len(text) > max_chars:
        raise ExtractError(f"the text is {len(text):,} characters long; the limit is {max_chars:,}. "
                           "Paste the column's body only, or split it.", "extract.too_long", chars=len(text),
                           limit=max_chars)


def strip_html(text: str) -> str:
    """Plain text of pasted HTML (tags dropped, script/style contents dropped, entities decoded).

    Text without anything tag-like is returned unchanged, so "A < B" in prose survives.
    """
    if not _TAG.search(text):
        return text
    text = _BLOCK_TAG.sub("\n", text)
    return html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))


def strip_controls(text: str) -> str:
    """Drop control (Cc except newline/tab) and format (Cf: bidi overrides, zero-width …) characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))


def clean_text(text: str, max_chars: int) -> str:
    """Length check, then NFC, HTML to text and control/bidi characters removed; tabs become spaces."""
    if not isinstance(text, str):
        raise ExtractError("expected text", "extract.not_text")
    check_length(text, max_chars)
    text = unicodedata.normalize("NFC", text)
    text = strip_controls(strip_html(text))
    return text.replace("\t", " ")
