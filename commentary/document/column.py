"""A column (commentary) file: Markdown with YAML front matter, loaded and validated.

File format (see ``commentary/columns/*.md``)::

    ---
    id: baek-2025-01-26            # slug: a-z, 0-9, '-'
    title: <the original title>     # plus author, date (YYYY-MM-DD), language (ISO 639-1), url (or null)
    title_ko: ...                   # optional; the title on Korean pages (default: title; at most 300 characters)
    title_en: ... / author_en: ...  # optional; an English rendering shown beside a non-English title / author
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

Every section needs a ``ko`` and an ``en`` block; only blank lines may precede the first marker.  Dates are
strings ``YYYY-MM-DD`` (YAML timestamps are not auto-converted).  Symbols outside
the universe give a warning (``Commentary.warnings``), not an error: the app shows them as "no data".
A claim that cannot be evaluated (unknown series, a horizon before publication, absurd parameters)
is left out and its :class:`CommentaryError` kept in ``Commentary.claim_errors``: the other claims
are still scored.  Every other problem raises :class:`CommentaryError` naming the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path
from typing import Any

import yaml

from commentary.document import safe_yaml
from commentary.document.fields import (
    SLUG,
    Context,
    Path_,
    brief,
    check_duplicate_keys,
    check_symbols,
    get_field,
    read_date,
    read_number,
    read_strings,
    section_bodies,
    split_front_matter,
)
from commentary.document.model import LANGS, Claim, Commentary, CommentaryError, Fact, Section
from commentary.scoring.horizons import OFFSETS as HORIZONS
from commentary.scoring.horizons import Horizon, parse_horizon
from commentary.scoring.rules import validate_rule
from commentary.timeline.observation import LANGUAGE_ZONES
from data_sources.market.universe import instrument

COLUMNS_DIR = Path(__file__).resolve().parents[1] / "columns"
CHART_KINDS: tuple[str, ...] = ("compare", "fx", "event_day", "fx_window")
CHART_DATE_KEYS: tuple[str, ...] = ("start", "end", "base_date", "event_date")
_REQUIRED_EVENT_DATE = ("event_day", "fx_window")
TITLE_KO_MAX = 300  # characters of ``title_ko`` (the notebook's limit for a title)
#: Largest commentary file accepted (UTF-8 bytes), checked before any parsing.
MAX_FILE_BYTES = 512 * 1024
MAX_SECTIONS = 50
MAX_CLAIMS = 200



def _baskets(data: dict[str, Any], ctx: Context) -> dict[str, tuple[str, ...]]:
    raw = get_field(data, "baskets", ctx, (), "map", required=False) or {}
    out: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        path = ("baskets", str(name))
        if not isinstance(name, str) or not SLUG.match(name.replace("_", "-")):
            raise ctx.error(path, "column_file.basket_name", name=brief(name))
        if not isinstance(members, list) or not members:
            raise ctx.error(path, "column_file.basket_empty")
        out[name] = read_strings(members, ctx, path)
        check_symbols(out[name], ctx, path)
    return out


def _chart(raw: dict[str, Any], ctx: Context, path: Path_, baskets: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    kind = raw.get("kind")
    if kind not in CHART_KINDS:
        raise ctx.error((*path, "kind"), "column_file.chart_kind", kind=brief(kind), known=", ".join(CHART_KINDS))
    chart = dict(raw)
    for key in CHART_DATE_KEYS:
        if raw.get(key) is not None:
            chart[key] = read_date(raw[key], ctx, (*path, key))
        else:
            chart.pop(key, None)  # "key: null" is the same as leaving it out
    for key in ("start", "end"):
        if key not in chart:
            raise ctx.error((*path, key), "column_file.chart_window")
    if chart["start"] > chart["end"]:
        raise ctx.error((*path, "end"), "column_file.end_before_start", end=chart["end"].isoformat(),
                        start=chart["start"].isoformat())
    if kind in _REQUIRED_EVENT_DATE and "event_date" not in chart:
        raise ctx.error((*path, "event_date"), "column_file.event_date_needed", kind=kind)
    for key in ("base_date", "event_date"):
        if key in chart and not chart["start"] <= chart[key] <= chart["end"]:
            raise ctx.error((*path, key), "column_file.outside_window", day=chart[key].isoformat(),
                            start=chart["start"].isoformat(), end=chart["end"].isoformat())
    symbols = read_strings(get_field(raw, "symbols", ctx, path, "list", required=False) or [], ctx, (*path, "symbols"))
    names = read_strings(get_field(raw, "baskets", ctx, path, "list", required=False) or [], ctx, (*path, "baskets"))
    for i, name in enumerate(names):
        if name not in baskets:
            raise ctx.error((*path, "baskets", i), "column_file.basket_unknown", name=name, known=", ".join(baskets))
    if not symbols and not names:
        raise ctx.error(path, "column_file.chart_series")
    check_symbols(symbols, ctx, (*path, "symbols"))
    chart["symbols"], chart["baskets"] = list(symbols), list(names)
    if raw.get("level") is not None:
        chart["level"] = read_number(raw["level"], ctx, (*path, "level"))
    if raw.get("threshold_pct") is not None:
        chart["threshold_pct"] = read_number(raw["threshold_pct"], ctx, (*path, "threshold_pct"), positive=True)
    if raw.get("events") is not None:
        events = get_field(raw, "events", ctx, path, "list")
        chart["events"] = list(read_strings(events, ctx, (*path, "events")))
    return chart


def _news(raw: Any, ctx: Context, path: Path_) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ctx.error(path, "column_file.not_mapping")
    start, end = get_field(raw, "start", ctx, path, "date"), get_field(raw, "end", ctx, path, "date")
    if start > end:
        raise ctx.error((*path, "end"), "column_file.end_before_start", end=end.isoformat(), start=start.isoformat())
    tags = read_strings(get_field(raw, "tags", ctx, path, "list", required=False) or [], ctx, (*path, "tags"))
    return {"start": start, "end": end, "tags": list(tags)}


def _claim(raw: Any, i: int, ctx: Context, baskets: dict[str, tuple[str, ...]], section_ids: set[str],
           published: dt.date) -> Claim:
    path: Path_ = ("claims", i)
    if not isinstance(raw, dict):
        raise ctx.error(path, "column_file.not_mapping")
    claim_id = get_field(raw, "id", ctx, path, "slug")

    def fail(sub: Path_, code: str, **params: Any) -> CommentaryError:
        return ctx.error((*path, *sub), code, claim=claim_id, **params)

    rule_raw = get_field(raw, "rule", ctx, path, "map")
    rule, problems = validate_rule(rule_raw.get("type"), rule_raw.get("params"), baskets)
    if problems:
        sub, message = problems[0]
        raise fail(("rule", *sub), "column_file.rule", detail=message)
    assert rule is not None
    for name, value in rule.params.items():
        for sym in getattr(value, "symbols", ()):
            if getattr(value, "label", None) not in baskets and instrument(sym) is None:
                raise fail(("rule", "params", name), "column_file.series_unknown", symbol=sym)
    if "start" in raw:
        ctx.warn((*path, "start"), "column_file.start_ignored", claim=claim_id)
    horizons_raw = get_field(raw, "horizons", ctx, path, "list", required=False)
    if horizons_raw is None:
        horizons_raw = list(HORIZONS)
    if not horizons_raw:
        raise fail(("horizons",), "column_file.no_horizon")
    horizons: list[Horizon] = []
    for j, h in enumerate(horizons_raw):
        parsed = parse_horizon(h, published)
        if not isinstance(parsed, Horizon):
            raise fail(("horizons", j), "column_file.horizon", detail=parsed)
        if any(x.id == parsed.id for x in horizons):
            raise fail(("horizons", j), "column_file.horizon_twice", id=parsed.id)
        horizons.append(parsed)
    primary = raw.get("primary")
    if primary is None:
        if len(horizons) > 1:
            raise fail(("primary",), "column_file.primary_missing", known=", ".join(h.id for h in horizons))
        primary = horizons[0].id
    if primary not in {h.id for h in horizons}:
        raise fail(("primary",), "column_file.primary_unknown", id=brief(primary),
                   known=", ".join(h.id for h in horizons))
    section = get_field(raw, "section", ctx, path, "text", required=False)
    if section is not None and section not in section_ids:
        raise fail(("section",), "column_file.section_unknown", id=section, known=", ".join(sorted(section_ids)))
    return Claim(claim_id, get_field(raw, "text_ko", ctx, path, "text"), get_field(raw, "text_en", ctx, path, "text"),
                 rule, tuple(horizons), str(primary), section)


def _facts(data: dict[str, Any], ctx: Context, section_ids: set[str]) -> tuple[Fact, ...]:
    out: list[Fact] = []
    for i, raw in enumerate(get_field(data, "facts", ctx, (), "list", required=False) or []):
        path: Path_ = ("facts", i)
        if not isinstance(raw, dict):
            raise ctx.error(path, "column_file.not_mapping")
        check = get_field(raw, "check", ctx, path, "map")
        cpath = (*path, "check")
        symbols = read_strings(get_field(check, "symbols", ctx, cpath, "list"), ctx, (*cpath, "symbols"))
        for j, sym in enumerate(symbols):
            if instrument(sym) is None:
                raise ctx.error((*cpath, "symbols", j), "column_file.series_unknown", symbol=sym)
        level = check.get("level")
        if isinstance(level, bool) or not isinstance(level, int | float) or level <= 0:
            raise ctx.error((*cpath, "level"), "column_file.not_positive", value=brief(level))
        if check.get("side") not in ("below", "above"):
            raise ctx.error((*cpath, "side"), "column_file.side", value=brief(check.get("side")))
        start, end = get_field(check, "start", ctx, cpath, "date"), get_field(check, "end", ctx, cpath, "date")
        if end < start:
            raise ctx.error((*cpath, "end"), "column_file.end_before_start", end=end.isoformat(),
                            start=start.isoformat())
        section = get_field(raw, "section", ctx, path, "text", required=False)
        if section is not None and section not in section_ids:
            raise ctx.error((*path, "section"), "column_file.section_unknown", id=section,
                            known=", ".join(sorted(section_ids)))
        out.append(Fact(get_field(raw, "id", ctx, path, "slug"), get_field(raw, "text_ko", ctx, path, "text"),
                        get_field(raw, "text_en", ctx, path, "text"),
                        {"symbols": list(symbols), "level": float(level), "side": check["side"], "start": start,
                         "end": end}, str(raw.get("reported_ko") or ""), str(raw.get("reported_en") or ""), section))
    return tuple(out)


def _publication(data: dict[str, Any], ctx: Context, language: str) -> tuple[str, str]:
    """(time, timezone) of publication; the zone defaults to the language's."""
    time = data.get("time", "00:00")
    if not isinstance(time, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time.strip()):
        raise ctx.error(("time",), "column_file.time", value=brief(time))
    zone = data.get("timezone")
    if zone is None:
        zone = LANGUAGE_ZONES.get(language, "UTC")
        if language not in LANGUAGE_ZONES:
            ctx.warn(("timezone",), "column_file.zone_default", language=language)
    try:
        zoneinfo.ZoneInfo(str(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ctx.error(("timezone",), "column_file.zone_unknown", zone=brief(zone)) from None
    return time.strip(), str(zone)


def parse_commentary(text: str, source_name: str) -> Commentary:
    """Parse and validate one commentary file's text; raise :class:`CommentaryError` on any problem.

    Limits hold before any parsing: at most :data:`MAX_FILE_BYTES`; the front matter within
    :mod:`commentary.document.safe_yaml`'s caps (no anchors/aliases, depth, values); at most
    :data:`MAX_SECTIONS` sections and :data:`MAX_CLAIMS` claims.  Any unexpected failure is reported as
    a :class:`CommentaryError` naming the file too, never as a traceback.
    """
    size = len(text) if len(text) * 4 <= MAX_FILE_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise CommentaryError(source_name, None, None, "column_file.too_large", size=size, limit=MAX_FILE_BYTES)
    try:
        return _parse(text, source_name)
    except CommentaryError:
        raise
    except RecursionError:
        raise CommentaryError(source_name, None, None, "column_file.too_deep") from None
    except Exception as exc:  # a bad upload must never end as a traceback
        raise CommentaryError(source_name, None, None, "column_file.unreadable", detail=type(exc).__name__) from None


def _parse(text: str, source_name: str) -> Commentary:
    yaml_text, yaml_line, body_lines, body_line = split_front_matter(text, source_name)
    offset = yaml_line - 1
    try:
        root, data = safe_yaml.load(yaml_text)
    except safe_yaml.YamlLimitError as exc:
        line = exc.line + offset if exc.line else yaml_line
        raise CommentaryError(source_name, line, "front matter", exc.code, **exc.params) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 + offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CommentaryError(source_name, line, "front matter", "column_file.yaml", detail=str(problem)) from None
    if not isinstance(data, dict):
        raise CommentaryError(source_name, yaml_line, "front matter", "column_file.not_mapping")
    check_duplicate_keys(root, source_name, yaml_line)
    ctx = Context(source_name, root, yaml_line)

    url = data.get("url", ...)
    if url is ...:
        raise ctx.error(("url",), "column_file.url_missing")
    if url is not None and (not isinstance(url, str) or not url.startswith(("https://", "http://"))):
        raise ctx.error(("url",), "column_file.url", value=brief(url))
    language = get_field(data, "language", ctx, (), "text")
    if not re.fullmatch(r"[a-z]{2}", language):
        raise ctx.error(("language",), "column_file.language", value=brief(language))
    symbols = read_strings(get_field(data, "symbols", ctx, (), "list", required=False) or [], ctx, ("symbols",))
    check_symbols(symbols, ctx, ("symbols",))
    events = read_strings(get_field(data, "events", ctx, (), "list", required=False) or [], ctx, ("events",))
    baskets = _baskets(data, ctx)

    raw_sections = get_field(data, "sections", ctx, (), "list")
    if not raw_sections:
        raise ctx.error(("sections",), "column_file.no_section")
    if len(raw_sections) > MAX_SECTIONS:
        raise ctx.error(("sections",), "column_file.too_many_sections", count=len(raw_sections), limit=MAX_SECTIONS)
    if isinstance(data.get("claims"), list) and len(data["claims"]) > MAX_CLAIMS:
        raise ctx.error(("claims",), "column_file.too_many_claims", count=len(data["claims"]), limit=MAX_CLAIMS)
    bodies, marker_lines = section_bodies(body_lines, body_line, ctx)
    sections: list[Section] = []
    for i, raw in enumerate(raw_sections):
        path: Path_ = ("sections", i)
        if not isinstance(raw, dict):
            raise ctx.error(path, "column_file.not_mapping")
        sid = get_field(raw, "id", ctx, path, "slug")
        if any(s.id == sid for s in sections):
            raise ctx.error((*path, "id"), "column_file.section_twice", id=sid)
        for lang in LANGS:
            if not bodies.get((sid, lang)):
                raise ctx.error(path, "column_file.no_narrative", language=lang,
                                marker=f"<!-- section: {sid} lang: {lang} -->")
        sections.append(Section(
            sid, get_field(raw, "heading_ko", ctx, path, "text"), get_field(raw, "heading_en", ctx, path, "text"),
            _chart(get_field(raw, "chart", ctx, path, "map"), ctx, (*path, "chart"), baskets),
            _news(raw.get("news"), ctx, (*path, "news")), bodies[(sid, "ko")], bodies[(sid, "en")],
        ))
    section_ids = {s.id for s in sections}
    for sid, line in marker_lines.items():
        if sid not in section_ids:
            raise CommentaryError(source_name, line, "body", "column_file.narrative_unknown", id=sid,
                                  known=", ".join(s.id for s in sections))

    published = get_field(data, "date", ctx, (), "date")
    time, zone = _publication(data, ctx, language)
    claims: list[Claim] = []
    claim_errors: list[CommentaryError] = []
    for i, raw in enumerate(get_field(data, "claims", ctx, (), "list")):
        try:
            claim = _claim(raw, i, ctx, baskets, section_ids, published)
        except CommentaryError as exc:  # this claim cannot be scored; the others still are
            claim_errors.append(exc)
            continue
        if any(c.id == claim.id for c in claims):
            raise ctx.error(("claims", i, "id"), "column_file.claim_twice", id=claim.id)
        claims.append(claim)

    return Commentary(
        id=get_field(data, "id", ctx, (), "slug"), title=get_field(data, "title", ctx, (), "text"),
        author=get_field(data, "author", ctx, (), "text"), date=get_field(data, "date", ctx, (), "date"),
        language=language, url=url, summary_ko=get_field(data, "summary_ko", ctx, (), "text"),
        summary_en=get_field(data, "summary_en", ctx, (), "text"), symbols=symbols, events=events, baskets=baskets,
        sections=tuple(sections), claims=tuple(claims), source=source_name, warnings=tuple(ctx.warnings),
        time=time, timezone=zone, claim_errors=tuple(claim_errors), facts=_facts(data, ctx, section_ids),
        author_ko=get_field(data, "author_ko", ctx, (), "text", required=False) or "",
        author_en=get_field(data, "author_en", ctx, (), "text", required=False) or "",
        title_ko=_title(data, ctx, "title_ko"), title_en=_title(data, ctx, "title_en"),
    )


def _title(data: dict[str, Any], ctx: Context, key: str) -> str:
    """An optional ``title_ko`` / ``title_en``: non-empty text of at most :data:`TITLE_KO_MAX` characters, or ""."""
    value = get_field(data, key, ctx, (), "text", required=False) or ""
    if len(value) > TITLE_KO_MAX:
        raise ctx.error((key,), "column_file.too_long", count=len(value), limit=TITLE_KO_MAX)
    return value


def load_commentary(path: Path | str) -> Commentary:
    """Read and parse one commentary file (errors name the file by its name)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommentaryError(path.name, None, None, "column_file.cannot_read", detail=str(exc)) from None
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
            out.append(CommentaryError(str(directory), None, None, "column_file.no_folder"))
            continue
        for path in sorted(directory.glob("*.md")):
            try:
                item = load_commentary(path)
            except CommentaryError as exc:
                out.append(exc)
                continue
            if item.id in seen:
                out.append(CommentaryError(path.name, None, "id", "column_file.id_taken", id=item.id,
                                           other=seen[item.id]))
                continue
            seen[item.id] = path.name
            out.append(item)
    return out
