"""Numbers with units in a sentence ("1,430원", "5%", "$150", "18,000 points") and the side words around them."""

from __future__ import annotations

import re

from commentary.extract.cues import NumberHit
from commentary.extract.rules import Rules

# what follows a number that is a date, a duration or a ratio, not a level
_NOT_A_LEVEL = re.compile(r"^\s*+(?:년|월|일|개월|주|분기|분의|배|세|명|위|호|차|시|분|초|x\b|times\b|years?\b|"
                          r"months?\b|weeks?\b|days?\b|[A-Za-z]*-?(?:B|billion-parameter)\b)")
_AFTER, _BEFORE = 14, 24


def _match_any(patterns, text: str) -> re.Match[str] | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return m
    return None


def find_numbers(sentence: str, rules: Rules, skip: list[tuple[int, int]]) -> list[NumberHit]:
    """Numbers of ``sentence`` outside the ``skip`` spans (names, horizons), with unit and side."""
    out: list[NumberHit] = []
    pats = rules.patterns
    for m in rules.number.finditer(sentence):
        start, end = m.start(), m.end("num")
        if any(a <= start < b for a, b in skip) or (start > 0 and (sentence[start - 1].isalnum()
                                                                  or sentence[start - 1] in ".,")):
            continue
        if m.group("unit") is None and _NOT_A_LEVEL.match(sentence[end:end + 16]):
            continue
        value = float(m.group("num").replace(",", ""))
        if m.group("mult"):
            value *= rules.multipliers.get(m.group("mult"), 1.0)
        unit_word = m.group("unit")
        unit = rules.units.get(unit_word) or rules.units.get((unit_word or "").lower()) if unit_word else None
        prefix = rules.currency_prefix.search(sentence[max(0, start - 4):start])
        if prefix:
            unit = rules.units.get(prefix.group("cur"), unit)
        end = m.end() if unit_word else end
        side = side_span = None
        after, before = sentence[end:end + _AFTER], sentence[max(0, start - _BEFORE):start]
        for name, key in (("below", "level_below_after"), ("above", "level_above_after"),
                          ("target", "level_target_after")):
            hit = _match_any(pats.get(key, ()), after)
            if hit:
                side, side_span = name, (end + hit.start(), end + hit.end())
                break
        if side is None:
            offset = max(0, start - _BEFORE)
            for name, key in (("below", "level_below_before"), ("above", "level_above_before"),
                              ("target", "level_target_before")):
                hit = _match_any(pats.get(key, ()), before)
                if hit:
                    side, side_span = name, (offset + hit.start(), offset + hit.end())
                    break
        out.append(NumberHit(value, unit, start, end, side, side_span))
    return out
