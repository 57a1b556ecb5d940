"""News feeds fetched and read in the adapter shape (:mod:`data_sources.fetcher`, :class:`FeedFetcher`), one
feed at a time.

* :func:`transform_query` — feed configs → :class:`~data_sources.news.feeds.FeedRequest` list; feeds whose URL
  is not http(s) are rejected with a message naming the feed (feedparser never sees a URL or a path: it only
  ever gets bytes in memory).
* :func:`extract` — the only network I/O: one GET per feed through :func:`data_sources.news.net.fetch_public`
  (public addresses only, redirects checked, one deadline of :func:`fetch_deadline` seconds for the whole
  exchange, at most :data:`~data_sources.news.parse.MAX_FEED_BYTES`, a cut-off body refused whole), with
  ``If-None-Match`` / ``If-Modified-Since`` when the store has validators (a 304 is not an error). Failures
  raise a :class:`~data_sources.news.errors.FeedError` whose message names the feed.
* :func:`data_sources.news.parse.parse_feed` — bytes → the news frame (in a helper process, under a time
  budget).

:func:`fetch_feeds` runs all three for many feeds (one feed's failure never stops the others) and
:func:`load_feed_file` reads a saved snapshot chosen by the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from data_sources.errors import Problem
from data_sources.news.errors import (
    FeedConnectionError,
    FeedError,
    FeedHTTPError,
    FeedOfflineError,
    FeedParseError,
    FeedProblem,
    FeedReadError,
    FeedRefusedError,
    FeedTimeoutError,
    FeedTooLargeError,
    FeedTruncatedError,
    FeedURLError,
)
from data_sources.news.feeds import FeedConfig, FeedRequest, source_for_snapshot
from data_sources.news.frame import empty_news, normalise_news, sort_news
from data_sources.news.net import FetchError, fetch_public
from data_sources.news.parse import MAX_FEED_BYTES, parse_feed
from data_sources.news.sanitize import plain_text, safe_url, truncate_text
from data_sources.news.tagging import TagRule
from data_sources.settings import settings

USER_AGENT = "column-dashboard/0.1 (personal news reader; +https://github.com/kurtmckee/feedparser)"
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
Progress = Callable[[float, Problem], None]  # (fraction done, the step: a progress.* code)


# ---------------------------------------------------------------- step 1: transform query


def _field(feed: FeedConfig | Mapping[str, Any], key: str, default: str = "") -> str:
    value = feed.get(key, default) if isinstance(feed, Mapping) else getattr(feed, key, default)
    return "" if value is None else str(value)


def transform_query(feeds: Iterable[FeedConfig | Mapping[str, Any]]) -> list[FeedRequest]:
    """One request per feed config, in order; a feed whose URL is not http(s) gets a request carrying its
    :class:`FeedURLError` (``extract`` raises it: nothing is fetched)."""
    requests_: list[FeedRequest] = []
    for i, feed in enumerate(feeds):
        name = plain_text(_field(feed, "name"), 80) or f"feed #{i + 1}"
        raw_url = _field(feed, "url")
        url = safe_url(raw_url)
        language = _field(feed, "language", "en") or "en"
        if not url:
            shown = truncate_text(plain_text(raw_url), 80) or "(empty)"
            err = FeedURLError(name, url=shown)
            requests_.append(FeedRequest(name, "", language, err))
            continue
        requests_.append(FeedRequest(name, url, language))
    return requests_


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
    """Seconds allowed for one feed end to end: ``DASHBOARD_FEED_DEADLINE`` (default 20)."""
    return settings().feed_deadline


_FETCH_ERRORS: dict[str, type[FeedError]] = {
    "refused": FeedRefusedError, "unreachable": FeedConnectionError, "timeout": FeedTimeoutError,
    "too_large": FeedTooLargeError, "http": FeedHTTPError, "redirects": FeedHTTPError,
    "truncated": FeedTruncatedError,
}


def extract(
    request: FeedRequest,
    *,
    etag: str = "",
    last_modified: str = "",
    deadline_s: float | None = None,
    max_bytes: int | None = None,
) -> FeedFetch:
    """Download one feed from a public address (:func:`data_sources.news.net.fetch_public`).

    Sends ``If-None-Match`` / ``If-Modified-Since`` when validators are given; a 304 is a
    :class:`FeedFetch` with ``not_modified``. Raises a :class:`FeedError` subclass naming the
    feed; in offline mode (``DASHBOARD_OFFLINE=1``) nothing is fetched.
    """
    feed = request.feed
    if request.error is not None:
        raise request.error
    if settings().offline:
        raise FeedOfflineError(feed)
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
        code = "feed.redirects" if exc.kind == "redirects" else None
        raise cls(feed, code, **exc.params) from exc
    validators = {"etag": result.headers.get("etag", "")[:200],
                  "last_modified": result.headers.get("last-modified", "")[:100]}
    if result.status == 304:
        return FeedFetch(b"", "", 304, **validators)
    if not result.body.strip():
        raise FeedParseError(feed, code="feed.empty_response", host=_host(result.url))
    return FeedFetch(result.body, result.headers.get("content-type", ""), result.status, **validators)


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
            raise FeedReadError(label, code="feed.not_a_file", file=path.name)
        size = path.stat().st_size
        if size > MAX_FEED_BYTES:
            raise FeedTooLargeError(label, size_mb=f"{size / 1024 / 1024:.1f}",
                                    limit_mb=f"{MAX_FEED_BYTES / 1024 / 1024:g}")
        data = path.read_bytes()
        if not data.strip():
            raise FeedParseError(label, code="feed.empty_file", file=path.name)
        return parse_feed(data, source, fallback_source=path.name, now=now, rules=rules)
    except FeedError as err:
        return empty_news(), [FeedProblem.from_error(err)]
    except OSError as exc:
        err = FeedReadError(label, file=path.name, reason=exc.strerror or str(exc))
        return empty_news(), [FeedProblem.from_error(err)]
    except Exception as exc:  # last line of defence: report, don't crash
        return empty_news(), [FeedProblem(label, Problem("feed.unexpected", {"feed": label,
                                                                            "error": type(exc).__name__}))]


class FeedFetcher:
    """News feeds in three steps (:class:`data_sources.fetcher.Fetcher`): configs → requests, one GET per request
    (conditional when ``validators`` hold the feed URL's ``etag`` / ``last_modified``), bytes → news frame."""

    def __init__(self, *, validators: Mapping[str, Mapping[str, str]] | None = None, deadline_s: float | None = None,
                 now: datetime | None = None, rules: tuple[TagRule, ...] | None = None) -> None:
        self.validators = validators or {}
        self.deadline_s, self.now, self.rules = deadline_s, now, rules

    def transform_query(self, feeds: Iterable[FeedConfig | Mapping[str, Any]]) -> list[FeedRequest]:
        """One request per feed (see :func:`transform_query`)."""
        return transform_query(feeds)

    def extract(self, request: FeedRequest) -> FeedFetch:
        """The feed's bytes, or a 304 (see :func:`extract`); raises the feed's :class:`FeedError`."""
        known = self.validators.get(request.url) or {}
        return extract(request, etag=str(known.get("etag") or ""), last_modified=str(known.get("last_modified") or ""),
                       deadline_s=self.deadline_s)

    def transform_data(self, raw: FeedFetch, request: FeedRequest) -> tuple[pd.DataFrame, list[FeedProblem]]:
        """(news frame, warnings) of one fetched feed; nothing for a 304 (the stored items stay)."""
        if raw.not_modified:
            return empty_news(), []
        return parse_feed(raw.data, request.feed, content_type=raw.content_type, now=self.now, rules=self.rules)


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
    fetcher = FeedFetcher(validators=validators, deadline_s=deadline_s, now=now, rules=rules)
    requests_ = fetcher.transform_query(feeds)
    problems = [FeedProblem.from_error(r.error) for r in requests_ if r.error is not None]
    requests_ = [r for r in requests_ if r.error is None]
    frames = []
    for i, req in enumerate(requests_):
        if progress:
            progress(i / max(len(requests_), 1), Problem("progress.feed", {"feed": req.feed, "index": i + 1,
                                                                            "count": len(requests_)}))
        try:
            result = fetcher.extract(req)
            frame, warnings = fetcher.transform_data(result, req)
        except FeedError as err:
            problems.append(FeedProblem.from_error(err))
            continue
        except Exception as exc:  # an unexpected bug in one feed must not stop the rest
            problems.append(FeedProblem(req.feed, Problem("feed.unexpected", {"feed": req.feed,
                                                                              "error": type(exc).__name__})))
            continue
        if fetched is not None:
            fetched[req.url] = FeedFetch(b"", "", result.status, result.etag, result.last_modified)
        if result.not_modified:
            continue
        problems.extend(warnings)
        frames.append(frame)
    if progress:
        progress(1.0, Problem("progress.done"))
    frames = [f for f in frames if not f.empty]
    combined = pd.concat(frames, ignore_index=True) if frames else empty_news()
    return sort_news(normalise_news(combined)), problems
