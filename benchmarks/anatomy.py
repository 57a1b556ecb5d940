"""Where a page's time goes, seen from the wire: ``python -m benchmarks anatomy``.

One websocket client of a real ``streamlit run app.py`` asks for each page (warm, as :mod:`benchmarks.load`
does) and reads every ForwardMsg until the run finishes. Per page it prints: the server's request → script
finished time, the bytes sent, the elements (and, of those, widgets) sent before the first chart, the time
until the first chart's message left the server, and each chart's Plotly JSON size, trace and point count.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from benchmarks.load import PAGES
from tests.e2e.browser import streamlit_server

_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
_WIDGETS = {"button", "button_group", "checkbox", "date_input", "download_button", "file_uploader",
            "multiselect", "number_input", "radio", "selectbox", "slider", "text_area", "text_input",
            "time_input", "date_time_input", "color_picker"}


def _points(spec: dict) -> tuple[int, int]:
    traces = spec.get("data") or []
    return len(traces), sum(len(t.get("x") or t.get("y") or []) for t in traces if isinstance(t, dict))


async def _view(ws, page: str) -> dict:
    msg = BackMsg()
    msg.rerun_script.query_string = "lang=en"
    msg.rerun_script.page_name = page
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    out = {"bytes": 0, "elements": 0, "before_chart": None, "widgets_before": 0, "first_chart_ms": None,
           "charts": [], "blocks": 0}
    while True:
        raw = await ws.recv()
        out["bytes"] += len(raw)
        forward = ForwardMsg()
        forward.ParseFromString(raw)
        kind = forward.WhichOneof("type")
        if kind == "delta":
            delta = forward.delta
            if delta.WhichOneof("type") == "add_block":
                out["blocks"] += 1
            elif delta.WhichOneof("type") == "new_element":
                element = delta.new_element.WhichOneof("type")
                out["elements"] += 1
                if element == "plotly_chart":
                    spec = json.loads(delta.new_element.plotly_chart.spec or "{}")
                    traces, points = _points(spec)
                    out["charts"].append((len(delta.new_element.plotly_chart.spec), traces, points))
                    if out["before_chart"] is None:
                        out["before_chart"] = out["elements"] - 1
                        out["first_chart_ms"] = (time.perf_counter() - start) * 1000
                elif out["before_chart"] is None and element in _WIDGETS:
                    out["widgets_before"] += 1
        if kind == "script_finished" and forward.script_finished != _RERUN:
            out["ms"] = (time.perf_counter() - start) * 1000
            return out


async def _page(url: str, page: str, views: int) -> dict:
    async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None, open_timeout=30) as ws:
        await _view(ws, page)  # warm the caches
        runs = [await _view(ws, page) for _ in range(views)]
    last = runs[-1]
    last["ms"] = statistics.median(r["ms"] for r in runs)
    firsts = [r["first_chart_ms"] for r in runs if r["first_chart_ms"] is not None]
    last["first_chart_ms"] = statistics.median(firsts) if firsts else None
    return last


def run(store_dir: Path, views: int = 5) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows, one block per page."""
    rows: list[tuple[str, str, str]] = []
    with streamlit_server(store_dir) as url:
        for page in PAGES:
            r = asyncio.run(_page(url, page, views))
            first = "—" if r["first_chart_ms"] is None else f"{r['first_chart_ms']:.0f} ms"
            rows.append((f"anatomy: {page}, script finished / first chart sent",
                         f"{r['ms']:.0f} ms / {first}", "—"))
            rows.append((f"anatomy: {page}, bytes sent, elements (blocks)",
                         f"{r['bytes'] / 1024:.0f} kB, {r['elements']} ({r['blocks']})", "—"))
            rows.append((f"anatomy: {page}, elements / widgets before the first chart",
                         f"{r['before_chart']} / {r['widgets_before']}", "—"))
            for n, (size, traces, points) in enumerate(r["charts"], 1):
                rows.append((f"anatomy: {page}, chart {n}: Plotly JSON, traces, points",
                             f"{size / 1024:.0f} kB, {traces}, {points}", "—"))
    return rows
