"""The feeds to follow: the default list (``feeds.toml``), a validated request, and which feed a saved snapshot
file came from."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from data_sources.errors import InputError, toml_position
from data_sources.news.errors import FeedError

FEEDS_PATH = Path(__file__).with_name("feeds.toml")


class FeedListError(InputError):
    """The default feed list cannot be read, or a feed in it lacks a name or a URL (codes ``feedlist.*``)."""


@dataclass(frozen=True)
class FeedConfig:
    """A feed the reader follows; ``origin`` is "default" (feeds.toml) or "reader"."""

    name: str
    url: str
    language: str = "en"
    origin: str = "default"


@dataclass(frozen=True)
class FeedRequest:
    """A request for one feed: its name and http(s) URL, or (``error``) why it cannot be asked for."""

    feed: str
    url: str
    language: str = "en"
    error: FeedError | None = None


# ---------------------------------------------------------------- default feeds and snapshots


@lru_cache(maxsize=4)
def _feed_file(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            where = toml_position(exc)
            raise FeedListError("feedlist.bad_toml" if where else "feedlist.bad_toml_end", file=path.name,
                                **where) from exc
        raise FeedListError("feedlist.unreadable", file=path.name, reason=exc.strerror or str(exc)) from exc


def default_feeds(path: Path | None = None) -> list[FeedConfig]:
    """The default feeds from ``feeds.toml`` (or ``path``)."""
    raw = _feed_file(Path(path) if path else FEEDS_PATH)
    out = []
    for i, item in enumerate(raw.get("feed", [])):
        if not isinstance(item, dict) or not item.get("name") or not item.get("url"):
            raise FeedListError("feedlist.incomplete", file=FEEDS_PATH.name, index=i + 1)
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
