"""The Library's view-model: each column's verdicts through the column page's per-content cache
(:mod:`ui.column_cache`), and the authors' track records computed once per data version in a background thread.

A big column (over :data:`ui.column_cache.WORK_INLINE` readings) is scored in the background: its row says so
and the page shows progress, rerunning itself when the scores are ready. The track record counts at most
:data:`RECORD_CALLS_PER_COLUMN` calls of one column (claim order) and runs in its own thread: up to
:data:`RECORD_INLINE` calls are worked out in the page's run, more in their own thread: the page waits for it up
to what remains of its time budget, then shows that it is being worked out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from catalog import text
from commentary.document.model import Commentary
from commentary.library.track_record import RECORD_COLUMNS, Call, calls_for, track_record
from commentary.scoring import claims as scoring
from commentary.text.safe_text import md_escape
from ui import column_cache
from ui.column_parts import result_views
from ui.verdicts import verdict_tally

#: The as-of mode the Library scores in: the column page's default ("everything since"), so both share results.
AS_OF = "all"
#: Grid widths: 120 + 230 px fit a phone's 358 px content width (the title pinned).
TITLE_PX, TALLY_PX = 120, 230
#: Seconds of a Library run spent waiting for scores and the record before progress is shown instead.
BUDGET_S = 1.2
#: Calls of one column counted in its author's record (a column of 200 generated claims would otherwise cost
#: seconds of replayed history for one author; the page says when a column was cut).
RECORD_CALLS_PER_COLUMN = 40
#: Calls whose record is worked out in the page's own run (a few bundled and saved columns take ~0.1 s).
RECORD_INLINE = 30
#: Track records kept (one per data version and set of columns).
RECORDS_KEPT = 8

LOG = logging.getLogger(__name__)
_lock = threading.Lock()
_records: OrderedDict[tuple, Future] = OrderedDict()
_calls: OrderedDict[tuple[str, str], list[Call]] = OrderedDict()
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="library-record")


@dataclass
class Row:
    """One column's scores for the Library (``job`` set while a big column is still being scored)."""

    overall: str = ""
    tally: str = ""
    calls: list[Call] | None = None
    job: column_cache.Job | None = None
    failed: bool = False


def cards_markdown(rows: Sequence[dict], lang: str) -> str:
    """The Library's rows as cards in one safe Markdown block: the title linking to the column page (the link is
    built from a parser-checked id), then date · author · kind · claims, then the verdict tally."""
    cards = []
    for row in rows:
        meta = " · ".join([f"{row['date']:%Y-%m-%d}", md_escape(row["author"], 80), md_escape(row["kind"], 40),
                           text(lang, "library.card_claims", n=row["claims"])])
        cards.append(f"**[{md_escape(row['title'], 200)}]({row['open']})**  \n:small[:gray[{meta}]]  \n"
                     f":small[{md_escape(row['tally'], 200)}]")
    return "\n\n".join(cards)


def _remaining(started: float) -> float:
    return max(0.05, BUDGET_S - (time.monotonic() - started))


def _column_calls(item: Commentary, version: str, readings: Sequence) -> list[Call]:
    """The column's calls for the record (the first :data:`RECORD_CALLS_PER_COLUMN`), kept per content and version."""
    key = (column_cache.fingerprint(item), version)
    with _lock:
        found = _calls.get(key)
    if found is None:
        found = calls_for(item, readings)[:RECORD_CALLS_PER_COLUMN]
        with _lock:
            _calls[key] = found
            while len(_calls) > 4 * column_cache.MAX_ENTRIES:
                _calls.popitem(last=False)
    return found


def column_rows(items: Sequence[Commentary], version: str, prices: Callable[[], pd.DataFrame], lang: str,
                started: float) -> dict[str, Row]:
    """Each column's :class:`Row`, scored through the column page's cache within the run's budget."""
    rows: dict[str, Row] = {}
    for item in items:
        if not item.claims:
            rows[item.id] = Row(calls=[])
            continue
        try:
            outcome = column_cache.results(item, version, AS_OF, prices, result_views(item), lang,
                                           budget_s=_remaining(started))
        except column_cache.ScoringFailed:
            rows[item.id] = Row(failed=True, calls=[])
            continue
        if isinstance(outcome, column_cache.Job):
            rows[item.id] = Row(job=outcome)
            continue
        rows[item.id] = Row(outcome.view(lang, "overall"), verdict_tally(outcome.view(lang, "verdicts"), lang),
                            _column_calls(item, version, outcome.readings))
    return rows


def cut_columns(items: Sequence[Commentary]) -> list[Commentary]:
    """Columns with more claims than the record counts."""
    return [c for c in items if len(c.claims) > RECORD_CALLS_PER_COLUMN]


def _compute(calls: tuple[Call, ...], prices: pd.DataFrame) -> pd.DataFrame:
    return track_record(calls, scoring.wide_prices(prices))


def record(version: str, rows: dict[str, Row], prices: Callable[[], pd.DataFrame],
           started: float) -> pd.DataFrame | Future | None:
    """Every author's record, or its running :class:`Future` when not ready within the budget; None while a
    column is still being scored (the record waits for every column)."""
    if any(row.job is not None for row in rows.values()):
        return None
    calls = tuple(call for row in rows.values() for call in row.calls or ())
    key = (version, tuple(sorted(rows)), tuple((c.commentary_id, c.claim_id, c.verdict) for c in calls))
    with _lock:
        future = _records.get(key)
        start = future is None or (future.done() and future.exception() is not None)
        if start and len(calls) <= RECORD_INLINE:
            future = _records[key] = Future()
        elif start:
            future = _records[key] = _executor.submit(_compute, calls, prices())
        _records.move_to_end(key)
        while len(_records) > RECORDS_KEPT:
            _records.popitem(last=False)
    if start and len(calls) <= RECORD_INLINE:
        try:
            future.set_result(_compute(calls, prices()))
        except Exception as exc:  # kept with its key, shown as still being worked out; tried again next run
            future.set_exception(exc)
    try:
        return future.result(timeout=_remaining(started))
    except TimeoutError:
        return future
    except Exception:  # logged; the page shows no record rather than a traceback, and the next run tries again
        LOG.exception("track record failed")
        return pd.DataFrame(columns=list(RECORD_COLUMNS))


@st.fragment(run_every=column_cache.PROGRESS_EVERY_S)
def wait_for(future: Future, label: str) -> None:
    """A note that ``label``'s work is running, rechecked every second; the page reruns once it is done."""
    if future.done():
        st.rerun(scope="app")
    st.caption(label)


def wait_idle(timeout: float) -> bool:
    """Wait until no record is being worked out (tests); False when one still runs after ``timeout`` seconds."""
    with _lock:
        futures = list(_records.values())
    deadline = time.monotonic() + timeout
    for future in futures:
        try:
            future.exception(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return False
    return True


def clear() -> None:
    """Forget the kept records and calls (tests)."""
    with _lock:
        _records.clear()
        _calls.clear()
