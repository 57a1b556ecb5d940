"""Render ``deploy/nginx.conf`` from ``deploy/nginx.conf.in``: the compose deployment's file, or a local one
(other upstream addresses, listen address and file paths) that the tests run in front of real replicas.

``python deploy/render_nginx.py`` rewrites ``deploy/nginx.conf``; ``--check`` only says whether it is current.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx.conf.in"
OUTPUT = HERE / "nginx.conf"
COMPOSE_SERVERS = ("app-1:8501", "app-2:8501")  # the app replicas' service names in compose.yaml
SERVER_OPTIONS = "max_fails=3 fail_timeout=10s"
STREAMLIT_CONFIG = HERE.parent / ".streamlit" / "config.toml"
STREAMLIT_DEFAULT_UPLOAD_MB = 200  # Streamlit's own default for server.maxUploadSize


def max_upload_mb(config: Path = STREAMLIT_CONFIG) -> int:
    """Streamlit's ``server.maxUploadSize`` (MB): the one upload limit, which nginx's ``client_max_body_size``
    repeats, so a body nginx lets through is one Streamlit accepts and the other way round."""
    with config.open("rb") as handle:
        value = tomllib.load(handle).get("server", {}).get("maxUploadSize", STREAMLIT_DEFAULT_UPLOAD_MB)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{config}: server.maxUploadSize {value!r} is not a whole number of megabytes")
    return value


def render(servers: tuple[str, ...] | list[str] = COMPOSE_SERVERS, listen: str = "80", *, work_dir: Path | None = None
           ) -> str:
    """The config with these upstream ``host:port`` servers and ``listen`` address. ``work_dir`` (local runs
    without root) puts the pid file, logs and temporary files there; the deployment keeps nginx's defaults."""
    text = TEMPLATE.read_text(encoding="utf-8").split("\n", 1)[1]  # drop the template's own header line
    main = http = ""
    if work_dir is not None:
        main = f"pid {work_dir}/nginx.pid;\nerror_log {work_dir}/error.log;\n"
        http = "".join(f"    {name} {work_dir}/{folder};\n" for name, folder in (
            ("client_body_temp_path", "body"), ("proxy_temp_path", "proxy"), ("fastcgi_temp_path", "fastcgi"),
            ("uwsgi_temp_path", "uwsgi"), ("scgi_temp_path", "scgi"))) + f"    access_log {work_dir}/access.log;\n"
    lines = "\n".join(f"        server {s} {SERVER_OPTIONS};" for s in servers)
    return (text.replace("{{main}}", main).replace("{{http}}\n", http).replace("{{servers}}", lines)
            .replace("{{listen}}", listen).replace("{{max_body}}", f"{max_upload_mb()}m"))


def main(argv: list[str]) -> int:
    wanted = "# Generated from nginx.conf.in by render_nginx.py: edit the template, then run it.\n" + render()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        print("deploy/nginx.conf is current" if current == wanted else "deploy/nginx.conf is out of date")
        return 0 if current == wanted else 1
    OUTPUT.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
