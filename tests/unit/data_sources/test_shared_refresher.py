"""The one refresher: ``python -m data_sources refresh [--every]`` publishing to moto's S3 on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data_sources.shared.object_store import S3Store
from data_sources.shared.refresher import parse_interval, run_refresher
from data_sources.store.prices import Store
from tests.fakes.s3_server import endpoint_fixture, url_fixture  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("text", "seconds"), [("1h", 3600), ("30m", 1800), ("90s", 90), ("90", 90), ("1d", 86400),
                                               ("1.5h", 5400), (" 2H ", 7200)])
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "1w", "-1h", "0.1s", "1h30m"])
def test_bad_intervals_are_named(text):
    with pytest.raises(ValueError, match="--every"):
        parse_interval(text)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ, **env})


def test_one_shot_refresh_publishes_the_local_store(url, endpoint, seeded_store):
    proc = _cli("--data-dir", str(seeded_store), "refresh")
    assert "published: published version 1" in proc.stdout, proc.stderr
    shared = S3Store(url, endpoint, poll_seconds=0).current()
    assert len(shared.prices) == len(Store(seeded_store).read().prices)
    assert shared.provenance["refresh"]["outcome"] == "offline"  # tests never reach Yahoo

    again = _cli("--data-dir", str(seeded_store), "refresh")
    assert "unchanged: version 1 already holds this data" in again.stdout, again.stderr


def test_a_refresher_on_an_empty_folder_starts_from_the_shared_version(url, endpoint, seeded_store, tmp_path):
    assert _cli("--data-dir", str(seeded_store), "refresh").returncode == 3  # published; offline: warnings
    fresh = tmp_path / "fresh"
    proc = _cli("--data-dir", str(fresh), "refresh")
    assert f"seeded {fresh} from {url}" in proc.stderr
    assert "unchanged" in proc.stdout
    assert len(Store(fresh).read().prices) == len(Store(seeded_store).read().prices)


def test_refresh_is_refused_where_dashboard_refresh_is_off(url, seeded_store):
    proc = _cli("--data-dir", str(seeded_store), "refresh", DASHBOARD_REFRESH="off")
    assert proc.returncode == 2
    assert "DASHBOARD_REFRESH is off" in proc.stderr
    assert S3Store(url).read_pointer() == ({}, None)


def test_bad_every_is_a_clear_error(seeded_store):
    proc = _cli("--data-dir", str(seeded_store), "refresh", "--every", "soon")
    assert proc.returncode == 2 and "--every 'soon' is not an interval" in proc.stderr


def test_every_keeps_publishing_new_versions_and_stops_on_sigterm(url, endpoint, seeded_store):
    proc = subprocess.Popen([sys.executable, "-m", "data_sources", "--data-dir", str(seeded_store), "refresh",
                             "--every", "1s"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        reader = S3Store(url, endpoint, poll_seconds=0)
        _wait(lambda: reader.current().provenance.get("version") == 1, 60)
        store = Store(seeded_store)
        bumped = store.read().prices.head(50).copy()
        bumped["close"] = bumped["close"] * 2
        store.upsert(bumped, {})  # the next run finds new data and publishes it
        _wait(lambda: reader.current().provenance.get("version") == 2, 60)
        assert reader.current().prices["close"].head(50).tolist() == bumped["close"].tolist()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err  # published with warnings: the refresh was offline, as every test is
    assert "published version 2" in out


def test_a_store_outage_does_not_end_the_loop(seeded_store, monkeypatch):
    calls = []

    def refresh_once() -> int:
        calls.append(1)
        if len(calls) == 1:
            from data_sources.store.atomic import StoreError

            raise StoreError("shared store s3://x at http://127.0.0.1:1: cannot read current.json")
        return 0

    monkeypatch.delenv("DASHBOARD_STORE_URL", raising=False)
    assert run_refresher(Store(seeded_store), "1s", refresh_once, max_runs=2) == 0
    assert len(calls) == 2


def _wait(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.2)
