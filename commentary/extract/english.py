"""English cues from lower-cased word forms (every inflection is listed in rules.toml)."""

from __future__ import annotations

import re

from commentary.extract.cues import Cue
from commentary.extract.rules import Rules

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|'ll")
_CATEGORIES = {
    "up": ("dir", "up", False), "up_past": ("dir", "up", True),
    "down": ("dir", "down", False), "down_past": ("dir", "down", True),
    "outperform": ("compare", "up", False), "outperform_past": ("compare", "up", True),
    "underperform": ("compare", "down", False), "underperform_past": ("compare", "down", True),
    "stay": ("stay", None, False),
}
_PERFECT = {"has", "have", "had"}
_NEG_WINDOW = 4
_FORECAST_WINDOW = 5


def english_cues(sentence: str, rules: Rules) -> list[Cue]:
    """Predicate cues of one English sentence (offsets into ``sentence``)."""
    words = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(sentence)]
    forms = [w[0] for w in words]
    en = rules.en
    phrases: list[tuple[tuple[str, ...], str]] = []
    for category in _CATEGORIES:
        phrases += [(tuple(p.lower().split()), category) for p in en.get(category, ())]
    phrases.sort(key=lambda p: -len(p[0]))
    negations = sorted((tuple(p.lower().split()) for p in en.get("negation_before", ())), key=len, reverse=True)
    forecast = {p.lower() for p in en.get("forecast_markers", ())}
    prior_before = {p.lower() for p in en.get("prior_before", ())}
    cues: list[Cue] = []
    i = 0
    while i < len(words):
        for seq, category in phrases:
            if tuple(forms[i:i + len(seq)]) == seq:
                kind, direction, past = _CATEGORIES[category]
                last = i + len(seq) - 1
                cue = Cue(kind, words[i][1], words[last][2], direction)
                before = forms[max(0, i - _FORECAST_WINDOW):i]
                if any(w in prior_before for w in forms[max(0, i - 2):i]) and kind == "dir":
                    cue.kind = "prior"
                will = any(w in forecast or w.endswith("'ll") for w in before)
                if (past or any(w in _PERFECT for w in forms[max(0, i - 2):i])) and not will:
                    cue.reported = True
                for j in range(max(0, i - _NEG_WINDOW), i):
                    for neg in negations:
                        if tuple(forms[j:j + len(neg)]) == neg and j + len(neg) <= i:
                            cue.negated = True
                            cue.negation = (words[j][1], words[j + len(neg) - 1][2])
                cues.append(cue)
                i = last
                break
        i += 1
    return cues
