"""deploy/nginx.conf: the deployed file is the rendered template, and a real nginx (when installed) routes one
browser to one replica, passes websockets and agrees with Streamlit on the upload limit."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.browser import nginx_binary, render_nginx
from tests.fakes.s3_server import free_port
from tests.support.deploy_files import ROOT, services


def test_the_deployed_nginx_conf_is_the_rendered_template():
    renderer = render_nginx()
    assert renderer.main(["--check"]) == 0, "deploy/nginx.conf differs from nginx.conf.in: run render_nginx.py"
    assert set(s.split(":")[0] for s in renderer.COMPOSE_SERVERS) == {"app-1", "app-2"} <= set(services())
    local = renderer.render(["127.0.0.1:1", "127.0.0.1:2"], "127.0.0.1:3", work_dir=Path("/w"))
    deployed = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    # the local rendering differs only in addresses and paths: every other line is the deployed file's
    changed = {line.strip() for line in local.splitlines()} - {line.strip() for line in deployed.splitlines()}
    assert all(("127.0.0.1:" in line) or ("/w/" in line) for line in changed), changed


def test_nginx_routes_one_browser_to_one_replica_and_passes_websockets(tmp_path):
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "hash $sticky_key consistent;" in conf
    assert "$cookie_dashboard_replica" in conf and "add_header Set-Cookie $sticky_cookie always;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    for name in ("app-1", "app-2"):
        assert f"server {name}:8501" in conf and name in services()
    nginx = nginx_binary()
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light): config checked textually only")
    local = render_nginx().render([f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"],
                                  f"127.0.0.1:{free_port()}", work_dir=tmp_path)
    path = tmp_path / "nginx.conf"
    path.write_text(local, encoding="utf-8")
    proc = subprocess.run([nginx, "-t", "-q", "-c", str(path), "-p", str(tmp_path), "-e", str(tmp_path / "e.log")],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr


def _nginx_body_limit(conf: str) -> int:
    import re

    [(number, unit)] = re.findall(r"client_max_body_size\s+(\d+)([kKmM]?);", conf)
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def test_nginx_and_streamlit_agree_on_the_upload_limit():
    import tomllib

    streamlit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"][
        "maxUploadSize"]
    deployed = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert _nginx_body_limit(deployed) == streamlit_mb * 1024 * 1024
    local = render_nginx().render(["127.0.0.1:1"], "127.0.0.1:2", work_dir=Path("/w"))
    assert _nginx_body_limit(local) == streamlit_mb * 1024 * 1024


class _Upstream:
    """An HTTP/1.1 server standing in for a replica: it records, per request, the connection it came on and the
    Connection/Upgrade headers nginx sent, and reads any body."""

    def __init__(self) -> None:
        import http.server
        import threading

        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen.append({"port": self.client_address[1], "path": self.path, "bytes": len(body),
                             "connection": self.headers.get("Connection"), "upgrade": self.headers.get("Upgrade")})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def behind_nginx():
    """The deployment's nginx config (local addresses and paths) in front of one recording upstream."""
    import tempfile

    from tests.e2e.browser import start_nginx, stop_nginx

    upstream = _Upstream()
    work = Path(tempfile.mkdtemp(prefix="dashboard-nginx-"))
    work.chmod(0o755)  # nginx's unprivileged workers write request bodies under it
    try:
        proc, base = start_nginx(work, [upstream.address, upstream.address])
        try:
            yield base, upstream
        finally:
            stop_nginx(proc)
    finally:
        upstream.close()
        shutil.rmtree(work, ignore_errors=True)


def _send(base: str, path: str, method: str = "GET", body: bytes | None = None,
          headers: dict[str, str] | None = None) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(base + path, data=body, method=method,
                                     headers={"Cookie": "dashboard_replica=one-browser", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_nginx_refuses_an_upload_over_streamlits_limit_and_passes_one_within(behind_nginx):
    import tomllib

    base, upstream = behind_nginx
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"][
        "maxUploadSize"] * 1024 * 1024
    assert _send(base, "/_stcore/upload_file/s/f", "PUT", b"x" * limit) == 200
    assert _send(base, "/_stcore/upload_file/s/f", "PUT", b"x" * (limit + 1)) == 413
    assert [r["bytes"] for r in upstream.seen] == [limit]  # the refused one never reached the replica


def test_nginx_keeps_upstream_connections_alive_and_passes_websocket_upgrades(behind_nginx):
    base, upstream = behind_nginx
    for path in ["/_stcore/health", "/static/app.js", "/compare", "/column?lang=ko"] * 5:
        assert _send(base, path) == 200
    plain = list(upstream.seen)
    assert all((r["connection"] or "").lower() != "close" for r in plain), plain
    ports = {r["port"] for r in plain}
    assert len(ports) <= 4 < len(plain)  # connections reused (one per nginx worker at most), not one per request
    assert _send(base, "/_stcore/stream", headers={"Upgrade": "websocket", "Connection": "Upgrade"}) == 200
    upgrade = upstream.seen[-1]
    assert upgrade["upgrade"] == "websocket" and upgrade["connection"].lower() == "upgrade"
