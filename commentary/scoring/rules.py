"""Claim rules as data: the rule types, their parameters, validation, and the series a rule measures.

Rules (``params`` as written in a column's front matter):

==========  =================================================================  ===========================
type        params                                                             held when
==========  =================================================================  ===========================
outperform  ``a``, ``b``: basket name or list of symbols; ``margin_pp`` (0)    return(a) − return(b) > margin
direction   ``series``: symbol, basket or list; ``direction`` up|down;          change beyond ± threshold in
            ``threshold_pct`` (0)                                              the stated direction
level       ``symbol``; ``level`` (> 0); ``side`` below|above                   end-point: the print at the
                                                                               horizon's end is below/above
stays       ``symbol``; ``level`` (> 0); ``side`` below|above;                  path: at least ``share_pct``
            ``share_pct`` (100)                                                of the prints in the window
                                                                               are below/above
touches     ``symbol``; ``level`` (> 0); ``side`` below|above                   path: any print after the
                                                                               reference, up to the horizon's
                                                                               end, at or beyond the level
no_move     ``symbol`` (or basket); ``threshold_pct`` (1.0)                    \\|change\\| < threshold
==========  =================================================================  ===========================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from commentary.timeline.observation import ALTERNATE_SOURCES
from commentary.words import Words
from data_sources.errors import Problem
from data_sources.market.universe import instrument

RULE_TYPES: tuple[str, ...] = ("outperform", "direction", "level", "stays", "touches", "no_move")

_PARAMS: dict[str, dict[str, tuple[str, Any]]] = {
    # name: (kind, default); default None means the param must be given
    "outperform": {"a": ("series", None), "b": ("series", None), "margin_pp": ("number", 0.0)},
    "direction": {"series": ("series", None), "direction": ("choice:up|down", None),
                  "threshold_pct": ("nonneg", 0.0)},
    "level": {"symbol": ("symbol", None), "level": ("positive", None), "side": ("choice:below|above", None)},
    "stays": {"symbol": ("symbol", None), "level": ("positive", None), "side": ("choice:below|above", None),
              "share_pct": ("share", 100.0)},
    "touches": {"symbol": ("symbol", None), "level": ("positive", None), "side": ("choice:below|above", None)},
    "no_move": {"symbol": ("series", None), "threshold_pct": ("positive", 1.0)},
}


@dataclass(frozen=True)
class SeriesRef:
    """What a rule measures: one symbol's price, or an equal-weight basket of symbols."""

    label: str
    symbols: tuple[str, ...]
    is_basket: bool


@dataclass(frozen=True)
class Rule:
    """A validated rule: ``type`` and its params (series params resolved to :class:`SeriesRef`)."""

    type: str
    params: Mapping[str, Any]



# --------------------------------------------------------------------------- validation


def _series_ref(value: Any, baskets: Mapping[str, Sequence[str]], single_only: bool) -> SeriesRef | Problem:
    """Resolve a series param, or return the problem with it."""
    if isinstance(value, str) and value.strip():
        if value in baskets and not single_only:
            return SeriesRef(value, tuple(baskets[value]), True)
        return SeriesRef(value, (value,), False)
    if not single_only and isinstance(value, list) and value and all(isinstance(s, str) and s for s in value):
        return SeriesRef("+".join(value), tuple(value), True)
    return Problem("column_file.rule_symbol" if single_only else "column_file.rule_series", {})


def _number_problem(kind: str, value: Any) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return Problem("column_file.rule_number", {"value": str(value)})
    if kind == "nonneg" and value < 0:
        return Problem("column_file.rule_nonneg", {"value": value})
    if kind == "positive" and value <= 0:
        return Problem("column_file.rule_positive", {"value": value})
    if kind == "share" and not 0 < value <= 100:
        return Problem("column_file.rule_share", {"value": value})
    return None


def validate_rule(rule_type: Any, params: Any, baskets: Mapping[str, Sequence[str]] | None = None,
                  ) -> tuple[Rule | None, list[tuple[tuple[str, ...], Problem]]]:
    """Check a rule written as data; return the resolved :class:`Rule` and problems.

    Each problem is ``(path, problem)`` with ``path`` relative to the rule, e.g. ``("params", "a")``, and a
    :class:`Problem` (codes ``column_file.rule_*``).
    """
    baskets = baskets or {}
    if rule_type not in _PARAMS:
        return None, [(("type",), Problem("column_file.rule_type", {"value": str(rule_type),
                                                                      "known": ", ".join(RULE_TYPES)}))]
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return None, [(("params",), Problem("column_file.rule_params", {}))]
    spec = _PARAMS[rule_type]
    problems: list[tuple[tuple[str, ...], Problem]] = []
    for name in params:
        if name not in spec:
            problems.append((("params", str(name)), Problem("column_file.rule_unknown_param",
                                                            {"rule": rule_type, "known": ", ".join(spec)})))
    resolved: dict[str, Any] = {}
    for name, (kind, default) in spec.items():
        path = ("params", name)
        if name not in params or params[name] is None:
            if default is None:
                problems.append((path, Problem("column_file.rule_missing", {"rule": rule_type})))
            else:
                resolved[name] = default
            continue
        value = params[name]
        if kind in ("series", "symbol"):
            ref = _series_ref(value, baskets, single_only=kind == "symbol")
            if isinstance(ref, Problem):
                problems.append((path, ref))
            else:
                resolved[name] = ref
        elif kind.startswith("choice:"):
            choices = kind.split(":", 1)[1].split("|")
            if value not in choices:
                problems.append((path, Problem("column_file.rule_choice", {"choices": ", ".join(choices),
                                                                         "value": str(value)})))
            else:
                resolved[name] = value
        else:
            problem = _number_problem(kind, value)
            if problem:
                problems.append((path, problem))
            else:
                resolved[name] = float(value)
    return (None if problems else Rule(rule_type, resolved)), problems


def rule_symbols(rule: Rule) -> list[str]:
    """Every symbol a rule needs, in order, without duplicates."""
    out: list[str] = []
    for value in rule.params.values():
        if isinstance(value, SeriesRef):
            out.extend(s for s in value.symbols if s not in out)
    return out


def source_variants(rule: Rule) -> list[tuple[str, Rule]]:
    """``(source, rule)`` pairs: the rule as written, and with each two-source rate swapped for its twin.

    ``source`` is "yahoo", "ecb" or "data" (a rule on series of one source only gives one pair).
    """
    swappable = [s for s in rule_symbols(rule) if s in ALTERNATE_SOURCES]

    def source_of(r: Rule) -> str:
        syms = [s for s in rule_symbols(r) if s in ALTERNATE_SOURCES] or rule_symbols(r)
        inst = instrument(syms[0]) if syms else None
        return inst.source if inst is not None else "data"

    if not swappable:
        return [(source_of(rule), rule)]
    params = {}
    for name, value in rule.params.items():
        if isinstance(value, SeriesRef) and any(s in ALTERNATE_SOURCES for s in value.symbols):
            syms = tuple(ALTERNATE_SOURCES.get(s, s) for s in value.symbols)
            label = "+".join(syms) if value.is_basket else syms[0]
            value = SeriesRef(label, syms, value.is_basket)
        params[name] = value
    twin = Rule(rule.type, params)
    pairs = [(source_of(rule), rule), (source_of(twin), twin)]
    return sorted(pairs, key=lambda p: 0 if p[0] == "yahoo" else 1)


# --------------------------------------------------------------------------- names

#: The known baskets' names (catalog keys).
BASKET_KEYS: dict[str, str] = {"cn_tech": "scoring_words.basket.cn_tech",
                               "us_bigtech": "scoring_words.basket.us_bigtech"}


def basket_name(label: str, words: Words) -> str:
    """A basket's name in the reader's words: a known one's name, else its own label."""
    return words(BASKET_KEYS[label]) if label in BASKET_KEYS else label


def ref_name(ref: SeriesRef, words: Words) -> str:
    """A reader's name for a rule's series: a known basket's name, or the symbol's name (the universe holds it in
    both languages: content, picked by ``words.language``)."""
    if ref.label in BASKET_KEYS:
        return words(BASKET_KEYS[ref.label])
    if not ref.is_basket and len(ref.symbols) == 1:
        inst = instrument(ref.symbols[0])
        if inst is not None:
            return f"{inst.name(words.language)} ({inst.symbol})"
    return ref.label
