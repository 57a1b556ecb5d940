"""A commentary (parsed, or a reader's draft) written back to the Markdown + YAML front-matter format.

``parse_commentary(export_commentary(c), c.source) == c`` for every parsed commentary ``c`` (claims the
parser left out, ``claim_errors``, are not written).  Narratives are written as they are: the app never
rewrites what a reader wrote.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from commentary.document.model import Claim, Commentary, Fact, Section
from commentary.scoring.horizons import OFFSETS, Horizon
from commentary.scoring.rules import Rule, SeriesRef


class _Dumper(yaml.SafeDumper):
    """Safe dumper that never writes anchors/aliases (the parser refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _plain(value: Any) -> Any:
    """Dates as ``YYYY-MM-DD`` strings, tuples as lists, recursively."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _series(ref: Any, baskets: dict[str, tuple[str, ...]]) -> Any:
    if not isinstance(ref, SeriesRef):
        return ref
    if ref.is_basket:
        return ref.label if ref.label in baskets and tuple(baskets[ref.label]) == ref.symbols else list(ref.symbols)
    return ref.symbols[0]


def rule_data(rule: Rule, baskets: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """A resolved rule as front-matter data ``{type, params}``."""
    return {"type": rule.type, "params": {k: _series(v, baskets) for k, v in rule.params.items()}}


def horizon_data(h: Horizon) -> Any:
    """A horizon in the form :func:`commentary.scoring.horizons.parse_horizon` reads back to it."""
    if h.kind == "offset" and h.id in OFFSETS:
        return h.id
    if h.id in ("year-end", "YTD"):
        return h.id
    if h.id == h.end.isoformat() and not h.label_ko and not h.label_en:
        return h.id
    out: dict[str, Any] = {"id": h.id, "end": h.end.isoformat()}
    if h.label_ko:
        out["label_ko"] = h.label_ko
    if h.label_en:
        out["label_en"] = h.label_en
    return out


def _claim(c: Claim, baskets: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id}
    if c.section is not None:
        out["section"] = c.section
    out.update(text_ko=c.text_ko, text_en=c.text_en, rule=rule_data(c.rule, baskets),
               horizons=[horizon_data(h) for h in c.horizons], primary=c.primary)
    return out


def _fact(f: Fact) -> dict[str, Any]:
    out: dict[str, Any] = {"id": f.id, "text_ko": f.text_ko, "text_en": f.text_en, "check": _plain(f.check)}
    if f.reported_ko:
        out["reported_ko"] = f.reported_ko
    if f.reported_en:
        out["reported_en"] = f.reported_en
    if f.section is not None:
        out["section"] = f.section
    return out


def _section(s: Section) -> dict[str, Any]:
    out: dict[str, Any] = {"id": s.id, "heading_ko": s.heading_ko, "heading_en": s.heading_en,
                           "chart": _plain(s.chart)}
    if s.news is not None:
        out["news"] = _plain(s.news)
    return out


def front_matter(c: Commentary) -> dict[str, Any]:
    """The commentary's front matter as plain data (strings, numbers, lists, mappings)."""
    data: dict[str, Any] = {
        "id": c.id, "title": c.title, **{k: v for k, v in (("title_ko", c.title_ko), ("title_en", c.title_en)) if v},
        "author": c.author, **{k: v for k, v in (("author_ko", c.author_ko), ("author_en", c.author_en)) if v},
        "date": c.date.isoformat(), "language": c.language,
        "time": c.time, "timezone": c.timezone, "url": c.url, "summary_ko": c.summary_ko,
        "summary_en": c.summary_en, "symbols": list(c.symbols), "events": list(c.events),
    }
    if c.baskets:
        data["baskets"] = {k: list(v) for k, v in c.baskets.items()}
    data["sections"] = [_section(s) for s in c.sections]
    data["claims"] = [_claim(cl, c.baskets) for cl in c.claims]
    if c.facts:
        data["facts"] = [_fact(f) for f in c.facts]
    return data


def render(data: dict[str, Any], bodies: list[tuple[str, str, str]]) -> str:
    """Front matter ``data`` and ``(section id, lang, narrative)`` blocks as one commentary file."""
    head = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=10_000)
    parts = ["---\n", head, "---\n"]
    for sid, lang, text in bodies:
        parts.append(f"<!-- section: {sid} lang: {lang} -->\n{text}\n\n")
    return "".join(parts).rstrip("\n") + "\n"


def export_commentary(c: Commentary) -> str:
    """The commentary as a file that parses back to an equal :class:`Commentary`."""
    bodies = [(s.id, lang, s.body_ko if lang == "ko" else s.body_en) for s in c.sections for lang in ("ko", "en")]
    return render(front_matter(c), bodies)
