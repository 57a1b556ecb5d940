"""The local news store: every item ever fetched or imported, and the reader's feed list.

Files under the store root (written with :mod:`data_sources.atomic`, under its write lock):

* ``news.parquet`` — the news frame (see :mod:`data_sources.news`) plus ``first_seen``
  (UTC time the item entered the store). Items are never dropped when a feed moves on.
* ``feeds.parquet`` — (earlier versions) the reader's changes to the default feed list; copied once
  into the readers' database (:func:`migrate_local_feeds`), where the feed list now lives: feeds readers
  added are in the database notebooks ``feeds-added-<language>``, hidden defaults in ``feeds-hidden``
  (one list for the whole server, like the news it fetches; every replica and the refresher read it).
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

import hashlib
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.news.parse import (
    FeedConfig,
    FeedFetch,
    FeedProblem,
    default_feeds,
    fetch_feeds,
    load_feed_file,
    normalise_news,
    sort_news,
    title_key,
)
from data_sources.news.sanitize import plain_text, safe_url
from data_sources.news.tagging import load_rules
from data_sources.readers.repository import Repository, RepositoryError, SavedFeed, open_repository
from data_sources.store.atomic import read_json, read_table, write_json, write_lock, write_table

NEWS_FILE = "news.parquet"
FEEDS_FILE = "feeds.parquet"
HTTP_FILE = "feed_http.json"
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".json")
NAME_MAX = 80
ADDED_PREFIX = "feeds-added-"  # + language: the database notebooks of the feeds readers added
HIDDEN_BOOK = "feeds-hidden"  # the database notebook of the default feeds readers hid
_LANG_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
Progress = Callable[[float, str], None]


class FeedConfigError(ValueError):
    """A feed the reader tried to add or remove is invalid; the message says why."""


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

    def summary(self) -> str:
        """One line for the reader, e.g. ``"read 122 items, 47 new (1,230 stored); 1 feed failed"``."""
        text = f"read {self.read:,} item{'s' if self.read != 1 else ''}, {self.added:,} new ({self.total:,} stored)"
        if self.errors:
            text += f"; {len(self.errors)} feed{'s' if len(self.errors) != 1 else ''} failed"
        if self.warnings:
            text += f"; {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
        if self.unchanged:
            text += f"; {len(self.unchanged)} feed{'s' if len(self.unchanged) != 1 else ''} unchanged"
        return text

    def __str__(self) -> str:
        lines = [self.summary()]
        lines += [f"{'problem' if p.severity == 'error' else 'warning'}: {p.message}" for p in self.problems]
        return "\n".join(lines)


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


def import_feed_dir(root: Path, folder: Path, progress: Progress | None = None) -> NewsReport:
    """Import every ``*.xml/*.rss/*.atom/*.json`` file in ``folder``; per-file problems are reported."""
    folder = Path(folder)
    report = NewsReport()
    if not folder.is_dir():
        report.problems.append(FeedProblem(str(folder), "read", f"{folder} is not a folder"))
        report.total = len(load_news(root))
        return report
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FEED_SUFFIXES)
    if not files:
        report.problems.append(FeedProblem(str(folder), "read", f"{folder} holds no .xml/.rss/.atom/.json files"))
    frames = []
    rules = load_rules()
    for i, path in enumerate(files):
        if progress:
            progress(0.9 * i / len(files), f"{path.name} ({i + 1}/{len(files)})")
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
    report; store errors (:class:`~data_sources.atomic.StoreError`) propagate with their own
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
        progress(0.95, "saving")
    if frames:
        report.added, report.total = merge_news(root, pd.concat(frames, ignore_index=True))
    else:
        report.total = len(load_news(root))
    if progress:
        progress(1.0, report.summary())
    return report


# ---------------------------------------------------------------- reader's feed list


def _repo(repo: Repository | None) -> Repository:
    return repo if repo is not None else open_repository()


def _feed_changes(root: Path) -> pd.DataFrame:
    """The reader's changes an earlier version kept in ``root/feeds.parquet`` (see :func:`migrate_local_feeds`)."""
    frame, _meta, _warning = read_table(Path(root) / FEEDS_FILE)
    cols = ["name", "url", "language", "status"]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    for col in cols:
        if col not in frame.columns:
            frame[col] = ""
    return frame.loc[:, cols].fillna("").astype(str)


def migrate_local_feeds(root: Path, repo: Repository | None = None) -> int:
    """Copy ``root/feeds.parquet`` (added feeds and hidden defaults) into the database once; returns how many
    rows were added. The database records the file's content hash, so a second run, another replica, or a
    feed the reader removed since never brings anything back. Rows with a bad URL or language are skipped."""
    path = Path(root) / FEEDS_FILE
    if not path.exists():
        return 0
    repo = _repo(repo)
    rows = []
    for row in _feed_changes(root).itertuples(index=False):
        lang = str(row.language or "en").strip().lower()
        link = safe_url(row.url)
        if not link or not _LANG_RE.fullmatch(lang) or not plain_text(row.name):
            continue
        book = HIDDEN_BOOK if row.status == "removed" else ADDED_PREFIX + lang if row.status == "added" else None
        if book:
            rows.append({"notebook_id": book, "url": link, "title": plain_text(row.name)[:NAME_MAX]})
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:40]
    return repo.import_feeds(rows, "imported-feeds-" + digest)


def _reader_feeds(repo: Repository) -> list[tuple[str, SavedFeed]]:
    return repo.feeds_under(ADDED_PREFIX)


def list_feeds(root: Path, repo: Repository | None = None) -> list[FeedConfig]:
    """The feeds to fetch: defaults from ``feeds.toml`` minus those hidden, plus the readers' own (in the
    readers' database, shared by every replica and read by the refresher)."""
    repo = _repo(repo)
    migrate_local_feeds(root, repo)
    removed = {f.title.casefold() for f in repo.list_feeds(HIDDEN_BOOK)}
    feeds = [f for f in default_feeds() if f.name.casefold() not in removed]
    for book, feed in _reader_feeds(repo):
        feeds.append(FeedConfig(feed.title, feed.url, book.removeprefix(ADDED_PREFIX) or "en", "reader"))
    return feeds


def add_feed(root: Path, name: str, url: str, language: str = "en", repo: Repository | None = None) -> FeedConfig:
    """Add a feed to the readers' list. Raises :class:`FeedConfigError` with the reason when invalid."""
    raw_name = " ".join(str(name or "").split())
    clean = plain_text(raw_name)
    if not clean:
        raise FeedConfigError("the feed needs a name")
    if clean != raw_name:
        raise FeedConfigError("the feed name may not contain markup or control characters")
    if len(clean) > NAME_MAX:
        raise FeedConfigError(f"the feed name is {len(clean)} characters long; at most {NAME_MAX} are allowed")
    link = safe_url(url)
    if not link:
        shown = plain_text(str(url or ""), 80) or "(empty)"
        raise FeedConfigError(f"'{shown}' is not a web address starting with http:// or https://")
    lang = str(language or "en").strip().lower()
    if not _LANG_RE.fullmatch(lang):
        raise FeedConfigError(f"'{plain_text(lang, 20)}' is not a language code such as 'en' or 'ko'")
    repo = _repo(repo)
    for feed in list_feeds(root, repo):
        if feed.name.casefold() == clean.casefold():
            raise FeedConfigError(f"there is already a feed called '{feed.name}'")
        if feed.url.rstrip("/").lower() == link.rstrip("/").lower():
            raise FeedConfigError(f"that address is already in the list as '{feed.name}'")
    is_default = any(f.name.casefold() == clean.casefold() and f.url == link for f in default_feeds())
    try:
        if is_default:  # bring back a default the reader had hidden
            for hidden in repo.list_feeds(HIDDEN_BOOK):
                if hidden.title.casefold() == clean.casefold():
                    repo.remove_feed(HIDDEN_BOOK, hidden.id)
        else:
            repo.add_feed(ADDED_PREFIX + lang, link, clean)
    except RepositoryError as exc:
        raise FeedConfigError(str(exc)) from exc
    return FeedConfig(clean, link, lang, "default" if is_default else "reader")


def remove_feed(root: Path, name: str, repo: Repository | None = None) -> None:
    """Remove a feed (a default one is hidden). Raises :class:`FeedConfigError` when there is no such feed."""
    wanted = " ".join(str(name or "").split()).casefold()
    repo = _repo(repo)
    match = next((f for f in list_feeds(root, repo) if f.name.casefold() == wanted), None)
    if match is None:
        raise FeedConfigError(f"there is no feed called '{plain_text(str(name or ''), 80)}'")
    if match.origin == "reader":
        for book, feed in _reader_feeds(repo):
            if feed.title.casefold() == wanted:
                repo.remove_feed(book, feed.id)
    else:
        repo.add_feed(HIDDEN_BOOK, match.url, match.name)


# ---------------------------------------------------------------- views for pages


def _day(value: object) -> pd.Timestamp:
    stamp = pd.Timestamp(value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def local_days(published: pd.Series, tz: str = "Asia/Seoul") -> pd.Series:
    """The local calendar day (naive midnight) in ``tz`` of each UTC publication time; NaT stays NaT."""
    stamps = pd.to_datetime(published, utc=True, errors="coerce")
    return stamps.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def daily_tag_counts(
    news: pd.DataFrame,
    start: object,
    end: object,
    tags: Iterable[str] | None = None,
    tz: str = "Asia/Seoul",
) -> pd.DataFrame:
    """Items per local calendar day and tag: DataFrame(date, tag, count), every day × tag (zeros included).

    ``date`` is naive midnight (like the price frame); ``tags=None`` means every tag that
    occurs in the window, in rule order. Undated and "absurd" items are not counted.
    """
    start_day, end_day = _day(start), _day(end)
    columns = {"date": pd.Series(dtype="datetime64[ns]"), "tag": pd.Series(dtype="object"),
               "count": pd.Series(dtype="int64")}
    if end_day < start_day:
        return pd.DataFrame(columns)
    frame = normalise_news(news)
    frame = frame[frame["published"].notna() & (frame["date_flag"] != "absurd")]
    days = local_days(frame["published"], tz) if not frame.empty else pd.Series(dtype="datetime64[ns]")
    mask = (days >= start_day) & (days <= end_day)
    pairs = pd.DataFrame({"date": days[mask].to_numpy(), "tag": frame.loc[mask, "tags"].to_numpy()})
    pairs = pairs.explode("tag").dropna(subset=["tag"])
    if tags is None:
        present = set(pairs["tag"])
        order = [r.id for r in load_rules()]
        tag_list = [t for t in order if t in present] + sorted(present - set(order))
    else:
        tag_list = list(dict.fromkeys(tags))
    if not tag_list:
        return pd.DataFrame(columns)
    counts = pairs.groupby(["date", "tag"]).size()
    grid = pd.MultiIndex.from_product([pd.date_range(start_day, end_day, freq="D"), tag_list], names=["date", "tag"])
    out = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    out["date"] = out["date"].astype("datetime64[ns]")
    out["count"] = out["count"].astype("int64")
    return out


def items_on_day(news: pd.DataFrame, day: object, tz: str = "Asia/Seoul") -> pd.DataFrame:
    """Items published on local calendar ``day`` in ``tz``, oldest first."""
    frame = normalise_news(news)
    if frame.empty:
        return frame
    frame = frame[frame["published"].notna() & (frame["date_flag"] != "absurd")]
    picked = frame[local_days(frame["published"], tz) == _day(day)]
    return sort_news(picked, newest_first=False)
