"""What can go wrong with one news feed: a :class:`FeedError` per kind (its code, ``feed.*``, and the facts a
message names: the host, a status, seconds, sizes), and :class:`FeedProblem`, one feed's problem as a report
keeps it."""

from __future__ import annotations

from dataclasses import dataclass

from data_sources.errors import DashboardError, Problem


class FeedError(DashboardError):
    """A feed could not be fetched or read; ``feed`` is its name (as the reader or the feed list gave it).

    Each subclass has its own code (``CODE``); a subclass may be raised with a more precise one (``code=``),
    e.g. ``FeedParseError(feed, code="feed.html")`` for a web page.
    """

    CODE = "feed.error"

    def __init__(self, feed: str, code: str | None = None, **params: object) -> None:
        super().__init__(code or self.CODE, feed=feed, **params)
        self.feed = feed


class FeedURLError(FeedError):
    """The feed's URL is not an http(s) address (``url``: what was given)."""

    CODE = "feed.bad_url"


class FeedRefusedError(FeedError):
    """The feed's host is not a public internet address (and not allow-listed)."""

    CODE = "feed.refused"


class FeedTruncatedError(FeedError):
    """The server broke off before the whole feed arrived; nothing of it was kept."""

    CODE = "feed.truncated"


class FeedUnsafeError(FeedError):
    """The feed declares a DTD or entities; refused before parsing."""

    CODE = "feed.unsafe"


class FeedParseBudgetError(FeedError):
    """Parsing the feed took longer than its time budget (``seconds``)."""

    CODE = "feed.parse_budget"


class FeedOfflineError(FeedError):
    """Offline mode (``DASHBOARD_OFFLINE=1``) forbids network access."""

    CODE = "feed.offline"


class FeedConnectionError(FeedError):
    """No feed could be fetched from the server (DNS, refused, reset, TLS, not HTTP: one message)."""

    CODE = "feed.connection"


class FeedTimeoutError(FeedError):
    """The server did not answer in time (``seconds``)."""

    CODE = "feed.timeout"


class FeedHTTPError(FeedError):
    """The server answered with a non-2xx status (``status``), or redirected too often (``feed.redirects``)."""

    CODE = "feed.http"


class FeedTooLargeError(FeedError):
    """The response or file is larger than the limit (``limit_mb``; ``size_mb`` when known)."""

    CODE = "feed.too_large"


class FeedParseError(FeedError):
    """The bytes are not a feed, or nothing could be recovered from them (more precise codes: ``feed.html``,
    ``feed.empty_response``, ``feed.empty_file``, ``feed.not_json_feed``, ``feed.bad_json``, ``feed.not_rss``)."""

    CODE = "feed.not_a_feed"


class FeedReadError(FeedError):
    """A local feed file or folder could not be read."""

    CODE = "feed.read_failed"


@dataclass(frozen=True)
class FeedProblem:
    """One problem with one feed: ``severity`` is "error" (no items) or "warning" (items kept)."""

    feed: str
    problem: Problem
    severity: str = "error"

    @property
    def code(self) -> str:
        """The problem's code (``feed.*``)."""
        return self.problem.code

    @classmethod
    def from_error(cls, err: FeedError) -> FeedProblem:
        """The problem describing ``err``."""
        return cls(err.feed, err.problem, "error")
