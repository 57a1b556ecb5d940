"""Publishing cannot point at nothing (issue 30 item 1), on moto's S3 server on 127.0.0.1. Two refreshers run in
this process; one's publish is stopped or interleaved with the other's at each named step through the
publisher's fault-injection hook (``on_step``), so every interleaving is deterministic, not timed."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from data_sources.shared.object_store import S3Store
from data_sources.shared.publish import KEEP_VERSIONS, version_name
from data_sources.shared.refresher import publish_from_local
from data_sources.store.prices import Store
from tests.fakes.s3_server import endpoint_fixture, url_fixture  # noqa: F401  (fixtures)

STEPS_BEFORE_THE_POINTER = ("merged", "staged", "claimed", "verified")
STEPS_AFTER_THE_POINTER = ("pointed", "pruned")


class Killed(BaseException):
    """A refresher dying at a step (BaseException: nothing in the publisher may catch it)."""


def _prices(seeded_store: Path) -> tuple[pd.DataFrame, dict]:
    snap = Store(seeded_store).read()
    return snap.prices, snap.series


def _fetched(frame: pd.DataFrame, when: str, symbols: list[str] | None = None) -> dict[str, dict]:
    return {str(s): {"source": "test", "fetched_at": when} for s in (symbols or frame["symbol"].unique())}


def _scaled(frame: pd.DataFrame, factor: float, symbols: list[str] | None = None) -> pd.DataFrame:
    out = frame.copy()
    rows = out["symbol"].isin(symbols) if symbols else slice(None)
    out.loc[rows, "close"] = out.loc[rows, "close"] * factor
    return out


def _store(url: str, endpoint: str) -> S3Store:
    return S3Store(url, endpoint, poll_seconds=0)


def _named_objects_exist(store: S3Store) -> dict:
    """The pointer's manifest, after checking every object it names exists (a fresh replica reads it whole)."""
    pointer, _ = store.read_pointer()
    for field in ("data_key", "news_key"):
        if pointer.get(field):
            assert store.io.head(pointer[field]) is not None, f"the pointer names a missing {pointer[field]}"
    fresh = _store(store.url, store.endpoint).current()
    assert fresh.snapshot.warning is None and fresh.provenance["version"] == pointer["version"]
    return pointer


def _data_keys(store: S3Store) -> set[str]:
    listed, _ = store.io.listing("data/")
    return {item.key for item in listed}


@pytest.mark.parametrize("grace", ["3600", "0"])
def test_a_prune_between_anothers_stage_and_claim_never_leaves_the_pointer_on_nothing(url, endpoint, seeded_store,
                                                                                      monkeypatch, grace):
    """The issue's case: X has moved the pointer; Y reads it and uploads its data; X prunes; Y claims and points.
    Within the grace period X's prune keeps Y's object; with no grace it deletes it and Y's check before the
    pointer moves writes it again."""
    monkeypatch.setenv("DASHBOARD_PRUNE_GRACE", grace)
    prices, series = _prices(seeded_store)
    x, y = _store(url, endpoint), _store(url, endpoint)
    assert x.publish(prices, series).status == "published"
    y_data = _scaled(prices, 1.5)
    seen: dict = {}

    def x_prunes_now(step: str) -> None:
        if step == "staged" and "pruned" not in seen:
            staged = _data_keys(y) - {y.key(x.read_pointer()[0]["data_key"])}
            seen["pruned"] = x.prune()
            seen["survived"] = staged <= _data_keys(y)

    y.on_step = x_prunes_now
    result = y.publish(y_data, _fetched(prices, "2030-01-01T00:00:00+00:00"))
    assert (result.status, result.version) == ("published", 2), result
    assert seen["survived"] is (grace != "0")  # the grace period kept the staged object; without it, it went
    pointer = _named_objects_exist(y)
    pd.testing.assert_frame_equal(_store(url, endpoint).current().prices, y_data)
    assert pointer["version"] == 2


def test_objects_a_claim_newer_than_the_pointer_names_are_never_pruned(url, endpoint, seeded_store, monkeypatch):
    monkeypatch.setenv("DASHBOARD_PRUNE_GRACE", "0")
    prices, series = _prices(seeded_store)
    x, y = _store(url, endpoint), _store(url, endpoint)
    x.publish(prices, series)
    seen: dict = {}

    def x_prunes_now(step: str) -> None:
        if step == "verified" and "pruned" not in seen:
            manifest = y.publisher().manifest(2)
            seen["pruned"] = x.prune()
            seen["kept"] = y.io.head(manifest["data_key"]) is not None

    y.on_step = x_prunes_now
    assert y.publish(_scaled(prices, 1.2), _fetched(prices, "2030-01-01T00:00:00+00:00")).version == 2
    assert seen["kept"], "the prune deleted an object of a claimed version"
    _named_objects_exist(y)


def test_a_claimed_versions_missing_object_is_written_again_before_the_pointer_moves(url, endpoint, seeded_store):
    prices, series = _prices(seeded_store)
    y = _store(url, endpoint)
    y.publish(prices, series)
    seen: dict = {}

    def lose_it(step: str) -> None:
        manifest = y.publisher().manifest(2)
        if step == "claimed":
            y.client().delete_object(Bucket=y.bucket, Key=y.key(manifest["data_key"]))
        if step == "verified":  # the pointer has not moved yet
            seen["there"] = y.io.head(manifest["data_key"]) is not None

    y.on_step = lose_it
    assert y.publish(_scaled(prices, 1.3), _fetched(prices, "2030-01-01T00:00:00+00:00")).version == 2
    assert seen["there"], "the pointer would have moved to a version whose object was missing"
    _named_objects_exist(y)


def test_an_object_a_prune_deletes_while_the_pointer_moves_is_written_again(url, endpoint, seeded_store,
                                                                            monkeypatch):
    """X's prune lists the objects (Y's staged one among them: no grace, not claimed yet), then waits; Y claims,
    checks and moves the pointer; X deletes. Y checks its objects again after the pointer moved."""
    monkeypatch.setenv("DASHBOARD_PRUNE_GRACE", "0")
    prices, series = _prices(seeded_store)
    x, y = _store(url, endpoint), _store(url, endpoint)
    x.publish(prices, series)
    listed, go_on, pruned = threading.Event(), threading.Event(), threading.Event()

    def x_waits(step: str) -> None:
        if step == "prune-listed":
            listed.set()
            go_on.wait(60)

    def interleave(step: str) -> None:
        if step == "staged" and not listed.is_set():
            threading.Thread(target=lambda: (x.prune(), pruned.set()), daemon=True).start()
            assert listed.wait(60)
        if step == "pointed":
            go_on.set()
            assert pruned.wait(60)

    x.on_step, y.on_step = x_waits, interleave
    assert y.publish(_scaled(prices, 1.4), _fetched(prices, "2030-01-01T00:00:00+00:00")).version == 2
    _named_objects_exist(y)


@pytest.mark.parametrize("step", STEPS_BEFORE_THE_POINTER + STEPS_AFTER_THE_POINTER)
def test_a_refresher_dying_at_any_step_leaves_a_whole_version_and_the_next_run_publishes_its_own(
        url, endpoint, seeded_store, step):
    prices, series = _prices(seeded_store)
    x, y = _store(url, endpoint), _store(url, endpoint)
    x.publish(prices, series)
    reader = _store(url, endpoint)
    reader.current()

    def die(name: str) -> None:
        if name == step:
            raise Killed(name)

    y.on_step = die
    y_symbols = ["NVDA", "MSFT"]
    with pytest.raises(Killed):
        y.publish(_scaled(prices, 2.0, y_symbols), _fetched(prices, "2030-01-01T00:00:00+00:00", y_symbols))
    during = reader.current()
    assert during.snapshot.warning is None
    expected_version = 2 if step in STEPS_AFTER_THE_POINTER else 1
    assert during.provenance["version"] == expected_version, step
    _named_objects_exist(x)

    # The next run (another refresher) publishes its own newer data; a dead claim is rolled forward first.
    x_symbols = ["AAPL", "BABA"]
    result = x.publish(_scaled(prices, 3.0, x_symbols), _fetched(prices, "2030-01-02T00:00:00+00:00", x_symbols))
    assert result.status == "published", result
    pointer = _named_objects_exist(x)
    claimed = step in ("claimed", "verified")
    if claimed:
        assert pointer["base_version"] == 2 and x.publisher().manifest(2)["base_version"] == 1
    now = _store(url, endpoint).current().prices
    both = _scaled(_scaled(prices, 3.0, x_symbols), 2.0, y_symbols) if (claimed or expected_version == 2) else \
        _scaled(prices, 3.0, x_symbols)
    pd.testing.assert_frame_equal(now, both)


def test_a_claim_made_on_an_older_version_is_never_rolled_forward(url, endpoint, seeded_store):
    """A dead claim whose base is no longer current would drop what came since: it is skipped."""
    prices, series = _prices(seeded_store)
    x = _store(url, endpoint)
    x.publish(prices, series)
    assert x.publish(_scaled(prices, 1.1, ["NVDA"]), _fetched(prices, "2030-01-01T00:00:00+00:00", ["NVDA"])
                     ).version == 2
    stale = x.publisher().manifest(1)
    stale = {**stale, "version": 3, "base_version": 1}  # complete (its objects exist), but made on version 1
    x.client().put_object(Bucket=x.bucket, Key=x.key(version_name(3)), Body=json.dumps(stale).encode())

    result = x.publish(_scaled(prices, 1.1, ["NVDA"]), _fetched(prices, "2030-01-01T00:00:00+00:00", ["NVDA"]))
    assert (result.status, result.version) == ("unchanged", 2), result  # not rolled back to version 1's data
    result = x.publish(_scaled(_scaled(prices, 1.1, ["NVDA"]), 1.2, ["AAPL"]),
                       _fetched(prices, "2030-01-02T00:00:00+00:00", ["AAPL"]))
    assert (result.status, result.version) == ("published", 4), result  # above every manifest
    assert x.publisher().manifest(4)["base_version"] == 2
    pd.testing.assert_frame_equal(_store(url, endpoint).current().prices,
                                  _scaled(_scaled(prices, 1.1, ["NVDA"]), 1.2, ["AAPL"]))


def _folder(seeded_store: Path, tmp_path: Path, name: str, symbols: list[str], factor: float, when: str) -> Store:
    """A refresher's own folder: the snapshot, with ``symbols`` fetched again at ``when`` (other closes)."""
    import shutil

    root = tmp_path / name
    shutil.copytree(seeded_store, root)
    store = Store(root)
    prices = store.read().prices
    store.upsert(_scaled(prices[prices["symbol"].isin(symbols)], factor), _fetched(prices, when, symbols))
    return store


def test_two_refreshers_with_different_folders_do_not_flip_flop(url, endpoint, seeded_store, tmp_path):
    a = _folder(seeded_store, tmp_path, "a", ["NVDA", "MSFT"], 1.5, "2030-01-01T00:00:00+00:00")
    b = _folder(seeded_store, tmp_path, "b", ["AAPL", "BABA"], 0.5, "2030-01-02T00:00:00+00:00")
    target = _store(url, endpoint)
    statuses = [publish_from_local(store, target) for store in (a, b, a, b, a)]
    assert [r.status for r in statuses] == ["published", "published", "unchanged", "unchanged", "unchanged"]
    assert statuses[-1].version == 2
    prices, _ = _prices(seeded_store)
    expected = _scaled(_scaled(prices, 1.5, ["NVDA", "MSFT"]), 0.5, ["AAPL", "BABA"])
    shared = _store(url, endpoint).current()
    pd.testing.assert_frame_equal(shared.prices, expected)
    assert shared.snapshot.series["NVDA"]["fetched_at"].startswith("2030-01-01")
    assert shared.snapshot.series["AAPL"]["fetched_at"].startswith("2030-01-02")


def test_prune_keeps_the_last_versions_and_deletes_the_rest_once_out_of_grace(url, endpoint, seeded_store, monkeypatch):
    monkeypatch.setenv("DASHBOARD_PRUNE_GRACE", "0")
    prices, _series = _prices(seeded_store)
    store = _store(url, endpoint)
    for i in range(KEEP_VERSIONS + 3):
        assert store.publish(_scaled(prices, 1 + i / 100), _fetched(prices, f"2030-01-0{i + 1}T00:00:00+00:00")
                             ).status == "published"
    wanted = {store.key(store.publisher().manifest(n)["data_key"]) for n in range(4, KEEP_VERSIONS + 4)}
    assert _data_keys(store) == wanted
    monkeypatch.setenv("DASHBOARD_PRUNE_GRACE", "3600")
    store.client().put_object(Bucket=store.bucket, Key=store.key("data/" + "0" * 64 + ".parquet"), Body=b"x")
    assert store.prune() == 0  # a fresh unreferenced object (a publish in progress) stays within the grace


def test_a_damaged_current_version_is_repaired_by_the_next_publish_of_the_same_data(url, endpoint, seeded_store):
    prices, series = _prices(seeded_store)
    store = _store(url, endpoint)
    store.publish(prices, series)
    key = store.key(store.read_pointer()[0]["data_key"])
    damaged = bytearray(store.client().get_object(Bucket=store.bucket, Key=key)["Body"].read())
    damaged[100] ^= 0xFF
    store.client().put_object(Bucket=store.bucket, Key=key, Body=bytes(damaged))
    assert _store(url, endpoint).current().snapshot.warning.code == "store.unreadable"
    result = store.publish(prices, series)
    assert (result.status, result.version) == ("published", 2), result  # not "unchanged" over a damaged object
    assert "could not be read" in result.message
    pointer = _named_objects_exist(store)
    assert pointer["sha256"] == store.publisher().manifest(1)["sha256"]  # the same data, its object rewritten
