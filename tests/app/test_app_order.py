"""What app.py does on every run, observed by spies in one AppTest run (not by reading its source): every page
file is a navigation entry, the lean allocators are chosen before the navigation (and so before any page loads
data), and freed memory is handed back after the page ran."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st

from data_sources import runtime
from tests.conftest import ROOT, app_page


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    navigation = st.navigation

    def spy_navigation(pages, *args, **kwargs):
        seen.append("navigation")
        seen.extend(f"entry:{p.url_path}" for p in pages if p.visibility != "hidden")
        page = navigation(pages, *args, **kwargs)
        run = page.run

        def spy_run() -> None:
            seen.append("page ran")
            run()

        page.run = spy_run
        return page

    monkeypatch.setattr(st, "navigation", spy_navigation)
    monkeypatch.setattr(runtime, "use_lean_allocators", lambda: seen.append("allocators"))
    monkeypatch.setattr(runtime, "release_freed_memory", lambda *a, **k: seen.append("memory released") or True)
    return seen


def test_every_page_file_is_a_navigation_entry(seeded_store: Path, calls: list[str]) -> None:
    at = app_page(None, "en")
    assert not at.exception
    entries = {c.removeprefix("entry:") for c in calls if c.startswith("entry:")}
    assert entries == {p.stem for p in (ROOT / "pages").glob("*.py")}


def test_allocators_come_first_and_memory_is_released_after_the_page(seeded_store: Path, calls: list[str]) -> None:
    at = app_page("fx", "en")
    assert not at.exception
    order = [c for c in calls if not c.startswith("entry:")]
    assert order[:2] == ["allocators", "navigation"]
    last_run = len(order) - 1 - order[::-1].index("page ran")
    assert order[last_run + 1:] == ["memory released"]
