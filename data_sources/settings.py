"""Every ``DASHBOARD_*`` environment variable in one settings object, read once per process.

:func:`settings` reads the environment the first time it is called and keeps the result; :func:`reload`
reads it again (tests that change a variable). A value that cannot be read (a word where a number belongs,
a number out of range) gives that variable's default, as an unset variable does. The README's configuration
table is generated from the field descriptions here: ``python -m data_sources settings --markdown``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "column-dashboard"
PREFIX = "DASHBOARD_"
_YES = {"1", "true", "yes", "on"}
_NO = {"0", "off", "false", "no", "never"}
_LOWEST = {"store_poll": 0.1, "price_deadline_s": 0.5, "store_max_mb": 0.001, "store_bad_retry": 0.0,
           "prune_grace": 0.0, "publish_retries": 1, "publish_backoff": 0.0, "db_pool_size": 1,
           "db_max_overflow": 0, "db_pool_timeout": 0.1, "tab_check": 1.0,
           "warmup_seconds": 1.0}  # a smaller number is raised to this
_HIGHEST = {"store_max_mb": 4096.0}  # a larger number is lowered to this
_TEXT = ("store_url", "db_url", "fetch_allow", "s3_endpoint", "warmup_pages")  # empty means unset; kept as it is
FAULT_STEPS = ("mid-write", "before-rename", "after-rename")
#: The shared store's publish steps (data_sources.shared.publish): ``DASHBOARD_FAULT_AT=publish-<step>``.
PUBLISH_STEPS = ("rolled-forward", "merged", "staged", "claimed", "verified", "pointed", "pruned", "prune-listed")
DEFAULT_WARMUP_PAGES = "column:ko,column:en,library:ko,library:en,compare,fx,news,data"


class Settings(BaseSettings):
    """The dashboard's configuration: one field per ``DASHBOARD_<FIELD>`` variable."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore")

    data_dir: Path | None = Field(None, description="the store folder (prices, news, the readers' SQLite "
                                  "database); unset: the platform's user data folder "
                                  "(`~/.local/share/column-dashboard` on Linux)")
    offline: bool = Field(False, description="`1` (or `true`, `yes`, `on`): nothing touches the network; pages "
                          "serve the store")
    refresh: bool = Field(True, description="`off` (or `0`, `false`, `no`, `never`): this process never calls "
                          "Yahoo, the ECB or news feeds (app replicas behind one refresher)")
    import_root: Path | None = Field(None, description="the one folder (and its subfolders) the Data and AI news "
                                     "pages may import files from; unset: the browser cannot import from the server")
    db_url: str = Field("", description="the readers' database (notes, saved columns, feeds): a "
                        "`postgresql://…` URL; unset: SQLite in the data folder")
    notes: Literal["private", "shared"] = Field("private", description="`shared`: one set of notes for every "
                                                "visitor; `private`: each reader's own notebook")
    store_url: str = Field("", description="`s3://bucket/prefix`: read the store a refresher publishes there; "
                           "unset: the local data folder")
    s3_endpoint: str = Field("", description="the S3 API's base URL (MinIO, R2); unset: AWS")
    s3_region: str = Field("us-east-1", description="the bucket's region")
    store_poll: float = Field(30.0, description="seconds between two checks of the shared store for a "
                              "new version (at least 0.1)")
    price_deadline_s: float = Field(30.0, description="seconds one price refresh (Yahoo) may take, end to end "
                                    "(at least 0.5)")
    feed_deadline: float = Field(20.0, gt=0, lt=3600, description="seconds allowed to fetch one news feed, end "
                                 "to end")
    feed_parse_seconds: float = Field(10.0, gt=0, lt=3600, description="seconds allowed to parse one news feed")
    fetch_allow: str = Field("", description="comma-separated hosts or addresses news feeds may be fetched from "
                             "although they are not public (a feed server on the LAN)")
    fault_at: str = Field("", description="tests only: kill a store writer at that step (`mid-write`, "
                          "`before-rename`, `after-rename`, or a publish step: `publish-staged`, …)")
    store_max_mb: float = Field(64.0, description="the largest object of the shared store (prices or news) a "
                                "replica or the refresher reads, in MB (at most 4096)")
    store_bad_retry: float = Field(600.0, description="seconds before a shared-store version that failed its "
                                   "checks (hash, size, key, Parquet) is read again")
    prune_grace: float = Field(3600.0, description="seconds an object of the shared store that no version names "
                               "is kept after it was written (a publish in progress)")
    publish_retries: int = Field(5, description="how many times the refresher tries one publish through an S3 "
                                 "outage (at least 1)")
    publish_backoff: float = Field(2.0, description="seconds before the first retry of a publish; doubled after "
                                   "each, at most 60")
    db_pool_size: int = Field(3, description="connections one process keeps open to PostgreSQL (at least 1)")
    db_max_overflow: int = Field(2, description="connections one process may open to PostgreSQL beyond the pool "
                                 "at a burst")
    db_pool_timeout: float = Field(10.0, description="seconds a page waits for a free PostgreSQL connection "
                                   "before the readers' database reads as unavailable (at least 0.1)")
    tab_check: float = Field(5.0, description="seconds between two checks by an open tab for new data (at least "
                             "1; read when the server starts)")
    warmup_pages: str = Field(DEFAULT_WARMUP_PAGES, description="pages `python -m ui.serve` views before the "
                              "replica reports healthy: `page[:lang]`, comma-separated; `off` (or empty): none")
    warmup_seconds: float = Field(300.0, description="seconds the warm-up may take before the replica reports "
                                  "healthy anyway (at least 1)")
    extract_idle_s: float = Field(600.0, gt=0, description="seconds without a request after which the claim "
                                  "extraction worker process exits")
    propose_budget_s: float | None = Field(None, gt=0, lt=3600, description="seconds a reader waits for proposed "
                                           "claims; unset: the extraction rules' time budget")
    shared_dir: Path | None = Field(None, description="tests and benchmarks only: the shared data folder; "
                                    "unset: `../shared` beside the project")

    @field_validator("*", mode="wrap")
    @classmethod
    def _default_when_unreadable(cls, value: Any, handler, info) -> Any:
        """An unreadable value reads as unset (the field's default), as before this object existed."""
        if isinstance(value, str):
            value = value.strip()
            if value == "" and info.field_name not in _TEXT:
                return cls.model_fields[info.field_name].default
        if info.field_name in ("offline", "refresh") and isinstance(value, str):
            lowered = value.lower()
            return lowered in _YES if info.field_name == "offline" else lowered not in _NO
        if info.field_name == "notes" and isinstance(value, str):
            return "shared" if value.lower() == "shared" else "private"
        try:
            value = handler(value)
        except ValueError:
            return cls.model_fields[info.field_name].default
        if isinstance(value, float) and value != value:  # NaN reads as unset
            return cls.model_fields[info.field_name].default
        if info.field_name == "fault_at" and value not in (*FAULT_STEPS, *(f"publish-{s}" for s in PUBLISH_STEPS)):
            return ""
        lowest, highest = _LOWEST.get(info.field_name), _HIGHEST.get(info.field_name)
        value = max(lowest, value) if lowest is not None else value
        return min(highest, value) if highest is not None else value

    @property
    def store_folder(self) -> Path:
        """The store folder: :attr:`data_dir` (``~`` expanded) or the platform's user data folder."""
        return self.data_dir.expanduser() if self.data_dir else Path(user_data_dir(APP_NAME, appauthor=False))

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """:attr:`fetch_allow` as lower-case host names / addresses."""
        return frozenset(h.strip().lower().strip("[]") for h in self.fetch_allow.split(",") if h.strip())

    @property
    def store_max_bytes(self) -> int:
        """:attr:`store_max_mb` in bytes."""
        return int(self.store_max_mb * 1024 * 1024)

    @property
    def shared_store(self) -> bool:
        """True when :attr:`store_url` names object storage (``s3://…``)."""
        return is_shared_url(self.store_url)


def is_shared_url(url: str) -> bool:
    """True for an object-storage URL (``s3://…``); anything else is a local folder."""
    return url.strip().lower().startswith("s3://")


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings, read from the environment on first use."""
    return Settings()


def reload() -> Settings:
    """Read the environment again (after a test changed a variable)."""
    settings.cache_clear()
    return settings()


def env_name(field: str) -> str:
    """The environment variable of a field: ``data_dir`` → ``DASHBOARD_DATA_DIR``."""
    return PREFIX + field.upper()


def markdown_table() -> str:
    """The README's configuration table: every variable, its default and what it does."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, info in Settings.model_fields.items():
        default = info.default
        if isinstance(default, bool):
            default = "1" if default else "0"
        shown = "unset" if default in (None, "") else f"`{default}`"
        lines.append(f"| `{env_name(name)}` | {shown} | {info.description} |")
    return "\n".join(lines)
