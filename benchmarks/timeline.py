"""Where a navigation's time goes in the browser: ``python -m benchmarks timeline``.

Warm views (one kept browser context per page, as the browser part's "warm"), interleaved with the hello-world
app and the shell (:mod:`benchmarks.shell`: the app's own navigation around hello-world's body, the floor warm
views are judged by). A script added before the page's own wraps ``WebSocket`` and records, in
``performance.now()`` milliseconds since the navigation started: when the page's scripts have run
(DOMContentLoaded), when the websocket is opened (after the front end's health check; under ``/<page>`` that
check first asks ``/<page>/_stcore/health`` and retries at the root), when the first message arrives, when the
message carrying the first Plotly chart arrives (decoded here from the recorded bytes) and when that chart is
drawn. Medians over ``BENCH_TIMELINE_REPEAT`` views (default 5) at ``BENCH_TIMELINE_SIZE`` (``desktop`` /
``phone``), in ``BENCH_BROWSER_LANG`` (default ``ko``).

Recording every message's bytes costs the page a little time, so these figures are for the breakdown, not for
the ratios of :mod:`benchmarks.browser`.
"""

from __future__ import annotations

import base64
import os
import statistics
import sys
import tempfile
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import shell
from benchmarks.browser import _WATCH_JS, DEPLOYED_ENV, HELLO, PAGES, SIZES
from tests.e2e.browser import CHROMIUM_ARGS, chromium_path, streamlit_server

_WS_JS = """(() => {
  const Native = window.WebSocket; window.__ws = {created: null, open: null, msgs: []};
  function Recorded(url, protocols) {
    const socket = new Native(url, protocols);
    window.__ws.created = performance.now();
    socket.addEventListener('open', () => { window.__ws.open = performance.now(); });
    socket.addEventListener('message', (e) => {
      const t = performance.now();
      if (!(e.data instanceof ArrayBuffer)) { window.__ws.msgs.push([t, '']); return; }
      const bytes = new Uint8Array(e.data); let text = '';
      for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
      window.__ws.msgs.push([t, btoa(text)]);
    });
    return socket;
  }
  Recorded.prototype = Native.prototype; Object.assign(Recorded, Native);
  window.WebSocket = Recorded;
})();"""
_READ_JS = """() => ({dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
  ws: window.__ws.created, open: window.__ws.open, msgs: window.__ws.msgs, drawn: window.__bench.first})"""
FIELDS = ("scripts run", "websocket opened", "first message", "chart message", "chart drawn")


def chart_message_ms(messages: list[list]) -> tuple[float | None, int]:
    """(arrival of the first message carrying a Plotly chart, elements received before it)."""
    before = 0
    for at, data in messages:
        if not data:
            continue
        msg = ForwardMsg()
        msg.ParseFromString(base64.b64decode(data))
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            if msg.delta.new_element.WhichOneof("type") == "plotly_chart":
                return at, before
            before += 1
    return None, before


def _view(page, url: str) -> dict[str, float]:
    page.goto(url)
    page.wait_for_function("() => window.__bench && window.__bench.first !== null", timeout=120_000)
    got = page.evaluate(_READ_JS)
    chart_at, before = chart_message_ms(got["msgs"])
    first = got["msgs"][0][0] if got["msgs"] else float("nan")
    return {"scripts run": got["dcl"], "websocket opened": got["open"] or float("nan"), "first message": first,
            "chart message": chart_at if chart_at is not None else float("nan"), "chart drawn": got["drawn"],
            "elements before": float(before)}


def run(store_dir: Path) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows: one per page and hello-world, the medians of each stamp."""
    from playwright.sync_api import sync_playwright

    repeat = int(os.environ.get("BENCH_TIMELINE_REPEAT", "5"))
    size_name = os.environ.get("BENCH_TIMELINE_SIZE", "desktop")
    width, height = SIZES[size_name]
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            lang = os.environ.get("BENCH_BROWSER_LANG", "ko")
            shell_app = shell.build(Path(tmp) / "shell")
            with streamlit_server(store_dir, DEPLOYED_ENV, script=hello) as hello_url, \
                    streamlit_server(store_dir, DEPLOYED_ENV, script=shell_app) as shell_url, \
                    streamlit_server(store_dir, DEPLOYED_ENV) as app_url:
                targets = {"hello-world": hello_url, "shell": f"{shell_url}/{PAGES[0]}?lang={lang}",
                           **{p: f"{app_url}/{p}?lang={lang}" for p in PAGES}}
                contexts = {}
                opener = browser.new_page()  # each app's root first: its app.py run ends Streamlit's legacy
                for base in (app_url, shell_url):  # pages/ lookup, which would serve a deep link without app.py
                    opener.goto(f"{base}/?lang={lang}")
                    opener.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
                opener.close()
                for name in targets:
                    context = browser.new_context(viewport={"width": width, "height": height})
                    context.add_init_script(_WATCH_JS)
                    context.add_init_script(_WS_JS)
                    contexts[name] = context.new_page()
                views: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
                for round_ in range(repeat + 1):  # the first round fills each context's cache
                    for name, url in targets.items():
                        got = _view(contexts[name], url)
                        if round_:
                            views[name].append(got)
                for name, got in views.items():
                    med = {f: statistics.median(v[f] for v in got) for f in (*FIELDS, "elements before")}
                    text = ", ".join(f"{f} {med[f]:.0f}" for f in FIELDS)
                    rows.append((f"timeline ({size_name}, warm, ms since navigation): {name}",
                                 f"{text} ({med['elements before']:.0f} elements before the chart)", "—"))
                    print(f"  {name}: {text}", file=sys.stderr)
        finally:
            browser.close()
    return rows
