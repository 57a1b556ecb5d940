"""The project's nginx config (rendered from deploy/nginx.conf.in with local addresses and paths only) in front
of two ``streamlit run`` replicas on 127.0.0.1, driven by real headless Chromium: one browser stays on one
replica across reloads, its websocket goes through the proxy, an upload reaches the session's replica, and
when a replica dies new sessions go to the other one."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import browser_page, free_port, streamlit_server
from tests.test_deploy_files import nginx_binary, render_nginx

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "tests" / "replica_app.py"
pytestmark = pytest.mark.browser


def _start_nginx(tmp_path: Path, upstreams: list[str]) -> tuple[subprocess.Popen, str]:
    """nginx with the project's config on a free port; ``tmp_path`` must be readable by its workers (started
    as root, they run as ``nobody`` and write request bodies under it)."""
    nginx = nginx_binary()
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx().render(upstreams, f"127.0.0.1:{port}", work_dir=tmp_path), encoding="utf-8")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "e.log"),
                             "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    while True:
        assert proc.poll() is None, proc.stdout.read()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "nginx did not listen within 20 s"
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


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
        nginx, proxy = _start_nginx(work_dir, [one.removeprefix("http://"), two.removeprefix("http://")])
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
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
