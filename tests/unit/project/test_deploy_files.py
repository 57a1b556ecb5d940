"""compose.yaml and the image's commands: checked here because CI cannot run Docker (the Dockerfile and its lock:
test_deploy_image.py; nginx: test_deploy_nginx.py).

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

import jsonschema
import pytest

from data_sources.shared.object_store import S3Store
from tests.fakes.s3_server import endpoint_fixture, free_port, url_fixture  # noqa: F401  (fixtures)
from tests.support.deploy_files import COMPOSE, ROOT, dockerfile, dockerfile_cmd, services

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


def test_compose_matches_the_schema_and_has_every_part():
    jsonschema.validate(COMPOSE, SCHEMA)
    assert set(services()) == SERVICE_NAMES


def test_compose_references_resolve():
    defined, volumes = services(), set(COMPOSE.get("volumes") or {})
    for name, service in defined.items():
        deps = service.get("depends_on", [])
        for dep in deps:
            assert dep in defined, f"{name} depends on unknown service {dep}"
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
                assert "healthcheck" in defined[dep], f"{name} waits for {dep} to be healthy; it has no healthcheck"


def test_replicas_never_refresh_and_share_one_store_and_database():
    defined = services()
    apps = [defined["app-1"], defined["app-2"]]
    refresher = defined["refresher"]["environment"]
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
    bucket = defined["bucket"]["entrypoint"][-1]
    assert f"local/{refresher['DASHBOARD_STORE_URL'].removeprefix('s3://').split('/')[0]}" in bucket


def test_the_app_command_is_ui_serve_with_real_streamlit_options():
    """Replicas run ``python -m ui.serve`` (``streamlit run app.py`` gated on its warm-up), in compose and the image."""
    from streamlit import config as st_config

    from ui.serve import APP

    command = services()["app-1"]["command"]
    assert command[:3] == ["python", "-m", "ui.serve"]
    assert APP == ROOT / "app.py" and APP.is_file()  # the app the module serves
    options = dict(zip(command[3::2], command[4::2], strict=True))
    known = st_config._config_options_template  # the option names Streamlit accepts
    for flag in options:
        assert flag.startswith("--") and flag[2:] in known, f"unknown streamlit option {flag}"
    assert options["--server.port"] == "8501" and options["--server.address"] == "0.0.0.0"
    assert dockerfile_cmd() == command


def _healthcheck() -> tuple[dict[str, str], list[str]]:
    """The Dockerfile's HEALTHCHECK: its ``--option=value`` flags and its exec-form command."""
    [args] = [args for word, args in dockerfile() if word == "HEALTHCHECK"]
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
    port = dict(zip(dockerfile_cmd()[3::2], dockerfile_cmd()[4::2], strict=True))["--server.port"]
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
    app = services()["app-1"]["healthcheck"]
    assert app["test"] == ["CMD", *command] and parse_seconds(app["start_period"]) > warmup_s
    assert {name: spec["condition"] for name, spec in services()["proxy"]["depends_on"].items()} == {
        "app-1": "service_healthy", "app-2": "service_healthy"}


def settings_default(field: str) -> float:
    from data_sources.settings import Settings

    return Settings.model_fields[field].default


def parse_seconds(text: str) -> float:
    from data_sources.shared.refresher import parse_interval

    return parse_interval(text)


def test_the_refresher_command_runs_and_publishes(url, endpoint, seeded_store):
    """compose's refresher command, exactly, with the endpoint pointed at moto; stopped like compose stops it."""
    command = services()["refresher"]["command"]
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

    refresher = services()["refresher"]
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


def test_every_image_is_pinned_to_a_release():
    for name, service in services().items():
        image = service["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", f"{name}: image {image} is not pinned"
        if "build" not in service:  # pulled images: a version number, not a moving name
            assert (any(ch.isdigit() for ch in tag) and "." in tag) or tag.startswith("RELEASE."), (name, image)
    base = next(args for word, args in dockerfile() if word == "FROM")
    assert base.count(".") >= 2 and not base.endswith(":latest"), base  # python:3.11.N-…
