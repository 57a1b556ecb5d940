"""A reader's draft commentary: accepted extractor proposals as claims, checked by the real parser.

The extractor (:mod:`commentary.extract`) names its rules ``stays_below``/``stays_above``; the scoring
engine has one path rule ``stays`` with a ``side``: :func:`proposal_claim` maps them.  A proposal whose rule
the scoring engine does not know yet (``touches``, until it is added there) is returned as not yet scorable.  A draft is
exported (:func:`draft_markdown`) and parsed with :func:`commentary.document.column.parse_commentary`,
so a problem is the same :class:`CommentaryError` (a code and its field) as a hand-written file's; the page's own
fields are checked first (:func:`field_problems`, codes ``column_draft.*``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from commentary.document.column import parse_commentary
from commentary.document.fields import MAX_DATE, MIN_DATE
from commentary.document.model import Commentary, CommentaryError
from commentary.extract.model import Proposal
from commentary.extract.rules import load_rules
from commentary.library.export import render
from commentary.library.sections import SectionFields, section_data, section_ids, section_of, split_problems, split_text
from commentary.scoring import rules
from data_sources.errors import Problem

#: Longest pasted text (characters): the extractor's own limit.
MAX_TEXT_CHARS: int = int(load_rules().limits["max_text_chars"])
TITLE_MAX, AUTHOR_MAX = 300, 120
SECTION_ID = "text"
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# matched on each line (the parser's own lines: str.splitlines); a whitespace run is entered only at its start and
# read possessively, so any text is scanned in linear time
_MARKER_LINE = re.compile(r"(?<!\s)\s*+<!--\s*+section\b")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DEFAULT_SYMBOL = "QQQ"


@dataclass
class Draft:
    """What a reader fills in on the "New column" page (``claims`` are front-matter claim mappings)."""

    title: str
    author: str
    date: dt.date | None  # None until the reader types or confirms it
    text: str
    time: str = "09:00"
    timezone: str = "Asia/Seoul"
    url: str | None = None
    language: str = "ko"
    claims: list[dict[str, Any]] = field(default_factory=list)
    baskets: dict[str, list[str]] = field(default_factory=dict)
    #: Empty: one section holding the whole text with a chart of the claims' series; else the reader's split.
    sections: list[SectionFields] = field(default_factory=list)


def _control(text: str, multiline: bool) -> dict[str, Any] | None:
    """Where ``text`` holds a control or bidi character (``{code, char, at}``), or None."""
    allowed = "\n\t" if multiline else ""
    for i, ch in enumerate(text):
        if _BIDI.match(ch):
            return {"code": "column_draft.bidi", "char": f"U+{ord(ch):04X}", "at": i + 1}
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch not in allowed and ch != "\r":
            return {"code": "column_draft.control", "char": f"U+{ord(ch):04X}", "at": i + 1}
    return None


def _problem(name: str, code: str, **params: Any) -> CommentaryError:
    return CommentaryError("", None, name, code, **params)


def field_problems(draft: Draft) -> list[CommentaryError]:
    """The problems of the fields the page asks for (``field`` names the field), before any export (size limits
    first)."""
    out: list[CommentaryError] = []
    if len(draft.text) > MAX_TEXT_CHARS:
        return [_problem("text", "column_draft.too_long", count=len(draft.text), limit=MAX_TEXT_CHARS)]
    if not draft.text.strip():
        out.append(_problem("text", "column_draft.empty"))
    for name, value, limit in (("title", draft.title, TITLE_MAX), ("author", draft.author, AUTHOR_MAX)):
        if not value.strip():
            out.append(_problem(name, "column_draft.empty"))
        elif len(value) > limit:
            out.append(_problem(name, "column_draft.too_long", count=len(value), limit=limit))
        elif found := _control(value, multiline=False):
            out.append(_problem(name, **found))
    if draft.text.strip() and (found := _control(draft.text, multiline=True)):
        out.append(_problem("text", **found))
    line = next((n for n, text in enumerate(draft.text.splitlines(), 1) if _MARKER_LINE.match(text)), None)
    if line is not None:
        out.append(_problem("text", "column_draft.reserved_marker", text_line=line, marker="<!-- section"))
    if draft.sections and draft.text.strip():
        out += split_problems(draft.text, [f.start_paragraph for f in draft.sections])
    if draft.date is None:
        out.append(_problem("date", "column_draft.empty"))
    elif not MIN_DATE <= draft.date <= MAX_DATE:
        out.append(_problem("date", "column_file.date_range", day=draft.date.isoformat(), first=MIN_DATE.isoformat(),
                            last=MAX_DATE.isoformat()))
    if not _TIME.match(draft.time or ""):
        out.append(_problem("time", "column_file.time", value=repr(draft.time)))
    if draft.url and not draft.url.startswith(("https://", "http://")):
        out.append(_problem("url", "column_draft.url", value=repr(draft.url[:60])))
    if draft.url and (found := _control(draft.url, multiline=False)):
        out.append(_problem("url", **found))
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def draft_id(draft: Draft) -> str:
    """A stable id: ``nb-<date>-<hash of title and author>``."""
    digest = hashlib.sha256(f"{draft.title}\n{draft.author}".encode("utf-8", "surrogatepass")).hexdigest()[:8]
    day = draft.date
    return f"nb-{day.isoformat()}-{digest}" if day is not None and MIN_DATE <= day <= MAX_DATE else f"nb-{digest}"


def proposal_claim(p: Proposal, claim_id: str) -> tuple[dict[str, Any] | None, Problem | None]:
    """The claim mapping for an accepted proposal, and why it cannot be accepted as it is (or None).

    ``extract.reported`` (a fact, nothing to score) and ``extract.not_scorable_yet`` (a rule the scoring engine
    does not know yet) come with no claim; ``extract.unresolved_horizon`` comes with the claim minus its
    horizons, for the reader to give one.
    """
    if p.kind != "forecast":
        return None, Problem("extract.reported")
    rule, params = p.rule, dict(p.params)
    if rule in ("stays_below", "stays_above"):
        rule, params = "stays", {**params, "side": rule.removeprefix("stays_")}
    if rule not in rules.RULE_TYPES:
        return None, Problem("extract.not_scorable_yet", {"rule": rule})
    for key, value in params.items():
        if isinstance(value, tuple):
            params[key] = list(value)
    sentence = " ".join(p.sentence.split())
    claim = {"id": claim_id, "section": SECTION_ID, "text_ko": sentence, "text_en": sentence,
             "rule": {"type": rule, "params": params}, "horizons": [], "primary": None}
    if p.horizon is None or p.horizon.kind == "unresolved":
        return claim, Problem("extract.unresolved_horizon", {"phrase": p.horizon.phrase if p.horizon else ""})
    return {**claim, "horizons": [p.horizon.value], "primary": p.horizon.value}, None


def claim_ids(n: int, taken: set[str] | None = None, prefix: str = "claim") -> list[str]:
    """``n`` new ids ``claim-1``, ``claim-2`` … not in ``taken``."""
    taken = set(taken or ())
    out: list[str] = []
    k = 1
    while len(out) < n:
        if f"{prefix}-{k}" not in taken:
            out.append(f"{prefix}-{k}")
        k += 1
    return out


def _symbols(claims: list[dict[str, Any]], baskets: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for claim in claims:
        params = (claim.get("rule") or {}).get("params") or {}
        for value in params.values() if isinstance(params, dict) else ():
            names = value if isinstance(value, list) else [value]
            for name in names:
                members = baskets.get(name, [name]) if isinstance(name, str) else []
                out += [m for m in members if isinstance(m, str) and m and m not in out]
    return out


def draft_markdown(draft: Draft) -> str:
    """The draft as a commentary file: one section holding the text as written, a compare chart of its series.

    Raises :class:`CommentaryError` (field ``date``) without a publication date (:func:`field_problems` reports
    that first).
    """
    if draft.date is None:
        raise _problem("date", "column_draft.empty")
    symbols = [s for s in _symbols(draft.claims, draft.baskets) if not s.startswith(("^", "KRW", "USDKRW"))][:8]
    chart_symbols = symbols or _symbols(draft.claims, draft.baskets)[:8] or [_DEFAULT_SYMBOL]
    day = draft.date
    start = max(MIN_DATE, day - dt.timedelta(days=60))
    end = min(MAX_DATE, day + dt.timedelta(days=365))
    n = len(draft.claims)
    data: dict[str, Any] = {
        "id": draft_id(draft), "title": draft.title.strip(), "author": draft.author.strip(),
        "date": day.isoformat(), "language": draft.language, "time": draft.time, "timezone": draft.timezone,
        "url": draft.url or None,
        "summary_ko": f"{draft.author.strip()}의 칼럼 ({day.isoformat()}), 독자가 입력한 주장 {n}개.",
        "summary_en": f"A column by {draft.author.strip()} ({day.isoformat()}), with {n} claims entered by a reader.",
        "symbols": _symbols(draft.claims, draft.baskets), "events": [],
    }
    if draft.baskets:
        data["baskets"] = {k: list(v) for k, v in draft.baskets.items()}
    if draft.sections:
        ids = section_ids(len(draft.sections))
        bodies = split_text(draft.text, [f.start_paragraph for f in draft.sections])
        data["sections"] = section_data(draft.sections, ids)
        data["claims"] = [{**c, "section": section_of(str(c.get("text_ko") or ""), bodies, ids)}
                          if c.get("section") not in ids else c for c in draft.claims]
        return render(data, [(sid, lang, body) for sid, body in zip(ids, bodies, strict=True) for lang in ("ko", "en")])
    data["sections"] = [{"id": SECTION_ID, "heading_ko": "본문", "heading_en": "The text",
                         "chart": {"kind": "compare", "symbols": chart_symbols, "start": start.isoformat(),
                                   "end": end.isoformat(), "base_date": day.isoformat()}}]
    data["claims"] = draft.claims
    text = draft.text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return render(data, [(SECTION_ID, "ko", text), (SECTION_ID, "en", text)])


def check_draft(draft: Draft, source_name: str = "") -> tuple[Commentary | None, list[CommentaryError]]:
    """``(commentary, problems)``: field problems, then the parser's own (claims it left out too). The draft's
    file has no name unless ``source_name`` gives one (its lines are those of :func:`draft_markdown`)."""
    problems = field_problems(draft)
    if problems:
        return None, problems
    try:
        item = parse_commentary(draft_markdown(draft), source_name)
    except CommentaryError as exc:
        return None, [exc]
    return item, list(item.claim_errors)
