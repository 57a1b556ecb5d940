"""Feed bytes → the news frame: RSS, Atom, RDF and JSON Feed, read in a helper process under a time budget.

:func:`parse_feed` (step 3 of the feed adapter, :mod:`data_sources.news.fetch`) refuses, before any parser
sees the bytes, a feed over :data:`MAX_FEED_BYTES`, a web page, and a feed with a ``<!DOCTYPE`` (outside CDATA)
or any ``<!ENTITY`` (no entity expansion, so no amplification); the parse and row building then run in a helper
process (:mod:`data_sources.worker`) stopped after :func:`parse_budget` seconds.

The news frame (one row per item):

============ ====================== ==========================================================
column       dtype                  meaning
============ ====================== ==========================================================
published    datetime64[ns, UTC]    publication (else update) time; NaT when missing/absurd
source       object (str)           feed name (from the feed config or snapshot mapping)
title        object (str)           plain text (no markup, entities decoded), ≤ 300 chars
link         object (str)           http/https URL, else ""
summary_text object (str)           plain text, whitespace collapsed, ≤ 400 chars ending "…";
                                    "" when the feed only repeats the title
tags         object (tuple[str])    tag ids from ``news_tags.toml`` (title + full summary)
uid          object (str)           stable id: entry id (prefixed with the source unless it is
                                    a URI), else the link, else ``h:`` + hash of title+source
date_flag    object (str)           "" | "missing" (no/unparseable date) | "future" (ahead of
                                    now by up to 2 days; kept) | "absurd" (before 1995 or more
                                    than 2 days ahead; published set to NaT)
date_raw     object (str)           the date text the feed gave (plain text, ≤ 64 chars)
============ ====================== ==========================================================

All text is untrusted: it has been reduced to plain text here, and must be rendered as text.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pandas as pd
from feedparser.encodings import convert_to_utf8

from data_sources.errors import DashboardError, Problem
from data_sources.news.errors import (
    FeedError,
    FeedParseBudgetError,
    FeedParseError,
    FeedProblem,
    FeedTooLargeError,
    FeedUnsafeError,
)
from data_sources.news.frame import NEWS_COLUMNS, empty_news, title_key
from data_sources.news.sanitize import plain_text, safe_url, truncate_text
from data_sources.news.tagging import TagRule, load_rules, tag_text
from data_sources.settings import settings
from data_sources.worker import BoundedWorker

MAX_FEED_BYTES = 5 * 1024 * 1024
TITLE_MAX = 300
SUMMARY_MAX = 400
EARLIEST = pd.Timestamp("1995-01-01", tz="UTC")
FUTURE_SKEW = timedelta(minutes=15)
FUTURE_LIMIT = timedelta(days=2)
_REDDIT_FOOTER = re.compile(r"\s*submitted by\s+/u/\S+\s*(?:\[link\])?\s*(?:\[comments\])?\s*$")
_HARMLESS_BOZO = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)

# a DTD anywhere (entity declarations are how an amplifier is built); CDATA is text, so a
# <!DOCTYPE html> quoted inside an item's CDATA is not one
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)


def parse_budget() -> float:
    """Seconds allowed to parse one feed: ``DASHBOARD_FEED_PARSE_SECONDS`` (default 10)."""
    return settings().feed_parse_seconds


# ---------------------------------------------------------------- step 3: transform (bytes → frame)


def refuse_dtd(data: bytes, label: str, content_type: str = "") -> None:
    """Raise :class:`FeedUnsafeError` if ``data`` declares a DTD or entities, in any encoding.

    Checked on the raw bytes and on the text exactly as feedparser itself will decode it
    (its ``convert_to_utf8``: BOM, UTF-16/32, EBCDIC, a declared charset such as UTF-7), so no
    encoding hides one.
    """
    views = [data]
    try:
        headers = {"content-type": content_type} if content_type else {}
        converted = convert_to_utf8(headers, data, {})
    except Exception:
        converted = b""
    if isinstance(converted, bytes) and converted and converted != data:
        views.append(converted)
    for view in views:
        if _ENTITY.search(view) or _DTD.search(_CDATA.sub(b"", view)):
            raise FeedUnsafeError(label)


#: Feeds are parsed in a helper process (:mod:`data_sources.worker`): a parse over its budget is stopped
#: from outside, whatever the parser does with exceptions.
PARSER = BoundedWorker("feed parser", memory_bytes=1 << 30)


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _looks_like_html(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]


def _parse_json_feed(data: bytes, label: str) -> tuple[str, list[dict]]:
    """JSON Feed 1.x → (feed title, entries shaped like feedparser's)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedParseError(label, code="feed.bad_json", error=type(exc).__name__) from exc
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedParseError(label, code="feed.not_json_feed")
    entries = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        entry: dict[str, Any] = {
            "id": item.get("id"),
            "link": item.get("url") or item.get("external_url"),
            "title": item.get("title"),
            "summary": item.get("summary") or item.get("content_html") or item.get("content_text"),
        }
        for key, src in (("published", "date_published"), ("updated", "date_modified")):
            raw = item.get(src)
            if isinstance(raw, str) and raw:
                entry[key] = raw
                try:
                    stamp = datetime.fromisoformat(raw)
                    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
                    entry[f"{key}_parsed"] = stamp.astimezone(UTC).timetuple()
                except (ValueError, OverflowError):
                    pass
        entries.append(entry)
    return str(doc.get("title") or ""), entries


def _entry_date(entry: Mapping[str, Any], now: pd.Timestamp) -> tuple[pd.Timestamp, str, str]:
    """(published UTC or NaT, date_flag, raw date text)."""
    raw = ""
    parsed = None
    get = entry.get if not isinstance(entry, dict) else dict(entry).get  # bypass feedparser's key aliases
    for key in ("published", "updated", "created"):
        if get(f"{key}_parsed"):
            parsed, raw = get(f"{key}_parsed"), str(get(key) or "")
            break
        raw = raw or str(get(key) or "")
    raw = plain_text(raw, 64)
    if not parsed:
        return pd.NaT, "missing", raw
    try:
        stamp = pd.Timestamp(calendar.timegm((*tuple(parsed)[:6], 0, 0, 0)), unit="s", tz="UTC")
    except (ValueError, OverflowError, TypeError, pd.errors.OutOfBoundsDatetime):
        return pd.NaT, "absurd", raw
    if stamp < EARLIEST or stamp > now + FUTURE_LIMIT:
        return pd.NaT, "absurd", raw or stamp.isoformat()
    if stamp > now + FUTURE_SKEW:
        return stamp, "future", raw
    return stamp, "", raw


def _entry_link(entry: Mapping[str, Any]) -> str:
    link = safe_url(entry.get("link"))
    if link:
        return link
    for item in entry.get("links") or []:
        if isinstance(item, Mapping) and item.get("rel", "alternate") == "alternate":
            link = safe_url(item.get("href"))
            if link:
                return link
    return ""


def _entry_summary_html(entry: Mapping[str, Any]) -> str:
    summary = entry.get("summary")
    if summary:
        return str(summary)
    for item in entry.get("content") or []:
        if isinstance(item, Mapping) and item.get("value"):
            return str(item["value"])
    return ""


def make_uid(entry_id: str, link: str, title: str, source: str) -> str:
    """Stable item id: a URI-like entry id as is, another entry id prefixed with the source,
    else the link, else ``h:`` + hash of the normalised title and source."""
    entry_id = " ".join(plain_text(entry_id).split())
    if entry_id and len(entry_id) <= 300:
        return entry_id if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", entry_id) else f"{source}#{entry_id}"
    if link:
        return link
    basis = entry_id or f"{title_key(title)}\x1f{source}"
    return "h:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:20]


def _row(entry: Mapping[str, Any], source: str, now: pd.Timestamp, rules: tuple[TagRule, ...]) -> dict | None:
    title = plain_text(entry.get("title"), TITLE_MAX)
    full_summary = _REDDIT_FOOTER.sub("", plain_text(_entry_summary_html(entry)))
    link = _entry_link(entry)
    if not (title or full_summary or link):
        return None
    summary = truncate_text(full_summary, SUMMARY_MAX)
    if title_key(summary) == title_key(title):
        summary = ""
    published, flag, raw = _entry_date(entry, now)
    return {
        "published": published,
        "source": source,
        "title": title,
        "link": link,
        "summary_text": summary,
        "tags": tuple(tag_text(f"{title}\n{full_summary}", rules)),
        "uid": make_uid(str(entry.get("id") or ""), link, title, source),
        "date_flag": flag,
        "date_raw": raw,
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return empty_news()
    frame = pd.DataFrame(rows, columns=list(NEWS_COLUMNS))
    frame["published"] = pd.to_datetime(frame["published"], utc=True).astype("datetime64[ns, UTC]")
    return frame.drop_duplicates("uid", keep="first").reset_index(drop=True)


def parse_feed(
    data: bytes,
    source: str | None,
    *,
    content_type: str = "",
    fallback_source: str = "feed",
    now: datetime | None = None,
    rules: tuple[TagRule, ...] | None = None,
    budget_s: float | None = None,
) -> tuple[pd.DataFrame, list[FeedProblem]]:
    """Parse feed bytes into the news frame: (frame, warnings). Raises :class:`FeedParseError`.

    ``source`` names the items (default: the feed's own title, else ``fallback_source``).
    A malformed ("bozo") feed still yields whatever was recovered, plus a warning. Over
    :data:`MAX_FEED_BYTES`, with a DTD/entities, or over the time budget (``budget_s``, default
    :func:`parse_budget`) the feed is refused whole.
    """
    label = source or fallback_source
    if len(data) > MAX_FEED_BYTES:
        raise FeedTooLargeError(label, size_mb=f"{len(data) / 1024 / 1024:.1f}",
                                limit_mb=f"{MAX_FEED_BYTES / 1024 / 1024:g}")
    if not _looks_like_json(data):  # refused here, cheaply, before any parser sees the bytes
        if _looks_like_html(data):  # before the DTD check: <!DOCTYPE html> means "a web page"
            raise FeedParseError(label, code="feed.html")
        refuse_dtd(data, label, content_type)
    seconds = parse_budget() if budget_s is None else budget_s
    rules = rules if rules is not None else load_rules()
    try:
        return PARSER.call("data_sources.news.parse:_transform", data, source, label, content_type,
                           fallback_source, now, rules, timeout_s=seconds)
    except FeedError:
        raise  # the feed's own problem, from inside the helper process
    except DashboardError as err:
        if err.problem.code in ("worker.timeout", "worker.busy"):
            raise FeedParseBudgetError(label, seconds=f"{seconds:g}") from None
        raise FeedParseError(label, code="feed.parser_stopped") from None


def _transform(
    data: bytes,
    source: str | None,
    label: str,
    content_type: str,
    fallback_source: str,
    now: datetime | None,
    rules: tuple[TagRule, ...] | None,
) -> tuple[pd.DataFrame, list[FeedProblem]]:
    stamp_now = pd.Timestamp(now if now is not None else datetime.now(UTC))
    stamp_now = stamp_now.tz_localize("UTC") if stamp_now.tzinfo is None else stamp_now.tz_convert("UTC")
    rules = rules if rules is not None else load_rules()
    problems: list[FeedProblem] = []
    if _looks_like_json(data):
        feed_title, entries = _parse_json_feed(data, label)
    else:
        headers = {"content-type": content_type} if content_type else None
        try:
            # feedparser's own HTML sanitiser and URI resolver are off: every field is reduced
            # to plain text by sanitize.plain_text below (nesting-capped), and they cost
            # seconds on deeply nested markup
            parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False,
                                      resolve_relative_uris=False)
        except Exception as exc:  # feedparser is defensive, but never let a feed crash the app
            raise FeedParseError(label, code="feed.not_rss", detail=type(exc).__name__) from exc
        feed_title = str((parsed.get("feed") or {}).get("title") or "")
        entries = list(parsed.get("entries") or [])
        if not entries and not parsed.get("version") and not parsed.get("bozo"):
            raise FeedParseError(label, code="feed.html" if _looks_like_html(data) else "feed.not_rss", detail="")
        if parsed.get("bozo"):
            exc = parsed.get("bozo_exception")
            why = truncate_text(plain_text(f"{type(exc).__name__}: {exc}" if exc else "malformed"), 160)
            if not entries:
                if _looks_like_html(data):
                    raise FeedParseError(label, code="feed.html")
                raise FeedParseError(label, code="feed.not_rss", detail=why)
            if not isinstance(exc, _HARMLESS_BOZO):
                problems.append(FeedProblem(label, Problem("feed.malformed", {
                    "feed": label, "items": len(entries), "detail": why}), "warning"))
    name = source or plain_text(feed_title, 80) or fallback_source
    rows = [r for r in (_row(e, name, stamp_now, rules) for e in entries) if r is not None]
    return _frame(rows), problems
