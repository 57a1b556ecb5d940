"""Run a function over untrusted input in a helper process, with a time limit and a memory cap.

A parser that runs away (a pathological feed, a quadratic corner of a library, a model that needs too much
memory) is stopped from outside: the helper process is killed when its call overruns, and a fresh one takes the
next call. Nothing is injected into the caller's threads, so no library can swallow the interrupt, and the caller
(a Streamlit server thread, a refresher) waits in ``select`` without holding the Python lock: other sessions carry
on.

One :class:`BoundedWorker` per kind of work. Its process (``python -m data_sources.worker``: a fresh interpreter,
never a fork of a threaded server and never a re-run of the caller's ``__main__``, which Streamlit swaps for the
page script) starts on first use, serves one call at a time, and exits after ``idle_s`` seconds without work, so an
idle replica carries no helper. Frames are an 8-byte length and a pickle, between this module's two ends only.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

from data_sources.errors import DashboardError

MAX_FRAME_BYTES = 64 << 20
_HEADER = struct.Struct(">Q")
_ROOT = Path(__file__).resolve().parents[1]


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


class FrameTooLarge(Exception):
    """A frame announced more than :data:`MAX_FRAME_BYTES`."""


def _read_frame(fd: int, deadline: float | None) -> object | None:
    header = _read_exact(fd, _HEADER.size, deadline)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise FrameTooLarge(f"{size:,} bytes (limit {MAX_FRAME_BYTES:,})")
    body = _read_exact(fd, size, deadline)
    return None if body is None else pickle.loads(body)  # our own process's frame, never a reader's bytes


class BoundedWorker:
    """The caller's side: one helper process, one call at a time, each within its time limit.

    Failures of the helper (not of the function) raise :class:`DashboardError` with code ``worker.busy`` (another
    call held it past the limit), ``worker.timeout`` (the call overran: the process is killed) or ``worker.failed``
    (the process died or sent something unreadable: it is killed); each with ``work`` and ``seconds``.
    """

    def __init__(self, name: str, *, memory_bytes: int = 2 << 30, idle_s: float = 120.0,
                 startup_s: float = 20.0) -> None:
        self.name = name
        self.memory_bytes = memory_bytes
        self.idle_s = idle_s
        self.startup_s = startup_s  #: extra seconds a fresh process may take to start and import
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH"))
                                                           if p)}
        process = subprocess.Popen([sys.executable, "-m", "data_sources.worker", str(self.memory_bytes),
                                    str(self.idle_s)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=_ROOT,
                                   env=env, close_fds=True)
        assert process.stdin is not None
        os.set_blocking(process.stdin.fileno(), False)  # writes wait in select, with the deadline
        return process

    def stop(self) -> None:
        """Kill the process (if any) and forget it. Call with :attr:`lock` held, or from :meth:`close`."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()

    def close(self) -> None:
        """End the process now (it would end by itself after ``idle_s`` seconds idle)."""
        with self.lock:
            self.stop()

    def pid(self) -> int | None:
        """The running process's id, or None."""
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def _problem(self, code: str, seconds: float) -> DashboardError:
        return DashboardError(code, work=self.name, seconds=round(seconds, 1))

    def call(self, target: str, *args: Any, timeout_s: float, **kwargs: Any) -> Any:
        """``module:function(*args, **kwargs)`` in the helper process, answered within ``timeout_s`` seconds
        (plus :attr:`startup_s` when the process has to start first). What the function raises is raised here."""
        deadline = time.monotonic() + timeout_s
        if not self.lock.acquire(timeout=max(timeout_s, 0.0)):
            raise self._problem("worker.busy", timeout_s)
        try:
            payload = _frame((target, args, kwargs))
            for attempt in (1, 2):  # a process that went idle just now is started again, once
                cold = self.pid() is None
                if cold:
                    self.stop()
                    self.process = self._start()
                answer, alive = self._exchange(payload, deadline + (self.startup_s if cold else 0.0))
                if answer is not None:
                    break
                self.stop()
                if alive:
                    raise self._problem("worker.timeout", timeout_s)
                if cold or attempt == 2:
                    raise self._problem("worker.failed", timeout_s)
        finally:
            self.lock.release()
        if not isinstance(answer, tuple) or len(answer) != 2 or answer[0] not in ("ok", "raise", "error"):
            raise self._problem("worker.failed", timeout_s)
        kind, value = answer
        if kind == "ok":
            return value
        if kind == "raise" and isinstance(value, BaseException):
            raise value
        raise self._problem("worker.failed", timeout_s)

    def _exchange(self, payload: bytes, deadline: float) -> tuple[object | None, bool]:
        """Send one call and wait for its answer until ``deadline``: ``(answer or None, process alive)``."""
        process = self.process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            if _write_all(process.stdin.fileno(), payload, deadline):
                return _read_frame(process.stdout.fileno(), deadline), process.poll() is None
        except Exception:  # a broken pipe, a frame too large, a truncated answer: this process is done
            self.stop()  # the rest of its answer may still be in the pipe: never read another answer from it
            raise self._problem("worker.failed", deadline - time.monotonic()) from None
        return None, process.poll() is None


# --------------------------------------------------------------------------- the helper process


def _answer(request: object) -> tuple[str, object]:
    try:
        target, args, kwargs = request  # type: ignore[misc]
        module, _, name = str(target).partition(":")
        result = getattr(importlib.import_module(module), name)(*args, **kwargs)
    except Exception as exc:
        try:
            pickle.dumps(exc)
        except Exception:
            return "error", f"{type(exc).__name__}: {exc}"
        return "raise", exc
    return "ok", result


def serve(requests: BinaryIO, answers: BinaryIO, idle_s: float) -> None:
    """Answer framed calls until the input ends or nothing comes for ``idle_s`` seconds."""
    fd = requests.fileno()
    while select.select([fd], [], [], idle_s)[0]:
        request = _read_frame(fd, None)
        if request is None:
            return
        try:
            frame = _frame(_answer(request))
        except Exception as exc:  # an answer that cannot be sent is still an answer
            frame = _frame(("error", f"{type(exc).__name__}: {exc}"))
        answers.write(frame)
        answers.flush()


def main(argv: list[str]) -> None:
    """The helper: cap memory, keep stdout for answers only (stray prints go to stderr), then serve."""
    memory_bytes, idle_s = int(argv[0]), float(argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, answers, idle_s)


if __name__ == "__main__":
    main(sys.argv[1:])
