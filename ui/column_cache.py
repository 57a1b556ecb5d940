"""Per-column results shared by every reader of this process, whoever's column it is (bundled, uploaded, saved
or published): its readings, scorecard and the page's per-language views of them, keyed by the column's
content (a hash of what was parsed), the data version and the as-of mode.

A column whose work — readings, counted as claims × horizons × sources — fits :data:`WORK_INLINE` is scored
in the page's own run. A bigger one is scored once, claim by claim, in one background thread: the page waits
up to :data:`BUDGET_S` for it and otherwise shows progress (:func:`show_progress`), rerunning itself when the
scores are ready. Every reader asking meanwhile joins the same job. A failure is kept with its key (a hostile
column costs one try per data version, not one per click). Bounded: :data:`MAX_READINGS` readings over all
cached columns, and only the entries of the :data:`KEEP_VERSIONS` newest data versions.

Also here: :func:`parsed`, the parse of a stored column's text, cached by content (saved and published
columns are read from the database on every run; parsing a 200-claim column takes ~0.15 s).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from commentary.document.column import parse_commentary
from commentary.document.model import Commentary, CommentaryError
from commentary.scoring import claims as claims_mod
from commentary.scoring.combine import combine_sources
from commentary.scoring.rules import source_variants
from commentary.scoring.summary import scorecard_csv
from ui.i18n import t
from ui.words import words

LOG = logging.getLogger(__name__)
LANGS = ("ko", "en")
#: Readings (claims × horizons × sources) scored in the page's own run; more go to the background thread.
#: The bundled columns have 16-30; 150 take ~0.5 s on a loaded 2-core machine (docs/performance.md).
WORK_INLINE = 150
#: Seconds into its run a page waits for a background job before it shows progress instead (the rest of the
#: run — the first section's figure for a new column — fits in the remaining ~0.8 s of the ~2 s budget).
BUDGET_S = 1.2
#: Readings kept over all cached columns (a 200-claim column with five horizons holds 1,000-2,000).
MAX_READINGS = 12_000
#: Entries kept at most (whatever their size).
MAX_ENTRIES = 64
#: Data versions whose entries are kept (a new version evicts the results of older ones).
KEEP_VERSIONS = 2
#: Seconds between two checks of a running job by a waiting page.
PROGRESS_EVERY_S = 1.0

#: A per-language view of the results: ``build(scored, lang)``; pure (it runs in the background thread).
View = Callable[["Scored", str], Any]


@dataclass
class Scored:
    """A column's results for one data version and as-of mode (shared by every reader: never mutate)."""

    readings: list
    card: pd.DataFrame
    combined: pd.DataFrame
    csv: bytes
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # language → view name → value

    def view(self, lang: str, name: str) -> Any:
        """A view built for ``lang`` (:func:`results` returns a ``Scored`` only once its language's are built)."""
        return self.views[lang][name]


class ScoringFailed(RuntimeError):
    """Scoring this column (or building its views) raised; the cause is logged and kept for this data version."""


class Job:
    """The scoring of one column for one data version and as-of mode, then its views per language."""

    def __init__(self, entry: _Entry, item: Commentary, views: Mapping[str, View], first_lang: str) -> None:
        self.entry, self.item, self.views = entry, item, dict(views)
        self.prices: pd.DataFrame | None = None  # set by the starter, in its script run
        self.order = [first_lang, *(lang for lang in LANGS if lang != first_lang)]
        self.total = len(item.claims)
        self.scored_claims = 0
        self.ready = {lang: threading.Event() for lang in self.order}
        self.finished = threading.Event()
        self.seconds: float | None = None  # how long the run took, once finished

    @property
    def fraction(self) -> float:
        """Share of the work done (scoring is most of it; the first language's views are the rest)."""
        scoring = self.scored_claims / self.total if self.total else 1.0
        return min(1.0, 0.85 * scoring + (0.15 if self.ready[self.order[0]].is_set() else 0.0))

    def run(self) -> None:
        """Score (unless done before), then build each language's views; never raises (the error is kept)."""
        entry, began = self.entry, time.perf_counter()
        try:
            if entry.scored is None:
                moment = self.item.published if entry.key[2] == "column" else None
                readings: list = []
                for claim_readings in claims_mod.iter_readings(self.item.claims, self.prices, self.item.published,
                                                               moment):
                    readings += claim_readings
                    self.scored_claims += 1
                card = claims_mod.scorecard_frame(readings)
                csv = scorecard_csv(card, words("en")).encode("utf-8-sig")  # the CLI's CSV: English details
                entry.scored = Scored(readings, card, combine_sources(card), csv)
                _account(entry, len(readings))
            self.scored_claims = self.total
            for lang in self.order:
                if lang not in entry.scored.views:
                    entry.scored.views[lang] = {name: build(entry.scored, lang) for name, build in self.views.items()}
                self.ready[lang].set()
        except Exception as exc:  # kept: shown to readers as "could not be scored", logged for the operator
            LOG.exception("scoring %s failed", self.item.id)
            entry.error = exc
        finally:
            self.seconds = time.perf_counter() - began
            self.prices = None  # the job is kept with its entry; the frame belongs to the store's cache
            for event in self.ready.values():
                event.set()
            self.finished.set()


@dataclass
class _Entry:
    key: tuple[str, str, str]  # (content fingerprint, data version, as-of mode)
    scored: Scored | None = None
    error: Exception | None = None
    job: Job | None = None
    size: int = 0  # readings held


_lock = threading.Lock()
_entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
_versions: OrderedDict[str, None] = OrderedDict()
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="column-scoring")
_fingerprints: dict[int, tuple[weakref.ref, str]] = {}
stats = {"inline": 0, "background": 0, "hits": 0}  # how results were served (tests and benchmarks read it)


def fingerprint(item: Commentary) -> str:
    """A hash of everything parsed from the column (the same text parsed twice gives the same value).
    Remembered per object, so a cached parse costs its hash once."""
    with _lock:
        known = _fingerprints.get(id(item))
        if known is not None and known[0]() is item:
            return known[1]
    digest = hashlib.sha256(repr(item).encode("utf-8", "surrogatepass")).hexdigest()
    key = id(item)

    def forget(_ref: weakref.ref, key: int = key) -> None:
        # No lock here: the collector may run this callback in a thread that already holds ``_lock`` (a column
        # freed inside ``clear()``), and a second acquire would hang that thread for good. Dict operations are
        # atomic; at worst a newer entry under a reused id is dropped, and its hash is computed again.
        known = _fingerprints.get(key)
        if known is not None and known[0] is _ref:
            _fingerprints.pop(key, None)

    with _lock:
        _fingerprints[key] = (weakref.ref(item, forget), digest)
    return digest


def work(item: Commentary) -> int:
    """The readings scoring ``item`` produces: claims × horizons × sources."""
    return sum(len(c.horizons) * len(source_variants(c.rule)) for c in item.claims)


def _account(entry: _Entry, size: int) -> None:
    """Count an entry's readings and evict the least recently used others beyond the limits."""
    with _lock:
        entry.size = size
        total = sum(e.size for e in _entries.values())
        for key in list(_entries):
            if total <= MAX_READINGS and len(_entries) <= MAX_ENTRIES:
                break
            other = _entries[key]
            if other is not entry and _idle(other):
                total -= other.size
                del _entries[key]


def _idle(entry: _Entry) -> bool:
    return entry.job is None or entry.job.finished.is_set()


def _entry(key: tuple[str, str, str]) -> _Entry:
    with _lock:
        version = key[1]
        if version not in _versions:
            _versions[version] = None
            while len(_versions) > KEEP_VERSIONS:
                old, _ = _versions.popitem(last=False)
                for stale in [k for k, e in _entries.items() if k[1] == old and _idle(e)]:
                    del _entries[stale]
        else:
            _versions.move_to_end(version)
        entry = _entries.get(key)
        if entry is None:
            entry = _entries[key] = _Entry(key)
        _entries.move_to_end(key)
        return entry


def results(item: Commentary, version: str, as_of: str, prices: Callable[[], pd.DataFrame],
            views: Mapping[str, View], lang: str, budget_s: float = BUDGET_S) -> Scored | Job:
    """``item``'s results with ``lang``'s views built, or the running :class:`Job` when they are not ready
    within ``budget_s`` (show it with :func:`show_progress`). Raises :class:`ScoringFailed` when scoring failed
    for this data version. ``prices`` is called (in this run) only when scoring is needed."""
    entry = _entry((fingerprint(item), version, as_of))
    with _lock:
        if entry.error is None and entry.scored is not None and lang in entry.scored.views:
            stats["hits"] += 1
            return entry.scored
        job, start = entry.job, False
        if entry.error is None and (job is None or job.finished.is_set()):  # nothing running covers ``lang``
            job = entry.job = Job(entry, item, views, lang)
            start = True
    if start:
        job.prices = prices()
        if work(item) <= WORK_INLINE:
            stats["inline"] += 1
            job.run()
        else:
            stats["background"] += 1
            _executor.submit(job.run)
    if job is not None:
        job.ready[lang].wait(max(0.05, budget_s))
    if entry.error is not None:
        raise ScoringFailed(str(entry.error)) from entry.error
    if entry.scored is not None and lang in entry.scored.views:
        return entry.scored
    return job


def pending(job: Job) -> bool:
    """Whether ``job`` is still running."""
    return not job.finished.is_set()


@st.fragment(run_every=PROGRESS_EVERY_S)
def show_progress(job: Job, lang: str) -> None:
    """How far a background job is (rechecked every :data:`PROGRESS_EVERY_S`); the whole page reruns once
    ``lang``'s results are ready, so every part of it shows them."""
    if job.ready[lang].is_set():
        st.rerun(scope="app")
    done, total = job.scored_claims, job.total
    label = t("cache.scoring", done=done, total=total) if done < total else t("cache.arranging", total=total)
    st.progress(job.fraction, text=label)
    st.caption(t("cache.scoring_note"))


def jobs() -> list[Job]:
    """The jobs of the cached entries, most recently used last (benchmarks read their timings)."""
    with _lock:
        return [e.job for e in _entries.values() if e.job is not None]


def wait_idle(timeout: float) -> bool:
    """Wait until no job is running (tests, the warm-up); False when one still runs after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    return all(job.finished.wait(max(0.0, deadline - time.monotonic())) for job in jobs())


def clear() -> None:
    """Forget every cached result (tests)."""
    with _lock:
        _entries.clear()
        _versions.clear()
        _parsed.clear()
        for name in stats:
            stats[name] = 0


# --------------------------------------------------------------------------- parsed stored columns

#: Characters of column text kept parsed over all entries (a column is at most 512 KiB).
PARSED_MAX_CHARS = 8_000_000
_parsed: OrderedDict[str, tuple[int, Commentary | CommentaryError]] = OrderedDict()


def parsed(text: str, source_name: str) -> Commentary:
    """``parse_commentary(text, source_name)``, remembered by content (results and refusals alike)."""
    key = hashlib.sha256(source_name.encode("utf-8", "surrogatepass") + b"\0"
                         + text.encode("utf-8", "surrogatepass")).hexdigest()
    with _lock:
        found = _parsed.get(key)
        if found is not None:
            _parsed.move_to_end(key)
    if found is None:
        try:
            result: Commentary | CommentaryError = parse_commentary(text, source_name)
        except CommentaryError as exc:
            result = exc
        found = (len(text), result)
        with _lock:
            _parsed[key] = found
            total = sum(size for size, _ in _parsed.values())
            while total > PARSED_MAX_CHARS and len(_parsed) > 1:
                total -= _parsed.popitem(last=False)[1][0]
    if isinstance(found[1], CommentaryError):
        raise found[1]
    return found[1]
