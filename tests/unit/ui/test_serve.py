"""A fresh replica started with ``python -m ui.serve`` reports healthy only once it is warm, and then serves a
reader's first view of /column and /library within 2 s (a real server on the seeded store, offline)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.browser import ROOT, free_port
from ui.serve import WARMING_UP, warmup_pages

FIRST_VIEW_S = 2.0  # the target for a fresh replica's first view


def _health(url: str) -> tuple[int, str] | None:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return None  # not listening yet


def _first_view_s(url: str, page: str, lang: str) -> tuple[float, list[str], bool]:
    """A new reader's first view of ``page`` (its own websocket session): seconds from request to script finished,
    the headings shown, and whether the app's own script ran around the page (its open-tab check registered)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    rerun = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
    with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = f"lang={lang}"
        msg.rerun_script.page_name = page
        start = time.perf_counter()
        ws.send(msg.SerializeToString())
        headings, app_ran = [], False
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=120))
            kind = forward.WhichOneof("type")
            if kind == "delta":
                element = forward.delta.new_element
                assert element.WhichOneof("type") != "exception", element
                if element.WhichOneof("type") == "heading":
                    headings.append(element.heading.body)
            app_ran = app_ran or kind == "auto_rerun"
            if kind == "script_finished" and forward.script_finished != rerun:
                return time.perf_counter() - start, headings, app_ran


@pytest.mark.timeout(900)
def test_a_fresh_replica_reports_healthy_only_once_warm(_seeded_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(_seeded_template, store)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(store), "DASHBOARD_OFFLINE": "1",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    answers: list[tuple[int, str]] = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and (not answers or answers[-1][0] != 200):
            assert proc.poll() is None, proc.stdout.read()
            answer = _health(url)
            if answer is not None and (not answers or answers[-1] != answer):
                answers.append(answer)
            time.sleep(0.1)
        assert answers and answers[0] == (503, WARMING_UP) and answers[-1] == (200, "ok"), answers
        views = {(page, lang): _first_view_s(url, page, lang)
                 for page, lang in (("column", "ko"), ("library", "en"), ("column", "en"))}
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert "warm-up done" in out, out[-2000:]
    print("fresh replica, first views after healthy:", {k: f"{v[0]:.2f} s" for k, v in views.items()})
    assert all(app_ran for _s, _h, app_ran in views.values())  # the whole app, not the page alone
    assert views[("column", "ko")][1][0] == "칼럼과 근거" and views[("column", "en")][1][0] == "The column"
    assert views[("library", "en")][1][0] == "Library"
    assert all(seconds <= FIRST_VIEW_S for seconds, _h, _a in views.values()), views


def test_which_pages_are_warmed(monkeypatch) -> None:
    monkeypatch.delenv("DASHBOARD_WARMUP_PAGES", raising=False)
    assert ("column", "ko") in warmup_pages() and ("library", "en") in warmup_pages()
    assert warmup_pages("column:en, fx ,library:xx") == [("column", "en"), ("fx", "ko"), ("library", "ko")]
    assert warmup_pages("off") == []
