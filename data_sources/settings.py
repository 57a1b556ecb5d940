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
_LOWEST = {"store_poll": 0.1, "price_deadline_s": 0.5}  # a smaller number is raised to this
_TEXT = ("store_url", "db_url", "fetch_allow", "s3_endpoint")  # empty means unset; kept as it is
FAULT_STEPS = ("mid-write", "before-rename", "after-rename")


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
    import_root: Path | None = Field(None, description="the one folder (and its subfolders) the Data page may "
                                     "import CSV files from; unset: the browser cannot import from the server")
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
    fault_at: Literal["", "mid-write", "before-rename", "after-rename"] = Field(
        "", description="tests only: kill a store writer at that step")
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
        lowest = _LOWEST.get(info.field_name)
        return max(lowest, value) if lowest is not None else value

    @property
    def store_folder(self) -> Path:
        """The store folder: :attr:`data_dir` (``~`` expanded) or the platform's user data folder."""
        return self.data_dir.expanduser() if self.data_dir else Path(user_data_dir(APP_NAME, appauthor=False))

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """:attr:`fetch_allow` as lower-case host names / addresses."""
        return frozenset(h.strip().lower().strip("[]") for h in self.fetch_allow.split(",") if h.strip())

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
