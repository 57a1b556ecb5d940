"""What can go wrong with one news feed: a :class:`FeedError` per kind (its ``code``), and :class:`FeedProblem`,
one feed's problem as a report keeps it."""

from __future__ import annotations

from dataclasses import dataclass


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
