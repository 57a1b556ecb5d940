"""AI-news feed adapter (RSS, Atom, RDF and JSON Feed), in the OpenBB fetcher shape.

Three steps, each usable on its own:

* :func:`transform_query` — feed configs → :class:`FeedRequest` list; feeds whose URL is
  not http(s) are rejected with a message naming the feed (feedparser never sees a URL or
  a path: it only ever gets bytes in memory).
* :func:`extract_data` — the only network I/O: one ``requests.get`` per feed (timeouts
  ``(5, 15)`` s, streamed, at most :data:`MAX_FEED_BYTES`). Failures raise a
  :class:`FeedError` subclass whose message names the feed.
* :func:`transform_data` — bytes → ``feedparser.parse`` → the news frame below.

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
import requests

from data_sources.config import offline_forced
from data_sources.sanitize import plain_text, safe_url, truncate_text
from data_sources.tagging import TagRule, load_rules, tag_text

NEWS_COLUMNS: tuple[str, ...] = (
    "published", "source", "title", "link", "summary_text", "tags", "uid", "date_flag", "date_raw",
)
DATE_FLAGS: tuple[str, ...] = ("", "missing", "future", "absurd")
FEEDS_PATH = Path(__file__).with_name("feeds.toml")
MAX_FEED_BYTES = 5 * 1024 * 1024
TIMEOUT = (5, 15)
USER_AGENT = "column-dashboard/0.1 (personal news reader; +https://github.com/kurtmckee/feedparser)"
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
TITLE_MAX = 300
SUMMARY_MAX = 400
EARLIEST = pd.Timestamp("1995-01-01", tz="UTC")
FUTURE_SKEW = timedelta(minutes=15)
FUTURE_LIMIT = timedelta(days=2)
_REAL_GET = requests.get
_REDDIT_FOOTER = re.compile(r"\s*submitted by\s+/u/\S+\s*(?:\[link\])?\s*(?:\[comments\])?\s*$")
_HARMLESS_BOZO = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)

Progress = Callable[[float, str], None]
Getter = Callable[..., Any]


# ---------------------------------------------------------------- errors and configs


class FeedError(Exception):
    """A feed could not be fetched or read; ``str(err)`` starts with the feed's name."""

    code = "error"

    def __init__(self, feed: str, detail: str) -> None:
        super().__init__(f"{feed}: {detail}")
        self.feed = feed
        self.detail = detail


class FeedURLError(FeedError):
    """The feed's URL is not an http(s) address."""

    code = "bad_url"


class FeedOfflineError(FeedError):
    """Offline mode (``DASHBOARD_OFFLINE=1``) forbids network access."""

    code = "offline"


class FeedConnectionError(FeedError):
    """The server could not be reached."""

    code = "connection"


class FeedDNSError(FeedConnectionError):
    """The host name could not be resolved."""

    code = "dns"


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


def _is_dns_failure(exc: BaseException) -> bool:
    text = repr(exc)
    seen: BaseException | None = exc
    while seen is not None:
        text += " " + repr(seen)
        seen = seen.__cause__ or seen.__context__
    markers = ("NameResolution", "getaddrinfo", "Name or service not known", "nodename nor servname",
               "Temporary failure in name resolution", "No address associated", "gaierror")
    return any(m in text for m in markers)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def extract_data(request: FeedRequest, get: Getter | None = None, max_bytes: int | None = None) -> tuple[bytes, str]:
    """Download one feed: (body bytes, content type). Raises a :class:`FeedError` subclass.

    ``get`` defaults to ``requests.get``; in offline mode (``DASHBOARD_OFFLINE=1``) the real
    ``requests.get`` is never called. ``max_bytes`` defaults to :data:`MAX_FEED_BYTES`.
    """
    max_bytes = MAX_FEED_BYTES if max_bytes is None else max_bytes
    feed, host = request.feed, _host(request.url)
    if get is None:
        if offline_forced() and requests.get is _REAL_GET:
            raise FeedOfflineError(feed, "not fetched: the app runs offline (DASHBOARD_OFFLINE=1)")
        get = requests.get
    try:
        resp = get(request.url, timeout=TIMEOUT, stream=True, headers={"User-Agent": USER_AGENT, "Accept": ACCEPT})
    except requests.Timeout as exc:
        raise FeedTimeoutError(feed, f"{host} did not answer within {TIMEOUT[1]} seconds") from exc
    except requests.TooManyRedirects as exc:
        raise FeedHTTPError(feed, f"{host} redirected too many times") from exc
    except requests.ConnectionError as exc:
        if _is_dns_failure(exc):
            raise FeedDNSError(feed, f"could not find the server {host} (DNS lookup failed; check the address "
                                     "and your internet connection)") from exc
        raise FeedConnectionError(feed, f"could not connect to {host} ({type(exc).__name__})") from exc
    except (requests.RequestException, ValueError) as exc:
        raise FeedConnectionError(feed, f"the request to {host} failed ({type(exc).__name__})") from exc
    try:
        return _read_body(resp, feed, host, max_bytes)
    finally:
        close = getattr(resp, "close", None)
        if callable(close):
            close()


def _read_body(resp: Any, feed: str, host: str, max_bytes: int) -> tuple[bytes, str]:
    status = int(getattr(resp, "status_code", 0) or 0)
    if not 200 <= status < 300:
        reason = plain_text(getattr(resp, "reason", "") or "", 60)
        raise FeedHTTPError(feed, f"{host} answered HTTP {status}{' ' + reason if reason else ''}", status)
    headers = {str(k).lower(): str(v) for k, v in (getattr(resp, "headers", None) or {}).items()}
    limit_mb = f"{max_bytes / 1024 / 1024:g} MB"
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FeedTooLargeError(feed, f"the feed is {int(length) / 1024 / 1024:.1f} MB, over the {limit_mb} limit")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in resp.iter_content(chunk_size=64 * 1024):
            if not chunk:
                continue
            size += len(chunk)
            if size > max_bytes:
                raise FeedTooLargeError(feed, f"the feed is larger than the {limit_mb} limit; stopped reading")
            chunks.append(chunk)
    except requests.Timeout as exc:
        raise FeedTimeoutError(feed, f"{host} stopped sending data (timed out while reading)") from exc
    except requests.RequestException as exc:
        raise FeedConnectionError(feed, f"the connection to {host} broke while reading ({type(exc).__name__})") from exc
    data = b"".join(chunks)
    if not data.strip():
        raise FeedParseError(feed, f"{host} returned an empty response, not a feed")
    return data, headers.get("content-type", "")


# ---------------------------------------------------------------- step 3: transform (bytes → frame)


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
) -> tuple[pd.DataFrame, list[FeedProblem]]:
    """Parse feed bytes into the news frame: (frame, warnings). Raises :class:`FeedParseError`.

    ``source`` names the items (default: the feed's own title, else ``fallback_source``).
    A malformed ("bozo") feed still yields whatever was recovered, plus a warning.
    """
    label = source or fallback_source
    stamp_now = pd.Timestamp(now if now is not None else datetime.now(UTC))
    stamp_now = stamp_now.tz_localize("UTC") if stamp_now.tzinfo is None else stamp_now.tz_convert("UTC")
    rules = rules if rules is not None else load_rules()
    problems: list[FeedProblem] = []
    if _looks_like_json(data):
        feed_title, entries = _parse_json_feed(data, label)
    else:
        headers = {"content-type": content_type} if content_type else None
        try:
            parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
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
    get: Getter | None = None,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
    rules: tuple[TagRule, ...] | None = None,
) -> tuple[pd.DataFrame, list[FeedProblem]]:
    """Fetch and parse every feed: (combined news frame sorted newest first, problems).

    ``get`` defaults to ``requests.get``. One feed's failure never stops the others.
    ``progress(fraction, message)`` is called before each feed and at the end.
    """
    requests_, problems = transform_query(feeds)
    frames = []
    for i, req in enumerate(requests_):
        if progress:
            progress(i / max(len(requests_), 1), f"{req.feed} ({i + 1}/{len(requests_)})")
        try:
            data, content_type = extract_data(req, get)
            frame, warnings = transform_data(data, req.feed, content_type=content_type, now=now, rules=rules)
        except FeedError as err:
            problems.append(FeedProblem.from_error(err))
            continue
        except Exception as exc:  # an unexpected bug in one feed must not stop the rest
            problems.append(FeedProblem(req.feed, "unexpected", f"{req.feed}: unexpected {type(exc).__name__}"))
            continue
        problems.extend(warnings)
        frames.append(frame)
    if progress:
        progress(1.0, "done")
    frames = [f for f in frames if not f.empty]
    combined = pd.concat(frames, ignore_index=True) if frames else empty_news()
    return sort_news(normalise_news(combined)), problems
