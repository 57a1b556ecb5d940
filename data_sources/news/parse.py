"""AI-news feed adapter (RSS, Atom, RDF and JSON Feed), in the OpenBB fetcher shape.

Three steps, each usable on its own:

* :func:`transform_query` — feed configs → :class:`FeedRequest` list; feeds whose URL is
  not http(s) are rejected with a message naming the feed (feedparser never sees a URL or
  a path: it only ever gets bytes in memory).
* :func:`extract_data` — the only network I/O: one GET per feed through
  :func:`data_sources.net.fetch_public` (public addresses only, redirects checked, one
  deadline of :func:`fetch_deadline` seconds for the whole exchange, at most
  :data:`MAX_FEED_BYTES`, a cut-off body refused whole), with ``If-None-Match`` /
  ``If-Modified-Since`` when the store has validators (a 304 is not an error). Failures raise
  a :class:`FeedError` subclass whose message names the feed.
* :func:`transform_data` — bytes → ``feedparser.parse`` → the news frame below. Before
  feedparser sees the bytes, a feed with a ``<!DOCTYPE`` (outside CDATA) or any ``<!ENTITY``
  is refused (no entity expansion, so no amplification); the parse and row building run in a helper
  process (:mod:`data_sources.worker`) stopped after :func:`parse_budget` seconds.

:func:`fetch_feeds` runs all three for many feeds (one feed's failure never stops the
others) and :func:`load_feed_file` reads a saved snapshot chosen by the user.

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
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pandas as pd
from feedparser.encodings import convert_to_utf8

from data_sources.config import offline_forced
from data_sources.errors import DashboardError
from data_sources.news.net import FetchError, fetch_public
from data_sources.news.sanitize import plain_text, safe_url, truncate_text
from data_sources.news.tagging import TagRule, load_rules, tag_text
from data_sources.worker import BoundedWorker

NEWS_COLUMNS: tuple[str, ...] = (
    "published", "source", "title", "link", "summary_text", "tags", "uid", "date_flag", "date_raw",
)
DATE_FLAGS: tuple[str, ...] = ("", "missing", "future", "absurd")
FEEDS_PATH = Path(__file__).with_name("feeds.toml")
MAX_FEED_BYTES = 5 * 1024 * 1024
FEED_DEADLINE = 20.0  # seconds per feed, end to end (connect, redirects, whole body)
PARSE_BUDGET = 10.0  # seconds to parse one feed and build its rows
USER_AGENT = "column-dashboard/0.1 (personal news reader; +https://github.com/kurtmckee/feedparser)"
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
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

Progress = Callable[[float, str], None]


# ---------------------------------------------------------------- errors and configs


class FeedError(Exception):
    """A feed could not be fetched or read; ``str(err)`` starts with the feed's name."""

    code = "error"

    def __init__(self, feed: str, detail: str) -> None:
        super().__init__(f"{feed}: {detail}")
        self.feed = feed
        self.detail = detail

    def __reduce__(self) -> tuple:  # comes back whole from the parser's helper process
        return (type(self), (self.feed, self.detail), self.__dict__)


class FeedURLError(FeedError):
    """The feed's URL is not an http(s) address."""

    code = "bad_url"


class FeedRefusedError(FeedError):
    """The feed's host is not a public internet address (and not allow-listed)."""

    code = "refused"


class FeedTruncatedError(FeedError):
    """The server broke off before the whole feed arrived; nothing of it was kept."""

    code = "truncated"


class FeedUnsafeError(FeedError):
    """The feed declares a DTD or entities; refused before parsing."""

    code = "unsafe"


class FeedParseBudgetError(FeedError):
    """Parsing the feed took longer than its time budget."""

    code = "parse_budget"


class FeedOfflineError(FeedError):
    """Offline mode (``DASHBOARD_OFFLINE=1``) forbids network access."""

    code = "offline"


class FeedConnectionError(FeedError):
    """No feed could be fetched from the server (DNS, refused, reset, TLS, not HTTP: one message)."""

    code = "connection"


class FeedTimeoutError(FeedError):
    """The server did not answer in time."""

    code = "timeout"


class FeedHTTPError(FeedError):
    """The server answered with a non-2xx status."""

    code = "http"

    def __init__(self, feed: str, detail: str, status: int = 0) -> None:
        super().__init__(feed, detail)
        self.status = status


class FeedTooLargeError(FeedError):
    """The response or file is larger than :data:`MAX_FEED_BYTES`."""

    code = "too_large"


class FeedParseError(FeedError):
    """The bytes are not a feed (or nothing could be recovered from them)."""

    code = "not_a_feed"


class FeedReadError(FeedError):
    """A local feed file could not be read."""

    code = "read"


@dataclass(frozen=True)
class FeedProblem:
    """One problem with one feed: ``severity`` is "error" (no items) or "warning" (items kept)."""

    feed: str
    code: str
    message: str
    severity: str = "error"

    @classmethod
    def from_error(cls, err: FeedError) -> FeedProblem:
        """The problem describing ``err``."""
        return cls(err.feed, err.code, str(err), "error")


@dataclass(frozen=True)
class FeedConfig:
    """A feed the reader follows; ``origin`` is "default" (feeds.toml) or "reader"."""

    name: str
    url: str
    language: str = "en"
    origin: str = "default"


@dataclass(frozen=True)
class FeedRequest:
    """A validated request: the feed's name and its http(s) URL."""

    feed: str
    url: str
    language: str = "en"


# ---------------------------------------------------------------- default feeds and snapshots


@lru_cache(maxsize=4)
def _feed_file(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read the feed list {path}: {exc}") from exc


def default_feeds(path: Path | None = None) -> list[FeedConfig]:
    """The default feeds from ``feeds.toml`` (or ``path``)."""
    raw = _feed_file(Path(path) if path else FEEDS_PATH)
    out = []
    for i, item in enumerate(raw.get("feed", [])):
        if not isinstance(item, dict) or not item.get("name") or not item.get("url"):
            raise ValueError(f"feeds.toml: feed #{i + 1} needs a name and a url")
        out.append(FeedConfig(str(item["name"]), str(item["url"]), str(item.get("language", "en")), "default"))
    return out


def source_for_snapshot(filename: str, path: Path | None = None) -> str | None:
    """Source name for a saved snapshot file (e.g. ``reddit-localllama-20250127.xml`` → ``r/LocalLLaMA``).

    ``None`` when the file name matches no ``[[snapshot]]`` prefix in ``feeds.toml``.
    """
    name = Path(filename).name.lower()
    for item in _feed_file(Path(path) if path else FEEDS_PATH).get("snapshot", []):
        if name.startswith(str(item.get("prefix", "")).lower()) and item.get("prefix"):
            return str(item["source"])
    return None


# ---------------------------------------------------------------- the frame


def empty_news() -> pd.DataFrame:
    """A news frame with no rows and the right dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in NEWS_COLUMNS})
    frame["published"] = pd.Series(dtype="datetime64[ns, UTC]")
    return frame


def normalise_news(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a frame to the news contract: columns in order, dtypes, tags as tuples (extra columns kept)."""
    if frame is None or frame.empty:
        extra = [c for c in (frame.columns if frame is not None else []) if c not in NEWS_COLUMNS]
        out = empty_news()
        for col in extra:
            out[col] = pd.Series(dtype=frame[col].dtype)
        return out
    out = frame.copy()
    for col in NEWS_COLUMNS:
        if col not in out.columns:
            out[col] = [()] * len(out) if col == "tags" else ""
    published = pd.to_datetime(out["published"], errors="coerce", utc=True)
    out["published"] = published.astype("datetime64[ns, UTC]")
    for col in ("source", "title", "link", "summary_text", "uid", "date_flag", "date_raw"):
        out[col] = out[col].fillna("").astype(str)
    out["tags"] = [_as_tags(t) for t in out["tags"]]
    extra = [c for c in out.columns if c not in NEWS_COLUMNS]
    return out.loc[:, [*NEWS_COLUMNS, *extra]].reset_index(drop=True)


def _as_tags(value: object) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        return tuple(t for t in value.split("|") if t)
    try:
        return tuple(str(t) for t in value)  # list, tuple, numpy array
    except TypeError:
        return ()


def sort_news(frame: pd.DataFrame, newest_first: bool = True) -> pd.DataFrame:
    """Sort by ``published`` (NaT last either way), then source and title; never fails on odd dates."""
    if frame.empty:
        return frame.reset_index(drop=True)
    order = frame.sort_values(["source", "title"], kind="stable")
    order = order.sort_values("published", ascending=not newest_first, na_position="last", kind="stable")
    return order.reset_index(drop=True)


def title_key(title: str) -> str:
    """A normalised title for de-duplication: NFKC, case-folded, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


# ---------------------------------------------------------------- step 1: transform query


def _field(feed: FeedConfig | Mapping[str, Any], key: str, default: str = "") -> str:
    value = feed.get(key, default) if isinstance(feed, Mapping) else getattr(feed, key, default)
    return "" if value is None else str(value)


def transform_query(feeds: Iterable[FeedConfig | Mapping[str, Any]]) -> tuple[list[FeedRequest], list[FeedProblem]]:
    """Validate feed configs: (requests for the good ones, problems for the rest)."""
    good: list[FeedRequest] = []
    problems: list[FeedProblem] = []
    for i, feed in enumerate(feeds):
        name = plain_text(_field(feed, "name"), 80) or f"feed #{i + 1}"
        raw_url = _field(feed, "url")
        url = safe_url(raw_url)
        if not url:
            shown = truncate_text(plain_text(raw_url), 80) or "(empty)"
            err = FeedURLError(name, f"'{shown}' is not an http:// or https:// address, so it was not fetched")
            problems.append(FeedProblem.from_error(err))
            continue
        good.append(FeedRequest(name, url, _field(feed, "language", "en") or "en"))
    return good, problems


# ---------------------------------------------------------------- step 2: extract (network)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


@dataclass(frozen=True)
class FeedFetch:
    """One fetched feed: ``status`` 200 (``data`` holds the whole body) or 304 (not modified,
    no body); ``etag`` / ``last_modified`` are the validators to send next time."""

    data: bytes
    content_type: str = ""
    status: int = 200
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        """True for a 304: the stored items are still current."""
        return self.status == 304


def fetch_deadline() -> float:
    """Seconds allowed for one feed end to end: ``DASHBOARD_FEED_DEADLINE`` or :data:`FEED_DEADLINE`."""
    return _env_seconds("DASHBOARD_FEED_DEADLINE", FEED_DEADLINE)


def parse_budget() -> float:
    """Seconds allowed to parse one feed: ``DASHBOARD_FEED_PARSE_SECONDS`` or :data:`PARSE_BUDGET`."""
    return _env_seconds("DASHBOARD_FEED_PARSE_SECONDS", PARSE_BUDGET)


def _env_seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if 0 < value < 3600 else default


_FETCH_ERRORS: dict[str, type[FeedError]] = {
    "refused": FeedRefusedError, "unreachable": FeedConnectionError, "timeout": FeedTimeoutError,
    "too_large": FeedTooLargeError, "http": FeedHTTPError, "redirects": FeedHTTPError,
    "truncated": FeedTruncatedError,
}


def extract_data(
    request: FeedRequest,
    *,
    etag: str = "",
    last_modified: str = "",
    deadline_s: float | None = None,
    max_bytes: int | None = None,
) -> FeedFetch:
    """Download one feed from a public address (:func:`data_sources.net.fetch_public`).

    Sends ``If-None-Match`` / ``If-Modified-Since`` when validators are given; a 304 is a
    :class:`FeedFetch` with ``not_modified``. Raises a :class:`FeedError` subclass naming the
    feed; in offline mode (``DASHBOARD_OFFLINE=1``) nothing is fetched.
    """
    feed = request.feed
    if offline_forced():
        raise FeedOfflineError(feed, "not fetched: the app runs offline (DASHBOARD_OFFLINE=1)")
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        result = fetch_public(
            request.url,
            headers=headers,
            deadline_s=fetch_deadline() if deadline_s is None else deadline_s,
            max_bytes=MAX_FEED_BYTES if max_bytes is None else max_bytes,
        )
    except FetchError as exc:
        cls = _FETCH_ERRORS.get(exc.kind, FeedConnectionError)
        if cls is FeedHTTPError:
            raise FeedHTTPError(feed, str(exc), exc.status) from exc
        raise cls(feed, str(exc)) from exc
    validators = {"etag": result.headers.get("etag", "")[:200],
                  "last_modified": result.headers.get("last-modified", "")[:100]}
    if result.status == 304:
        return FeedFetch(b"", "", 304, **validators)
    if not result.body.strip():
        raise FeedParseError(feed, f"{_host(result.url)} returned an empty response, not a feed")
    return FeedFetch(result.body, result.headers.get("content-type", ""), result.status, **validators)


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
            raise FeedUnsafeError(label, "the feed declares a DTD or entities (<!DOCTYPE / <!ENTITY), which "
                                         "news feeds do not need; it was refused unread")


#: Feeds are parsed in a helper process (:mod:`data_sources.worker`): a parse over its budget is stopped
#: from outside, whatever the parser does with exceptions.
PARSER = BoundedWorker("feed parser", memory_mb=1024)


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
        raise FeedParseError(label, f"this looks like JSON but cannot be read ({type(exc).__name__})") from exc
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedParseError(label, "this is JSON, but not a JSON Feed (no jsonfeed.org version)")
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


def transform_data(
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
        raise FeedTooLargeError(label, f"the feed is {len(data) / 1024 / 1024:.1f} MB, over the "
                                       f"{MAX_FEED_BYTES / 1024 / 1024:g} MB limit")
    if not _looks_like_json(data):  # refused here, cheaply, before any parser sees the bytes
        if _looks_like_html(data):  # before the DTD check: <!DOCTYPE html> means "a web page"
            raise FeedParseError(label, "this is a web page (HTML), not a news feed")
        refuse_dtd(data, label, content_type)
    seconds = parse_budget() if budget_s is None else budget_s
    rules = rules if rules is not None else load_rules()
    try:
        return PARSER.call(_transform, data, source, label, content_type, fallback_source, now, rules,
                           timeout_s=seconds)
    except DashboardError as err:
        if err.problem.code == "worker.timeout":
            raise FeedParseBudgetError(label, f"reading the feed took longer than {seconds:g} seconds; "
                                              "it was refused") from None
        raise FeedParseError(label, "the feed parser stopped (it needed more memory than allowed); "
                                    "the feed was refused") from None


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
            raise FeedParseError(label, f"the feed could not be parsed ({type(exc).__name__})") from exc
        feed_title = str((parsed.get("feed") or {}).get("title") or "")
        entries = list(parsed.get("entries") or [])
        if not entries and not parsed.get("version") and not parsed.get("bozo"):
            why = "a web page (HTML)" if _looks_like_html(data) else "XML, but not an RSS, Atom or RDF feed"
            raise FeedParseError(label, f"this is {why}, not a news feed")
        if parsed.get("bozo"):
            exc = parsed.get("bozo_exception")
            why = truncate_text(plain_text(f"{type(exc).__name__}: {exc}" if exc else "malformed"), 160)
            if not entries:
                if _looks_like_html(data):
                    raise FeedParseError(label, "this is a web page (HTML), not a news feed")
                raise FeedParseError(label, f"this is not a readable RSS/Atom feed ({why})")
            if not isinstance(exc, _HARMLESS_BOZO):
                problems.append(FeedProblem(label, "bozo", f"{label}: the feed is malformed ({why}); showing the "
                                                           f"{len(entries)} items that could be recovered", "warning"))
    name = source or plain_text(feed_title, 80) or fallback_source
    rows = [r for r in (_row(e, name, stamp_now, rules) for e in entries) if r is not None]
    return _frame(rows), problems


# ---------------------------------------------------------------- whole-feed helpers


def load_feed_file(
    path: Path | str,
    source_name: str | None = None,
    *,
    now: datetime | None = None,
    rules: tuple[TagRule, ...] | None = None,
) -> tuple[pd.DataFrame, list[FeedProblem]]:
    """Read a saved feed file chosen by the user: (frame, problems). Never raises for bad content.

    The source name defaults to the snapshot mapping in ``feeds.toml``, then the feed's title,
    then the file name. The file is read as bytes here; feedparser never opens paths.
    """
    path = Path(path)
    source = source_name or source_for_snapshot(path.name)
    label = source or path.name
    try:
        if not path.is_file():
            raise FeedReadError(label, f"{path} is not a file")
        size = path.stat().st_size
        if size > MAX_FEED_BYTES:
            raise FeedTooLargeError(label, f"{path.name} is {size / 1024 / 1024:.1f} MB, over the "
                                           f"{MAX_FEED_BYTES / 1024 / 1024:g} MB limit")
        data = path.read_bytes()
        if not data.strip():
            raise FeedParseError(label, f"{path.name} is empty")
        return transform_data(data, source, fallback_source=path.name, now=now, rules=rules)
    except FeedError as err:
        return empty_news(), [FeedProblem.from_error(err)]
    except OSError as exc:
        err = FeedReadError(label, f"cannot read {path}: {exc.strerror or exc}")
        return empty_news(), [FeedProblem.from_error(err)]
    except Exception as exc:  # last line of defence: report, don't crash
        return empty_news(), [FeedProblem(label, "unexpected", f"{label}: unexpected {type(exc).__name__} while "
                                                               f"reading {path.name}")]


def fetch_feeds(
    feeds: Iterable[FeedConfig | Mapping[str, Any]],
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
    rules: tuple[TagRule, ...] | None = None,
    validators: Mapping[str, Mapping[str, str]] | None = None,
    fetched: dict[str, FeedFetch] | None = None,
    deadline_s: float | None = None,
) -> tuple[pd.DataFrame, list[FeedProblem]]:
    """Fetch and parse every feed: (combined news frame sorted newest first, problems).

    One feed's failure never stops the others; a feed is either parsed whole or contributes
    nothing. ``validators`` maps a feed URL to its stored ``etag`` / ``last_modified``; when
    ``fetched`` is given it receives, per URL, the :class:`FeedFetch` of each feed that was
    parsed or not modified (body dropped), so the caller can store the new validators.
    ``progress(fraction, message)`` is called before each feed and at the end.
    """
    requests_, problems = transform_query(feeds)
    validators = validators or {}
    frames = []
    for i, req in enumerate(requests_):
        if progress:
            progress(i / max(len(requests_), 1), f"{req.feed} ({i + 1}/{len(requests_)})")
        known = validators.get(req.url) or {}
        try:
            result = extract_data(req, etag=str(known.get("etag") or ""),
                                  last_modified=str(known.get("last_modified") or ""), deadline_s=deadline_s)
            if not result.not_modified:
                frame, warnings = transform_data(result.data, req.feed, content_type=result.content_type, now=now,
                                                 rules=rules)
        except FeedError as err:
            problems.append(FeedProblem.from_error(err))
            continue
        except Exception as exc:  # an unexpected bug in one feed must not stop the rest
            problems.append(FeedProblem(req.feed, "unexpected", f"{req.feed}: unexpected {type(exc).__name__}"))
            continue
        if fetched is not None:
            fetched[req.url] = FeedFetch(b"", "", result.status, result.etag, result.last_modified)
        if result.not_modified:
            continue
        problems.extend(warnings)
        frames.append(frame)
    if progress:
        progress(1.0, "done")
    frames = [f for f in frames if not f.empty]
    combined = pd.concat(frames, ignore_index=True) if frames else empty_news()
    return sort_news(normalise_news(combined)), problems
