"""Environment settings for running many replicas (one place, read on every call so tests can change them).

=========================  ===============================================================
variable                   meaning
=========================  ===============================================================
DASHBOARD_STORE_URL        a local folder (default: ``DASHBOARD_DATA_DIR``) or ``s3://bucket/prefix``
DASHBOARD_S3_ENDPOINT      the S3 API's base URL (MinIO, R2, moto); unset: AWS
DASHBOARD_S3_REGION        the bucket's region (default ``us-east-1``)
DASHBOARD_STORE_POLL       seconds between two checks of the shared pointer (default 30)
DASHBOARD_REFRESH          ``off``: this process never calls Yahoo, the ECB or news feeds
=========================  ===============================================================

Credentials come from the usual ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` variables.
"""

from __future__ import annotations

import os

DEFAULT_POLL_SECONDS = 30.0
_OFF = {"0", "off", "false", "no", "never"}


def store_url() -> str:
    """``DASHBOARD_STORE_URL`` stripped; empty means the local data dir (today's default)."""
    return os.environ.get("DASHBOARD_STORE_URL", "").strip()


def is_shared_url(url: str) -> bool:
    """True for an object-storage URL (``s3://…``); anything else is a local folder."""
    return url.lower().startswith("s3://")


def s3_endpoint() -> str | None:
    """``DASHBOARD_S3_ENDPOINT`` (e.g. ``http://minio:9000``) or None for AWS itself."""
    return os.environ.get("DASHBOARD_S3_ENDPOINT", "").strip() or None


def s3_region() -> str:
    """``DASHBOARD_S3_REGION`` or ``us-east-1``."""
    return os.environ.get("DASHBOARD_S3_REGION", "").strip() or "us-east-1"


def poll_seconds() -> float:
    """How often a replica checks the pointer: ``DASHBOARD_STORE_POLL`` seconds (≥ 0.1), default 30."""
    raw = os.environ.get("DASHBOARD_STORE_POLL", "").strip()
    try:
        return max(0.1, float(raw)) if raw else DEFAULT_POLL_SECONDS
    except ValueError:
        return DEFAULT_POLL_SECONDS


def refresh_allowed() -> bool:
    """False when ``DASHBOARD_REFRESH`` is off: app replicas then never call Yahoo, the ECB or feeds.

    The page-view refresh (``ui.chrome.auto_refresh_on_open``) and any news refresh button must check it;
    the refresher process runs with it unset.
    """
    return os.environ.get("DASHBOARD_REFRESH", "").strip().lower() not in _OFF
