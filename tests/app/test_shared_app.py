"""The real app as a replica: market data read from a shared bucket (moto on loopback), refresh off."""

from __future__ import annotations

import pandas as pd

from data_sources.market import refresh
from data_sources.shared.object_store import S3Store
from data_sources.shared.refresher import publish_from_local
from data_sources.store.prices import Store
from tests.conftest import app_page, shown
from tests.fakes.s3_server import endpoint_fixture, url_fixture  # noqa: F401  (fixtures)


def _texts(at) -> str:
    kinds = ("markdown", "caption", "info", "warning", "error", "success")
    parts = [e.value for kind in kinds for e in getattr(at, kind)]
    return "\n".join(shown(str(p)) for p in parts)


def test_a_replica_reads_the_published_version_and_never_refreshes(url, endpoint, seeded_store, tmp_path,
                                                                   monkeypatch) -> None:
    local = Store(seeded_store)
    published = publish_from_local(local, S3Store(url, endpoint, poll_seconds=0))
    assert published.status == "published"
    expected_end = local.read().prices["date"].max().date().isoformat()

    replica_dir = tmp_path / "replica"  # the replica's own folder holds no prices at all
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(replica_dir))
    monkeypatch.setenv("DASHBOARD_REFRESH", "off")
    monkeypatch.delenv("DASHBOARD_OFFLINE", raising=False)  # online as far as the app knows: only the setting stops it
    calls: list[str] = []
    monkeypatch.setattr(refresh, "refresh_all", lambda *a, **k: calls.append("refresh_all"))

    for page in ("column", "compare", "data"):
        at = app_page(page, lang="en")
        assert not at.exception, (page, [e.value for e in at.exception])
        text = _texts(at)
        assert "No prices yet" not in text, page
        assert "cannot be written" not in text and "cannot be read" not in text, (page, text[:400])
    assert calls == []  # no page view asked Yahoo, the ECB or the feeds
    assert "only reads the shared store" in text  # the Data page says who refreshes
    assert f"prices as of {expected_end}" in text or expected_end in text
    assert not (replica_dir / "prices.parquet").exists()  # nothing written beside the replica either
    frame = Store(seeded_store).load_prices(["NVDA"])
    pd.testing.assert_frame_equal(S3Store(url, endpoint, poll_seconds=0).load_prices(["NVDA"]), frame)
