"""Draft claims from a column's text, offline: names → symbols, moves, levels, horizons → claim rules.

The pipeline, per sentence: find names (``names``), horizon phrases (``horizons``), numbers
(``numbers``) and predicate cues (``korean`` via kiwipiepy morphemes, ``english`` via word forms);
then pair each predicate with the names before it (the subject; both languages put it first) and
turn the pair into a claim rule.  Everything the rules know is in ``rules.toml``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence

from commentary.extract import names as names_mod
from commentary.extract.clean import clean_text
from commentary.extract.cues import Cue, NumberHit
from commentary.extract.english import english_cues, english_level_context
from commentary.extract.horizons import HorizonHit, find_horizons
from commentary.extract.korean import analyser, korean_cues
from commentary.extract.model import Extraction, Horizon, Proposal, Span
from commentary.extract.numbers import find_numbers
from commentary.extract.rules import Rules, load_rules
from commentary.extract.sentences import Sentence, split_sentences
from commentary.extract.shaping import (
    dedupe,
    flat,
    generic_saying,
    implied_outperform,
    path_rule,
    series_param,
    touch_wanted,
    with_note,
)
from commentary.extract.subjects import Group, assign
from data_sources.errors import Problem
from data_sources.market.universe import Instrument, all_instruments

_HANGUL = re.compile(r"[가-힣]")
_FLIP = {"up": "down", "down": "up"}
_CLAUSE_COMMA = re.compile(r"(?<!\d)[,;](?!\d)")
_EN_WAS = re.compile(r"\b(?:was|were|had been|closed|ended|traded|dipped|fell|slipped|rose|climbed)\s++(?:\w++\s++)?$",
                     re.IGNORECASE)


class _Context:
    def __init__(self, rules: Rules, instruments: tuple[Instrument, ...], published: dt.date | None,
                 lang: str | None) -> None:
        self.rules, self.published, self.lang = rules, published, lang
        self.by_symbol = {i.symbol: i for i in instruments}
        self.matcher = names_mod.matcher(rules, instruments)
        self.recent_horizons: list[tuple[int, int, HorizonHit]] = []  # (sentence index, paragraph, hit)
        self.previous_subject: list[names_mod.Mention] | None = None


def extract(text: str, published: dt.date | None = None, lang: str | None = None,
            instruments: Sequence[Instrument] | None = None, rules: Rules | None = None,
            time_budget_s: float | None = None) -> Extraction:
    """All draft claims of ``text``.

    ``published`` resolves relative horizons ("올해" → that year's 31 Dec); ``lang`` ("ko"/"en")
    forces the analyser, otherwise each sentence is analysed as Korean when it contains Hangul.
    ``instruments`` defaults to the universe plus reader-added symbols.  Raises
    :class:`~commentary.extract.model.ExtractError` for text over the length limit.  The time budget
    (``time_budget_s``, else ``[limits].time_budget_s``) counts from the start, cleaning and splitting
    included, except for loading the Korean model once per process; past it, the rest is skipped with a note.
    The notes (:class:`~data_sources.errors.Problem`: what was skipped and why) are worded by the caller.
    """
    started = time.monotonic()
    rules = rules or load_rules()
    limits = rules.limits
    budget = float(time_budget_s if time_budget_s is not None else limits["time_budget_s"])
    clean = clean_text(text, int(limits["max_text_chars"]))  # linear, and the length is checked first
    if lang == "ko" or (lang is None and _HANGUL.search(clean)):
        loading = time.monotonic()
        analyser()  # the Korean model loads once per process (seconds): not counted against the budget
        started += time.monotonic() - loading
    deadline = started + budget
    ctx = _Context(rules, tuple(instruments if instruments is not None else all_instruments()), published, lang)
    notes: list[Problem] = []
    proposals: list[Proposal] = []
    sentences = split_sentences(clean, rules.abbreviations)
    max_sentences, max_chars = int(limits["max_sentences"]), int(limits["max_sentence_chars"])
    if len(sentences) > max_sentences:
        notes.append(Problem("extract.too_many_sentences", {"read": max_sentences, "total": len(sentences)}))
        sentences = sentences[:max_sentences]
    long_ones = [s for s in sentences if len(s.text) > max_chars]
    if long_ones:  # one note for all of them: a paste of 200,000 periods is one "sentence", or many
        notes.append(Problem("extract.long_sentences_skipped", {"count": len(long_ones), "limit": max_chars,
                                                                "first_at": long_ones[0].start + 1}))
    for index, sentence in enumerate(sentences):
        if time.monotonic() > deadline:
            notes.append(Problem("extract.budget_ran_out", {"read": index, "total": len(sentences),
                                                            "seconds": round(budget)}))
            break
        if len(sentence.text) > max_chars:
            ctx.previous_subject = None
            continue
        proposals += _sentence(sentence, index, ctx)
        if len(proposals) >= limits["max_proposals"]:
            notes.append(Problem("extract.too_many_proposals", {"limit": int(limits["max_proposals"])}))
            proposals = proposals[: int(limits["max_proposals"])]
            break
    return Extraction(tuple(proposals), tuple(notes), len(sentences), clean)


def propose(text: str, published: dt.date | None = None, lang: str | None = None,
            instruments: Sequence[Instrument] | None = None) -> list[Proposal]:
    """The draft claims of ``text`` (see :func:`extract`, which also returns notes on what was skipped)."""
    return list(extract(text, published, lang, instruments).proposals)


# --------------------------------------------------------------------------- one sentence


def _sentence(sentence: Sentence, index: int, ctx: _Context) -> list[Proposal]:
    rules, text = ctx.rules, sentence.text
    mentions = ctx.matcher.find(text)
    horizons = find_horizons(text, ctx.published, rules)
    for hit in horizons:
        ctx.recent_horizons.append((index, sentence.paragraph, hit))
    ctx.recent_horizons = [h for h in ctx.recent_horizons
                           if index - h[0] <= int(rules.defaults.get("context_sentences", 2))
                           and h[1] == sentence.paragraph]
    previous, ctx.previous_subject = ctx.previous_subject, None
    if not mentions and not previous:
        return []
    korean = ctx.lang == "ko" if ctx.lang else bool(_HANGUL.search(text))
    skip = [(m.start, m.end) for m in mentions] + [(h.start, h.end) for h in horizons]
    numbers = find_numbers(text, rules, skip)
    levels = _level_cues(numbers)
    if korean:
        cues = korean_cues(text, rules, levels)
    else:
        cues = english_cues(text, rules)
        for cue in levels:
            cue.reported = bool(_EN_WAS.search(text[max(0, cue.start - 30):cue.start]))
            cue.negation, cue.hedge = english_level_context(text, cue.start, rules)
            cue.negated = cue.negation is not None
    cues += levels
    cues += _no_move_cues(text, rules)
    cues.sort(key=lambda c: (c.start, c.end))
    cues = _merge_levels(cues, mentions)
    predicates = [c for c in cues if c.kind in ("dir", "reversal", "continuation", "compare", "no_move", "level")]
    if not predicates:
        return []
    groups = assign(predicates, mentions, text, korean, previous, rules)
    out: list[Proposal] = []
    for cue, group in zip(predicates, groups, strict=True):
        if not group.a:
            continue
        out += _proposals(cue, group, cues, numbers, sentence, horizons, ctx, index)
    out += implied_outperform(out, sentence)
    if out:
        last = groups[-1] if groups[-1].a else next((g for g in reversed(groups) if g.a), None)
        ctx.previous_subject = (last.b or last.a) if last else None
    return dedupe(out)


def _level_cues(numbers: list[NumberHit]) -> list[Cue]:
    return [Cue("level", n.side_span[0] if n.side_span[0] < n.start else n.start, max(n.end, n.side_span[1]),
                level=n.value, unit=n.unit, side=n.side, number=(n.start, n.end))
            for n in numbers if n.side in ("below", "above") and n.side_span and n.unit not in ("%", "pp")]


def _no_move_cues(text: str, rules: Rules) -> list[Cue]:
    out = []
    for p in rules.patterns.get("no_move", ()):
        out += [Cue("no_move", m.start(), m.end()) for m in p.finditer(text)]
    out.sort(key=lambda c: c.start)
    kept: list[Cue] = []
    for c in out:
        if not kept or c.start >= kept[-1].end:
            kept.append(c)
    return kept


def _merge_levels(cues: list[Cue], mentions: list[names_mod.Mention]) -> list[Cue]:
    """A level next to a move or "stays" word with no name between them is one predicate (the level)."""
    out: list[Cue] = []
    for cue in cues:
        if out and {cue.kind, out[-1].kind} & {"level"} and {cue.kind, out[-1].kind} <= {"level", "dir", "stay"}:
            prev = out[-1]
            lo, hi = min(prev.end, cue.end), max(prev.start, cue.start)
            if not any(lo <= m.start < hi for m in mentions):
                level, other = (prev, cue) if prev.kind == "level" else (cue, prev)
                if other.kind == "stay":
                    level.weak = True  # marks "stays": judged on every close
                level.reported = level.reported or other.reported
                level.negated = level.negated or other.negated
                level.negation = level.negation or other.negation
                level.hedge = level.hedge or other.hedge
                level.direction = level.direction or other.direction
                level.start, level.end = min(prev.start, cue.start), max(prev.end, cue.end)
                out[-1] = level
                continue
        if out and cue.kind == "dir" and out[-1].kind == "dir" and not any(
                out[-1].end <= m.start < cue.start for m in mentions) and cue.direction == out[-1].direction:
            continue  # "반등해 상승할": one call
        out.append(cue)
    return out


def _nearest_prior(cue: Cue, cues: list[Cue]) -> Cue | None:
    priors = [c for c in cues if c.kind == "prior" and c.end <= cue.start]
    return priors[-1] if priors else None


def _pick_horizon(cue: Cue, horizons: list[HorizonHit], ctx: _Context, index: int, rule: str
                  ) -> tuple[Horizon, Span | None, str | None]:
    if horizons:
        hit = min(horizons, key=lambda h: abs(h.start - cue.start))
        return hit.horizon, Span(hit.start, hit.end, "horizon"), None
    earlier = [h for h in ctx.recent_horizons if h[0] < index]
    if earlier:
        hit = earlier[-1][2]
        return hit.horizon, None, f"horizon {hit.horizon.label()} taken from an earlier sentence"
    code = ctx.rules.defaults.get("no_move_horizon" if rule == "no_move" else "horizon", "3M")
    return Horizon("fixed", code, None, "", stated=False), None, f"no horizon stated; {code} assumed"


def _compatible(symbol: str, unit: str | None, ctx: _Context) -> bool:
    inst = ctx.by_symbol.get(symbol)
    if inst is None:
        return False
    if unit is None or unit == "pt":
        return inst.basis == "level" or (unit is None and inst.group == "fx")
    if unit in ("%", "pp"):
        return False
    return inst.currency == unit and (inst.group != "fx" or unit not in ("USD",))


def _proposals(cue: Cue, group: Group, cues: list[Cue], numbers: list[NumberHit], sentence: Sentence,
               horizons: list[HorizonHit], ctx: _Context, index: int) -> list[Proposal]:
    notes: list[str] = []
    if group.carried:
        notes.append("subject taken from the previous sentence")
    spans = [Span(m.start, m.end, "symbol") for m in (*group.a, *group.b)]
    if cue.negation:
        spans.append(Span(*cue.negation, "negation"))
    # numbers of this predicate's clause: after the cue before it, before the cue after it
    lo = max((c.end for c in cues if c.end <= cue.start), default=0)
    lo = max(lo, max((m.end() for m in _CLAUSE_COMMA.finditer(sentence.text, 0, cue.start)), default=0))
    hi = min((c.start for c in cues if c.start >= cue.end), default=len(sentence.text))
    segment = [n for n in numbers if lo <= n.start and n.end <= hi]
    pct = next((n for n in segment if n.unit in ("%", "pp")), None)
    target = next((n for n in segment if n.side == "target" and n.unit not in ("%", "pp")), None)
    direction = cue.direction
    kind_span = "direction"
    if cue.kind == "reversal":
        prior = _nearest_prior(cue, cues)
        direction = _FLIP[prior.direction] if prior else "up"
        notes.append(f"a turn after {'a fall' if direction == 'up' else 'a rise'}" if prior
                     else "a turn with no earlier trend stated; read as a rebound")
        if prior:
            spans.append(Span(prior.start, prior.end, "direction"))
    elif cue.kind == "continuation":
        prior = _nearest_prior(cue, cues)
        if prior is None:
            return []
        direction = prior.direction
        spans.append(Span(prior.start, prior.end, "direction"))
    if cue.kind != "level" and generic_saying(sentence.text, lo, cue.start, ctx.rules):
        return []  # "always", "항상": a saying about markets, not a call on a period
    if cue.weak and cue.kind == "dir":
        if not horizons:
            return []  # good/bad wording with no period of its own: nothing to check
        notes.append("weak wording (good/bad), not a clear call on the price")
    if cue.negated and cue.kind in ("dir", "reversal", "continuation", "compare") and direction:
        direction = _FLIP[direction]
        notes.append("negated: read as the opposite call with no threshold")
    kind = "reported" if cue.reported else "forecast"
    if kind == "reported":
        notes.append("reported in the past tense: a fact to check, not a call")
        horizon, hspan = None, None
    else:
        horizon, hspan, hnote = _pick_horizon(cue, horizons, ctx, index, "no_move" if cue.kind == "no_move" else "")
        if hnote:
            notes.append(hnote)
    if hspan:
        spans.append(hspan)
    spans.append(Span(cue.start, cue.end, kind_span if cue.kind != "no_move" else "no_move"))
    hedge = sentence.text[cue.hedge[0]:cue.hedge[1]] if cue.hedge else None
    if cue.hedge:
        spans.append(Span(*cue.hedge, "hedge"))
        notes.append(f"hedged ({hedge!r}): the text says it could happen, not that it will")
    touch = touch_wanted(sentence.text, ctx.rules) or cue.hedge is not None

    def make(rule, params, symbols, dirn, level=None, unit=None, extra=(), baskets=None) -> Proposal:
        return Proposal(sentence.text, sentence.start, rule, params, tuple(symbols), dirn, level, unit, horizon, kind,
                        tuple(sorted(set(spans + list(extra)), key=lambda s: (s.start, s.end))), baskets or {},
                        cue.negated, tuple(notes), hedge)

    out: list[Proposal] = []
    # outperform: a comparison verb, or a move with "than B"
    if group.b and direction and cue.kind != "no_move":
        a_series, a_b = series_param([m.entry for m in group.a])
        b_series, b_b = series_param([m.entry for m in group.b])
        a, b = (a_series, b_series) if direction == "up" else (b_series, a_series)
        params = {"a": a, "b": b, "margin_pp": pct.value if pct else 0.0}
        symbols = [*flat(a), *flat(b)]
        extra = [Span(pct.start, pct.end, "level")] if pct else []
        return [make("outperform", params, symbols, None, extra=extra, baskets={**a_b, **b_b})]
    if cue.kind == "compare":
        return []
    for m in group.a:
        entry = m.entry
        series, baskets = series_param([entry])
        symbols = list(entry.symbols)
        if cue.kind == "no_move":
            threshold = pct.value if pct and pct.unit == "%" else float(ctx.rules.defaults.get("no_move_threshold_pct",
                                                                                              1.0))
            extra = [Span(pct.start, pct.end, "level")] if pct and pct.unit == "%" else []
            out.append(make("no_move", {"symbol": series, "threshold_pct": threshold}, symbols, None, extra=extra,
                            baskets=baskets))
            continue
        level_cue = cue if cue.kind == "level" else None
        level, side, unit, number = None, None, None, None
        if level_cue:
            level, side, unit, number = level_cue.level, level_cue.side, level_cue.unit, level_cue.number
        elif target is not None and direction:
            level, side, unit, number = target.value, "above" if direction == "up" else "below", target.unit, (
                target.start, target.end)
        if level is not None:
            if entry.basket or not _compatible(entry.key, unit, ctx):
                if level_cue:
                    continue  # "600만 달러 미만": a number that is not this series' level
            else:
                if level_cue:
                    path = "stays" if level_cue.weak else "touches" if touch else "level"
                else:  # "rise to 1,500": the side the move heads for, before any negation
                    side = "above" if (_FLIP[direction] if cue.negated else direction) == "up" else "below"
                    path = "touches" if touch else "level"
                rule, params = path_rule(entry.key, level, side, path, cue.negated)
                out.append(make(rule, params, symbols, None, level, unit, extra=[Span(*number, "level")]))
                continue
        if not direction:
            continue
        dirn = _FLIP[direction] if entry.invert else direction
        params = {"series": series, "direction": dirn, "threshold_pct": pct.value if pct and pct.unit == "%" else 0.0}
        extra = [Span(pct.start, pct.end, "level")] if pct and pct.unit == "%" else []
        p = make("direction", params, symbols, dirn, extra=extra, baskets=baskets)
        if entry.invert:
            p = with_note(p, f"{sentence.text[m.start:m.end]} is the other side of the quote: {direction} for it "
                              f"is {dirn} for {entry.key}")
        out.append(p)
    return out
