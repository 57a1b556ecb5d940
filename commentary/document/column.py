"""A column (commentary) file: Markdown with YAML front matter, loaded and validated.

File format (see ``commentary/columns/*.md``)::

    ---
    id: baek-2025-01-26            # slug: a-z, 0-9, '-'
    title: <the original title>     # plus author, date (YYYY-MM-DD), language (ISO 639-1), url (or null)
    title_ko: ...                   # optional; the title on Korean pages (default: title; at most 300 characters)
    author_ko: ...                  # optional; the author's name on Korean pages (default: author)
    time: "HH:MM"                   # optional publication time (default 00:00) ...
    timezone: Asia/Seoul            # ... in this IANA zone (default: the language's zone, ko -> Asia/Seoul)
    summary_ko: ... / summary_en: ...
    symbols: [...]                  # optional; universe symbols the column is about
    events: [...]                   # optional; event ids (free strings)
    baskets: {name: [symbols]}      # optional; named baskets for charts and rules
    sections:                       # id, heading_ko, heading_en, chart, news (optional)
      - id: ...
        chart: {kind: compare|fx|event_day|fx_window, symbols, baskets, start, end, base_date, event_date, ...}
        news: {start, end, tags}
    claims:                         # id, text_ko, text_en, rule {type, params}, horizons, primary, section
      - ...                         # (measured from publication; horizons: commentary.scoring.horizons)
    ---
    <!-- section: <section id> lang: ko -->
    Korean narrative of that section (Markdown) ...
    <!-- section: <section id> lang: en -->
    English narrative ...

Every section needs both a ``ko`` and an ``en`` block; nothing but blank lines may precede the first
marker.  Dates are strings ``YYYY-MM-DD`` (YAML timestamps are not auto-converted).  Symbols outside
the universe give a warning (``Commentary.warnings``), not an error: the app shows them as "no data".
A claim that cannot be evaluated (unknown series, a horizon before publication, absurd parameters)
is left out and its :class:`CommentaryError` kept in ``Commentary.claim_errors``: the other claims
are still scored.  Every other problem raises :class:`CommentaryError` naming the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from commentary.document import safe_yaml
from commentary.scoring.claims import HORIZONS, Rule, validate_rule
from commentary.scoring.horizons import Horizon, parse_horizon
from commentary.timeline.observation import LANGUAGE_ZONES
from data_sources.market.universe import instrument

COLUMNS_DIR = Path(__file__).resolve().parents[1] / "columns"
CHART_KINDS: tuple[str, ...] = ("compare", "fx", "event_day", "fx_window")
CHART_DATE_KEYS: tuple[str, ...] = ("start", "end", "base_date", "event_date")
LANGS: tuple[str, ...] = ("ko", "en")
_REQUIRED_EVENT_DATE = ("event_day", "fx_window")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TITLE_KO_MAX = 300  # characters of ``title_ko`` (the notebook's limit for a title)
_MARKER = re.compile(r"^<!--\s*section:\s*(?P<id>\S+)\s+lang:\s*(?P<lang>\S+)\s*-->\s*$")
_MARKER_START = re.compile(r"^\s*<!--\s*section\b")
_FENCE = re.compile(r"^(---|\.\.\.)\s*$")
#: Largest commentary file accepted (UTF-8 bytes), checked before any parsing.
MAX_FILE_BYTES = 512 * 1024
MAX_SECTIONS = 50
MAX_CLAIMS = 200
#: Dates outside this range are refused (pandas timestamps end in 2262; horizons add up to a year).
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


class CommentaryError(ValueError):
    """A problem in a commentary file: ``"<file> line <n>: <field>: <problem>"``."""

    def __init__(self, file: str, line: int | None, field: str | None, problem: str) -> None:
        self.file, self.line, self.field, self.problem = file, line, field, problem
        where = file + (f" line {line}" if line else "")
        super().__init__(f"{where}: {field}: {problem}" if field else f"{where}: {problem}")


@dataclass(frozen=True)
class Section:
    """One part of the narrative, with the chart and news window that test it."""

    id: str
    heading_ko: str
    heading_en: str
    chart: dict[str, Any]
    news: dict[str, Any] | None
    body_ko: str
    body_en: str

    def heading(self, lang: str) -> str:
        """Heading in ``lang`` ("ko" or "en")."""
        return self.heading_ko if lang == "ko" else self.heading_en

    def body(self, lang: str) -> str:
        """Narrative (Markdown, untrusted: render without raw HTML) in ``lang``."""
        return self.body_ko if lang == "ko" else self.body_en


@dataclass(frozen=True)
class Claim:
    """A checkable statement: a rule evaluated from the column's publication at each horizon.

    ``primary`` is the id of the horizon the claim is judged on (the others are context).
    """

    id: str
    text_ko: str
    text_en: str
    rule: Rule
    horizons: tuple[Horizon, ...]
    primary: str
    section: str | None = None

    def horizon(self, horizon_id: str) -> Horizon | None:
        """The horizon with ``horizon_id``, or None."""
        return next((h for h in self.horizons if h.id == horizon_id), None)

    def text(self, lang: str) -> str:
        """Statement in ``lang``."""
        return self.text_ko if lang == "ko" else self.text_en


@dataclass(frozen=True)
class Fact:
    """A fact the column reports (not a forecast), checked against the closes we hold.

    ``check``: ``symbols`` (each source), ``level``, ``side`` (below|above), ``start``/``end`` dates.
    """

    id: str
    text_ko: str
    text_en: str
    check: dict[str, Any]
    reported_ko: str = ""
    reported_en: str = ""
    section: str | None = None

    def text(self, lang: str) -> str:
        """Statement in ``lang``."""
        return self.text_ko if lang == "ko" else self.text_en

    def reported(self, lang: str) -> str:
        """What the sources reported, in ``lang``."""
        return self.reported_ko if lang == "ko" else self.reported_en


@dataclass(frozen=True)
class Commentary:
    """A parsed, validated commentary file."""

    id: str
    title: str
    author: str
    date: dt.date
    language: str
    url: str | None
    summary_ko: str
    summary_en: str
    symbols: tuple[str, ...]
    events: tuple[str, ...]
    baskets: dict[str, tuple[str, ...]]
    sections: tuple[Section, ...]
    claims: tuple[Claim, ...]
    source: str
    warnings: tuple[str, ...] = field(default=())
    time: str = "00:00"
    timezone: str = "Asia/Seoul"
    claim_errors: tuple[str, ...] = field(default=())
    facts: tuple[Fact, ...] = field(default=())
    author_ko: str = ""  # the author's name as a Korean page shows it (optional; e.g. our own examples')
    title_ko: str = ""  # the title as a Korean page shows it (optional; e.g. our own English-titled examples')

    @property
    def published(self) -> pd.Timestamp:
        """The publication moment (tz-aware, UTC): ``date`` at ``time`` in ``timezone``."""
        return pd.Timestamp(f"{self.date.isoformat()} {self.time}").tz_localize(self.timezone).tz_convert("UTC")

    def summary(self, lang: str) -> str:
        """Summary in ``lang``."""
        return self.summary_ko if lang == "ko" else self.summary_en

    def author_name(self, lang: str) -> str:
        """The author as a ``lang`` page shows it: ``author_ko`` on a Korean page when given, else ``author``."""
        return self.author_ko if lang == "ko" and self.author_ko else self.author

    def title_in(self, lang: str) -> str:
        """The title as a ``lang`` page shows it: ``title_ko`` on a Korean page when given, else ``title``."""
        return self.title_ko if lang == "ko" and self.title_ko else self.title

    def section(self, section_id: str) -> Section | None:
        """The section with ``section_id``, or None."""
        return next((s for s in self.sections if s.id == section_id), None)

    def claim(self, claim_id: str) -> Claim | None:
        """The claim with ``claim_id``, or None."""
        return next((c for c in self.claims if c.id == claim_id), None)


# --------------------------------------------------------------------------- YAML with line numbers


Path_ = tuple[str | int, ...]


def _field_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Context:
    """Turns a field path into a file line, and problems into :class:`CommentaryError`."""

    def __init__(self, source: str, root: yaml.Node | None, line_offset: int) -> None:
        self.source, self.root, self.offset = source, root, line_offset
        self.warnings: list[str] = []

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

    def error(self, path: Path_, problem: str) -> CommentaryError:
        return CommentaryError(self.source, self.line(path), _field_name(path) or None, problem)

    def warn(self, path: Path_, problem: str) -> None:
        self.warnings.append(str(self.error(path, problem)))


def _check_duplicate_keys(node: yaml.Node, source: str, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                raise CommentaryError(source, key.start_mark.line + offset, str(key.value), "duplicate key")
            seen.add(key.value)
            _check_duplicate_keys(value, source, offset)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, source, offset)


def _split(text: str, source: str) -> tuple[str, int, list[str], int]:
    """(front matter YAML, its first file line, body lines, the body's first file line)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise CommentaryError(source, 1, None, "front matter: the file must start with a '---' line")
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        raise CommentaryError(source, 1, None, "front matter: no closing '---' line")
    return "\n".join(lines[1:end]), 2, lines[end + 1:], end + 2


# --------------------------------------------------------------------------- field checks


def _get(data: dict[str, Any], key: str, ctx: _Context, path: Path_, kind: str, required: bool = True) -> Any:
    value = data.get(key)
    full = (*path, key)
    if value is None:
        if required:
            raise ctx.error(full, "is empty" if key in data else "missing (required)")
        return None
    if kind == "text":
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
            raise ctx.error(full, "expected non-empty text")
        return str(value).strip()
    if kind == "slug":
        if not isinstance(value, str) or not _SLUG.match(value):
            raise ctx.error(full, f"expected an id of a-z, 0-9 and '-', got {_brief(value)}")
        return value
    if kind == "date":
        return _date(value, ctx, full)
    if kind == "list":
        if not isinstance(value, list):
            raise ctx.error(full, "expected a list")
        return value
    if kind == "map":
        if not isinstance(value, dict):
            raise ctx.error(full, "expected a mapping")
        return value
    raise AssertionError(kind)


def _brief(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _date(value: Any, ctx: _Context, path: Path_) -> dt.date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if not MIN_DATE <= day <= MAX_DATE:
                raise ctx.error(path, f"date {day} is outside {MIN_DATE}..{MAX_DATE}")
            return day
    raise ctx.error(path, f"bad date {_brief(value)} (expected YYYY-MM-DD)")


def _number(value: Any, ctx: _Context, path: Path_, positive: bool = False) -> float:
    """A finite number (not a boolean), else a field error."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ctx.error(path, f"expected a number, got {_brief(value)}")
    if positive and value <= 0:
        raise ctx.error(path, f"expected a number above 0, got {value}")
    return float(value)


def _strings(values: list[Any], ctx: _Context, path: Path_) -> tuple[str, ...]:
    for i, v in enumerate(values):
        if not isinstance(v, str) or not v.strip():
            raise ctx.error((*path, i), f"expected a non-empty string, got {_brief(v)}")
    return tuple(v.strip() for v in values)


def _check_symbols(symbols: Sequence[str], ctx: _Context, path: Path_) -> None:
    for i, sym in enumerate(symbols):
        if instrument(sym) is None:
            ctx.warn((*path, i), f"symbol {sym!r} is not in the universe (it will show as no data)")


def _baskets(data: dict[str, Any], ctx: _Context) -> dict[str, tuple[str, ...]]:
    raw = _get(data, "baskets", ctx, (), "map", required=False) or {}
    out: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        path = ("baskets", str(name))
        if not isinstance(name, str) or not _SLUG.match(name.replace("_", "-")):
            raise ctx.error(path, f"bad basket name {name!r}")
        if not isinstance(members, list) or not members:
            raise ctx.error(path, "expected a non-empty list of symbols")
        out[name] = _strings(members, ctx, path)
        _check_symbols(out[name], ctx, path)
    return out


def _chart(raw: dict[str, Any], ctx: _Context, path: Path_, baskets: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    kind = raw.get("kind")
    if kind not in CHART_KINDS:
        raise ctx.error((*path, "kind"), f"unknown chart kind {_brief(kind)} (known: {', '.join(CHART_KINDS)})")
    chart = dict(raw)
    for key in CHART_DATE_KEYS:
        if raw.get(key) is not None:
            chart[key] = _date(raw[key], ctx, (*path, key))
        else:
            chart.pop(key, None)  # "key: null" is the same as leaving it out
    for key in ("start", "end"):
        if key not in chart:
            raise ctx.error((*path, key), "missing (every chart needs a date window)")
    if chart["start"] > chart["end"]:
        raise ctx.error((*path, "end"), f"end {chart['end']} is before start {chart['start']}")
    if kind in _REQUIRED_EVENT_DATE and "event_date" not in chart:
        raise ctx.error((*path, "event_date"), f"missing (required by chart kind {kind})")
    for key in ("base_date", "event_date"):
        if key in chart and not chart["start"] <= chart[key] <= chart["end"]:
            raise ctx.error((*path, key), f"{chart[key]} is outside the chart window {chart['start']}..{chart['end']}")
    symbols = _strings(_get(raw, "symbols", ctx, path, "list", required=False) or [], ctx, (*path, "symbols"))
    names = _strings(_get(raw, "baskets", ctx, path, "list", required=False) or [], ctx, (*path, "baskets"))
    for i, name in enumerate(names):
        if name not in baskets:
            known = ", ".join(baskets) or "none defined"
            raise ctx.error((*path, "baskets", i), f"unknown basket {name!r} (known: {known})")
    if not symbols and not names:
        raise ctx.error(path, "needs 'symbols' or 'baskets'")
    _check_symbols(symbols, ctx, (*path, "symbols"))
    chart["symbols"], chart["baskets"] = list(symbols), list(names)
    if raw.get("level") is not None:
        chart["level"] = _number(raw["level"], ctx, (*path, "level"))
    if raw.get("threshold_pct") is not None:
        chart["threshold_pct"] = _number(raw["threshold_pct"], ctx, (*path, "threshold_pct"), positive=True)
    if raw.get("events") is not None:
        events = _get(raw, "events", ctx, path, "list")
        chart["events"] = list(_strings(events, ctx, (*path, "events")))
    return chart


def _news(raw: Any, ctx: _Context, path: Path_) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ctx.error(path, "expected a mapping {start, end, tags}")
    start, end = _get(raw, "start", ctx, path, "date"), _get(raw, "end", ctx, path, "date")
    if start > end:
        raise ctx.error((*path, "end"), f"end {end} is before start {start}")
    tags = _strings(_get(raw, "tags", ctx, path, "list", required=False) or [], ctx, (*path, "tags"))
    return {"start": start, "end": end, "tags": list(tags)}


def _claim(raw: Any, i: int, ctx: _Context, baskets: dict[str, tuple[str, ...]], section_ids: set[str],
           published: dt.date) -> Claim:
    path: Path_ = ("claims", i)
    if not isinstance(raw, dict):
        raise ctx.error(path, "expected a mapping")
    claim_id = _get(raw, "id", ctx, path, "slug")

    def fail(sub: Path_, problem: str) -> CommentaryError:
        return ctx.error((*path, *sub), f"{problem} (claim {claim_id!r})")

    rule_raw = _get(raw, "rule", ctx, path, "map")
    rule, problems = validate_rule(rule_raw.get("type"), rule_raw.get("params"), baskets)
    if problems:
        sub, message = problems[0]
        raise fail(("rule", *sub), message)
    assert rule is not None
    for name, value in rule.params.items():
        for sym in getattr(value, "symbols", ()):
            if getattr(value, "label", None) not in baskets and instrument(sym) is None:
                raise fail(("rule", "params", name), f"unknown series {sym!r} (neither a basket of this column "
                                                    "nor a symbol of the universe)")
    if "start" in raw:
        ctx.warn((*path, "start"), f"ignored (claim {claim_id!r}): every claim is measured from the column's "
                                   "publication (date, time, timezone)")
    horizons_raw = _get(raw, "horizons", ctx, path, "list", required=False)
    if horizons_raw is None:
        horizons_raw = list(HORIZONS)
    if not horizons_raw:
        raise fail(("horizons",), "needs at least one horizon")
    horizons: list[Horizon] = []
    for j, h in enumerate(horizons_raw):
        parsed = parse_horizon(h, published)
        if isinstance(parsed, str):
            raise fail(("horizons", j), parsed)
        if any(x.id == parsed.id for x in horizons):
            raise fail(("horizons", j), f"horizon {parsed.id!r} listed twice")
        horizons.append(parsed)
    primary = raw.get("primary")
    if primary is None:
        if len(horizons) > 1:
            raise fail(("primary",), "missing: name the horizon the claim is judged on "
                                     f"(one of {', '.join(h.id for h in horizons)})")
        primary = horizons[0].id
    if primary not in {h.id for h in horizons}:
        known = ", ".join(h.id for h in horizons)
        raise fail(("primary",), f"{primary!r} is not one of the claim's horizons ({known})")
    section = _get(raw, "section", ctx, path, "text", required=False)
    if section is not None and section not in section_ids:
        raise fail(("section",), f"unknown section {section!r} (known: {', '.join(sorted(section_ids))})")
    return Claim(claim_id, _get(raw, "text_ko", ctx, path, "text"), _get(raw, "text_en", ctx, path, "text"),
                 rule, tuple(horizons), str(primary), section)


def _facts(data: dict[str, Any], ctx: _Context, section_ids: set[str]) -> tuple[Fact, ...]:
    out: list[Fact] = []
    for i, raw in enumerate(_get(data, "facts", ctx, (), "list", required=False) or []):
        path: Path_ = ("facts", i)
        if not isinstance(raw, dict):
            raise ctx.error(path, "expected a mapping")
        check = _get(raw, "check", ctx, path, "map")
        cpath = (*path, "check")
        symbols = _strings(_get(check, "symbols", ctx, cpath, "list"), ctx, (*cpath, "symbols"))
        for j, sym in enumerate(symbols):
            if instrument(sym) is None:
                raise ctx.error((*cpath, "symbols", j), f"unknown series {sym!r}")
        level = check.get("level")
        if isinstance(level, bool) or not isinstance(level, int | float) or level <= 0:
            raise ctx.error((*cpath, "level"), f"expected a positive number, got {level!r}")
        if check.get("side") not in ("below", "above"):
            raise ctx.error((*cpath, "side"), f"expected below or above, got {check.get('side')!r}")
        start, end = _get(check, "start", ctx, cpath, "date"), _get(check, "end", ctx, cpath, "date")
        if end < start:
            raise ctx.error((*cpath, "end"), f"end {end} is before start {start}")
        section = _get(raw, "section", ctx, path, "text", required=False)
        if section is not None and section not in section_ids:
            raise ctx.error((*path, "section"), f"unknown section {section!r}")
        out.append(Fact(_get(raw, "id", ctx, path, "slug"), _get(raw, "text_ko", ctx, path, "text"),
                        _get(raw, "text_en", ctx, path, "text"),
                        {"symbols": list(symbols), "level": float(level), "side": check["side"], "start": start,
                         "end": end}, str(raw.get("reported_ko") or ""), str(raw.get("reported_en") or ""), section))
    return tuple(out)


def _publication(data: dict[str, Any], ctx: _Context, language: str) -> tuple[str, str]:
    """(time, timezone) of publication; the zone defaults to the language's."""
    time = data.get("time", "00:00")
    if not isinstance(time, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time.strip()):
        raise ctx.error(("time",), f"expected HH:MM (24-hour), got {time!r}")
    zone = data.get("timezone")
    if zone is None:
        zone = LANGUAGE_ZONES.get(language, "UTC")
        if language not in LANGUAGE_ZONES:
            ctx.warn(("timezone",), f"not given and language {language!r} has no default zone: UTC is used")
    try:
        zoneinfo.ZoneInfo(str(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ctx.error(("timezone",), f"unknown time zone {zone!r} (expected an IANA name such as Asia/Seoul)"
                        ) from None
    return time.strip(), str(zone)


def _bodies(lines: list[str], first_line: int, ctx: _Context) -> tuple[dict[tuple[str, str], str], dict[str, int]]:
    """Narrative blocks keyed by (section id, lang), and each section id's first marker line."""
    blocks: dict[tuple[str, str], list[str]] = {}
    marker_lines: dict[str, int] = {}
    current: tuple[str, str] | None = None
    for n, text in enumerate(lines, start=first_line):
        if _MARKER_START.match(text):
            m = _MARKER.match(text.strip())
            if m is None:
                raise CommentaryError(ctx.source, n, "body", "bad section marker (expected "
                                      "'<!-- section: <id> lang: ko|en -->')")
            key = (m["id"], m["lang"])
            if m["lang"] not in LANGS:
                raise CommentaryError(ctx.source, n, "body", f"unknown language {m['lang']!r} (known: ko, en)")
            if key in blocks:
                raise CommentaryError(ctx.source, n, "body", f"second block for section {key[0]!r} ({key[1]})")
            blocks[key], current = [], key
            marker_lines.setdefault(key[0], n)
            continue
        if current is None:
            if text.strip():
                raise CommentaryError(ctx.source, n, "body", "text before the first section marker")
            continue
        blocks[current].append(text)
    return {key: "\n".join(body).strip() for key, body in blocks.items()}, marker_lines


# --------------------------------------------------------------------------- public API


def parse_commentary(text: str, source_name: str) -> Commentary:
    """Parse and validate one commentary file's text; raise :class:`CommentaryError` on any problem.

    Limits hold before any parsing: at most :data:`MAX_FILE_BYTES`; the front matter within
    :mod:`commentary.document.safe_yaml`'s caps (no anchors/aliases, depth, values); at most
    :data:`MAX_SECTIONS` sections and :data:`MAX_CLAIMS` claims.  Any unexpected failure is reported as
    a :class:`CommentaryError` naming the file too, never as a traceback.
    """
    size = len(text) if len(text) * 4 <= MAX_FILE_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise CommentaryError(source_name, None, None, f"the file is {size:,} bytes (limit {MAX_FILE_BYTES:,})")
    try:
        return _parse(text, source_name)
    except CommentaryError:
        raise
    except RecursionError:
        raise CommentaryError(source_name, None, None, "nested too deeply to read") from None
    except Exception as exc:  # a bad upload must never end as a traceback
        raise CommentaryError(source_name, None, None,
                              f"cannot be read ({type(exc).__name__}); the file is not a valid commentary") from None


def _parse(text: str, source_name: str) -> Commentary:
    yaml_text, yaml_line, body_lines, body_line = _split(text, source_name)
    offset = yaml_line - 1
    try:
        root, data = safe_yaml.load(yaml_text)
    except safe_yaml.YamlLimitError as exc:
        line = exc.line + offset if exc.line else yaml_line
        raise CommentaryError(source_name, line, "front matter", exc.problem) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 + offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CommentaryError(source_name, line, "front matter", f"invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise CommentaryError(source_name, yaml_line, "front matter", "expected a mapping of fields")
    _check_duplicate_keys(root, source_name, yaml_line)
    ctx = _Context(source_name, root, yaml_line)

    url = data.get("url", ...)
    if url is ...:
        raise ctx.error(("url",), "missing (write 'url: null' when the original's address is unknown)")
    if url is not None and (not isinstance(url, str) or not url.startswith(("https://", "http://"))):
        raise ctx.error(("url",), f"expected an http(s) address or null, got {_brief(url)}")
    language = _get(data, "language", ctx, (), "text")
    if not re.fullmatch(r"[a-z]{2}", language):
        raise ctx.error(("language",), f"expected a two-letter language code, got {_brief(language)}")
    symbols = _strings(_get(data, "symbols", ctx, (), "list", required=False) or [], ctx, ("symbols",))
    _check_symbols(symbols, ctx, ("symbols",))
    events = _strings(_get(data, "events", ctx, (), "list", required=False) or [], ctx, ("events",))
    baskets = _baskets(data, ctx)

    raw_sections = _get(data, "sections", ctx, (), "list")
    if not raw_sections:
        raise ctx.error(("sections",), "needs at least one section")
    if len(raw_sections) > MAX_SECTIONS:
        raise ctx.error(("sections",), f"{len(raw_sections):,} sections (limit {MAX_SECTIONS})")
    if isinstance(data.get("claims"), list) and len(data["claims"]) > MAX_CLAIMS:
        raise ctx.error(("claims",), f"{len(data['claims']):,} claims (limit {MAX_CLAIMS})")
    bodies, marker_lines = _bodies(body_lines, body_line, ctx)
    sections: list[Section] = []
    for i, raw in enumerate(raw_sections):
        path: Path_ = ("sections", i)
        if not isinstance(raw, dict):
            raise ctx.error(path, "expected a mapping")
        sid = _get(raw, "id", ctx, path, "slug")
        if any(s.id == sid for s in sections):
            raise ctx.error((*path, "id"), f"duplicate section id {sid!r}")
        for lang in LANGS:
            if not bodies.get((sid, lang)):
                raise ctx.error(path, f"no {lang} narrative in the body (add '<!-- section: {sid} lang: {lang} -->')")
        sections.append(Section(
            sid, _get(raw, "heading_ko", ctx, path, "text"), _get(raw, "heading_en", ctx, path, "text"),
            _chart(_get(raw, "chart", ctx, path, "map"), ctx, (*path, "chart"), baskets),
            _news(raw.get("news"), ctx, (*path, "news")), bodies[(sid, "ko")], bodies[(sid, "en")],
        ))
    section_ids = {s.id for s in sections}
    for sid, line in marker_lines.items():
        if sid not in section_ids:
            known = ", ".join(s.id for s in sections)
            raise CommentaryError(source_name, line, "body", f"narrative for unknown section {sid!r} (known: {known})")

    published = _get(data, "date", ctx, (), "date")
    time, zone = _publication(data, ctx, language)
    claims: list[Claim] = []
    claim_errors: list[str] = []
    for i, raw in enumerate(_get(data, "claims", ctx, (), "list")):
        try:
            claim = _claim(raw, i, ctx, baskets, section_ids, published)
        except CommentaryError as exc:  # this claim cannot be scored; the others still are
            name = raw.get("id") if isinstance(raw, dict) else None
            if name is not None and "(claim " not in exc.problem:
                exc = CommentaryError(exc.file, exc.line, exc.field, f"{exc.problem} (claim {name!r})")
            claim_errors.append(str(exc))
            continue
        if any(c.id == claim.id for c in claims):
            raise ctx.error(("claims", i, "id"), f"duplicate claim id {claim.id!r}")
        claims.append(claim)

    return Commentary(
        id=_get(data, "id", ctx, (), "slug"), title=_get(data, "title", ctx, (), "text"),
        author=_get(data, "author", ctx, (), "text"), date=_get(data, "date", ctx, (), "date"),
        language=language, url=url, summary_ko=_get(data, "summary_ko", ctx, (), "text"),
        summary_en=_get(data, "summary_en", ctx, (), "text"), symbols=symbols, events=events, baskets=baskets,
        sections=tuple(sections), claims=tuple(claims), source=source_name, warnings=tuple(ctx.warnings),
        time=time, timezone=zone, claim_errors=tuple(claim_errors), facts=_facts(data, ctx, section_ids),
        author_ko=_get(data, "author_ko", ctx, (), "text", required=False) or "", title_ko=_title_ko(data, ctx),
    )


def _title_ko(data: dict[str, Any], ctx: _Context) -> str:
    """The optional ``title_ko``: non-empty text of at most :data:`TITLE_KO_MAX` characters, or ""."""
    value = _get(data, "title_ko", ctx, (), "text", required=False) or ""
    if len(value) > TITLE_KO_MAX:
        raise ctx.error(("title_ko",), f"{len(value):,} characters (limit {TITLE_KO_MAX})")
    return value


def load_commentary(path: Path | str) -> Commentary:
    """Read and parse one commentary file (errors name the file by its name)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommentaryError(path.name, None, None, f"cannot read the file: {exc}") from None
    return parse_commentary(text, path.name)


def list_commentaries(folder: Path | str | None = None) -> list[Commentary | CommentaryError]:
    """The bundled commentaries, then those in ``folder`` (if given), in file-name order.

    Files that fail to load appear as their :class:`CommentaryError`; a later file reusing an id
    is reported as an error too.
    """
    folders = [COLUMNS_DIR] + ([Path(folder)] if folder is not None else [])
    out: list[Commentary | CommentaryError] = []
    seen: dict[str, str] = {}
    for directory in folders:
        if not directory.is_dir():
            out.append(CommentaryError(str(directory), None, None, "commentary folder not found"))
            continue
        for path in sorted(directory.glob("*.md")):
            try:
                item = load_commentary(path)
            except CommentaryError as exc:
                out.append(exc)
                continue
            if item.id in seen:
                out.append(CommentaryError(path.name, None, "id", f"id {item.id!r} is already used by {seen[item.id]}"))
                continue
            seen[item.id] = path.name
            out.append(item)
    return out
