"""The refresher among its neighbours (issue 30 items 2 and 3): a database outage, an S3 outage, exit codes, the
healthcheck, and seeding a bucket from a snapshot folder. moto's S3 on 127.0.0.1 (behind a loopback proxy for
outages), a real PostgreSQL client against a port where nothing listens, fake Yahoo and ECB servers."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from data_sources import cli
from data_sources.news import store as news_store
from data_sources.shared.object_store import S3Store
from data_sources.shared.refresher import FAILED, OK, PUBLISH_STATE, WARNINGS, run_once
from data_sources.store.csv_io import import_folder
from data_sources.store.prices import Store
from tests.app.test_faults import servers  # noqa: F401  (fixture: fake Yahoo and fake ECB, online)
from tests.fakes.s3_proxy import s3_proxy
from tests.fakes.s3_server import endpoint_fixture, free_port, url_fixture  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[3]


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **env})


def _wait(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.05)


def test_a_database_outage_skips_the_news_and_still_publishes_prices_and_ecb_rates(url, endpoint, seeded_store,
                                                                                   servers, monkeypatch, capsys):  # noqa: F811
    monkeypatch.setenv("DASHBOARD_DB_URL", f"postgresql://dashboard:secret@127.0.0.1:{free_port()}/dashboard")
    store = Store(seeded_store)
    before = store.read().prices
    code = run_once(store, lambda: cli._refresh(store, argparse.Namespace()), S3Store(url, endpoint))
    out, err = capsys.readouterr()
    assert code == WARNINGS, out + err
    assert "news: skipped this run: the readers' feed list is kept in the database" in err
    assert "OperationalError" in err and "Traceback" not in err and "secret" not in err
    assert "published: published version 1" in out
    shared = S3Store(url, endpoint, poll_seconds=0).current()
    assert shared.snapshot.series["USDKRW_ECB"]["origin"] == "online"  # the ECB's file, fetched this run
    fetched_today = [s for s, info in shared.snapshot.series.items()
                     if str(info.get("yahoo_checked_at", "")).startswith(datetime.now(UTC).date().isoformat())]
    assert fetched_today, "no Yahoo symbol was refreshed"
    assert len(shared.prices) >= len(before)
    assert servers[1].requests, "the ECB was not asked"


def _run_through_outage(url: str, endpoint: str, store: Store, monkeypatch, retries: int, backoff: float,
                        recovered_when=None) -> int:
    """One refresher run (no price refresh) publishing while S3 is down; S3 comes back once ``recovered_when(proxy)``
    holds (never, when None). Returns the run's exit code."""
    monkeypatch.setenv("DASHBOARD_PUBLISH_RETRIES", str(retries))
    monkeypatch.setenv("DASHBOARD_PUBLISH_BACKOFF", str(backoff))
    done: dict = {}
    with s3_proxy(endpoint) as proxy:
        proxy.set_down(True)
        thread = threading.Thread(target=lambda: done.update(code=run_once(store, lambda: OK, S3Store(url, proxy.url))),
                                  daemon=True)
        thread.start()
        if recovered_when is not None:
            _wait(lambda: recovered_when(proxy))
            proxy.set_down(False)
        thread.join(300)
    return done["code"]


def test_an_s3_outage_is_retried_with_backoff_and_then_publishes(url, endpoint, seeded_store, monkeypatch, capsys):
    code = _run_through_outage(url, endpoint, Store(seeded_store), monkeypatch, 50, 0.05, lambda proxy: (
        "trying again in 0.1 s (attempt 3 of 50)" in capsys.readouterr().err or proxy.refused >= 12))
    assert code == WARNINGS  # published; the news was not fetched (offline)
    assert S3Store(url, endpoint, poll_seconds=0).current().provenance["version"] == 1
    state = json.loads((seeded_store / PUBLISH_STATE).read_text(encoding="utf-8"))
    assert state["status"] == "published" and state["version"] == 1


def test_an_s3_outage_that_outlasts_the_retries_fails_with_exit_1(url, endpoint, seeded_store, monkeypatch, capsys):
    assert _run_through_outage(url, endpoint, Store(seeded_store), monkeypatch, 3, 0) == FAILED
    _out, err = capsys.readouterr()
    assert err.count("trying again") == 2 and "failed: nothing was published: shared store" in err
    assert not (seeded_store / PUBLISH_STATE).exists()
    assert S3Store(url, endpoint, poll_seconds=0).read_pointer() == ({}, None)


def test_health_says_how_old_the_last_publish_is(url, endpoint, seeded_store):
    data = ("--data-dir", str(seeded_store))
    never = _cli(*data, "health")
    assert never.returncode == 1 and "unhealthy: no publish recorded" in never.stdout
    assert _cli(*data, "refresh").returncode == WARNINGS  # offline: published with warnings
    fresh = _cli(*data, "health", "--max-age", "1h")
    assert fresh.returncode == 0 and fresh.stdout.startswith("ok: last publish 0 min ago (published, version 1)")
    path = seeded_store / PUBLISH_STATE
    state = json.loads(path.read_text(encoding="utf-8"))
    state["at"] = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    path.write_text(json.dumps(state), encoding="utf-8")
    stale = _cli(*data, "health", "--max-age", "2h")
    assert stale.returncode == 1 and "more than --max-age 2h" in stale.stdout
    assert _cli(*data, "health", "--max-age", "soon").returncode == 2


def _expected(folder: Path, tmp_path: Path) -> pd.DataFrame:
    """What importing ``folder`` into an empty store gives (computed here, independently of the bucket)."""
    store = Store(tmp_path / "expected")
    import_folder(store, folder)
    return store.read().prices


def test_publish_seeds_an_empty_bucket_from_a_snapshot_folder_offline(url, endpoint, market_dir, news_dir, tmp_path):
    snapshot = tmp_path / "snapshot"
    shutil.copytree(market_dir, snapshot, ignore=shutil.ignore_patterns("NVDA.csv", "raw"))
    work = tmp_path / "refresher"
    proc = _cli("--data-dir", str(work), "publish", str(snapshot), "--feeds", str(news_dir))
    assert proc.returncode == OK, proc.stdout + proc.stderr
    assert "published: published version 1" in proc.stdout and "feeds failed" not in proc.stdout + proc.stderr
    shared = S3Store(url, endpoint, poll_seconds=0)
    prices = shared.current().prices
    expected = _expected(snapshot, tmp_path)
    yahoo = expected[~expected["symbol"].str.endswith("_ECB")].reset_index(drop=True)
    got = prices[prices["symbol"].isin(set(yahoo["symbol"]))].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, yahoo)
    assert {"USDKRW_ECB", "USDCNY_ECB", "USDHKD_ECB"} <= set(prices["symbol"])  # replicas never add them
    assert "NVDA" not in set(prices["symbol"])
    assert len(shared.news()) == len(news_store.load_news(work)) > 0

    # `import` with the store URL set publishes too: never only the refresher's own folder
    only_nvda = tmp_path / "nvda"
    only_nvda.mkdir()
    shutil.copy(market_dir / "NVDA.csv", only_nvda)
    proc = _cli("--data-dir", str(work), "import", str(only_nvda))
    assert proc.returncode == OK and "published: published version 2" in proc.stdout, proc.stdout + proc.stderr
    nvda = S3Store(url, endpoint, poll_seconds=0).load_prices(["NVDA"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(nvda, _expected(only_nvda, tmp_path / "n").reset_index(drop=True))

    # and the offline refresh that follows says "published with warnings", not "failed"
    again = _cli("--data-dir", str(work), "refresh")
    assert again.returncode == WARNINGS and "unchanged: version 2 already holds this data" in again.stdout
    assert "feeds failed" not in again.stderr


def test_publish_without_a_shared_store_is_refused_with_what_to_do(tmp_path, market_dir, monkeypatch):
    monkeypatch.delenv("DASHBOARD_STORE_URL", raising=False)
    proc = _cli("--data-dir", str(tmp_path / "w"), "publish", str(market_dir))
    assert proc.returncode == 2 and "publish needs DASHBOARD_STORE_URL=s3://bucket/prefix" in proc.stderr
    assert not (tmp_path / "w" / "prices.parquet").exists()


def test_an_import_that_would_change_stored_values_publishes_nothing(url, endpoint, market_dir, tmp_path):
    work = tmp_path / "refresher"
    assert _cli("--data-dir", str(work), "publish", str(market_dir)).returncode == OK
    changed = tmp_path / "changed"
    changed.mkdir()
    frame = pd.read_csv(market_dir / "AAPL.csv")
    frame.loc[len(frame) - 1, "close"] = frame["close"].iloc[-1] * 1.5
    frame.to_csv(changed / "AAPL.csv", index=False)
    proc = _cli("--data-dir", str(work), "import", str(changed))
    assert proc.returncode == 1 and "nothing stored" in proc.stderr and "published" not in proc.stdout
    assert S3Store(url, endpoint, poll_seconds=0).read_pointer()[0]["version"] == 1


@pytest.mark.parametrize("value", ["", "0", "-1", "x"])
def test_retry_settings_fall_back_to_sane_values(monkeypatch, value):
    from data_sources.settings import settings

    monkeypatch.setenv("DASHBOARD_PUBLISH_RETRIES", value)
    monkeypatch.setenv("DASHBOARD_PUBLISH_BACKOFF", value)
    assert settings().publish_retries >= 1 and settings().publish_backoff >= 0
