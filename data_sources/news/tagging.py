"""Tag news text with the column's themes, using the rules in ``news_tags.toml``.

The rules are data: each tag has an id, Korean/English labels and literal patterns (see
the comment at the top of the TOML file for how patterns match).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from data_sources.errors import InputError, toml_position

RULES_PATH = Path(__file__).with_name("news_tags.toml")
SHORT_LATIN = 5  # Latin patterns up to this many letters must also end a word


class TagRulesError(InputError):
    """The tag rules file is missing or malformed (codes ``tags.*``, naming the file and the tag or field)."""


@dataclass(frozen=True)
class TagRule:
    """One tag: its id, labels, literal patterns and the compiled matcher."""

    id: str
    label_ko: str
    label_en: str
    patterns: tuple[str, ...]
    regex: re.Pattern[str]

    def label(self, lang: str = "ko") -> str:
        """The label in ``lang`` ("ko" or "en")."""
        return self.label_ko if lang == "ko" else self.label_en


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def pattern_regex(pattern: str) -> str:
    """The regular expression (source) for one literal pattern; see the rules file for the semantics."""
    words = _norm(pattern).split()
    if not words:
        raise TagRulesError("tags.empty_pattern", file=RULES_PATH.name)
    body = r"\s*".join(re.escape(w) for w in words)
    if not "".join(words).isascii():
        return body
    letters = sum(ch.isalpha() for ch in "".join(words))
    tail = r"(?![A-Za-z])" if letters <= SHORT_LATIN else ""
    return r"(?<![A-Za-z])" + body + tail


def _rule(raw: object, index: int, path: Path) -> TagRule:
    if not isinstance(raw, dict):
        raise TagRulesError("tags.not_a_table", file=path.name, index=index + 1)
    tag_id = raw.get("id")
    if not isinstance(tag_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", tag_id):
        raise TagRulesError("tags.bad_id", file=path.name, index=index + 1, value=repr(tag_id)[:60])
    labels = {}
    for key in ("label_ko", "label_en"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise TagRulesError("tags.bad_label", file=path.name, tag=tag_id, field=key)
        labels[key] = value.strip()
    patterns = raw.get("patterns")
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p.strip() for p in patterns):
        raise TagRulesError("tags.bad_patterns", file=path.name, tag=tag_id, field="patterns")
    regex = re.compile("|".join(f"(?:{pattern_regex(p)})" for p in patterns), re.IGNORECASE)
    return TagRule(tag_id, labels["label_ko"], labels["label_en"], tuple(patterns), regex)


@lru_cache(maxsize=8)
def _load(path: Path) -> tuple[TagRule, ...]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TagRulesError("tags.unreadable", file=path.name, reason=exc.strerror or str(exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        where = toml_position(exc)
        raise TagRulesError("tags.bad_toml" if where else "tags.bad_toml_end", file=path.name, **where) from exc
    tags = raw.get("tag")
    if not isinstance(tags, list) or not tags:
        raise TagRulesError("tags.none", file=path.name)
    rules = tuple(_rule(t, i, path) for i, t in enumerate(tags))
    ids = [r.id for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise TagRulesError("tags.duplicate_ids", file=path.name, ids=", ".join(dupes))
    return rules


def load_rules(path: Path | None = None) -> tuple[TagRule, ...]:
    """The tag rules from ``path`` (default: the bundled ``news_tags.toml``), in display order."""
    return _load(Path(path) if path is not None else RULES_PATH)


def tag_text(text: str, rules: tuple[TagRule, ...] | list[TagRule] | None = None) -> list[str]:
    """Ids of the tags whose patterns occur in ``text``, in rule order."""
    if not text:
        return []
    norm = _norm(text)
    return [rule.id for rule in (rules if rules is not None else load_rules()) if rule.regex.search(norm)]


def tag_labels(lang: str = "ko", rules: tuple[TagRule, ...] | None = None) -> dict[str, str]:
    """Map tag id → label in ``lang`` ("ko" or "en")."""
    return {r.id: r.label(lang) for r in (rules if rules is not None else load_rules())}
