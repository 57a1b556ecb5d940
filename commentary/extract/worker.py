"""Proposing claims in a separate, bounded process, so the server neither loads the Korean model nor waits
past a budget.

The Korean analyser (kiwipiepy) adds about 450 MB to whichever process loads it, and a hostile text can take
long to analyse. :func:`extract_in_worker` sends the text to one worker process per server process (started
on first use with ``python -m commentary.extract.worker``, reused, and gone after :data:`IDLE_S` seconds
without work) and waits for the answer at most the time budget: the calling thread sleeps in ``poll`` (no
Python lock held), other sessions carry on, and a worker that runs late is killed and replaced. Requests are
served one at a time; a request that cannot get the worker within its budget is refused as busy.

The worker bounds itself too: its address space is capped (:data:`MEMORY_LIMIT_BYTES`) and it answers one
request at a time. Frames are an 8-byte length and a pickle, between this module's two ends only.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import resource
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from commentary.extract.model import ExtractError, Extraction
from commentary.extract.rules import load_rules
from data_sources.errors import Problem
from data_sources.universe import Instrument, all_instruments

#: A worker with no request for this long exits (its memory goes back to the host).
IDLE_S = float(os.environ.get("DASHBOARD_EXTRACT_IDLE_S", "600"))
#: Extra seconds a fresh worker may take to start and load the Korean model (measured ~6-10 s on 2 busy cores).
STARTUP_S = 40.0
#: Seconds of the budget kept back from the analysis itself, for sending the text and the answer back.
GRACE_S = 5.0
#: The worker's address-space cap (kiwipiepy maps ~2.7 GB of address space for ~600 MB resident).
MEMORY_LIMIT_BYTES = 4 << 30
MAX_FRAME_BYTES = 64 << 20
_HEADER = struct.Struct(">Q")
_ROOT = Path(__file__).resolve().parents[2]


def _frame(payload: object) -> bytes:
    body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    """``n`` bytes from ``fd``; None at end of file or when ``deadline`` (monotonic) passes first."""
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes, deadline: float) -> bool:
    """Write ``data`` to a pipe before ``deadline``; False when the time runs out first."""
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
            return False
        try:
            view = view[os.write(fd, view[: 1 << 16]):]
        except BlockingIOError:  # the pipe took less than select promised: wait again
            continue
    return True


def _read_frame(fd: int, deadline: float | None) -> object | None:
    header = _read_exact(fd, _HEADER.size, deadline)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise ExtractError(f"worker answer of {size:,} bytes (limit {MAX_FRAME_BYTES:,})", "extract.worker_failed")
    body = _read_exact(fd, size, deadline)
    return None if body is None else pickle.loads(body)  # our own worker's answer, never a reader's bytes


class _Worker:
    """The client side: one child process, one request at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH"))
                                                           if p)}
        process = subprocess.Popen([sys.executable, "-m", "commentary.extract.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, cwd=_ROOT, env=env, close_fds=True)
        assert process.stdin is not None
        os.set_blocking(process.stdin.fileno(), False)  # writes wait in select, with the deadline
        return process

    def stop(self) -> None:
        """Kill the child (if any) and forget it."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()

    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def call(self, request: dict[str, Any], budget_s: float, analysis_s: float) -> object:
        deadline = time.monotonic() + budget_s
        if not self.lock.acquire(timeout=budget_s):
            raise ExtractError(f"the analyser is busy with another text for more than {budget_s:g} s",
                               "extract.busy", seconds=round(budget_s))
        try:
            payload = _frame({**request, "budget_s": min(analysis_s, max(deadline - time.monotonic(), 0.0))})
            for attempt in (1, 2):  # a worker that went idle just now is started again, once
                cold = self.pid() is None
                if cold:
                    self.stop()
                    self.process = self._start()
                answer, alive = self._exchange(payload, deadline + (STARTUP_S if cold else 0.0))
                if answer is not None:
                    return answer
                self.stop()
                if alive:
                    raise ExtractError(f"the analysis took longer than {budget_s:g} s and was stopped",
                                       "extract.timeout", seconds=round(budget_s))
                if cold or attempt == 2:
                    raise ExtractError("the analyser process ended without an answer", "extract.worker_failed")
            raise AssertionError("unreachable")
        finally:
            self.lock.release()

    def _exchange(self, payload: bytes, deadline: float) -> tuple[object | None, bool]:
        """Send one request and wait for its answer until ``deadline``: ``(answer or None, worker alive)``."""
        process = self.process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            if _write_all(process.stdin.fileno(), payload, deadline):
                return _read_frame(process.stdout.fileno(), deadline), process.poll() is None
        except ExtractError:
            self.stop()  # the rest of its answer is still in the pipe: never read another answer from it
            raise
        except Exception as exc:  # a broken pipe, a truncated or unreadable answer: this worker is done
            self.stop()
            raise ExtractError(f"the analyser process failed ({exc})", "extract.worker_failed") from exc
        return None, process.poll() is None


_WORKER = _Worker()


def default_budget() -> float:
    """Seconds a reader waits for proposals: ``DASHBOARD_PROPOSE_BUDGET_S`` if set (> 0), else the rules' budget."""
    try:
        value = float(os.environ.get("DASHBOARD_PROPOSE_BUDGET_S", ""))
    except ValueError:
        value = 0.0
    return value if 0 < value < 3600 else float(load_rules().limits["time_budget_s"])


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
    request = {"text": text, "published": published, "lang": lang,
               "instruments": tuple(instruments if instruments is not None else all_instruments())}
    answer = _WORKER.call(request, budget, analysis)
    if not isinstance(answer, tuple) or not answer:
        raise ExtractError("the analyser process gave an answer of the wrong shape", "extract.worker_failed")
    if answer[0] == "ok" and isinstance(answer[1], Extraction):
        return replace(answer[1], notes=tuple(Problem(code, params) for code, params in answer[2]))
    _, code, params, message = answer
    raise ExtractError(message, code, **params)


def worker_pid() -> int | None:
    """The running worker's process id, or None (for benchmarks and tests)."""
    return _WORKER.pid()


def stop_worker() -> None:
    """End the worker now (it would end by itself after :data:`IDLE_S` seconds idle)."""
    with _WORKER.lock:
        _WORKER.stop()


# --------------------------------------------------------------------------- the worker process


def _answer(request: dict[str, Any]) -> tuple:
    from commentary.extract.extractor import extract

    try:
        result = extract(request["text"], request["published"], request["lang"], request["instruments"],
                         time_budget_s=request["budget_s"])
    except ExtractError as exc:
        return "error", exc.problem.code, dict(exc.problem.params), str(exc)
    except Exception as exc:  # any failure is an answer, never a dead server thread
        return "error", "extract.worker_failed", {}, f"{type(exc).__name__}: {exc}"
    return "ok", replace(result, notes=()), [(n.code, dict(n.params)) for n in result.notes]


def serve(requests: BinaryIO, answers: BinaryIO, idle_s: float = IDLE_S) -> None:
    """Answer framed requests until the input ends or nothing comes for ``idle_s`` seconds."""
    fd = requests.fileno()
    while True:
        if not select.select([fd], [], [], idle_s)[0]:
            return
        request = _read_frame(fd, None)
        if not isinstance(request, dict):
            return
        try:
            frame = _frame(_answer(request))
        except Exception as exc:  # an answer that cannot be sent is still an answer
            frame = _frame(("error", "extract.worker_failed", {}, f"{type(exc).__name__}: {exc}"))
        answers.write(frame)
        answers.flush()


def main() -> None:
    """The worker: cap memory, keep stdout for answers only (stray prints go to stderr), then serve."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
