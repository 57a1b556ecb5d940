"""Load: N simulated readers as websocket clients of one real replica on loopback, per-replica budgets.

The replica is started as deployed: ``python -m ui.serve`` (healthy once warm) with ``MALLOC_ARENA_MAX=2``, a
fresh one per crowd. Each user keeps one websocket session (a browser tab) and asks for a random page of
:data:`PAGES` again and again for the given time, speaking Streamlit's own protocol (BackMsg ``rerun_script`` →
ForwardMsgs until ``script_finished``), waiting between views as a reader does; like a real tab it also answers
the page's timers (the open-tab data check of ``ui/live.py`` reruns its fragment every ``DASHBOARD_TAB_CHECK``
seconds). Reported per crowd: page views and views/s, errors (an exception element, a failed script, a dropped
connection), the time from request to ``script_finished`` (median, 95th percentile), the server's CPU time per
view (fragment runs included), and its RSS after the run (and peak). Separately, the column page's CPU per view
(one user, warm): the 35 ms target. ``python -m benchmarks load`` writes them to ``benchmarks/results/load.json``.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from tests.e2e.browser import streamlit_server

PAGES = ("column", "library", "compare", "fx", "news", "data")
CROWDS = (20, 40)
TARGETS = {"column_cpu_ms_per_view": 35.0, "rss_mb_after_40_users": 300.0}
DEPLOYED = {"MALLOC_ARENA_MAX": "2"}  # as the Dockerfile starts a replica
TAB_CHECK_S = 5.0  # DASHBOARD_TAB_CHECK of the replica under load (its default)
_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
_OK = {ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY"),
       ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of process ``pid`` in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


class _Tab:
    """One reader's websocket session and what the page asked it to do on a timer."""

    def __init__(self, ws, lang: str) -> None:
        self.ws, self.lang = ws, lang
        self.page_hash = ""
        self.timers: dict[str, tuple[float, float]] = {}  # fragment id → (interval, next due, monotonic)

    async def run(self, page: str = "", fragment: str = "") -> tuple[float, list[str]]:
        """A page view (or one timer's fragment run): milliseconds until the run finished, error messages."""
        msg = BackMsg()
        msg.rerun_script.query_string = f"lang={self.lang}"
        if fragment:
            msg.rerun_script.fragment_id, msg.rerun_script.is_auto_rerun = fragment, True
            msg.rerun_script.page_script_hash = self.page_hash
        else:
            msg.rerun_script.page_name = page
            self.timers.clear()  # a new page run registers its own
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        errors: list[str] = []
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.ws.recv())
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = forward.new_session.page_script_hash
            elif kind == "auto_rerun":
                every = forward.auto_rerun.interval
                self.timers[forward.auto_rerun.fragment_id] = (every, time.monotonic() + every)
            elif kind == "delta" and forward.delta.new_element.WhichOneof("type") == "exception":
                errors.append(f"{page or 'fragment'}: {forward.delta.new_element.exception.message[:120]}")
            elif kind == "script_finished" and forward.script_finished != _RERUN:
                if forward.script_finished not in _OK:
                    errors.append(f"{page or 'fragment'}: script finished with status {forward.script_finished}")
                return (time.perf_counter() - start) * 1000, errors

    async def read_for(self, seconds: float, counts: dict) -> list[str]:
        """The reader looks at the page for ``seconds``; the page's timers fire meanwhile, as in a browser."""
        until, errors = time.monotonic() + seconds, []
        while True:
            due = min(((nxt, fid) for fid, (_every, nxt) in self.timers.items()), default=None)
            if due is None or due[0] >= until:
                await asyncio.sleep(max(0.0, until - time.monotonic()))
                return errors
            await asyncio.sleep(max(0.0, due[0] - time.monotonic()))
            every = self.timers[due[1]][0]
            _ms, problems = await self.run(fragment=due[1])
            counts["fragment_runs"] += 1
            errors += problems
            if due[1] in self.timers:
                self.timers[due[1]] = (every, time.monotonic() + every)


async def _user(url: str, seed: int, until: float, times: list[float], errors: list[str], counts: dict,
                think: tuple[float, float], pages: tuple[str, ...]) -> None:
    rng = random.Random(seed)
    try:
        async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                           max_size=None, open_timeout=60) as ws:
            tab = _Tab(ws, rng.choice(["ko", "en"]))
            while time.monotonic() < until:
                ms, problems = await asyncio.wait_for(tab.run(rng.choice(pages)), timeout=120)
                times.append(ms)
                errors.extend(problems)
                errors.extend(await tab.read_for(rng.uniform(*think), counts))
    except Exception as exc:  # a dropped or refused connection counts as an error
        errors.append(f"user {seed}: {type(exc).__name__}: {exc}")


async def _crowd(url: str, users: int, seconds: float, think: tuple[float, float],
                 pages: tuple[str, ...] = PAGES) -> tuple[list[float], list[str], dict]:
    times: list[float] = []
    errors: list[str] = []
    counts = {"fragment_runs": 0}
    until = time.monotonic() + seconds
    await asyncio.gather(*(_user(url, n, until, times, errors, counts, think, pages) for n in range(users)))
    return times, errors, counts


def crowd(store_dir: Path, users: int, seconds: float, think: tuple[float, float]) -> dict:
    """One crowd against a fresh, warm replica: its figures as a dict (see the module's docstring)."""
    env = {**DEPLOYED, "DASHBOARD_TAB_CHECK": f"{TAB_CHECK_S:g}"}
    with streamlit_server(store_dir, env, warm=True, ready_s=900) as url:
        cpu0, wall0 = cpu_seconds(url.pid), time.monotonic()
        times, errors, counts = asyncio.run(_crowd(url, users, seconds, think))
        cpu, wall = cpu_seconds(url.pid) - cpu0, time.monotonic() - wall0
        rss, peak = memory_mb(url.pid)
    views = len(times)
    return {"users": users, "seconds": round(wall, 1), "think_s": list(think), "views": views,
            "views_per_s": round(views / wall, 2), "fragment_runs": counts["fragment_runs"], "errors": len(errors),
            "first_error": errors[0][:200] if errors else "",
            "median_ms": round(statistics.median(times)) if times else None,
            "p95_ms": round(statistics.quantiles(times, n=20)[-1]) if len(times) >= 20 else None,
            "cpu_ms_per_view": round(cpu * 1000 / views, 1) if views else None,
            "cpu_share_of_one_core": round(cpu / wall, 2), "rss_mb": round(rss), "rss_peak_mb": round(peak)}


async def _one_user(url: str, page: str, views: int, pid: int) -> tuple[float, float]:
    async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None, open_timeout=60) as ws:
        tab = _Tab(ws, "ko")
        for lang in ("ko", "en"):  # both languages warm
            tab.lang = lang
            await tab.run(page)
        cpu0, times = cpu_seconds(pid), []
        for n in range(views):
            tab.lang = ("ko", "en")[n % 2]
            ms, errors = await tab.run(page)
            if errors:
                raise RuntimeError(errors[0])
            times.append(ms)
        return (cpu_seconds(pid) - cpu0) * 1000 / views, statistics.median(times)


def page_cpu(store_dir: Path, page: str = "column", views: int = 60) -> dict:
    """One warm user viewing ``page`` ``views`` times (Korean and English in turn): server CPU per view."""
    with streamlit_server(store_dir, DEPLOYED, warm=True, ready_s=900) as url:
        per_view, median = asyncio.run(_one_user(url, page, views, url.pid))
    return {"page": page, "views": views, "cpu_ms_per_view": round(per_view, 1), "median_ms": round(median)}


async def _idle_tab(url: str, seconds: float, pid: int) -> tuple[int, float]:
    async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None, open_timeout=60) as ws:
        tab, counts = _Tab(ws, "ko"), {"fragment_runs": 0}
        await tab.run("column")
        cpu0 = cpu_seconds(pid)
        errors = await tab.read_for(seconds, counts)
        if errors:
            raise RuntimeError(errors[0])
        return counts["fragment_runs"], (cpu_seconds(pid) - cpu0) * 1000


def idle_tab_cpu(store_dir: Path, seconds: float = 30.0) -> dict:
    """One tab left open on the column page, checking the data version every second: server CPU per check."""
    with streamlit_server(store_dir, {**DEPLOYED, "DASHBOARD_TAB_CHECK": "1"}, warm=True, ready_s=900) as url:
        checks, cpu_ms = asyncio.run(_idle_tab(url, seconds, url.pid))
    return {"seconds": seconds, "checks": checks, "cpu_ms_per_check": round(cpu_ms / checks, 2) if checks else None}


async def _one_user_ms(url: str, page: str, views: int) -> float:
    async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None, open_timeout=30) as ws:
        tab = _Tab(ws, "en")
        await tab.run(page)  # warm
        return statistics.median([(await tab.run(page))[0] for _ in range(views)])


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


def run(store_dir: Path, users: tuple[int, ...] = CROWDS, seconds: float = 60.0,
        think: tuple[float, float] = (1.0, 3.0)) -> tuple[list[tuple[str, str, str]], dict]:
    """(figure, value, target) rows and the results (``benchmarks/results/load.json``)."""
    column = page_cpu(store_dir)
    idle = idle_tab_cpu(store_dir)
    crowds = [crowd(store_dir, n, seconds, think) for n in users]
    rows = [(f"column page, one warm user, {column['views']} views: server CPU per view",
             f"{column['cpu_ms_per_view']:.1f} ms (median {column['median_ms']} ms)",
             f"≤ {TARGETS['column_cpu_ms_per_view']:g} ms"),
            (f"an open tab left idle {idle['seconds']:g} s, checking the data version every 1 s: server CPU per check",
             f"{idle['cpu_ms_per_check']} ms ({idle['checks']} checks)", "—")]
    for c in crowds:
        where = f"load, {c['users']} users × {c['seconds']:.0f} s, {think[0]:g}–{think[1]:g} s between views"
        rows += [(f"{where}: views/s", f"{c['views_per_s']:.2f} ({c['views']} views, {c['fragment_runs']} "
                  f"open-tab checks)", "—"),
                 (f"{where}: errors", f"{c['errors']}" + (f" (first: {c['first_error'][:80]})" if c["errors"] else ""),
                  "0"),
                 (f"{where}: request → script finished, median / p95", f"{c['median_ms']} / {c['p95_ms']} ms", "—"),
                 (f"{where}: server CPU per view (all pages)", f"{c['cpu_ms_per_view']} ms "
                  f"({c['cpu_share_of_one_core']:.0%} of a core)", "—"),
                 (f"{where}: server RSS after / peak", f"{c['rss_mb']} / {c['rss_peak_mb']} MB",
                  f"≤ {TARGETS['rss_mb_after_40_users']:g} MB" if c["users"] >= 40 else "—")]
    results = {"pages": list(PAGES), "think_s": list(think), "tab_check_s": TAB_CHECK_S, "column": column,
               "idle_tab": idle,
               "crowds": crowds, "targets": TARGETS}
    return rows, results
