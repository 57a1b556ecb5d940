"""The local news store: every item ever fetched or imported (the feed list is :mod:`.feedlist`).

Files under the store root (written with :mod:`data_sources.store.atomic`, under its write lock):

* ``news.parquet`` — the news frame (see :mod:`data_sources.news.parse`) plus ``first_seen``
  (UTC time the item entered the store). Items are never dropped when a feed moves on.
* ``feed_http.json`` — per feed URL, the ``etag`` / ``last_modified`` validators of its last
  good fetch, sent as a conditional GET next time (a 304 keeps the stored items). Written
  only after that fetch's items were merged, and only sent while the store holds items of
  that feed, so a 304 can never leave a feed empty.

De-duplication (across fetches, snapshots and feeds): an incoming item is a duplicate of a
stored one when they share the ``uid``, or the link, or the normalised title — the title
only counts when the two come from different sources or one of them has no link (one
feed may reuse a title for different pages, e.g. two "GPT-4" posts). The stored copy wins.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.errors import Problem
from data_sources.news.errors import FeedProblem
from data_sources.news.feedlist import list_feeds
from data_sources.news.feeds import FeedConfig
from data_sources.news.fetch import FeedFetch, fetch_feeds, load_feed_file
from data_sources.news.frame import normalise_news, sort_news, title_key
from data_sources.news.sanitize import safe_url
from data_sources.news.tagging import load_rules
from data_sources.store.atomic import read_json, read_table, write_json, write_lock, write_table
from data_sources.store.import_root import files_inside

NEWS_FILE = "news.parquet"
HTTP_FILE = "feed_http.json"
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".json")
Progress = Callable[[float, Problem], None]  # (fraction done, the step: a progress.* code)


@dataclass
class NewsReport:
    """What an import or refresh did: items read/added, the store total, per-source counts, problems."""

    read: int = 0
    added: int = 0
    total: int = 0
    per_source: dict[str, int] = field(default_factory=dict)
    problems: list[FeedProblem] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # feeds that answered 304 Not Modified

    @property
    def errors(self) -> list[FeedProblem]:
        """Problems that cost a whole feed/file."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[FeedProblem]:
        """Problems where items were still recovered."""
        return [p for p in self.problems if p.severity != "error"]

    def summary(self) -> list[Problem]:
        """What it did, for one line: items read, new and stored (``news.read``), then how many feeds failed,
        warned or were unchanged (``news.failed``, ``news.warnings``, ``news.unchanged``), where any did."""
        parts = [Problem("news.read", {"read": self.read, "added": self.added, "total": self.total})]
        for code, count in (("news.failed", len(self.errors)), ("news.warnings", len(self.warnings)),
                            ("news.unchanged", len(self.unchanged))):
            if count:
                parts.append(Problem(code, {"count": count}))
        return parts


# ---------------------------------------------------------------- news table


def _to_disk(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["tags"] = ["|".join(t) for t in out["tags"]]
    return out


def empty_news() -> pd.DataFrame:
    """No news, in the stored frame's shape (with ``first_seen``)."""
    frame = normalise_news(pd.DataFrame())
    frame["first_seen"] = pd.Series(dtype="datetime64[ns, UTC]")
    return frame


def encode_news(frame: pd.DataFrame) -> bytes:
    """The Parquet bytes of a news snapshot as the refresher publishes it (the local table's columns)."""
    buffer = io.BytesIO()
    _to_disk(normalise_news(frame)).to_parquet(buffer, index=False, compression="zstd")
    return buffer.getvalue()


def decode_news(raw: bytes) -> pd.DataFrame:
    """A published news snapshot back as the frame :func:`load_news` returns."""
    frame = normalise_news(pd.read_parquet(io.BytesIO(raw)))
    if "first_seen" not in frame.columns:
        frame["first_seen"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    return sort_news(frame)


def load_news(root: Path) -> pd.DataFrame:
    """All stored news, newest first (NaT last). A fallback-to-backup warning is in ``frame.attrs["warning"]``."""
    raw, _meta, warning = read_table(Path(root) / NEWS_FILE)
    frame = normalise_news(raw)
    if "first_seen" not in frame.columns:
        frame["first_seen"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    frame = sort_news(frame)
    if warning:
        frame.attrs["warning"] = warning
    return frame


def _dedupe_new(existing: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``incoming`` that are not duplicates of ``existing`` or of earlier incoming rows."""
    uids = set(existing["uid"])
    links = {x for x in existing["link"] if x}
    titles: dict[str, list[tuple[str, bool]]] = {}
    for src, title, link in zip(existing["source"], existing["title"], existing["link"], strict=True):
        key = title_key(title)
        if key:
            titles.setdefault(key, []).append((src, bool(link)))
    keep = []
    for i, (uid, src, title, link) in enumerate(
        zip(incoming["uid"], incoming["source"], incoming["title"], incoming["link"], strict=True)
    ):
        if uid in uids or (link and link in links):
            continue
        key = title_key(title)
        seen = titles.get(key, []) if key else []
        if any(other_src != src or not other_link or not link for other_src, other_link in seen):
            continue
        keep.append(i)
        uids.add(uid)
        if link:
            links.add(link)
        if key:
            titles.setdefault(key, []).append((src, bool(link)))
    return incoming.iloc[keep]


def merge_news(root: Path, frame: pd.DataFrame, now: datetime | None = None) -> tuple[int, int]:
    """Add the new items of ``frame`` to the store: (added, total). Nothing stored is ever dropped."""
    root = Path(root)
    incoming = normalise_news(frame)
    with write_lock(root):
        existing = load_news(root)
        fresh = _dedupe_new(existing, incoming).copy()
        if fresh.empty:
            return 0, len(existing)
        stamp = pd.Timestamp(now or datetime.now(UTC))
        fresh["first_seen"] = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        fresh["first_seen"] = fresh["first_seen"].astype("datetime64[ns, UTC]")
        parts = [f for f in (existing, fresh) if not f.empty]
        merged = sort_news(normalise_news(pd.concat(parts, ignore_index=True)))
        write_table(root / NEWS_FILE, _to_disk(merged), {"table": "news", "version": 1})
        return len(fresh), len(merged)


def seed_news(root: Path, frame: pd.DataFrame) -> bool:
    """Store ``frame`` exactly (``first_seen`` kept) when the store holds no news yet: a new refresher folder
    starting from the published snapshot. False (nothing written) when news is already stored."""
    root = Path(root)
    with write_lock(root):
        if not load_news(root).empty or frame.empty:
            return False
        write_table(root / NEWS_FILE, _to_disk(sort_news(normalise_news(frame))), {"table": "news", "version": 1})
    return True


def import_feed_dir(root: Path, folder: Path, progress: Progress | None = None,
                    within: Path | None = None) -> NewsReport:
    """Import every ``*.xml/*.rss/*.atom/*.json`` file in ``folder``; per-file problems are reported. With
    ``within`` (a page's import root, :mod:`data_sources.store.import_root`), files whose real path leads outside
    it are skipped."""
    folder = Path(folder)
    report = NewsReport()
    if not folder.is_dir():
        report.problems.append(FeedProblem(folder.name or str(folder), Problem("feed.not_a_folder", {
            "feed": folder.name or str(folder)})))
        report.total = len(load_news(root))
        return report
    files = files_inside(folder, within, FEED_SUFFIXES)
    if not files:
        report.problems.append(FeedProblem(folder.name or str(folder), Problem("feed.no_files", {
            "feed": folder.name or str(folder)})))
    frames = []
    rules = load_rules()
    for i, path in enumerate(files):
        if progress:
            progress(0.9 * i / len(files), Problem("progress.feed", {"feed": path.name, "index": i + 1,
                                                                      "count": len(files)}))
        frame, problems = load_feed_file(path, rules=rules)
        report.problems.extend(problems)
        if not frame.empty:
            frames.append(frame)
            for src, count in frame["source"].value_counts().items():
                report.per_source[src] = report.per_source.get(src, 0) + int(count)
    return _finish(root, frames, report, progress)


def feed_validators(root: Path) -> dict[str, dict[str, str]]:
    """Stored conditional-GET validators: feed URL → {"etag", "last_modified"}."""
    raw = read_json(Path(root) / HTTP_FILE)
    feeds = raw.get("feeds") if isinstance(raw, dict) else None
    if not isinstance(feeds, dict):
        return {}
    return {str(url): {"etag": str(v.get("etag") or ""), "last_modified": str(v.get("last_modified") or "")}
            for url, v in feeds.items() if isinstance(v, dict)}


def _save_validators(root: Path, fetched: Mapping[str, FeedFetch]) -> None:
    if not fetched:
        return
    with write_lock(Path(root)):
        stored = feed_validators(root)
        for url, result in fetched.items():
            if result.etag or result.last_modified:
                stored[url] = {"etag": result.etag, "last_modified": result.last_modified}
            elif not result.not_modified:
                stored.pop(url, None)
        write_json(Path(root) / HTTP_FILE, {"version": 1, "feeds": stored})


def refresh_news(
    root: Path,
    feeds: Iterable[FeedConfig | Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    *,
    deadline_s: float | None = None,
) -> NewsReport:
    """Fetch ``feeds`` (default: :func:`list_feeds`) and merge them into the store.

    Conditional GET: a feed's stored validators are sent while the store holds its items; a
    304 keeps them (listed in ``report.unchanged``, not an error). Feed failures are in the
    report; store errors (:class:`~data_sources.store.atomic.StoreError`) propagate with their own
    message. ``deadline_s`` overrides the per-feed deadline.
    """
    root = Path(root)
    feed_list = list(feeds) if feeds is not None else list_feeds(root)
    stored_sources = set(load_news(root)["source"])
    names = {}
    for feed in feed_list:
        name = feed.get("name") if isinstance(feed, Mapping) else feed.name
        url = feed.get("url") if isinstance(feed, Mapping) else feed.url
        names[safe_url(url)] = str(name)
    validators = {url: v for url, v in feed_validators(root).items() if names.get(url) in stored_sources}

    def _fetch_progress(fraction: float, message: str) -> None:
        if progress:
            progress(0.9 * fraction, message)

    fetched: dict[str, FeedFetch] = {}
    frame, problems = fetch_feeds(feed_list, progress=_fetch_progress, validators=validators, fetched=fetched,
                                  deadline_s=deadline_s)
    report = NewsReport(problems=list(problems))
    report.unchanged = [names.get(url, url) for url, result in fetched.items() if result.not_modified]
    if not frame.empty:
        report.per_source = {str(k): int(v) for k, v in frame["source"].value_counts().items()}
    report = _finish(root, [frame], report, progress)
    _save_validators(root, fetched)  # only after the items are stored
    return report


def _finish(root: Path, frames: list[pd.DataFrame], report: NewsReport, progress: Progress | None) -> NewsReport:
    frames = [f for f in frames if not f.empty]
    report.read = sum(len(f) for f in frames)
    if progress:
        progress(0.95, Problem("progress.storing"))
    if frames:
        report.added, report.total = merge_news(root, pd.concat(frames, ignore_index=True))
    else:
        report.total = len(load_news(root))
    if progress:
        progress(1.0, Problem("progress.done"))
    return report
