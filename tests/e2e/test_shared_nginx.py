"""The project's nginx config (rendered from deploy/nginx.conf.in with local addresses and paths only) in front
of two ``streamlit run`` replicas on 127.0.0.1, driven by real headless Chromium: one browser stays on one
replica across reloads, its websocket goes through the proxy, an upload reaches the session's replica, and
when a replica dies new sessions go to the other one."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, start_nginx, stop_nginx, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "tests" / "fakes" / "replica_app.py"
pytestmark = pytest.mark.browser


def _replica_of(page, timeout_s: float = 60) -> str:
    """The replica name the page shows (rendered over the websocket: no websocket, no text)."""
    locator = page.get_by_text("replica ", exact=False).first
    locator.wait_for(timeout=timeout_s * 1000)
    return locator.inner_text().removeprefix("replica ").strip()


@pytest.fixture
def work_dir() -> Iterator[Path]:
    """A folder nginx's unprivileged workers can use (pytest's own tmp folders are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="dashboard-nginx-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_sessions_stick_uploads_pass_and_a_dead_replica_moves_new_sessions(tmp_path, work_dir, seeded_store):
    empty = tmp_path / "store"  # the replica page reads an empty local store: only the proxying matters here
    empty.mkdir()
    common = {"DASHBOARD_STORE_URL": str(empty), "DASHBOARD_REFRESH": "off", "REPLICA_RERUN_SECONDS": "30",
              "STREAMLIT_SERVER_COOKIE_SECRET": "one-secret-for-every-replica"}
    with streamlit_server(empty, {**common, "REPLICA_NAME": "one"}, script=APP) as one, \
            streamlit_server(empty, {**common, "REPLICA_NAME": "two"}, script=APP) as two:
        pids = {"one": one.pid, "two": two.pid}
        nginx, proxy = start_nginx(work_dir, [one.removeprefix("http://"), two.removeprefix("http://")])
        try:
            with browser_page(1440, 900) as page:
                page.goto(proxy)
                home = _replica_of(page)
                for _ in range(3):  # reloads keep the browser on its replica (the XSRF cookie is the key)
                    page.reload()
                    assert _replica_of(page) == home
                log = (work_dir / "access.log").read_text(encoding="utf-8")
                assert '"GET /_stcore/stream HTTP/1.1" 101' in log  # the websocket upgrade went through nginx

                body = os.urandom(300_000)
                upload = tmp_path / "notes.bin"
                upload.write_bytes(body)
                page.locator("input[type='file']").first.set_input_files(str(upload))
                digest = hashlib.sha256(body).hexdigest()[:16]
                page.get_by_text(f"uploaded 300000 bytes sha256 {digest} on replica {home}").wait_for(timeout=60_000)
                assert ' /_stcore/upload_file/' in (work_dir / "access.log").read_text(encoding="utf-8")

                os.kill(pids[home], signal.SIGKILL)  # the browser's replica dies
                other = "two" if home == "one" else "one"
                browser = page.context.browser
                for _ in range(3):  # new sessions (new browsers, no cookie yet, then their own) land on the other
                    context = browser.new_context(viewport={"width": 390, "height": 844})
                    fresh = context.new_page()
                    fresh.goto(proxy)
                    assert _replica_of(fresh) == other
                    fresh.reload()
                    assert _replica_of(fresh) == other
                    context.close()
        finally:
            stop_nginx(nginx)


def _health_probes(page, url: str, heading: str) -> list[str]:
    """Open ``url`` in ``page`` and return the health-check addresses its front end asked, once ``heading``
    (rendered over the websocket) is shown."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "_stcore/health" in request.url else None)
    page.goto(url)
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    return asked


def test_a_deep_link_through_nginx_asks_the_servers_root_first(tmp_path, work_dir):
    """Through the project's nginx, a page's address carries the server's root, so Streamlit's front end asks
    ``/_stcore/health`` at once instead of ``/compare/_stcore/health`` (a 404) and a 100 ms retry; the page, its
    language from the address and the websocket work as before."""
    empty = tmp_path / "store"
    empty.mkdir()
    env = {"DASHBOARD_STORE_URL": str(empty), "DASHBOARD_REFRESH": "off"}
    with streamlit_server(empty, env) as app:
        nginx, proxy = start_nginx(work_dir, [app.removeprefix("http://")])
        try:
            with browser_page(390, 844) as page:
                direct = _health_probes(page, f"{app}/compare?lang=en", "US vs China")
                # without nginx, Streamlit's own server: the probe under the page's address comes first
                assert direct[0] == f"{app}/compare/_stcore/health", direct
            with browser_page(390, 844) as page:
                asked = _health_probes(page, f"{proxy}/compare?lang=en", "US vs China")
                assert asked == [f"{proxy}/_stcore/health"], asked
                assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == proxy
                assert page.url == f"{proxy}/compare?lang=en" or page.url.startswith(f"{proxy}/compare?lang=en&")
                page.goto(f"{proxy}/fx?lang=ko")  # another page, in Korean, through the same proxy
                page.get_by_role("heading", name="원/달러 환율").first.wait_for(timeout=60_000)
            log = (work_dir / "access.log").read_text(encoding="utf-8")
            assert '"GET /_stcore/stream HTTP/1.1" 101' in log and "/compare/_stcore/health" not in log
        finally:
            stop_nginx(nginx)
