"""Where the store lives and whether the network may be used (environment settings)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "column-dashboard"


def data_dir() -> Path:
    """The store folder: ``$DASHBOARD_DATA_DIR`` or the platform's user data dir."""
    configured = os.environ.get("DASHBOARD_DATA_DIR", "").strip()
    return Path(configured).expanduser() if configured else Path(user_data_dir(APP_NAME, appauthor=False))


def offline_forced() -> bool:
    """True when ``DASHBOARD_OFFLINE`` is set to 1/true/yes: never touch the network."""
    return os.environ.get("DASHBOARD_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
