"""The shared store on a real S3 API (moto's server on 127.0.0.1): publish, read, kill, race."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import boto3
import pandas as pd
import pytest

from data_sources.settings import settings
from data_sources.shared import publish, refresher
from data_sources.shared.object_store import LocalStore, S3Store, open_store
from data_sources.shared.refresher import publish_from_local
from data_sources.store.atomic import StoreError
from data_sources.store.prices import Store, now_utc
from tests.fakes.s3_server import CREDENTIALS, endpoint_fixture, free_port, url_fixture  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[3]


def _prices(seeded_store: Path) -> tuple[pd.DataFrame, dict]:
    snap = Store(seeded_store).read()
    return snap.prices, snap.series


def _fresh(frame: pd.DataFrame) -> dict[str, dict]:
    """Provenance saying every symbol was fetched now (newer than what is published, so a merge keeps these rows)."""
    now = now_utc().isoformat(timespec="microseconds")
    return {str(s): {"source": "test", "fetched_at": now} for s in frame["symbol"].unique()}


def _bumped(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    out = frame.copy()
    out["close"] = out["close"] * factor
    return out


def test_publish_then_read_returns_the_same_frame_with_provenance(url, endpoint, seeded_store):
    prices, series = _prices(seeded_store)
    writer = S3Store(url, endpoint, poll_seconds=0)
    result = writer.publish(prices, series, {"at": "2025-01-27T00:00:00+00:00", "outcome": "ok"})
    assert (result.status, result.version) == ("published", 1)

    reader = S3Store(url, endpoint, poll_seconds=0)
    shared = reader.current()
    pd.testing.assert_frame_equal(shared.prices, prices)
    assert shared.snapshot.series == series
    assert shared.provenance["version"] == 1
    assert shared.provenance["rows"] == len(prices)
    assert shared.provenance["as_of"] == prices["date"].max().date().isoformat()
    assert reader.last_refresh() == {"at": "2025-01-27T00:00:00+00:00", "outcome": "ok", "problems": []}

    # Same data again: no new version, only the refresh info moves.
    again = writer.publish(prices, series, {"at": "2025-01-28T00:00:00+00:00", "outcome": "ok"})
    assert (again.status, again.version) == ("unchanged", 1)
    assert reader.current().version == shared.version
    assert reader.last_refresh()["at"] == "2025-01-28T00:00:00+00:00"


def test_replicas_check_the_pointer_at_most_every_poll_interval(url, endpoint, seeded_store):
    prices, series = _prices(seeded_store)
    writer = S3Store(url, endpoint, poll_seconds=0)
    writer.publish(prices, series)
    slow, fast = S3Store(url, endpoint, poll_seconds=3600), S3Store(url, endpoint, poll_seconds=0.2)
    first = slow.current().version
    assert fast.current().version == first

    assert writer.publish(_bumped(prices, 1.01), series).status == "published"
    time.sleep(0.3)
    assert slow.current().version == first  # still inside its interval: no request, cached version
    assert fast.current().version != first
    assert fast.current().provenance["version"] == 2


def test_readers_keep_the_previous_whole_version_when_a_refresher_dies_between_objects(url, endpoint, seeded_store):
    prices, series = _prices(seeded_store)
    S3Store(url, endpoint, poll_seconds=0).publish(prices, series)
    reader = S3Store(url, endpoint, poll_seconds=0)
    before = reader.current()

    new = seeded_store / "new.parquet"
    _bumped(prices, 1.05).to_parquet(new)
    for step in ("merged", "staged", "claimed"):  # (a claim is rolled forward by the next publish)
        _killed_publisher(url, endpoint, new, step)
        during = reader.current()
        assert during.version == before.version, f"killed after {step}: readers must keep version 1"
        pd.testing.assert_frame_equal(during.prices, prices)

    # The next refresher rolls the dead claim forward AND publishes its own data on top of it.
    healer = S3Store(url, endpoint, poll_seconds=0)
    fresher = _fresh(prices)
    result = healer.publish(_bumped(prices, 1.10), fresher)
    assert result.status == "published", result
    manifest = healer.publisher().manifest(result.version)
    claimed = manifest["base_version"]
    assert claimed > 1 and healer.publisher().manifest(claimed)["base_version"] == 1  # a dead claim, rolled forward
    pd.testing.assert_frame_equal(reader.current().prices, _bumped(prices, 1.10), check_exact=False)
    assert healer.publish(_bumped(prices, 1.10), fresher).status == "unchanged"


def _killed_publisher(url: str, endpoint: str, frame_path: Path, step: str) -> None:
    """A refresher process SIGKILLed at a publish step (``DASHBOARD_FAULT_AT=publish-<step>``)."""
    code = textwrap.dedent(f"""
        import pandas as pd
        from data_sources.shared.object_store import S3Store
        from tests.unit.data_sources.test_shared_store import _fresh
        frame = pd.read_parquet({str(frame_path)!r})
        S3Store({url!r}, {endpoint!r}).publish(frame, _fresh(frame))
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DASHBOARD_FAULT_AT": f"publish-{step}"})
    assert proc.returncode == -9, proc.stderr


RACER = textwrap.dedent("""
    import json, sys, time, pandas as pd
    from pathlib import Path
    from data_sources.shared.object_store import S3Store
    url, endpoint, frame_path, factor, barrier, me, fetched_at = sys.argv[1:8]
    store = S3Store(url, endpoint)
    frame = pd.read_parquet(frame_path)
    frame["close"] = frame["close"] * float(factor)

    def wait_for_the_other(step):   # both racers read the same pointer, then claim the next number together
        if step == "staged" and not Path(barrier, me).exists():
            Path(barrier, me).touch()
            while len(list(Path(barrier).iterdir())) < 2:
                time.sleep(0.005)

    store.on_step = wait_for_the_other
    series = {s: {"fetched_at": fetched_at} for s in frame["symbol"].unique()}
    print(json.dumps(store.publish(frame, series).__dict__))
""")


def test_two_refreshers_racing_never_share_a_version_and_the_newer_data_wins(url, endpoint, seeded_store, tmp_path):
    """Both read the same pointer and claim the next number together: one claims it, the other rolls it forward,
    merges onto it and publishes the next one, or finds its data older and publishes nothing ("unchanged")."""
    import json

    prices, series = _prices(seeded_store)
    store = S3Store(url, endpoint, poll_seconds=0)
    store.publish(prices, series)
    path = tmp_path / "base.parquet"
    prices.to_parquet(path)
    for round_ in range(2):
        barrier = tmp_path / f"barrier{round_}"
        barrier.mkdir()
        before = store.read_pointer()[0]["version"]
        factors = [1 + (round_ * 2 + i + 1) / 100 for i in range(2)]
        fetched = [f"2030-01-0{round_ + 1}T00:00:0{i}+00:00" for i in range(2)]  # racer 1 fetched later
        procs = [subprocess.Popen([sys.executable, "-c", RACER, url, endpoint, str(path), str(factor), str(barrier),
                                   str(i), fetched[i]], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
                 for i, factor in enumerate(factors)]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        published = sorted(r["version"] for r in results if r["status"] == "published")
        assert published in ([before + 1], [before + 1, before + 2]), results  # never one version twice
        assert all(r["status"] in {"published", "unchanged"} for r in results), results
        assert store.read_pointer()[0]["version"] == published[-1]
        pd.testing.assert_series_equal(S3Store(url, endpoint, poll_seconds=0).current().prices["close"],
                                       prices["close"] * factors[1])


def test_a_damaged_data_object_is_refused_by_hash_and_a_reader_keeps_what_it_had(url, endpoint, seeded_store):
    prices, series = _prices(seeded_store)
    writer = S3Store(url, endpoint, poll_seconds=0)
    writer.publish(prices, series)
    reader = S3Store(url, endpoint, poll_seconds=0)
    reader.current()
    writer.publish(_bumped(prices, 2.0), series)
    pointer, _ = writer.read_pointer()
    client = writer.client()
    key = writer.key(pointer["data_key"])
    damaged = bytearray(client.get_object(Bucket="dashboard", Key=key)["Body"].read())
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped byte: same size, another hash
    client.put_object(Bucket="dashboard", Key=key, Body=bytes(damaged))

    kept = reader.current()
    assert "does not match its sha256" in kept.snapshot.detail
    assert kept.snapshot.warning.code == "store.kept_unreadable" and kept.provenance["version"] == 1
    pd.testing.assert_frame_equal(kept.prices, prices)
    fresh = S3Store(url, endpoint, poll_seconds=0).current()  # nothing read before: no prices, and why
    assert fresh.prices.empty and fresh.snapshot.warning.code == "store.unreadable"
    assert "does not match its sha256" in fresh.snapshot.detail


def test_an_unreachable_endpoint_names_the_bucket_and_endpoint(monkeypatch):
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    dead = f"http://127.0.0.1:{free_port()}"
    store = S3Store("s3://nowhere/prices", dead, poll_seconds=0)
    store.io._client = boto3.client("s3", endpoint_url=dead, region_name="us-east-1",
                                 config=__import__("botocore.config").config.Config(
                                     retries={"max_attempts": 1}, connect_timeout=1))
    shared = store.current()
    assert shared.prices.empty and shared.snapshot.warning.code == "store.unreachable"
    assert re.search(r"s3://nowhere/prices at http://127\.0\.0\.1:\d+: cannot read current\.json",
                     shared.snapshot.detail)


def test_the_pointer_is_written_last_and_old_data_is_pruned(url, endpoint, seeded_store, monkeypatch):
    monkeypatch.setenv("DASHBOARD_PRUNE_GRACE", "0")  # no publish in progress to protect
    prices, series = _prices(seeded_store)
    store = S3Store(url, endpoint, poll_seconds=0)
    for i in range(publish.KEEP_VERSIONS + 2):
        assert store.publish(_bumped(prices, 1 + i / 100), series).status == "published"
    listed = store.client().list_objects_v2(Bucket="dashboard", Prefix=store.key("data/"))["Contents"]
    assert len(listed) == publish.KEEP_VERSIONS
    assert store.current().provenance["version"] == publish.KEEP_VERSIONS + 2


def test_replicas_never_write_the_shared_store(url, endpoint):
    with pytest.raises(StoreError, match=r"shared\.read_only"):
        S3Store(url, endpoint).upsert(pd.DataFrame(), {})


def test_open_store_is_local_by_default_and_one_s3_store_per_process(url, monkeypatch, tmp_path):
    assert isinstance(open_store(), S3Store) and open_store() is open_store()
    monkeypatch.delenv("DASHBOARD_STORE_URL")
    local = open_store()
    assert isinstance(local, LocalStore) and local.root == Path(os.environ["DASHBOARD_DATA_DIR"])
    assert open_store(str(tmp_path)).root == tmp_path
    assert publish_from_local(Store(tmp_path)).status == "local"


def test_an_empty_local_store_is_never_published_over_a_shared_version(url, endpoint, seeded_store, tmp_path):
    prices, _series = _prices(seeded_store)
    target = S3Store(url, endpoint, poll_seconds=0)
    assert publish_from_local(Store(seeded_store), target).status == "published"
    empty = Store(tmp_path / "empty")
    assert publish_from_local(empty, target).status == "unchanged"
    assert len(target.current().prices) == len(prices)
    assert refresher.seed_local_from_shared(empty, target)
    assert len(empty.read().prices) == len(prices)


@pytest.mark.parametrize(("value", "allowed"), [("", True), ("on", True), ("off", False), ("OFF", False),
                                                ("0", False), ("false", False), ("no", False)])
def test_dashboard_refresh_off_forbids_network_refresh(monkeypatch, value, allowed):
    monkeypatch.setenv("DASHBOARD_REFRESH", value)
    assert settings().refresh is allowed


def test_bad_store_urls_are_named():
    with pytest.raises(StoreError) as info:
        S3Store("s3://")
    assert info.value.problem.code == "shared.bad_url" and info.value.params["url"] == "s3://"
