"""Proposing claims in a separate, bounded process, so the server neither loads the Korean model nor waits
past a budget.

The Korean analyser (kiwipiepy) adds about 450 MB to whichever process loads it, and a hostile text can take
long to analyse. :func:`extract_in_worker` runs the extractor in a :class:`data_sources.worker.BoundedWorker`
(one helper process per server process, started on first use, reused, gone after :data:`IDLE_S` seconds without
work; its address space capped at :data:`MEMORY_LIMIT_BYTES`) and waits for the answer at most the time budget:
other sessions carry on, a helper that runs late is killed and replaced, and a request that cannot get the helper
within its budget is refused as busy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from commentary.extract.model import ExtractError, Extraction
from commentary.extract.rules import load_rules
from data_sources.errors import DashboardError, Problem
from data_sources.market.universe import Instrument, all_instruments
from data_sources.settings import settings
from data_sources.worker import BoundedWorker

#: A worker with no request for this long exits (its memory goes back to the host).
IDLE_S = 600.0


def idle_seconds() -> float:
    """``DASHBOARD_EXTRACT_IDLE_S`` (:attr:`~data_sources.settings.Settings.extract_idle_s`; default :data:`IDLE_S`)."""
    return settings().extract_idle_s

#: Extra seconds a fresh worker may take to start and load the Korean model (measured ~6-10 s on 2 busy cores).
STARTUP_S = 40.0
#: Seconds of the budget kept back from the analysis itself, for sending the text and the answer back.
GRACE_S = 5.0
#: The worker's address-space cap (kiwipiepy maps ~2.7 GB of address space for ~600 MB resident).
MEMORY_LIMIT_BYTES = 4 << 30

_WORKER = BoundedWorker("claim extraction", memory_bytes=MEMORY_LIMIT_BYTES, idle_s=IDLE_S, startup_s=STARTUP_S)
#: The helper's failures in the extractor's codes.
_CODES = {"worker.busy": "extract.busy", "worker.timeout": "extract.timeout", "worker.failed": "extract.worker_failed"}
_MESSAGES = {"worker.busy": "the analyser is busy with another text for more than {seconds:g} s",
             "worker.timeout": "the analysis took longer than {seconds:g} s and was stopped",
             "worker.failed": "the analyser process ended without a readable answer"}


def default_budget() -> float:
    """Seconds a reader waits for proposals: ``DASHBOARD_PROPOSE_BUDGET_S`` if set, else the rules' budget."""
    configured = settings().propose_budget_s
    return configured if configured is not None else float(load_rules().limits["time_budget_s"])


def extract_in_worker(text: str, published: dt.date | None = None, lang: str | None = None,
                      instruments: Sequence[Instrument] | None = None, budget_s: float | None = None,
                      analysis_s: float | None = None) -> Extraction:
    """:func:`commentary.extract.extract` run in the worker process, within ``budget_s`` seconds in all.

    ``budget_s`` (default :func:`default_budget`) bounds the wait, plus :data:`STARTUP_S` when the worker
    has to start first; ``analysis_s`` (default the budget less :data:`GRACE_S`) is the extractor's own budget,
    past which it stops reading with a note. Raises :class:`ExtractError` for a text that cannot be analysed, a
    worker busy for longer than the budget (``extract.busy``), an answer not back within the budget
    (``extract.timeout``: the worker is killed, the next request starts a new one) or a worker that failed
    (``extract.worker_failed``).
    """
    budget = float(budget_s if budget_s is not None else default_budget())
    analysis = float(analysis_s if analysis_s is not None else max(budget - GRACE_S, budget / 2))
    request = {"text": text, "published": published, "lang": lang, "budget_s": analysis,
               "instruments": tuple(instruments if instruments is not None else all_instruments())}
    _WORKER.idle_s = idle_seconds()  # for the next helper process started
    try:
        reply = _WORKER.call("commentary.extract.worker:answer", request, timeout_s=budget)
    except DashboardError as exc:
        code, seconds = exc.problem.code, float(exc.problem.params.get("seconds", budget))
        if code not in _CODES:
            raise
        params = {} if code == "worker.failed" else {"seconds": round(seconds)}
        raise ExtractError(_MESSAGES[code].format(seconds=seconds), _CODES[code], **params) from None
    if not isinstance(reply, tuple) or not reply:
        raise ExtractError("the analyser process gave an answer of the wrong shape", "extract.worker_failed")
    if reply[0] == "ok" and isinstance(reply[1], Extraction):
        return replace(reply[1], notes=tuple(Problem(code, params) for code, params in reply[2]))
    _, code, params, message = reply
    raise ExtractError(message, code, **params)


def worker_pid() -> int | None:
    """The running worker's process id, or None (for benchmarks and tests)."""
    return _WORKER.pid()


def stop_worker() -> None:
    """End the worker now (it would end by itself after :data:`IDLE_S` seconds idle)."""
    _WORKER.close()


# --------------------------------------------------------------------------- in the helper process


def answer(request: dict[str, Any]) -> tuple:
    """The extraction for one request, as plain data (run by :mod:`data_sources.worker` in its process)."""
    from commentary.extract.extractor import extract

    try:
        result = extract(request["text"], request["published"], request["lang"], request["instruments"],
                         time_budget_s=request["budget_s"])
    except ExtractError as exc:
        return "error", exc.problem.code, dict(exc.problem.params), str(exc)
    except Exception as exc:  # any failure is an answer, never a dead server thread
        return "error", "extract.worker_failed", {}, f"{type(exc).__name__}: {exc}"
    return "ok", replace(result, notes=()), [(n.code, dict(n.params)) for n in result.notes]
