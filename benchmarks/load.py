"""Load: N simulated users as websocket clients of a real ``streamlit run app.py`` on loopback.

Each user keeps one websocket session (as a browser tab does) and asks for a random page again and
again for the given time, speaking Streamlit's own protocol (BackMsg ``rerun_script`` → ForwardMsgs
until ``script_finished``). Reported: page views, errors (an exception element, a failed script, a
dropped connection) and the time from request to ``script_finished`` (server script time plus loopback).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from tests.browser import streamlit_server

PAGES = ("column", "compare", "fx", "news", "data")
_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
_OK = {ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")}


async def _view(ws, page: str, lang: str) -> tuple[float, list[str]]:
    """Ask for one page; (milliseconds until the run finished, error messages)."""
    msg = BackMsg()
    msg.rerun_script.query_string = f"lang={lang}"
    msg.rerun_script.page_name = page
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    errors: list[str] = []
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(await ws.recv())
        kind = forward.WhichOneof("type")
        if kind == "delta" and forward.delta.new_element.WhichOneof("type") == "exception":
            errors.append(f"{page}: {forward.delta.new_element.exception.message[:120]}")
        if kind == "script_finished" and forward.script_finished != _RERUN:
            if forward.script_finished not in _OK:
                errors.append(f"{page}: script finished with status {forward.script_finished}")
            return (time.perf_counter() - start) * 1000, errors


async def _user(url: str, seed: int, until: float, times: list[float], errors: list[str],
                think: tuple[float, float]) -> None:
    rng = random.Random(seed)
    lang = rng.choice(["ko", "en"])
    try:
        async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                           max_size=None, open_timeout=30) as ws:
            while time.monotonic() < until:
                ms, problems = await asyncio.wait_for(_view(ws, rng.choice(PAGES), lang), timeout=120)
                times.append(ms)
                errors.extend(problems)
                await asyncio.sleep(rng.uniform(*think))  # a reader looks at the page before the next click
    except Exception as exc:  # a dropped or refused connection counts as an error
        errors.append(f"user {seed}: {type(exc).__name__}: {exc}")


async def _crowd(url: str, users: int, seconds: float, think: tuple[float, float]) -> tuple[list[float], list[str]]:
    times: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + seconds
    await asyncio.gather(*(_user(url, n, until, times, errors, think) for n in range(users)))
    return times, errors


async def _one_user_ms(url: str, page: str, views: int) -> float:
    async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None, open_timeout=30) as ws:
        await _view(ws, page, "en")  # warm
        return statistics.median([(await _view(ws, page, "en"))[0] for _ in range(views)])


def server_times(store_dir: Path, hello: Path, views: int = 10) -> list[tuple[str, str, str]]:
    """One websocket user, warm: request → script finished per page, against a hello-world app."""
    with streamlit_server(store_dir, script=hello) as url:
        base = asyncio.run(_one_user_ms(url, "", views))
    rows = [("server: hello-world app (title + one chart), request → script finished", f"{base:.0f} ms", "—")]
    with streamlit_server(store_dir) as url:
        for page in PAGES:
            ms = asyncio.run(_one_user_ms(url, page, views))
            rows.append((f"server: {page}, request → script finished (median of {views})",
                         f"{ms:.0f} ms ({ms / base:.1f}× hello-world)", "—"))
    return rows


def run(store_dir: Path, users: int = 20, seconds: float = 60.0,
        think: tuple[float, float] = (1.0, 3.0)) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows. ``think``: seconds a user waits between page views (0, 0 = flat out)."""
    with streamlit_server(store_dir) as url:
        asyncio.run(_crowd(url, 1, 5, (0.0, 0.0)))  # warm the caches once, as a running server would be
        times, errors = asyncio.run(_crowd(url, users, seconds, think))
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else float("nan")
    return [
        (f"load: {users} websocket users × {seconds:.0f} s on loopback, {think[0]:g}–{think[1]:g} s between views",
         f"{len(times)} page views", "—"),
        ("load: errors", f"{len(errors)}" + (f" (first: {errors[0][:80]})" if errors else ""), "0"),
        ("load: request → script finished, 95th percentile",
         f"{p95:.0f} ms (median {statistics.median(times):.0f} ms)" if times else "no page view", "—"),
    ]
