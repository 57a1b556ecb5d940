"""ui/live.py in AppTest: a page's first run on a fresh store remembers the version it shows (the store's own
first write — the bundled ECB rates — is not taken for new data), and says nothing about new data."""

from __future__ import annotations

from tests.conftest import app_page
from ui import live, loaders


def test_the_first_view_of_a_fresh_store_is_not_taken_for_new_data(seeded_store) -> None:
    before = loaders.file_version(seeded_store / "prices.parquet")
    at = app_page(None, "en")
    assert not at.exception
    after = loaders.file_version(seeded_store / "prices.parquet")
    assert after != before  # this store was fresh: its first run wrote the bundled ECB rates
    assert at.session_state[live.SEEN] == after  # the version the page read, so the open-tab check stays quiet
    assert not at.toast
