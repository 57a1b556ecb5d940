"""Find company, index and currency names in a sentence and map them to universe symbols."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from commentary.extract.rules import NameEntry, Rules
from data_sources.market.universe import Instrument

_TICKER = re.compile(r"^(?:[A-Z]{2,5}|\d{4}\.HK|\d{6}\.K[SQ])$")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Mention:
    """A name found at ``sentence[start:end]``."""

    entry: NameEntry
    start: int
    end: int


def _key(text: str, fold: bool) -> str:
    text = _WS.sub("", text)
    return text.lower() if fold else text


def _alias_regex(alias: str) -> str:
    """The alias as a regex that starts with its first character (a literal or a two-case set).

    Starting with a character lets the regex engine skip a non-matching alternative at once, so the one big
    alternation over every alias stays fast on any text; the word-boundary check comes after that character.
    """
    parts = alias.split()
    first, rest = alias[0], alias[1:]
    fold = alias.islower()
    head = f"[{re.escape(first.upper())}{re.escape(first)}]" if fold and first.upper() != first else re.escape(first)
    if first.isascii() and first.isalnum():
        head += r"(?<![A-Za-z0-9].)"  # the character before the alias is not a letter or digit
    tail = r"\s*+".join(re.escape(part) for part in [parts[0][1:], *parts[1:]]) if rest else ""
    if fold and tail:
        tail = f"(?i:{tail})"
    right = r"(?![A-Za-z0-9'])" if alias[-1].isascii() and alias[-1].isalnum() else ""
    return head + tail + right


class NameMatcher:
    """One regular expression over every alias, longest first; stop words win over the names they contain."""

    def __init__(self, entries: Iterable[NameEntry], stop: Iterable[str]) -> None:
        self.exact: dict[str, NameEntry | None] = {}
        self.folded: dict[str, NameEntry | None] = {}
        aliases: list[str] = []
        for word in stop:
            self._register(word, None, aliases)
        for entry in entries:
            for alias in entry.aliases:
                self._register(alias, entry, aliases)
        aliases.sort(key=len, reverse=True)
        self.pattern = re.compile("|".join(_alias_regex(a) for a in aliases)) if aliases else None

    def _register(self, alias: str, entry: NameEntry | None, aliases: list[str]) -> None:
        alias = alias.strip()
        if not alias:
            return
        table, key = (self.folded, _key(alias, True)) if alias.islower() else (self.exact, _key(alias, False))
        if key in table:  # the first definition of an alias wins (rules.toml before the universe)
            return
        table[key] = entry
        aliases.append(alias)

    def find(self, sentence: str) -> list[Mention]:
        """Names in ``sentence``, left to right, not overlapping."""
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(sentence):
            text = m.group()
            entry = self.exact.get(_key(text, False), self.folded.get(_key(text, True)))
            if entry is not None:
                out.append(Mention(entry, m.start(), m.end()))
        return out


def universe_entries(instruments: Iterable[Instrument]) -> list[NameEntry]:
    """Aliases taken from the universe itself: plain display names and ticker-like symbols."""
    out = []
    for inst in instruments:
        aliases = [n for n in (inst.name_ko, inst.name_en) if n and "(" not in n]
        if _TICKER.match(inst.symbol):
            aliases.append(inst.symbol)
        if aliases:
            out.append(NameEntry(inst.symbol, (inst.symbol,), tuple(aliases)))
    return out


@lru_cache(maxsize=8)
def matcher(rules: Rules, instruments: tuple[Instrument, ...]) -> NameMatcher:
    """The matcher for these rules and this universe (cached: building it compiles one big regex)."""
    return NameMatcher([*rules.names, *universe_entries(instruments)], rules.stop_names)
