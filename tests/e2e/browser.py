"""Support for end-to-end tests: a real ``streamlit run app.py`` on a free port, and headless Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def chromium_path() -> str:
    """Debian's chromium, or skip with the reason."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium); .ci/run installs it")
    return path


class ServerURL(str):
    """The server's base URL, with the server process id attached."""

    def __new__(cls, url: str, pid: int) -> ServerURL:
        obj = super().__new__(cls, url)
        obj.pid = pid
        return obj


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(data_dir: Path, extra_env: dict[str, str] | None = None,
                     script: Path | None = None, warm: bool = False, ready_s: float = 60) -> Iterator[str]:
    """Serve app.py (or ``script``) offline against ``data_dir``; yields the base URL once healthy; stops the
    server after. ``warm``: start it as a replica does with ``python -m ui.serve`` (healthy once its caches are
    warm). ``ready_s``: seconds to wait for it to report healthy.

    The URL (a ``str``) also carries the server's ``pid``, for memory measurements."""
    port = free_port()
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(data_dir), "DASHBOARD_OFFLINE": "1",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(extra_env or {})}
    launcher = ["-m", "ui.serve"] if warm else ["-m", "streamlit", "run", str(script or ROOT / "app.py")]
    proc = subprocess.Popen(
        [sys.executable, *launcher, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{proc.stdout.read()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"streamlit did not become healthy within {ready_s:g} s")
        yield ServerURL(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def nginx_binary() -> str | None:
    """Debian's nginx, if installed."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def render_nginx():
    """deploy/render_nginx.py, the one renderer of the deployment's and the tests' nginx config."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("render_nginx", ROOT / "deploy" / "render_nginx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_nginx(work_dir: Path, upstreams: list[str]) -> tuple[subprocess.Popen, str]:
    """nginx with the project's config (deploy/nginx.conf.in) on a free port in front of ``upstreams``
    (``host:port``); ``work_dir`` must be readable by its workers (started as root, they run as ``nobody`` and
    write request bodies under it). Returns (process, base URL); :func:`stop_nginx` ends it."""
    nginx = nginx_binary()
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    conf = work_dir / "nginx.conf"
    conf.write_text(render_nginx().render(upstreams, f"127.0.0.1:{port}", work_dir=work_dir), encoding="utf-8")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work_dir), "-e", str(work_dir / "e.log"),
                             "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited early:\n{proc.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not listen within 20 s") from None
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def stop_nginx(proc: subprocess.Popen) -> None:
    """A graceful stop (SIGQUIT), then a kill after 10 s."""
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def nginx_proxy(upstream: str) -> Iterator[str]:
    """The project's nginx in front of one server (``http://host:port``); yields the proxy's base URL."""
    folder = Path(tempfile.mkdtemp(prefix="dashboard-nginx-"))
    folder.chmod(0o755)
    proc, url = start_nginx(folder, [upstream.removeprefix("http://")])
    try:
        yield url
    finally:
        stop_nginx(proc)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator[object]:
    """A Playwright page in Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


@contextmanager
def page_at(browser, url: str, size: tuple[int, int], ready: str, timeout: float = 120_000) -> Iterator[object]:
    """A page of ``browser`` in its own context at ``size`` (width, height), opened at ``url`` and waited for
    until the app shows ``ready``; the context is closed afterwards."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = context.new_page()
        page.goto(url)
        wait_for_app(page, ready, timeout=timeout)
        yield page
    finally:
        context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


#: The app is connected and no script run is under way: Streamlit's own state on its root element (the state its
#: e2e tests wait for). The status widget is no such state: it is drawn only once a run has lasted a moment, so a
#: page can look idle while its first run is still drawing it.
IDLE_JS = """() => { const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.dataset.testConnectionState === 'CONNECTED' && app.dataset.testScriptState === 'notRunning'; }"""


def wait_idle(page, timeout: float = 120_000) -> None:
    """Wait until no script run is under way (``IDLE_JS``)."""
    page.wait_for_function(IDLE_JS, timeout=timeout)


#: Everything the last run sent is drawn: no widget is still a placeholder (Streamlit's skeleton, shown while a
#: widget's code loads the first time) and every chart has its plot.
DRAWN_JS = """() => !document.querySelector('[data-testid=stSkeleton]')
  && [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every((c) => c.querySelector('.main-svg'))"""


def wait_drawn(page, timeout: float = 120_000) -> None:
    """Wait until no run is under way and what it sent is drawn (``IDLE_JS`` and ``DRAWN_JS`` at once)."""
    page.wait_for_function(f"() => ({IDLE_JS})() && ({DRAWN_JS})()", timeout=timeout)


def wait_for_app(page, text: str, timeout: float = 45_000) -> None:
    """Wait until Streamlit has rendered ``text`` and stopped running."""
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)
    wait_idle(page, timeout)
