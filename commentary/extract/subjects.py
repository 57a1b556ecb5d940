"""Who a predicate is about: each move, level or comparison paired with the names before it (the subject; both
languages put it first) and with the name it is compared with ("보다", "than")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from commentary.extract import names as names_mod
from commentary.extract.cues import Cue
from commentary.extract.rules import Rules


@dataclass
class Group:
    """The names a predicate is about: A (subject) and B (what A is compared with)."""

    a: list[names_mod.Mention] = field(default_factory=list)
    b: list[names_mod.Mention] = field(default_factory=list)
    carried: bool = False


def unique(mentions: Sequence[names_mod.Mention]) -> list[names_mod.Mention]:
    """The mentions with repeats of one name (and side of the quote) dropped, first kept."""
    seen, out = set(), []
    for m in mentions:
        key = (m.entry.key, m.entry.invert)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


@lru_cache(maxsize=4)
def than_patterns(rules: Rules) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(Korean, English) patterns of a "than" word right after (Korean) or before (English) a name."""
    words = "|".join(r"\s*+".join(map(re.escape, s)) for s in rules.ko.get("than_markers", ()))
    ko = r"(?<!\s)\s*+(?:의\s*+)?(?:" + words + ")"
    en = (r"\b(?:" + "|".join(re.escape(w) for w in rules.en.get("than_markers", ())) + r")\s++(?:the\s++)?$")
    return re.compile(ko), re.compile(en, re.IGNORECASE)


def _is_than(text: str, m: names_mod.Mention, korean: bool, rules: Rules) -> bool:
    ko, en = than_patterns(rules)
    if korean:
        return bool(ko.match(text, m.end, m.end + 8))
    return bool(en.search(text, max(0, m.start - 20), m.start))


def _is_object(text: str, m: names_mod.Mention) -> bool:
    return bool(re.match(r"^\s*(?:을|를)(?![가-힣])", text[m.end:m.end + 3]))


def assign(predicates: list[Cue], mentions: list[names_mod.Mention], text: str, korean: bool,
            previous: list[names_mod.Mention] | None, rules: Rules) -> list[Group]:
    """Pair each predicate with the names it is about."""
    groups = [Group() for _ in predicates]
    claimed: set[int] = set()
    bounds = [0] + [p.end for p in predicates]
    for i, p in enumerate(predicates):
        inside = [(k, m) for k, m in enumerate(mentions) if bounds[i] <= m.start < p.start and k not in claimed]
        for k, m in inside:
            claimed.add(k)
            target = groups[i].b if (_is_than(text, m, korean, rules)
                                     or (korean and p.kind == "compare" and _is_object(text, m))) else groups[i].a
            target.append(m)
        if not korean and (p.kind == "compare" or p.kind in ("dir", "no_move", "level")):
            nxt = predicates[i + 1].start if i + 1 < len(predicates) else len(text)
            after = [(k, m) for k, m in enumerate(mentions) if p.end <= m.start < nxt and k not in claimed]
            for k, m in after:
                if p.kind == "compare" or _is_than(text, m, korean, rules):
                    claimed.add(k)
                    groups[i].b.append(m)
                elif not groups[i].a:  # "a rebound in Tencent"
                    claimed.add(k)
                    groups[i].a.append(m)
    # names after the last predicate (Korean: "오를 종목은 엔비디아") belong to it when it has none
    if predicates and not groups[-1].a:
        groups[-1].a += [m for k, m in enumerate(mentions) if k not in claimed and m.start >= predicates[-1].end]
    for i, g in enumerate(groups):
        if not g.a and g.b and predicates[i].kind != "compare":
            continue
        if not g.a:
            earlier = next((groups[j] for j in range(i - 1, -1, -1) if groups[j].a), None)
            if earlier is not None:
                g.a, g.carried = list(earlier.b or earlier.a), False
            elif previous:
                g.a, g.carried = list(previous), True
        g.a, g.b = unique(g.a), unique(g.b)
    return groups
