"""A fresh replica's first view of /column and /library: started as ``streamlit run app.py`` (healthy at once,
cold caches) and as ``python -m ui.serve`` (healthy once warm). ``python -m benchmarks fresh``.

For each start and page, two new servers (``MALLOC_ARENA_MAX=2``, as deployed): on the first, the seconds until
it reports healthy, then a reader's first view over a websocket (request → script finished: the server's part);
on the second, a reader's first view in headless Chromium (navigation → the page has stopped running with its
heading drawn: what the reader waits).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.load import DEPLOYED
from tests.e2e.browser import CHROMIUM_ARGS, chromium_path, streamlit_server, wait_for_app

PAGES = {"column": "판정 요약", "library": "칼럼 목록"}  # page → text its first view shows (Korean)
HELLO = 'import plotly.graph_objects as go\nimport streamlit as st\nst.title("hello")\n' \
        'st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))\n'  # the browser's own share
STARTS = {"streamlit run app.py": False, "python -m ui.serve": True}


def _server_view_s(url: str, page: str) -> float:
    """A new session's view of ``page`` (request → script finished), with a blocking websocket: the benchmark
    already runs Playwright's event loop in this thread."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    rerun = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
    with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None,
                 open_timeout=60) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = "lang=ko"
        msg.rerun_script.page_name = page
        start = time.perf_counter()
        ws.send(msg.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=300))
            if forward.WhichOneof("type") == "delta" and forward.delta.new_element.WhichOneof("type") == "exception":
                raise RuntimeError(forward.delta.new_element.exception.message)
            if forward.WhichOneof("type") == "script_finished" and forward.script_finished != rerun:
                return time.perf_counter() - start


def run(store_dir: Path) -> tuple[list[tuple[str, str, str]], dict]:
    """(figure, value, target) rows and the results (``benchmarks/results/fresh.json``)."""
    from playwright.sync_api import sync_playwright

    rows, out = [], []
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            hello = Path(tmp) / "hello.py"
            hello.write_text(HELLO, encoding="utf-8")
            with streamlit_server(store_dir, DEPLOYED, script=hello) as url:
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                opened = time.monotonic()
                context.new_page().goto(url)
                wait_for_app(context.pages[0], "hello", timeout=180_000)
                context.pages[0].wait_for_function("() => document.querySelector('.js-plotly-plot .main-svg')",
                                                   timeout=180_000)
                hello_s = time.monotonic() - opened
                context.close()
            out.append({"start": "hello-world app (title + one chart)", "page": "", "healthy_s": "—",
                        "browser_s": round(hello_s, 2), "server_s": "—"})
            rows.append(("fresh hello-world app (title + one chart): first view in the browser", f"{hello_s:.2f} s",
                         "—"))
            for start, warm in STARTS.items():
                for page, heading in PAGES.items():
                    began = time.monotonic()
                    with streamlit_server(store_dir, DEPLOYED, warm=warm, ready_s=900) as url:
                        healthy = time.monotonic() - began
                        server_s = _server_view_s(url, page)
                    with streamlit_server(store_dir, DEPLOYED, warm=warm, ready_s=900) as url:
                        context = browser.new_context(viewport={"width": 1440, "height": 900})
                        opened = time.monotonic()
                        tab = context.new_page()
                        tab.goto(f"{url}/{page}?lang=ko")
                        wait_for_app(tab, heading, timeout=180_000)
                        browser_s = time.monotonic() - opened
                        context.close()
                    out.append({"start": start, "page": page, "healthy_s": round(healthy, 1),
                                "browser_s": round(browser_s, 2), "server_s": round(server_s, 2)})
                    rows.append((f"fresh replica ({start}): healthy after; first view of /{page}, server "
                                 "(request → finished) and browser (another fresh replica)",
                                 f"{healthy:.1f} s; {server_s:.2f} s and {browser_s:.2f} s", "first view ≤ 2 s"))
        finally:
            browser.close()
    return rows, {"rows": out}
