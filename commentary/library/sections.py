"""Splitting a reader's text into sections, each with a chart spec of the existing kinds.

The text is cut only at paragraph breaks (blank lines) and each section's narrative is the reader's own
characters from its first paragraph to the next section's, unchanged apart from the blank lines around it
(the file format trims those).  Nothing is reworded, re-wrapped or re-escaped: the page renders it as text.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from commentary.document.column import CHART_KINDS, MAX_SECTIONS
from commentary.document.fields import MAX_DATE, MIN_DATE
from commentary.document.model import CommentaryError

_BREAK = re.compile(r"\n[ \t]*\n\s*")
FX_SYMBOLS = ("KRW=X", "USDKRW_ECB")
_FX_KINDS = ("fx", "fx_window")
_EVENT_KINDS = ("event_day", "fx_window")


@dataclass
class SectionFields:
    """One section as the editor holds it: where it starts, its headings and its chart."""

    start_paragraph: int  # 0-based index into :func:`paragraphs`
    heading_ko: str = ""
    heading_en: str = ""
    kind: str = "compare"
    symbols: list[str] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    base_date: dt.date | None = None
    event_date: dt.date | None = None


def normalise(text: str) -> str:
    """Line ends as ``\\n`` and no blank lines around the text (what the file format keeps)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` character spans of the paragraphs of :func:`normalise`'d ``text``."""
    text = normalise(text)
    spans, pos = [], 0
    for m in _BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text) or not spans:
        spans.append((pos, len(text)))
    return [s for s in spans if s[1] > s[0]] or [(0, len(text))]


def split_problems(text: str, starts: Sequence[int]) -> list[CommentaryError]:
    """The section starts that cannot cut ``text`` (field ``sections[i].start``; no file)."""
    count = len(paragraphs(text))
    if len(starts) > MAX_SECTIONS:
        return [CommentaryError("", None, "sections", "column_draft.too_many_sections", count=len(starts),
                                limit=MAX_SECTIONS)]
    out: list[CommentaryError] = []
    if starts and starts[0] != 0:
        out.append(CommentaryError("", None, "sections[0].start", "column_draft.first_section",
                                   paragraph=starts[0] + 1))
    for i, (before, here) in enumerate(itertools.pairwise(starts), start=1):
        if here <= before:
            out.append(CommentaryError("", None, f"sections[{i}].start", "column_draft.section_order",
                                       paragraph=here + 1, previous=before + 1))
    for i, here in enumerate(starts):
        if not 0 <= here < count:
            out.append(CommentaryError("", None, f"sections[{i}].start", "column_draft.no_paragraph",
                                       paragraph=here + 1, count=count))
    return out


def split_text(text: str, starts: Sequence[int]) -> list[str]:
    """The narrative of each section: the text from its start paragraph to the next section's, as written."""
    text = normalise(text)
    spans = paragraphs(text)
    cuts = [spans[s][0] for s in starts] + [len(text)]
    return [text[a:b].strip() for a, b in itertools.pairwise(cuts)]


def section_of(sentence: str, bodies: Sequence[str], ids: Sequence[str]) -> str:
    """The id of the section whose narrative holds ``sentence`` (whitespace-insensitive), else the first."""
    needle = " ".join(sentence.split())
    for sid, body in zip(ids, bodies, strict=True):
        if needle and needle in " ".join(body.split()):
            return sid
    return ids[0]


def default_chart(kind: str, symbols: Sequence[str], published: dt.date) -> SectionFields:
    """Sensible defaults for a chart of ``kind`` about a column published on ``published``."""
    before, after = (7, 7) if kind in _EVENT_KINDS else (60, 365 if kind == "compare" else 90)
    start = max(MIN_DATE, published - dt.timedelta(days=before))
    end = min(MAX_DATE, published + dt.timedelta(days=after))
    picked = list(FX_SYMBOLS) if kind in _FX_KINDS else list(symbols) or ["QQQ"]
    return SectionFields(0, kind=kind, symbols=picked, start=start, end=end,
                         base_date=published if kind == "compare" else None,
                         event_date=published if kind in _EVENT_KINDS else None)


def chart_spec(fields: SectionFields) -> dict[str, Any]:
    """The front-matter ``chart`` mapping of a section (checked by the column loader)."""
    if fields.kind not in CHART_KINDS:
        raise CommentaryError("", None, "chart.kind", "column_file.chart_kind", kind=repr(fields.kind)[:60],
                              known=", ".join(CHART_KINDS))
    spec: dict[str, Any] = {"kind": fields.kind, "symbols": list(fields.symbols)}
    for key in ("start", "end", "base_date", "event_date"):
        value = getattr(fields, key)
        if value is not None and (key != "base_date" or fields.kind == "compare") and (
                key != "event_date" or fields.kind in _EVENT_KINDS):
            spec[key] = value.isoformat()
    return spec


def section_data(fields: Sequence[SectionFields], ids: Sequence[str]) -> list[Mapping[str, Any]]:
    """The front-matter ``sections`` list (headings default to "Part n" / "n부")."""
    return [{"id": sid, "heading_ko": f.heading_ko.strip() or f"{n}부",
             "heading_en": f.heading_en.strip() or f"Part {n}", "chart": chart_spec(f)}
            for n, (sid, f) in enumerate(zip(ids, fields, strict=True), start=1)]


def section_ids(count: int) -> list[str]:
    """``s1``, ``s2`` …"""
    return [f"s{n}" for n in range(1, count + 1)]
