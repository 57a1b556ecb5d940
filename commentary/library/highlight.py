"""A proposal's sentence as escaped Markdown with its spans in bold (never raw HTML)."""

from __future__ import annotations

from collections.abc import Iterable

from commentary.text.safe_text import md_escape


def merged(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Spans clipped to ``[0, length]``, sorted, overlapping ones joined."""
    out: list[list[int]] = []
    for start, end in sorted((max(0, a), min(length, b)) for a, b in spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def _piece(text: str) -> str:
    """``text`` escaped, keeping one space where it began or ended with whitespace."""
    core = md_escape(text)
    if not core:
        return " " if text[:1].isspace() else ""
    return (" " if text[:1].isspace() else "") + core + (" " if text[-1:].isspace() else "")


def highlighted(sentence: str, spans: Iterable[tuple[int, int]]) -> str:
    """``sentence`` escaped for Markdown (one line), each (merged) span wrapped in ``**``."""
    parts, pos = [], 0
    for start, end in merged(spans, len(sentence)):
        parts.append(_piece(sentence[pos:start]))
        inner = sentence[start:end]
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
        if inner.strip():
            parts.append(_piece(lead) + f"**{md_escape(inner)}**" + _piece(trail))
        pos = end
    parts.append(_piece(sentence[pos:]))
    return "".join(parts).strip()
