"""English cues from lower-cased word forms (every inflection is listed in rules.toml)."""

from __future__ import annotations

import re

from commentary.extract.cues import Cue
from commentary.extract.rules import Rules

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|'ll")
_CATEGORIES = {
    "up": ("dir", "up", False), "up_past": ("dir", "up", True),
    "down": ("dir", "down", False), "down_past": ("dir", "down", True),
    "weak_up": ("dir", "up", False), "weak_down": ("dir", "down", False),
    "outperform": ("compare", "up", False), "outperform_past": ("compare", "up", True),
    "underperform": ("compare", "down", False), "underperform_past": ("compare", "down", True),
    "stay": ("stay", None, False),
}
_WEAK = ("weak_up", "weak_down")
_PERFECT = {"has", "have", "had"}
_NEG_WINDOW = 4
_FORECAST_WINDOW = 5
_HEDGE_WINDOW = 5


def _words(sentence: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(sentence)]


def _hedge(sentence: str, words: list[tuple[str, int, int]], i: int, rules: Rules) -> tuple[int, int] | None:
    """The hedge word ("could", "may", "might" …) among the few words before word ``i``, if any."""
    hedges = {w.lower() for w in rules.en.get("hedge_before", ())}
    for form, start, end in reversed(words[max(0, i - _HEDGE_WINDOW):i]):
        if form in hedges and not (form == "may" and sentence[start].isupper()):  # "May" is the month
            return start, end
    return None


def _negation(words: list[tuple[str, int, int]], i: int, rules: Rules) -> tuple[int, int] | None:
    """The negation ("not", "won't" …) among the few words before word ``i``, if any (the last one wins)."""
    forms = [w[0] for w in words]
    found = None
    for j in range(max(0, i - _NEG_WINDOW), i):
        for neg in sorted((tuple(p.lower().split()) for p in rules.en.get("negation_before", ())), key=len,
                          reverse=True):
            if tuple(forms[j:j + len(neg)]) == neg and j + len(neg) <= i:
                found = (words[j][1], words[j + len(neg) - 1][2])
    return found


def english_level_context(sentence: str, start: int, rules: Rules) -> tuple[tuple[int, int] | None,
                                                                         tuple[int, int] | None]:
    """(negation span, hedge span) in the words before a level's side word at ``start`` ("won't exceed 1,500")."""
    words = _words(sentence)
    i = next((k for k, w in enumerate(words) if w[1] >= start), len(words))
    return _negation(words, i, rules), _hedge(sentence, words, i, rules)


def english_cues(sentence: str, rules: Rules) -> list[Cue]:
    """Predicate cues of one English sentence (offsets into ``sentence``)."""
    words = _words(sentence)
    forms = [w[0] for w in words]
    en = rules.en
    phrases: list[tuple[tuple[str, ...], str]] = []
    for category in _CATEGORIES:
        phrases += [(tuple(p.lower().split()), category) for p in en.get(category, ())]
    phrases.sort(key=lambda p: -len(p[0]))
    forecast = {p.lower() for p in en.get("forecast_markers", ())}
    prior_before = {p.lower() for p in en.get("prior_before", ())}
    cues: list[Cue] = []
    i = 0
    while i < len(words):
        for seq, category in phrases:
            if tuple(forms[i:i + len(seq)]) == seq:
                kind, direction, past = _CATEGORIES[category]
                last = i + len(seq) - 1
                cue = Cue(kind, words[i][1], words[last][2], direction, weak=category in _WEAK)
                cue.hedge = _hedge(sentence, words, i, rules)
                before = forms[max(0, i - _FORECAST_WINDOW):i]
                if any(w in prior_before for w in forms[max(0, i - 2):i]) and kind == "dir":
                    cue.kind = "prior"
                will = any(w in forecast or w.endswith("'ll") for w in before)
                if (past or any(w in _PERFECT for w in forms[max(0, i - 2):i])) and not will:
                    cue.reported = True
                cue.negation = _negation(words, i, rules)
                cue.negated = cue.negation is not None
                cues.append(cue)
                i = last
                break
        i += 1
    return cues
