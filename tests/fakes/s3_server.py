"""A real S3 API on 127.0.0.1 for tests and benchmarks: moto's server, one request at a time.

moto checks a PUT's ``If-None-Match``/``If-Match`` and then stores the object in two steps without a
lock, so under its threaded server two racing PUTs can both pass the check; AWS S3, MinIO and R2 make
that check atomic. Serving requests one at a time gives the same atomicity, so the race tests measure
our publish protocol, not moto's threading. Run ``python -m tests.fakes.s3_server PORT`` or use
:func:`s3_server`.
"""

from __future__ import annotations

import os
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
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_EC2_METADATA_DISABLED": "true"}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def s3_server(bucket: str = "dashboard") -> Iterator[str]:
    """Start moto's S3 on a free loopback port with ``bucket`` created; yields the endpoint URL."""
    # The server's log goes to a file: a pipe nobody reads fills up after a few hundred requests, and the server
    # (one request at a time) then blocks writing its next log line, so every later request times out.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.s3_server", str(port)], cwd=ROOT,
                                env={**os.environ, **CREDENTIALS}, stdout=subprocess.DEVNULL, stderr=log, text=True)
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"moto server exited: {log.read()[-4000:]}")
                try:
                    urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("moto server did not start within 30 s") from None
                    time.sleep(0.1)
            import boto3

            boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                         aws_secret_access_key="testing").create_bucket(Bucket=bucket)
            yield endpoint
        finally:
            proc.kill()  # nothing to save: the store lives in the server's memory
            proc.wait(10)


@pytest.fixture(scope="module", name="endpoint")
def endpoint_fixture() -> Iterator[str]:
    """moto's S3 for this test module, with test credentials in the environment."""
    saved = {k: os.environ.get(k) for k in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    try:
        with s3_server() as url:
            yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(name="url")
def url_fixture(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh prefix in the test bucket, set as the store URL."""
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    import uuid

    store_url = f"s3://dashboard/t-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("DASHBOARD_STORE_URL", store_url)
    monkeypatch.setenv("DASHBOARD_S3_ENDPOINT", endpoint)
    return store_url


def main(port: int) -> None:
    """Serve moto on 127.0.0.1:``port``, single-threaded, until killed."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, DomainDispatcherApplication(create_backend_app), threaded=False)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
