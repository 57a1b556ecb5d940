"""``python -m ui.serve [streamlit options]``: ``streamlit run app.py`` that reports healthy only once it is warm.

A fresh replica's first views took 4-14 s (imports, the store read, the columns parsed and scored, figures
built). Here, as soon as the server listens, a thread opens a websocket session to it and views each page of
``DASHBOARD_WARMUP_PAGES`` exactly as a browser would, filling the process's caches; meanwhile
``/_stcore/health`` answers ``503 warming up``, so a load balancer, compose or Kubernetes sends no reader to a
cold replica. After ``DASHBOARD_WARMUP_SECONDS`` (default 300) without finishing, or when the warm-up fails,
the replica reports healthy anyway and serves cold, rather than never (the log says why).

``DASHBOARD_WARMUP_PAGES``: ``page[:lang]`` entries, comma-separated (default
:data:`data_sources.settings.DEFAULT_WARMUP_PAGES`); ``off`` skips the warm-up.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

from data_sources.settings import settings

APP = Path(__file__).resolve().parents[1] / "app.py"
WARMING_UP = "warming up"
LOG = logging.getLogger("ui.serve")
warm = threading.Event()  # set once the replica may report healthy
report: dict = {"views": [], "seconds": None, "problem": None}  # what the warm-up did (logged; tests read it)


def warmup_pages(raw: str | None = None) -> list[tuple[str, str]]:
    """``(page url path, language)`` to view, from ``DASHBOARD_WARMUP_PAGES`` (language ``ko`` unless given)."""
    raw = settings().warmup_pages if raw is None else raw
    if raw.strip().lower() in {"off", "0", "none", ""}:
        return []
    out = []
    for entry in raw.split(","):
        page, _, lang = entry.strip().partition(":")
        if page:
            out.append((page, lang if lang in ("ko", "en") else "ko"))
    return out


def warmup_seconds() -> float:
    """``DASHBOARD_WARMUP_SECONDS`` (:attr:`~data_sources.settings.Settings.warmup_seconds`, default 300)."""
    return settings().warmup_seconds


def gate_health() -> None:
    """Make Streamlit's health check answer ``503 warming up`` until :data:`warm` is set."""
    from streamlit.runtime import Runtime

    original = Runtime.is_ready_for_browser_connection

    async def ready(self: Runtime) -> tuple[bool, str]:
        ok, message = await original.fget(self)
        if ok and not warm.is_set():
            return False, WARMING_UP
        return ok, message

    Runtime.is_ready_for_browser_connection = property(ready)


def _stream_url() -> str:
    from streamlit import config

    host = str(config.get_option("server.address") or "127.0.0.1")
    host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    host = f"[{host}]" if ":" in host else host
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"ws://{host}:{config.get_option('server.port')}/{base + '/' if base else ''}_stcore/stream"


def _view(ws, page: str, lang: str, timeout: float) -> None:
    """One page view over the websocket: ask for the page, read until its run finished."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    rerun_early = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
    msg = BackMsg()
    msg.rerun_script.query_string = f"lang={lang}"
    msg.rerun_script.page_name = page
    ws.send(msg.SerializeToString())
    deadline = time.monotonic() + timeout
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if forward.WhichOneof("type") == "script_finished" and forward.script_finished != rerun_early:
            return


def _connect(deadline: float):
    """A websocket session with this server, once it has started (its options are final by then)."""
    from streamlit.runtime import Runtime, RuntimeState
    from websockets.sync.client import connect

    while not (Runtime.exists() and Runtime.instance().state not in {RuntimeState.INITIAL, RuntimeState.STOPPED}):
        if time.monotonic() > deadline:
            raise TimeoutError("the server did not start")
        time.sleep(0.1)
    url = _stream_url()
    while True:
        try:
            return connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=10)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def warm_up(pages: list[tuple[str, str]] | None = None, seconds: float | None = None) -> None:
    """View ``pages`` through this server's own websocket, wait for background scoring, then set :data:`warm`
    (always: a failed or slow warm-up is logged and the replica serves cold)."""
    pages = warmup_pages() if pages is None else pages
    start = time.monotonic()
    deadline = start + (warmup_seconds() if seconds is None else seconds)
    try:
        if pages:
            with _connect(deadline) as ws:
                # The app's own address first: until app.py has run ``st.navigation`` once, Streamlit resolves a
                # page name through its legacy pages/ folder lookup, which would run the page without app.py.
                _view(ws, "", pages[0][1], deadline - time.monotonic())
                for page, lang in pages:
                    began = time.monotonic()
                    _view(ws, page, lang, deadline - began)
                    report["views"].append((page, lang, round(time.monotonic() - began, 3)))
            from ui import column_cache

            if not column_cache.wait_idle(max(0.0, deadline - time.monotonic())):
                report["problem"] = "background scoring still running"
    except Exception as exc:  # any failure: serve cold rather than never
        report["problem"] = f"{type(exc).__name__}: {exc}"
    finally:
        report["seconds"] = round(time.monotonic() - start, 2)
        warm.set()
    views = ", ".join(f"{p}:{lang} {s:.1f} s" for p, lang, s in report["views"])
    if report["problem"]:
        LOG.warning("warm-up incomplete after %.1f s (%s); serving cold. Views: %s", report["seconds"],
                    report["problem"], views or "none")
    else:
        LOG.warning("warm-up done in %.1f s; reporting healthy. Views: %s", report["seconds"], views or "none")


def main(argv: list[str] | None = None) -> None:
    """``streamlit run app.py ARGV`` with the health check gated on the warm-up."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    gate_health()
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *args]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
