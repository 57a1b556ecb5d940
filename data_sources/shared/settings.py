"""Environment settings for running many replicas (one place, read on every call so tests can change them).

=========================  ===============================================================
variable                   meaning
=========================  ===============================================================
DASHBOARD_STORE_URL        a local folder (default: ``DASHBOARD_DATA_DIR``) or ``s3://bucket/prefix``
DASHBOARD_S3_ENDPOINT      the S3 API's base URL (MinIO, R2, moto); unset: AWS
DASHBOARD_S3_REGION        the bucket's region (default ``us-east-1``)
DASHBOARD_STORE_POLL       seconds between two checks of the shared pointer (default 30)
DASHBOARD_REFRESH          ``off``: this process never calls Yahoo, the ECB or news feeds
DASHBOARD_STORE_MAX_MB     the largest published object a replica or the refresher reads (default 64)
DASHBOARD_STORE_BAD_RETRY  seconds before a version that failed its checks is read again (default 600)
DASHBOARD_PRUNE_GRACE      seconds an unreferenced data object is kept after it was written (default 3600)
DASHBOARD_PUBLISH_RETRIES  how many times the refresher tries to publish through an S3 outage (default 5)
DASHBOARD_PUBLISH_BACKOFF  seconds before the first retry; doubled each time, at most 60 (default 2)
=========================  ===============================================================

Credentials come from the usual ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` variables.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

DEFAULT_POLL_SECONDS = 30.0
DEFAULT_MAX_MB = 64.0
DEFAULT_BAD_RETRY_SECONDS = 600.0
DEFAULT_PRUNE_GRACE_SECONDS = 3600.0
DEFAULT_PUBLISH_RETRIES = 5
DEFAULT_PUBLISH_BACKOFF_SECONDS = 2.0
_OFF = {"0", "off", "false", "no", "never"}


def store_url() -> str:
    """``DASHBOARD_STORE_URL`` stripped; empty means the local data dir (today's default)."""
    return os.environ.get("DASHBOARD_STORE_URL", "").strip()


def is_shared_url(url: str) -> bool:
    """True for an object-storage URL (``s3://…``); anything else is a local folder."""
    return url.lower().startswith("s3://")


def s3_endpoint() -> str | None:
    """``DASHBOARD_S3_ENDPOINT`` (e.g. ``http://minio:9000``) or None for AWS itself (checked where it is used:
    :func:`endpoint_problem`)."""
    return os.environ.get("DASHBOARD_S3_ENDPOINT", "").strip() or None


def endpoint_problem(endpoint: str | None) -> str | None:
    """Why ``endpoint`` is not an ``http(s)://host[:port]`` address (None when it is, or when unset)."""
    if endpoint is None:
        return None
    parsed = urlparse(endpoint)
    try:
        parsed.port  # noqa: B018  (raises ValueError on a port that is not a number in range)
    except ValueError:
        return f"DASHBOARD_S3_ENDPOINT {endpoint!r} has a bad port"
    if parsed.scheme.lower() not in {"http", "https"} or not parsed.hostname:
        return f"DASHBOARD_S3_ENDPOINT {endpoint!r} is not an http(s)://host[:port] address"
    if parsed.path.strip("/") or parsed.query or parsed.fragment or parsed.username or parsed.password:
        return f"DASHBOARD_S3_ENDPOINT {endpoint!r} must be only http(s)://host[:port] (no path, query or user)"
    return None


def s3_region() -> str:
    """``DASHBOARD_S3_REGION`` or ``us-east-1``."""
    return os.environ.get("DASHBOARD_S3_REGION", "").strip() or "us-east-1"


def _number(name: str, default: float, lowest: float) -> float:
    """``$name`` as a number of at least ``lowest``; ``default`` when unset or not a number."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return max(lowest, value) if value == value else default  # NaN reads as unset


def poll_seconds() -> float:
    """How often a replica checks the pointer: ``DASHBOARD_STORE_POLL`` seconds (≥ 0.1), default 30."""
    return _number("DASHBOARD_STORE_POLL", DEFAULT_POLL_SECONDS, 0.1)


def max_object_bytes() -> int:
    """The largest published object (prices or news) that is read: ``DASHBOARD_STORE_MAX_MB`` (default 64 MB)."""
    return int(min(_number("DASHBOARD_STORE_MAX_MB", DEFAULT_MAX_MB, 0.001), 4096.0) * 1024 * 1024)


def bad_retry_seconds() -> float:
    """How long a version that failed its checks (hash, size, key, Parquet) is not read again."""
    return _number("DASHBOARD_STORE_BAD_RETRY", DEFAULT_BAD_RETRY_SECONDS, 0.0)


def prune_grace_seconds() -> float:
    """How long a data object no manifest names is kept after it was written (a publish in progress)."""
    return _number("DASHBOARD_PRUNE_GRACE", DEFAULT_PRUNE_GRACE_SECONDS, 0.0)


def publish_retries() -> int:
    """How many times the refresher tries one publish through an S3 outage (at least 1)."""
    return int(_number("DASHBOARD_PUBLISH_RETRIES", DEFAULT_PUBLISH_RETRIES, 1))


def publish_backoff_seconds() -> float:
    """The wait before the first retry of a publish (doubled after each, at most 60 s)."""
    return _number("DASHBOARD_PUBLISH_BACKOFF", DEFAULT_PUBLISH_BACKOFF_SECONDS, 0.0)


def refresh_allowed() -> bool:
    """False when ``DASHBOARD_REFRESH`` is off: app replicas then never call Yahoo, the ECB or feeds.

    The page-view refresh (``ui.chrome.auto_refresh_on_open``) and any news refresh button must check it;
    the refresher process runs with it unset.
    """
    return os.environ.get("DASHBOARD_REFRESH", "").strip().lower() not in _OFF
