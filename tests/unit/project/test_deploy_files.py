"""Dockerfile, compose.yaml and deploy/nginx.conf: checked here because CI cannot run Docker.

compose.yaml against a schema of the parts we use, cross-references (services, volumes, files), and
the commands it runs: the refresher's exact command is run here against moto's S3, and the app
command's flags are Streamlit options. The Dockerfile is parsed for its instructions; nginx.conf is
checked by ``nginx -t`` when nginx is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
import yaml

from data_sources.shared.object_store import S3Store
from tests.e2e.browser import nginx_binary, render_nginx
from tests.fakes.s3_server import endpoint_fixture, free_port, url_fixture  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICE_NAMES = {"minio", "bucket", "postgres", "refresher", "app-1", "app-2", "proxy"}
STRINGS = {"type": "array", "items": {"type": "string"}, "minItems": 1}
SCHEMA = {
    "type": "object",
    "required": ["services"],
    "additionalProperties": False,
    "patternProperties": {"^x-": {}},
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"},
        "volumes": {"type": "object", "additionalProperties": {"type": ["object", "null"]}},
        "services": {"type": "object", "minProperties": 1, "additionalProperties": {
            "type": "object",
            "anyOf": [{"required": ["image"]}, {"required": ["build"]}],
            "additionalProperties": False,
            "properties": {
                "image": {"type": "string", "pattern": r"^[a-z0-9./_-]+(:[A-Za-z0-9._-]+)?$"},
                "build": {"type": "string"},
                "command": STRINGS,
                "entrypoint": STRINGS,
                "environment": {"type": "object", "additionalProperties": {"type": "string"}},
                "volumes": {"type": "array", "items": {"type": "string", "pattern": "^[^:]+:/[^:]*(:ro)?$"}},
                "ports": {"type": "array", "items": {"type": "string", "pattern": r"^\d+:\d+$"}},
                "restart": {"enum": ["no", "always", "on-failure", "unless-stopped"]},
                "healthcheck": {"type": "object", "required": ["test"], "additionalProperties": False,
                                "properties": {"test": STRINGS, "interval": {"type": "string"},
                                               "timeout": {"type": "string"}, "retries": {"type": "integer"},
                                               "start_period": {"type": "string"}}},
                "depends_on": {"oneOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object", "additionalProperties": {
                        "type": "object", "required": ["condition"], "additionalProperties": False,
                        "properties": {"condition": {"enum": ["service_started", "service_healthy",
                                                              "service_completed_successfully"]}}}}]},
            },
        }},
    },
}


def _services() -> dict:
    return COMPOSE["services"]


def test_compose_matches_the_schema_and_has_every_part():
    jsonschema.validate(COMPOSE, SCHEMA)
    assert set(_services()) == SERVICE_NAMES


def test_compose_references_resolve():
    services, volumes = _services(), set(COMPOSE.get("volumes") or {})
    for name, service in services.items():
        deps = service.get("depends_on", [])
        for dep in deps:
            assert dep in services, f"{name} depends on unknown service {dep}"
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).is_file(), f"{name} mounts missing file {source}"
            else:
                assert source in volumes, f"{name} mounts undeclared volume {source}"
        if "build" in service:
            assert (ROOT / service["build"] / "Dockerfile").is_file()
        for dep, spec in (deps.items() if isinstance(deps, dict) else []):
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} to be healthy; it has no healthcheck"


def test_replicas_never_refresh_and_share_one_store_and_database():
    services = _services()
    apps = [services["app-1"], services["app-2"]]
    refresher = services["refresher"]["environment"]
    for app in apps:
        env = app["environment"]
        assert env["DASHBOARD_REFRESH"] == "off"
        for key in ("DASHBOARD_STORE_URL", "DASHBOARD_S3_ENDPOINT", "DASHBOARD_DB_URL"):
            assert env[key] == refresher[key]
        assert env["DASHBOARD_STORE_URL"].startswith("s3://")
        assert env["DASHBOARD_DB_URL"].startswith("postgresql://")
        assert "volumes" not in app  # replicas are stateless
    assert apps[0]["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"] == apps[1]["environment"][
        "STREAMLIT_SERVER_COOKIE_SECRET"]
    assert "DASHBOARD_REFRESH" not in refresher
    bucket = services["bucket"]["entrypoint"][-1]
    assert f"local/{refresher['DASHBOARD_STORE_URL'].removeprefix('s3://').split('/')[0]}" in bucket


def test_the_app_command_is_ui_serve_with_real_streamlit_options():
    """Replicas run ``python -m ui.serve`` (``streamlit run app.py`` gated on its warm-up), in compose and the image."""
    from streamlit import config as st_config

    from ui.serve import APP

    command = _services()["app-1"]["command"]
    assert command[:3] == ["python", "-m", "ui.serve"]
    assert APP == ROOT / "app.py" and APP.is_file()  # the app the module serves
    options = dict(zip(command[3::2], command[4::2], strict=True))
    known = st_config._config_options_template  # the option names Streamlit accepts
    for flag in options:
        assert flag.startswith("--") and flag[2:] in known, f"unknown streamlit option {flag}"
    assert options["--server.port"] == "8501" and options["--server.address"] == "0.0.0.0"
    assert _dockerfile_cmd() == command


def _healthcheck() -> tuple[dict[str, str], list[str]]:
    """The Dockerfile's HEALTHCHECK: its ``--option=value`` flags and its exec-form command."""
    [args] = [args for word, args in _dockerfile() if word == "HEALTHCHECK"]
    flags, _, command = args.partition(" CMD ")
    return dict(flag.removeprefix("--").split("=", 1) for flag in flags.split()), json.loads(command)


class _Health:
    """A stand-in for a replica's /_stcore/health: ``503 warming up`` until ``ready``, then ``200 ok``."""

    def __init__(self) -> None:
        import http.server
        import threading

        from ui.serve import WARMING_UP

        owner = self
        self.ready, self.paths = False, []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.paths.append(self.path)
                status, body = (200, b"ok") if owner.ready else (503, WARMING_UP.encode())
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_the_replica_health_check_fails_while_ui_serve_warms_up_and_passes_once_warm():
    """The image's check, run as Docker runs it (port moved to a free one), against /_stcore/health answering
    as ui.serve does: unhealthy during the warm-up (so nginx waits), healthy after; compose uses the same check."""
    flags, command = _healthcheck()
    assert command[0] == "python"
    port = dict(zip(_dockerfile_cmd()[3::2], _dockerfile_cmd()[4::2], strict=True))["--server.port"]
    assert f"127.0.0.1:{port}/_stcore/health" in command[-1]
    health = _Health()
    probe = [sys.executable, *[part.replace(f":{port}/", f":{health.server.server_address[1]}/") for part in
                               command[1:]]]
    try:
        warming = subprocess.run(probe, capture_output=True, text=True, timeout=60)
        health.ready = True
        warm = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    finally:
        health.server.shutdown()
        health.server.server_close()
    assert warming.returncode != 0 and warm.returncode == 0, (warming.stderr, warm.stderr)
    assert health.paths == ["/_stcore/health"] * 2
    warmup_s = settings_default("warmup_seconds")
    assert parse_seconds(flags["start-period"]) > warmup_s  # the longest warm-up counts no failure
    app = _services()["app-1"]["healthcheck"]
    assert app["test"] == ["CMD", *command] and parse_seconds(app["start_period"]) > warmup_s
    assert {name: spec["condition"] for name, spec in _services()["proxy"]["depends_on"].items()} == {
        "app-1": "service_healthy", "app-2": "service_healthy"}


def settings_default(field: str) -> float:
    from data_sources.settings import Settings

    return Settings.model_fields[field].default


def parse_seconds(text: str) -> float:
    from data_sources.shared.refresher import parse_interval

    return parse_interval(text)


def test_the_refresher_command_runs_and_publishes(url, endpoint, seeded_store):
    """compose's refresher command, exactly, with the endpoint pointed at moto; stopped like compose stops it."""
    command = _services()["refresher"]["command"]
    assert command == ["python", "-m", "data_sources", "refresh", "--every", "1h"]
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(seeded_store), "DASHBOARD_STORE_URL": url,
           "DASHBOARD_S3_ENDPOINT": endpoint}
    proc = subprocess.Popen([sys.executable, *command[1:]], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        reader = S3Store(url, endpoint, poll_seconds=0)
        deadline = time.monotonic() + 90
        while reader.current().provenance.get("version") != 1:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the refresher published nothing in 90 s"
            time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGTERM)  # docker stop sends SIGTERM
        proc.communicate(timeout=30)
    assert proc.returncode in {0, 3}  # published (3: with warnings: tests run offline)


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = text.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _dockerfile_cmd() -> list[str]:
    [cmd] = [json.loads(args) for word, args in _dockerfile() if word == "CMD"]
    return cmd


def test_dockerfile_installs_the_project_and_runs_unprivileged():
    steps = _dockerfile()
    words = [w for w, _ in steps]
    assert set(words) <= {"FROM", "ENV", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE", "HEALTHCHECK", "CMD"}
    assert words[0] == "FROM" and steps[0][1].startswith("python:3.11")  # pyproject: requires-python >=3.11
    for word, args in steps:
        if word == "COPY":
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in {"root", "0"}
    package_dirs = {"data_sources", "commentary", "ui", "catalog"}
    copied = {args.split()[0] for word, args in steps if word == "COPY"}
    assert package_dirs <= copied and "pages" in copied and "app.py" in copied
    env = " ".join(args for word, args in steps if word == "ENV")
    assert "DASHBOARD_DATA_DIR=/data" in env
    assert "MALLOC_ARENA_MAX=2" in env.split()  # set from the process's start (data_sources/runtime.py says why)


def test_the_image_installs_the_runtime_lock_then_the_project_without_dependencies():
    steps = _dockerfile()
    pip = [(i, args) for i, (word, args) in enumerate(steps) if word == "RUN" and "pip" in args]
    assert [args for _, args in pip] == ["pip install -r requirements-runtime.lock", "pip install --no-deps ."]
    lock_copied = next(i for i, (word, args) in enumerate(steps) if word == "COPY" and "requirements-runtime.lock"
                       in args)
    sources_copied = [i for i, (word, args) in enumerate(steps) if word == "COPY" and args.split()[0] in
                      {"data_sources", "pyproject.toml"}]
    assert lock_copied < pip[0][0] < min(sources_copied) <= max(sources_copied) < pip[1][0]


def test_the_runtime_lock_is_what_ci_tested_without_the_test_tools():
    """requirements-runtime.lock: current (its generator agrees), each pin the version requirements.lock pins,
    and none of the test extra's own tools in it."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from deploy import runtime_lock

    assert runtime_lock.main(["--check"]) == 0, "requirements-runtime.lock is out of date"
    runtime, tested = _pinned("requirements-runtime.lock"), _pinned()
    assert runtime and all(tested.get(name) == version for name, version in runtime.items())
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    test_tools = {canonicalize_name(Requirement(text).name) for text in extras["test"]}
    assert test_tools & set(tested) and not {"pytest", "playwright", "ruff", "moto"} & set(runtime)
    assert len(runtime) < len(tested)


def test_every_library_the_app_imports_is_in_the_runtime_lock():
    """An import contract: each third-party module the runtime packages and the pages import (read with ``ast``)
    belongs to a distribution the image installs; a test tool imported at runtime would fail here."""
    import ast
    from importlib.metadata import packages_distributions

    from packaging.utils import canonicalize_name

    own = {"data_sources", "commentary", "ui", "catalog", "pages", "app", "tests", "benchmarks", "deploy"}
    providers = packages_distributions()
    runtime = set(_pinned("requirements-runtime.lock"))
    files = [ROOT / "app.py", *[f for d in ("data_sources", "commentary", "ui", "catalog", "pages")
                                for f in (ROOT / d).rglob("*.py")]]
    missing = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in own or top == "__future__":
                    continue
                dists = {canonicalize_name(d) for d in providers.get(top, [])}
                if not dists & runtime:
                    missing.setdefault(top, []).append(str(path.relative_to(ROOT)))
    assert not missing, f"imported at runtime, not installed by the image: {missing}"


def _pinned(lock: str = "requirements.lock") -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "==" in line and not line.startswith("-"), f"requirements.lock: not a pin: {line}"
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.split(";")[0].strip()
    return pins


def test_the_runtime_lock_pins_every_package_the_project_needs_so_no_deps_is_safe():
    """Every runtime requirement of pyproject.toml, with its extras, and everything those need (read from the
    installed packages' own metadata), is pinned in requirements-runtime.lock (the image's):
    `pip install --no-deps .` misses nothing."""
    import tomllib
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = _pinned("requirements-runtime.lock")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [(Requirement(text), "") for text in project["dependencies"]]
    seen: set[tuple[str, str]] = set()
    while todo:
        req, parent_extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": parent_extra}):
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} (needed by the project) is not pinned in requirements-runtime.lock"
        for extra in {"", *req.extras}:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            try:
                todo += [(Requirement(text), extra) for text in requires(req.name) or []]
            except PackageNotFoundError:
                pytest.fail(f"{req.name} is pinned but not installed here: install requirements.lock")
    assert {"psycopg-binary", "botocore", "pyarrow", "streamlit"} <= {n for n, _ in seen}


def test_the_deployed_nginx_conf_is_the_rendered_template():
    renderer = render_nginx()
    assert renderer.main(["--check"]) == 0, "deploy/nginx.conf differs from nginx.conf.in: run render_nginx.py"
    assert set(s.split(":")[0] for s in renderer.COMPOSE_SERVERS) == {"app-1", "app-2"} <= set(_services())
    local = renderer.render(["127.0.0.1:1", "127.0.0.1:2"], "127.0.0.1:3", work_dir=Path("/w"))
    deployed = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    # the local rendering differs only in addresses and paths: every other line is the deployed file's
    changed = {line.strip() for line in local.splitlines()} - {line.strip() for line in deployed.splitlines()}
    assert all(("127.0.0.1:" in line) or ("/w/" in line) for line in changed), changed


def test_every_image_is_pinned_to_a_release():
    for name, service in _services().items():
        image = service["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", f"{name}: image {image} is not pinned"
        if "build" not in service:  # pulled images: a version number, not a moving name
            assert (any(ch.isdigit() for ch in tag) and "." in tag) or tag.startswith("RELEASE."), (name, image)
    base = next(args for word, args in _dockerfile() if word == "FROM")
    assert base.count(".") >= 2 and not base.endswith(":latest"), base  # python:3.11.N-…


def test_nginx_routes_one_browser_to_one_replica_and_passes_websockets(tmp_path):
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "hash $sticky_key consistent;" in conf
    assert "$cookie_dashboard_replica" in conf and "add_header Set-Cookie $sticky_cookie always;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    for name in ("app-1", "app-2"):
        assert f"server {name}:8501" in conf and name in _services()
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


def _compose_command() -> list[str] | None:
    """``docker compose`` (the plugin) or Debian's ``docker-compose`` 1.29 (``apt-get install docker-compose``)."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_config_accepts_the_file():
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker compose nor docker-compose is installed: compose.yaml checked by the schema "
                    "test only")
    proc = subprocess.run([*command, "-f", str(ROOT / "compose.yaml"), "config", "-q"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_docker_compose_config_rejects_a_broken_file(tmp_path):
    """The check above can fail: the same command refuses a compose file with a misspelt key."""
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker compose nor docker-compose is installed")
    broken = (ROOT / "compose.yaml").read_text(encoding="utf-8").replace("    healthcheck:", "    healthchek:", 1)
    (tmp_path / "compose.yaml").write_text(broken, encoding="utf-8")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
    (tmp_path / "deploy").mkdir()
    proc = subprocess.run([*command, "-f", str(tmp_path / "compose.yaml"), "config", "-q"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode != 0 and "healthchek" in proc.stderr + proc.stdout


def test_the_refresher_starts_after_its_neighbours_are_healthy_and_checks_its_own_publishes(url, endpoint,
                                                                                           seeded_store):
    from data_sources.shared.refresher import parse_interval

    refresher = _services()["refresher"]
    waits = {name: spec["condition"] for name, spec in refresher["depends_on"].items()}
    assert waits == {"postgres": "service_healthy", "minio": "service_healthy",
                     "bucket": "service_completed_successfully"}
    check = refresher["healthcheck"]["test"]
    assert check[:4] == ["CMD", "python", "-m", "data_sources"] and check[4] == "health"
    max_age = parse_interval(check[check.index("--max-age") + 1], "--max-age")
    every = parse_interval(refresher["command"][refresher["command"].index("--every") + 1])
    assert max_age > every  # one late run is not "unhealthy"; two missed ones are
    # the check itself, run as compose runs it: unhealthy before any publish, healthy after one
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(seeded_store), "DASHBOARD_STORE_URL": url,
           "DASHBOARD_S3_ENDPOINT": endpoint}
    before = subprocess.run([sys.executable, *check[2:]], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert before.returncode == 1, before.stdout + before.stderr
    published = subprocess.run([sys.executable, "-m", "data_sources", "refresh"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=180)
    assert "published: published version 1" in published.stdout, published.stderr
    after = subprocess.run([sys.executable, *check[2:]], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert after.returncode == 0 and after.stdout.startswith("ok: last publish"), after.stdout + after.stderr


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
