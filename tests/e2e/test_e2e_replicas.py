"""Two ``streamlit run`` replicas on two ports read one bucket (moto on 127.0.0.1) while the refresher
publishes: both show the new version within the poll interval, and no page shows an error."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data_sources.shared.object_store import S3Store
from data_sources.store.prices import Store
from tests.e2e.browser import browser_page, streamlit_server
from tests.fakes.s3_server import endpoint_fixture, url_fixture  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
POLL = 2.0
SLACK = 15.0  # two cores shared with the browser, two servers, moto and the refresher

pytestmark = pytest.mark.browser


def _wait_text(page, text: str, seconds: float) -> float:
    start = time.monotonic()
    page.get_by_text(text, exact=False).first.wait_for(timeout=seconds * 1000)
    return time.monotonic() - start


def test_two_replicas_switch_to_a_new_version_within_the_poll_interval(url, endpoint, seeded_store, tmp_path):
    refresher = subprocess.Popen([sys.executable, "-m", "data_sources", "--data-dir", str(seeded_store), "refresh",
                                  "--every", "2s"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    env = {"DASHBOARD_STORE_URL": url, "DASHBOARD_S3_ENDPOINT": endpoint, "DASHBOARD_STORE_POLL": str(POLL),
           "DASHBOARD_REFRESH": "off"}
    replica_dir = tmp_path / "replica"  # replicas never write: an empty folder that stays empty
    replica_dir.mkdir()
    try:
        reader = S3Store(url, endpoint, poll_seconds=0)
        deadline = time.monotonic() + 90
        while reader.current().provenance.get("version") != 1:
            assert refresher.poll() is None and time.monotonic() < deadline, "the refresher did not publish"
            time.sleep(0.2)
        with streamlit_server(replica_dir, env, script=ROOT / "tests" / "fakes" / "replica_app.py") as one, \
                streamlit_server(replica_dir, env, script=ROOT / "tests" / "fakes" / "replica_app.py") as two, \
                browser_page(1440, 900) as page_one:
            page_two = page_one.context.browser.new_page(viewport={"width": 390, "height": 844})
            page_one.goto(one)
            page_two.goto(two)
            for page in (page_one, page_two):
                _wait_text(page, "version 1 as of", 60)

            store = Store(seeded_store)
            nvda = store.read().prices.query("symbol == 'NVDA'").tail(1).copy()
            nvda["close"] = 999.5
            store.upsert(nvda, {})  # new data in the refresher's folder; its next run publishes version 2
            while reader.current().provenance.get("version") != 2:
                assert time.monotonic() < deadline + 60, "the refresher did not publish version 2"
                time.sleep(0.1)
            published = time.monotonic()
            for page in (page_one, page_two):
                page.get_by_text("version 2 as of", exact=False).first.wait_for(timeout=(POLL + SLACK) * 1000)
                page.get_by_text("NVDA close 999.50", exact=False).first.wait_for(timeout=5000)
                assert page.locator("[data-testid='stException']").count() == 0
                assert page.get_by_text("warning:", exact=False).count() == 0
            lag = time.monotonic() - published
            assert lag <= POLL + SLACK
            assert list(replica_dir.iterdir()) == []
    finally:
        refresher.send_signal(signal.SIGTERM)
        refresher.communicate(timeout=30)
