"""Korean cues from kiwipiepy morphemes: lemma matching copes with conjugation (오르/올랐다/오를)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from commentary.extract.cues import Cue
from commentary.extract.model import ExtractError
from commentary.extract.rules import Rules

_PREDICATE_CATEGORIES = {
    "up": ("dir", "up", False), "down": ("dir", "down", False),
    "weak_up": ("dir", "up", True), "weak_down": ("dir", "down", True),
    "reversal": ("reversal", None, False), "continuation": ("continuation", None, False),
    "outperform": ("compare", "up", False), "underperform": ("compare", "down", False),
    "stay": ("stay", None, False),
    "prior_up": ("prior", "up", False), "prior_down": ("prior", "down", False),
}
_RANK = {"dir": 0, "compare": 0, "reversal": 1, "continuation": 1, "stay": 2, "prior": 3}
_WINDOW = 9


@lru_cache(maxsize=1)
def analyser() -> Any:
    """The kiwipiepy analyser (its model ships in the ``kiwipiepy_model`` wheel; loaded once, offline).

    About 450 MB: the server never calls this itself, it asks :mod:`commentary.extract.worker`.
    """
    try:
        from kiwipiepy import Kiwi
    except ImportError as exc:  # a declared dependency; say so plainly if it is missing
        raise ExtractError("Korean text needs the kiwipiepy package (pip install kiwipiepy)",
                           "extract.needs_kiwipiepy") from exc
    kiwi = Kiwi()
    kiwi.tokenize("엔비디아가 오를 것이다.")  # the model loads its parts on first use: pay for that here, once
    return kiwi


def _seq_at(forms: list[str], i: int, seq: tuple[str, ...]) -> bool:
    return tuple(forms[i:i + len(seq)]) == seq


def korean_cues(sentence: str, rules: Rules, levels: list[Cue] | None = None) -> list[Cue]:
    """Predicate cues of one Korean sentence (offsets into ``sentence``).

    ``levels`` (numbers with a side word, found on the surface) get their tense and negation here too.
    """
    tokens = analyser().tokenize(sentence)
    forms = [t.form for t in tokens]
    tags = [t.tag for t in tokens]
    ko = rules.ko
    found: list[tuple[int, int, str]] = []  # (first token, last token, category)
    for i in range(len(tokens)):
        for category in _PREDICATE_CATEGORIES:
            for seq in ko.get(category, ()):
                if forms[i] == seq[0] and _seq_at(forms, i, seq):
                    found.append((i, i + len(seq) - 1, category))
    # one cue per token span: longest first, then predicate over "prior" (강세 is both up and prior_up)
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), _RANK[_PREDICATE_CATEGORIES[f[2]][0]]))
    cues: list[Cue] = []
    taken_until = -1
    for first, last, category in found:
        if first <= taken_until:
            continue
        taken_until = last
        kind, direction, weak = _PREDICATE_CATEGORIES[category]
        cue = Cue(kind, tokens[first].start, tokens[last].start + tokens[last].len, direction, weak)
        if kind in ("dir", "compare", "reversal", "continuation", "stay"):
            _predicate_context(cue, first, last, tokens, forms, tags, rules)
        cues.append(cue)
    for cue in levels or ():
        last = max((k for k, t in enumerate(tokens) if t.start < cue.end), default=None)
        if last is not None:
            _predicate_context(cue, last, last, tokens, forms, tags, rules, adnominal=False)
    return cues


def _predicate_context(cue: Cue, first: int, last: int, tokens, forms, tags, rules: Rules,
                       adnominal: bool = True) -> None:
    """Adnominal use (an earlier state), tense and negation, from the morphemes around the cue."""
    ko = rules.ko
    k = last + 1
    while k < len(tokens) and tags[k] in ("XSV", "XSA", "XSN"):
        k += 1
    if adnominal and k < len(tokens) and tags[k] == "ETM":
        nxt = forms[k + 1] if k + 1 < len(tokens) else ""
        if forms[k] in ko.get("prior_endings", (("던",),))[0] or forms[k] == "던":
            _make_prior(cue)
            return
        if forms[k] in ("는", "ᆫ", "은") and nxt not in ("것", "수", "듯"):
            _make_prior(cue)
            return
        if forms[k] in ("ᆫ", "은") and nxt == "것":
            cue.reported = True
    if first > 0 and forms[first - 1] in {s[0] for s in ko.get("negation_before", ())} and tags[first - 1] == "MAG":
        cue.negated, cue.negation = True, (tokens[first - 1].start, tokens[first - 1].start + tokens[first - 1].len)
    window = range(last + 1, min(len(tokens), last + 1 + _WINDOW))
    past = forecast = False
    negation_after = {s[0] for s in ko.get("negation_after", ())}
    hedges = {s[0] for s in ko.get("hedge_endings", ())}
    forecast_seqs = ko.get("forecast_markers", ())
    for j in window:
        if tags[j] in ("SP", "SF") or (tags[j].startswith("NN") and forms[j] not in (
                "것", "수", "전망", "예상", "예측", "가능", "가능성", "듯", "만", "추가")):
            break
        for seq in ko.get("hedge_markers", ()):
            if cue.hedge is None and _seq_at(forms, j, seq):  # "~ㄹ 수 있다", "가능성", "~듯", "~ㄹ지도 모른다"
                end = tokens[j + len(seq) - 1]
                cue.hedge, forecast = (tokens[j].start, end.start + end.len), True
        if tags[j] == "EP" and forms[j] in {s[0] for s in ko.get("past_markers", ())}:
            past = True
        if any(_seq_at(forms, j, seq) for seq in forecast_seqs):
            forecast = True
        if forms[j] in negation_after and tags[j] in ("VX", "VCN", "VV", "VA"):
            if j + 1 < len(tokens) and forms[j + 1] in hedges:
                forecast = True  # "…지 않을까": a guess that it will
                cue.hedge = cue.hedge or (tokens[j].start, tokens[j + 1].start + tokens[j + 1].len)
            else:
                cue.negated, cue.negation = True, (tokens[j].start, tokens[j].start + tokens[j].len)
        for seq in ko.get("negation_cannot", ()):
            if _seq_at(forms, j, seq):
                end = tokens[j + len(seq) - 1]
                cue.negated, cue.negation = True, (tokens[j].start, end.start + end.len)
    if past and not forecast:
        cue.reported = True
    if forecast:
        cue.reported = False


def _make_prior(cue: Cue) -> None:
    if cue.kind == "dir":
        cue.kind = "prior"
    elif cue.kind in ("reversal", "continuation", "stay", "compare"):
        cue.kind = "prior" if cue.direction else cue.kind
