"""Load and check ``rules.toml``: the extractor's names, words and patterns, compiled once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).with_name("rules.toml")
_HORIZON_RESOLVERS = ("year_end", "fixed", "weekday", "quarter", "half", "month", "year", "n_months", "n_weeks",
                      "date")
_FIXED = ("1W", "1M", "3M", "6M", "12M")


class RulesError(ValueError):
    """rules.toml is malformed; the message names the table and field."""


@dataclass(frozen=True)
class NameEntry:
    """One alias list: a single symbol (``basket`` None) or a basket of symbols."""

    key: str
    symbols: tuple[str, ...]
    aliases: tuple[str, ...]
    invert: bool = False
    basket: str | None = None


@dataclass(frozen=True)
class HorizonRule:
    pattern: re.Pattern[str]
    resolve: str
    options: dict[str, Any]


@dataclass(frozen=True, eq=False)  # hashed by identity: one compiled rule set per load
class Rules:
    """Everything in rules.toml, checked and compiled."""

    limits: dict[str, float]
    defaults: dict[str, Any]
    names: tuple[NameEntry, ...]
    stop_names: tuple[str, ...]
    ko: dict[str, tuple[tuple[str, ...], ...]]    # category -> lemma sequences
    en: dict[str, tuple[str, ...]]                # category -> lower-case phrases
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    number: re.Pattern[str]
    currency_prefix: re.Pattern[str]
    units: dict[str, str]
    multipliers: dict[str, float]
    horizons: tuple[HorizonRule, ...]
    weekdays: dict[str, int]
    months: dict[str, int]
    quarter_words: dict[str, int]
    number_words: dict[str, int]
    abbreviations: tuple[str, ...]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulesError(f"rules.toml {where}: expected a list of non-empty strings")
    return tuple(value)


def _compile(pattern: Any, where: str, flags: int = 0) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise RulesError(f"rules.toml {where}: expected a regular expression string")
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RulesError(f"rules.toml {where}: bad regular expression ({exc})") from exc


def _number_words(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 60
                                            for v in raw.values()):
        raise RulesError("rules.toml [number_words]: expected word = whole number from 1 to 60")
    return {str(k).lower(): int(v) for k, v in raw.items()}


def parse_rules(raw: dict[str, Any]) -> Rules:
    """Check a parsed rules.toml; raise :class:`RulesError` naming the first bad field."""
    names: list[NameEntry] = []
    for i, b in enumerate(raw.get("basket", [])):
        where = f"[[basket]] #{i + 1}"
        if not isinstance(b.get("key"), str):
            raise RulesError(f"rules.toml {where}: key missing")
        names.append(NameEntry(b["key"], _strings(b.get("symbols"), f"{where}.symbols"),
                               _strings(b.get("aliases"), f"{where}.aliases"), basket=b["key"]))
    for i, e in enumerate(raw.get("entity", [])):
        where = f"[[entity]] #{i + 1}"
        if not isinstance(e.get("symbol"), str) or not e["symbol"]:
            raise RulesError(f"rules.toml {where}: symbol missing")
        names.append(NameEntry(e["symbol"], (e["symbol"],), _strings(e.get("aliases"), f"{where}.aliases"),
                               invert=bool(e.get("invert", False))))
    ko = {k: tuple(tuple(s.split()) for s in _strings(v, f"[ko].{k}")) for k, v in raw.get("ko", {}).items()}
    en = {k: _strings(v, f"[en].{k}") for k, v in raw.get("en", {}).items()}
    pats = raw.get("patterns", {})
    patterns = {k: tuple(_compile(p, f"[patterns].{k}", re.IGNORECASE) for p in _strings(v, f"[patterns].{k}"))
                for k, v in pats.items() if isinstance(v, list)}
    horizons = []
    for i, h in enumerate(raw.get("horizon", [])):
        where = f"[[horizon]] #{i + 1}"
        if h.get("resolve") not in _HORIZON_RESOLVERS:
            raise RulesError(f"rules.toml {where}.resolve: expected one of {', '.join(_HORIZON_RESOLVERS)}")
        if h["resolve"] == "fixed" and h.get("code") not in _FIXED:
            raise RulesError(f"rules.toml {where}.code: expected one of {', '.join(_FIXED)}")
        options = {k: v for k, v in h.items() if k not in ("pattern", "resolve")}
        horizons.append(HorizonRule(_compile(h.get("pattern"), f"{where}.pattern", re.IGNORECASE), h["resolve"],
                                    options))
    limits = raw.get("limits", {})
    for key in ("max_text_chars", "max_sentence_chars", "max_sentences", "max_proposals", "time_budget_s"):
        if not isinstance(limits.get(key), int | float) or limits[key] <= 0:
            raise RulesError(f"rules.toml [limits].{key}: expected a positive number")
    for key in ("up", "down", "negation_after", "hedge_endings", "past_markers"):
        if key not in ko:
            raise RulesError(f"rules.toml [ko].{key}: missing")
    for key in ("up", "down", "negation_before"):
        if key not in en:
            raise RulesError(f"rules.toml [en].{key}: missing")
    return Rules(
        limits=dict(limits), defaults=dict(raw.get("defaults", {})), names=tuple(names),
        stop_names=_strings(raw.get("names", {}).get("stop", []) or ["\0"], "[names].stop"),
        ko=ko, en=en, patterns=patterns,
        number=_compile(pats.get("number"), "[patterns].number"),
        currency_prefix=_compile(pats.get("currency_prefix"), "[patterns].currency_prefix"),
        units=dict(raw.get("units", {})), multipliers={k: float(v) for k, v in raw.get("multipliers", {}).items()},
        horizons=tuple(horizons), weekdays=dict(raw.get("weekdays", {})), months=dict(raw.get("months", {})),
        quarter_words=dict(raw.get("quarter_words", {})),
        number_words=_number_words(raw.get("number_words", {})),
        abbreviations=_strings(raw.get("sentences", {}).get("abbreviations", ["e.g."]), "[sentences].abbreviations"),
    )


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> Rules:
    """The rules in ``path`` (default: the packaged rules.toml), parsed once per process."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: {exc}") from exc
    return parse_rules(raw)
