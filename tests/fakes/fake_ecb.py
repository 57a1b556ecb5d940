"""A fake ECB on 127.0.0.1: ``/stats/eurofxref/eurofxref-hist.zip`` in the ECB's real layout.

The zip holds ``eurofxref-hist.csv`` (``Date,USD,…,KRW,…,CNY,…,HKD,…,`` newest first, ``N/A`` for
missing, a trailing comma on every line, as the ECB writes it), built from the unchanged ECB inputs
in ``shared/data/market/raw``. ``requests`` runs unpatched; tests point ``ecb.ECB_URL`` here.
Modes: ``ok``, ``503``, ``html`` (a non-zip page), ``trickle`` (a few bytes a second), ``huge``.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pandas as pd

from tests.fakes.loopback import LoopbackServer, serving

PATH = "/stats/eurofxref/eurofxref-hist.zip"


def eurofxref_zip(raw_dir: Path, until: str | None = None) -> bytes:
    """The ECB history file zipped, from the raw per-EUR rates (``until``: last date kept)."""
    krw = pd.read_csv(raw_dir / "ecb_eurofxref_usd_krw_cny.csv")
    hkd = pd.read_csv(raw_dir / "ecb_eurofxref_usd_hkd.csv")
    table = krw.merge(hkd.drop(columns="USD_per_EUR"), on="date", how="outer")
    if until:
        table = table[table["date"] <= until]
    table = table.sort_values("date", ascending=False)
    lines = ["Date,USD,JPY,KRW,CNY,HKD,"]
    for row in table.itertuples(index=False):
        cells = [row.date, row.USD_per_EUR, "N/A", row.KRW_per_EUR, row.CNY_per_EUR, row.HKD_per_EUR]
        lines.append(",".join("N/A" if pd.isna(c) else str(c) for c in cells) + ",")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("eurofxref-hist.csv", "\n".join(lines) + "\n")
    return buffer.getvalue()


@dataclass
class FakeEcb:
    """The fake's state: the zip it serves, its mode and the requests it saw."""

    payload: bytes
    mode: str = "ok"
    port: int = 0
    requests: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        """Where ``ecb.ECB_URL`` should point."""
        return f"http://127.0.0.1:{self.port}{PATH}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        fake = self.server.fake
        fake.requests.append(self.path)
        if self.path != PATH or fake.mode == "503":
            return self._send(503 if fake.mode == "503" else 404, b"<html>unavailable</html>", "text/html")
        if fake.mode == "html":
            return self._send(200, b"<html>Maintenance</html>", "text/html")
        if fake.mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.end_headers()
            block = b"\0" * (1 << 20)
            try:
                for _ in range(64):
                    self.wfile.write(block)
            except OSError:
                pass
            return None
        if fake.mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(fake.payload)))
            self.end_headers()
            try:
                for i in range(0, len(fake.payload), 16):
                    if fake._stop.wait(0.2):
                        break
                    self.wfile.write(fake.payload[i:i + 16])
                    self.wfile.flush()
            except OSError:
                pass
            return None
        return self._send(200, fake.payload, "application/zip")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(LoopbackServer):
    fake: FakeEcb


@contextmanager
def serve(raw_dir: Path, mode: str = "ok", until: str | None = None) -> Iterator[FakeEcb]:
    """Run a :class:`FakeEcb` on 127.0.0.1 (a free port) for the ``with`` block."""
    fake = FakeEcb(eurofxref_zip(raw_dir, until), mode)
    server = _Server(_Handler)
    server.fake = fake
    fake.port = server.port
    with serving(server, "fake-ecb", fake._stop):
        yield fake
