"""Shaping proposals into claim rules (the extractor's last step): a level call's path rule, a series param
for one name or a basket, the outperform call implied by opposite calls, and duplicates removed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from commentary.extract.model import Proposal
from commentary.extract.rules import NameEntry, Rules
from commentary.extract.sentences import Sentence


def series_param(entries: Sequence[NameEntry]) -> tuple[object, dict[str, tuple[str, ...]]]:
    """A claim series param for one or more names: a symbol, or a list of symbols (a basket)."""
    symbols: list[str] = []
    baskets: dict[str, tuple[str, ...]] = {}
    for e in entries:
        if e.basket:
            baskets[e.basket] = e.symbols
        symbols += [s for s in e.symbols if s not in symbols]
    if len(symbols) == 1 and not baskets:
        return symbols[0], baskets
    return symbols, baskets



_OTHER_SIDE = {"above": "below", "below": "above"}
#: "won't exceed X" never crosses X (stays on the other side); "won't stay above X" crosses it at least once
_NEGATED_PATH = {"level": "stays", "stays": "touches", "touches": "stays"}


def path_rule(symbol: str, level: float, side: str, path: str, negated: bool) -> tuple[str, dict[str, Any]]:
    """The rule of a level call: at the end (``level``), on every print (``stays_*``) or on any print (``touches``)."""
    if negated:
        side, path = _OTHER_SIDE[side], _NEGATED_PATH[path]
    if path == "stays":
        return f"stays_{side}", {"symbol": symbol, "level": level}
    return path, {"symbol": symbol, "level": level, "side": side}


def touch_wanted(text: str, rules: Rules) -> bool:
    """The sentence asks for the level at any time before the horizon ("within the year", "연내", "안에")."""
    return any(p.search(text) for p in rules.patterns.get("touch", ()))


def generic_saying(text: str, start: int, end: int, rules: Rules) -> bool:
    """A word such as "always" or "항상" in ``text[start:end]``: a saying about markets, not a call."""
    return any(p.search(text, start, end) for p in rules.patterns.get("generic", ()))


def flat(series: object) -> list[str]:
    """A series param as a list of symbols."""
    return list(series) if isinstance(series, list) else [str(series)]


def with_note(p: Proposal, note: str) -> Proposal:
    """``p`` with one more note."""
    return replace(p, notes=(*p.notes, note))


def implied_outperform(found: list[Proposal], sentence: Sentence) -> list[Proposal]:
    """Opposite calls on two names in one sentence also say the rising one beats the falling one."""
    if any(p.rule == "outperform" for p in found):
        return []
    calls = [p for p in found if p.rule == "direction" and p.kind == "forecast"]
    up = next((p for p in calls if p.direction == "up"), None)
    down = next((p for p in calls if p.direction == "down" and up and set(p.symbols) != set(up.symbols)), None)
    if not (up and down):
        return []
    horizon = up.horizon if up.horizon and up.horizon.stated else down.horizon
    notes = tuple(n for n in (*up.notes, *down.notes)
                  if n.startswith(("no horizon", "horizon", "weak", "negated", "hedged")))
    return [replace(up, rule="outperform", direction=None,
                    params={"a": up.params["series"], "b": down.params["series"], "margin_pp": 0.0},
                    symbols=(*up.symbols, *down.symbols), horizon=horizon, baskets={**up.baskets, **down.baskets},
                    spans=tuple(sorted(set(up.spans + down.spans), key=lambda s: (s.start, s.end))),
                    notes=(*dict.fromkeys(notes), "implied by the opposite calls in one sentence"),
                    hedge=up.hedge or down.hedge)]


def dedupe(found: list[Proposal]) -> list[Proposal]:
    """Each distinct proposal once (same rule, params, horizon and kind), in order."""
    seen, out = set(), []
    for p in found:
        key = (p.rule, repr(sorted(p.params.items())), p.horizon, p.kind)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
