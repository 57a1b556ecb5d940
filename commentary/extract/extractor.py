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
from dataclasses import dataclass, field

from commentary.extract import names as names_mod
from commentary.extract.clean import clean_text
from commentary.extract.cues import Cue, NumberHit
from commentary.extract.english import english_cues
from commentary.extract.horizons import HorizonHit, find_horizons
from commentary.extract.korean import analyser, korean_cues
from commentary.extract.model import Extraction, Horizon, Proposal, Span
from commentary.extract.numbers import find_numbers
from commentary.extract.rules import NameEntry, Rules, load_rules
from commentary.extract.sentences import Sentence, split_sentences
from data_sources.market.universe import Instrument, all_instruments

_HANGUL = re.compile(r"[가-힣]")
_FLIP = {"up": "down", "down": "up"}
_CLAUSE_COMMA = re.compile(r"(?<!\d)[,;](?!\d)")
_EN_WAS = re.compile(r"\b(?:was|were|had been|closed|ended|traded|dipped|fell|slipped|rose|climbed)\s+(?:\w+\s+)?$",
                     re.IGNORECASE)


@dataclass
class _Group:
    """The names a predicate is about: A (subject) and B (what A is compared with)."""

    a: list[names_mod.Mention] = field(default_factory=list)
    b: list[names_mod.Mention] = field(default_factory=list)
    carried: bool = False


def _unique(mentions: Sequence[names_mod.Mention]) -> list[names_mod.Mention]:
    seen, out = set(), []
    for m in mentions:
        key = (m.entry.key, m.entry.invert)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def _series(entries: Sequence[NameEntry]) -> tuple[object, dict[str, tuple[str, ...]]]:
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
    :class:`~commentary.extract.model.ExtractError` for text over the length limit.
    """
    rules = rules or load_rules()
    limits = rules.limits
    clean = clean_text(text, int(limits["max_text_chars"]))
    budget = float(time_budget_s if time_budget_s is not None else limits["time_budget_s"])
    if lang == "ko" or (lang is None and _HANGUL.search(clean)):
        analyser()  # load the Korean model (seconds, once per process) before the clock starts: the budget is analysis
    deadline = time.monotonic() + budget
    ctx = _Context(rules, tuple(instruments if instruments is not None else all_instruments()), published, lang)
    notes: list[str] = []
    proposals: list[Proposal] = []
    sentences = split_sentences(clean, rules.abbreviations)
    if len(sentences) > limits["max_sentences"]:
        notes.append(f"only the first {int(limits['max_sentences']):,} of {len(sentences):,} sentences were read")
        sentences = sentences[: int(limits["max_sentences"])]
    for index, sentence in enumerate(sentences):
        if time.monotonic() > deadline:
            notes.append(f"stopped after {index:,} of {len(sentences):,} sentences: the {budget:g} s time budget "
                         "ran out; the rest of the text has no proposals")
            break
        if len(sentence.text) > limits["max_sentence_chars"]:
            notes.append(f"sentence at character {sentence.start:,} is {len(sentence.text):,} characters long "
                         f"(limit {int(limits['max_sentence_chars']):,}); skipped")
            ctx.previous_subject = None
            continue
        found = _sentence(sentence, index, ctx)
        proposals += found
        if len(proposals) >= limits["max_proposals"]:
            notes.append(f"stopped at {int(limits['max_proposals']):,} proposals")
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
    cues += levels
    cues += _no_move_cues(text, rules)
    cues.sort(key=lambda c: (c.start, c.end))
    cues = _merge_levels(cues, mentions)
    predicates = [c for c in cues if c.kind in ("dir", "reversal", "continuation", "compare", "no_move", "level")]
    if not predicates:
        return []
    groups = _assign(predicates, mentions, text, korean, previous, rules)
    out: list[Proposal] = []
    for cue, group in zip(predicates, groups, strict=True):
        if not group.a:
            continue
        out += _proposals(cue, group, cues, numbers, sentence, horizons, ctx, index)
    out += _implied_outperform(out, sentence, ctx)
    if out:
        last = groups[-1] if groups[-1].a else next((g for g in reversed(groups) if g.a), None)
        ctx.previous_subject = (last.b or last.a) if last else None
    return _dedupe(out)


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
                level.direction = level.direction or other.direction
                level.start, level.end = min(prev.start, cue.start), max(prev.end, cue.end)
                out[-1] = level
                continue
        if out and cue.kind == "dir" and out[-1].kind == "dir" and not any(
                out[-1].end <= m.start < cue.start for m in mentions) and cue.direction == out[-1].direction:
            continue  # "반등해 상승할": one call
        out.append(cue)
    return out


def _is_than(text: str, m: names_mod.Mention, korean: bool, rules: Rules) -> bool:
    if korean:
        after = text[m.end:m.end + 8]
        return bool(re.match(r"^\s*(?:의\s*)?(?:" + "|".join(
            r"\s*".join(map(re.escape, s)) for s in rules.ko.get("than_markers", ())) + ")", after))
    before = text[max(0, m.start - 20):m.start].lower()
    return any(re.search(r"\b" + re.escape(w) + r"\s+(?:the\s+)?$", before) for w in rules.en.get("than_markers", ()))


def _is_object(text: str, m: names_mod.Mention) -> bool:
    return bool(re.match(r"^\s*(?:을|를)(?![가-힣])", text[m.end:m.end + 3]))


def _assign(predicates: list[Cue], mentions: list[names_mod.Mention], text: str, korean: bool,
            previous: list[names_mod.Mention] | None, rules: Rules) -> list[_Group]:
    """Pair each predicate with the names it is about."""
    groups = [_Group() for _ in predicates]
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
        g.a, g.b = _unique(g.a), _unique(g.b)
    return groups


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


def _proposals(cue: Cue, group: _Group, cues: list[Cue], numbers: list[NumberHit], sentence: Sentence,
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
    if cue.weak and cue.kind == "dir":
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

    def make(rule, params, symbols, dirn, level=None, unit=None, extra=(), baskets=None) -> Proposal:
        return Proposal(sentence.text, sentence.start, rule, params, tuple(symbols), dirn, level, unit, horizon, kind,
                        tuple(sorted(set(spans + list(extra)), key=lambda s: (s.start, s.end))), baskets or {},
                        cue.negated, tuple(notes))

    out: list[Proposal] = []
    # outperform: a comparison verb, or a move with "than B"
    if group.b and direction and cue.kind != "no_move":
        a_series, a_b = _series([m.entry for m in group.a])
        b_series, b_b = _series([m.entry for m in group.b])
        a, b = (a_series, b_series) if direction == "up" else (b_series, a_series)
        params = {"a": a, "b": b, "margin_pp": pct.value if pct else 0.0}
        symbols = [*_flat(a), *_flat(b)]
        extra = [Span(pct.start, pct.end, "level")] if pct else []
        return [make("outperform", params, symbols, None, extra=extra, baskets={**a_b, **b_b})]
    if cue.kind == "compare":
        return []
    for m in group.a:
        entry = m.entry
        series, baskets = _series([entry])
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
                if level_cue and cue.negated:
                    side = "above" if side == "below" else "below"
                stays = level_cue is not None and level_cue.weak
                rule = f"stays_{side}" if stays else "level"
                params = {"symbol": entry.key, "level": level} if stays else {"symbol": entry.key, "level": level,
                                                                              "side": side}
                out.append(make(rule, params, symbols, None, level, unit, extra=[Span(*number, "level")]))
                continue
        if not direction:
            continue
        dirn = _FLIP[direction] if entry.invert else direction
        params = {"series": series, "direction": dirn, "threshold_pct": pct.value if pct and pct.unit == "%" else 0.0}
        extra = [Span(pct.start, pct.end, "level")] if pct and pct.unit == "%" else []
        p = make("direction", params, symbols, dirn, extra=extra, baskets=baskets)
        if entry.invert:
            p = _with_note(p, f"{sentence.text[m.start:m.end]} is the other side of the quote: {direction} for it "
                              f"is {dirn} for {entry.key}")
        out.append(p)
    return out


def _flat(series: object) -> list[str]:
    return list(series) if isinstance(series, list) else [str(series)]


def _with_note(p: Proposal, note: str) -> Proposal:
    from dataclasses import replace

    return replace(p, notes=(*p.notes, note))


def _implied_outperform(found: list[Proposal], sentence: Sentence, ctx: _Context) -> list[Proposal]:
    """Opposite calls on two names in one sentence also say the rising one beats the falling one."""
    if any(p.rule == "outperform" for p in found):
        return []
    calls = [p for p in found if p.rule == "direction" and p.kind == "forecast"]
    up = next((p for p in calls if p.direction == "up"), None)
    down = next((p for p in calls if p.direction == "down" and up and set(p.symbols) != set(up.symbols)), None)
    if not (up and down):
        return []
    from dataclasses import replace

    horizon = up.horizon if up.horizon and up.horizon.stated else down.horizon
    notes = tuple(n for n in (*up.notes, *down.notes) if n.startswith(("no horizon", "horizon", "weak", "negated")))
    return [replace(up, rule="outperform", direction=None,
                    params={"a": up.params["series"], "b": down.params["series"], "margin_pp": 0.0},
                    symbols=(*up.symbols, *down.symbols), horizon=horizon, baskets={**up.baskets, **down.baskets},
                    spans=tuple(sorted(set(up.spans + down.spans), key=lambda s: (s.start, s.end))),
                    notes=(*dict.fromkeys(notes), "implied by the opposite calls in one sentence"))]


def _dedupe(found: list[Proposal]) -> list[Proposal]:
    seen, out = set(), []
    for p in found:
        key = (p.rule, repr(sorted(p.params.items())), p.horizon, p.kind)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
