"""Browser figures: time from navigation to the first Plotly chart drawn, and server memory (RSS)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.load import server_times
from tests.browser import browser_page, streamlit_server

HELLO = """import plotly.graph_objects as go
import streamlit as st
st.title("hello")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))
"""
PAGES = ("column", "compare", "fx", "news", "data")


def _first_chart_ms(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    return (time.perf_counter() - start) * 1000


def _rss_mb(pid: int) -> float:
    total = 0
    for child in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run(store_dir: Path, repeat: int = 5) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        with streamlit_server(store_dir, script=hello) as url, browser_page() as page:
            _first_chart_ms(page, url)  # warm
            hello_ms = statistics.median(_first_chart_ms(page, url) for _ in range(repeat))
        rows.append(("browser: hello-world app, navigation → first Plotly chart", f"{hello_ms:.0f} ms", "—"))
        rows += server_times(store_dir, hello)
    with streamlit_server(store_dir) as url, browser_page() as page:
        for name in PAGES:
            _first_chart_ms(page, f"{url}/{name}?lang=en")  # warm the server's caches
        for name in PAGES:
            ms = statistics.median(_first_chart_ms(page, f"{url}/{name}?lang=en") for _ in range(repeat))
            rows.append((f"browser: {name}, navigation → first Plotly chart", f"{ms:.0f} ms ({ms / hello_ms:.2f}×)",
                         "≤ 1.5× hello-world"))
        rows.append(("server memory (RSS) after visiting every page", f"{_rss_mb(url.pid):.0f} MB", "≤ 300 MB"))
    return rows
