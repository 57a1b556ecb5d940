"""Front-matter fields and section bodies read with their file line: a YAML node path turned into
``<file> line <n>: <field>``, and the checked readers of dates, numbers, strings, symbols and narrative blocks
that :mod:`commentary.document.column` builds on."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

import yaml

from commentary.document.model import LANGS, CommentaryError
from data_sources.market.universe import instrument

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FENCE = re.compile(r"^(---|\.\.\.)\s*$")
_MARKER = re.compile(r"^<!--\s*section:\s*(?P<id>\S+)\s+lang:\s*(?P<lang>\S+)\s*-->\s*$")
_MARKER_START = re.compile(r"^\s*<!--\s*section\b")
#: Dates outside this range are refused (pandas timestamps end in 2262; horizons add up to a year).
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


Path_ = tuple[str | int, ...]


def field_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Context:
    """Turns a field path into a file line, and problems into :class:`CommentaryError`."""

    def __init__(self, source: str, root: yaml.Node | None, line_offset: int) -> None:
        self.source, self.root, self.offset = source, root, line_offset
        self.warnings: list[CommentaryError] = []

    def line(self, path: Path_) -> int | None:
        node, line = self.root, None
        if node is None:
            return None
        line = node.start_mark.line
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
                if match is None:
                    break
                line, node = match[0].start_mark.line, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return line + self.offset

    def error(self, path: Path_, code: str, **params: Any) -> CommentaryError:
        """The problem ``code`` at the field ``path`` (with its file line)."""
        return CommentaryError(self.source, self.line(path), field_name(path) or None, code, **params)

    def warn(self, path: Path_, code: str, **params: Any) -> None:
        """Keep a warning (the file still loads)."""
        self.warnings.append(self.error(path, code, **params))


def check_duplicate_keys(node: yaml.Node, source: str, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                raise CommentaryError(source, key.start_mark.line + offset, str(key.value), "column_file.duplicate_key")
            seen.add(key.value)
            check_duplicate_keys(value, source, offset)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            check_duplicate_keys(item, source, offset)


def split_front_matter(text: str, source: str) -> tuple[str, int, list[str], int]:
    """(front matter YAML, its first file line, body lines, the body's first file line)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise CommentaryError(source, 1, None, "column_file.no_front_matter")
    end = next((i for i in range(1, len(lines)) if FENCE.match(lines[i])), None)
    if end is None:
        raise CommentaryError(source, 1, None, "column_file.front_matter_open")
    return "\n".join(lines[1:end]), 2, lines[end + 1:], end + 2


# --------------------------------------------------------------------------- field checks


def get_field(data: dict[str, Any], key: str, ctx: Context, path: Path_, kind: str, required: bool = True) -> Any:
    value = data.get(key)
    full = (*path, key)
    if value is None:
        if required:
            raise ctx.error(full, "column_file.empty" if key in data else "column_file.missing")
        return None
    if kind == "text":
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
            raise ctx.error(full, "column_file.not_text")
        return str(value).strip()
    if kind == "slug":
        if not isinstance(value, str) or not SLUG.match(value):
            raise ctx.error(full, "column_file.not_slug", value=brief(value))
        return value
    if kind == "date":
        return read_date(value, ctx, full)
    if kind == "list":
        if not isinstance(value, list):
            raise ctx.error(full, "column_file.not_list")
        return value
    if kind == "map":
        if not isinstance(value, dict):
            raise ctx.error(full, "column_file.not_mapping")
        return value
    raise AssertionError(kind)


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def read_date(value: Any, ctx: Context, path: Path_) -> dt.date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if not MIN_DATE <= day <= MAX_DATE:
                raise ctx.error(path, "column_file.date_range", day=day.isoformat(), first=MIN_DATE.isoformat(),
                                last=MAX_DATE.isoformat())
            return day
    raise ctx.error(path, "column_file.bad_date", value=brief(value))


def read_number(value: Any, ctx: Context, path: Path_, positive: bool = False) -> float:
    """A finite number (not a boolean), else a field error."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ctx.error(path, "column_file.not_number", value=brief(value))
    if positive and value <= 0:
        raise ctx.error(path, "column_file.not_positive", value=brief(value))
    return float(value)


def read_strings(values: list[Any], ctx: Context, path: Path_) -> tuple[str, ...]:
    for i, v in enumerate(values):
        if not isinstance(v, str) or not v.strip():
            raise ctx.error((*path, i), "column_file.not_string", value=brief(v))
    return tuple(v.strip() for v in values)


def check_symbols(symbols: Sequence[str], ctx: Context, path: Path_) -> None:
    for i, sym in enumerate(symbols):
        if instrument(sym) is None:
            ctx.warn((*path, i), "column_file.symbol_unknown", symbol=sym)


def section_bodies(lines: list[str], first_line: int, ctx: Context,
                   ) -> tuple[dict[tuple[str, str], str], dict[str, int]]:
    """Narrative blocks keyed by (section id, lang), and each section id's first marker line."""
    blocks: dict[tuple[str, str], list[str]] = {}
    marker_lines: dict[str, int] = {}
    current: tuple[str, str] | None = None
    for n, text in enumerate(lines, start=first_line):
        if _MARKER_START.match(text):
            m = _MARKER.match(text.strip())
            if m is None:
                raise CommentaryError(ctx.source, n, "body", "column_file.bad_marker",
                                      marker="<!-- section: <id> lang: ko|en -->")
            key = (m["id"], m["lang"])
            if m["lang"] not in LANGS:
                raise CommentaryError(ctx.source, n, "body", "column_file.marker_lang", language=m["lang"])
            if key in blocks:
                raise CommentaryError(ctx.source, n, "body", "column_file.second_block", section=key[0],
                                      language=key[1])
            blocks[key], current = [], key
            marker_lines.setdefault(key[0], n)
            continue
        if current is None:
            if text.strip():
                raise CommentaryError(ctx.source, n, "body", "column_file.text_before_marker")
            continue
        blocks[current].append(text)
    return {key: "\n".join(body).strip() for key, body in blocks.items()}, marker_lines


# --------------------------------------------------------------------------- public API
