"""A readers' database that cannot be opened or stops answering: one coded error at the service boundary, and
every page says "notes and saved columns are unavailable" while the rest of it works."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from data_sources.readers import engine as engine_module
from data_sources.readers import guard
from data_sources.readers.guard import DatabaseUnavailable
from data_sources.readers.repository import open_repository
from tests.conftest import app_page, fill_new_column, shown
from tests.e2e.browser import free_port

PROC_URL = "sqlite:////proc/1/readers.sqlite3"  # a folder no process may create a file in
RANGE = {"data_start": "2024-01-02", "data_end": "2025-03-31"}


@pytest.fixture(autouse=True)
def _fresh_failures():
    guard.forget_failures()
    yield
    guard.forget_failures()


def _unreachable_postgres() -> str:
    return f"postgresql://reader:secret@127.0.0.1:{free_port()}/readers"  # nothing listens there


@pytest.mark.parametrize("url", [PROC_URL, "unreachable-postgres", "postgresql://[::1"])
def test_a_database_that_cannot_be_opened_is_one_coded_error(url: str) -> None:
    url = _unreachable_postgres() if url == "unreachable-postgres" else url
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as caught:
        open_repository(url)
    assert caught.value.problem.code == "db.unavailable" and dict(caught.value.problem.params) == {}
    assert "secret" not in str(caught.value) and "proc" not in str(caught.value)  # no address in the error
    assert time.monotonic() - started < engine_module.CONNECT_TIMEOUT_S + 5


def test_a_server_that_never_answers_costs_at_most_the_connect_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql://reader@127.0.0.1:{silent.getsockname()[1]}/readers"
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable):
            open_repository(url)
        assert time.monotonic() - started < engine_module.CONNECT_TIMEOUT_S * 2 + 5


def test_a_failed_database_is_left_alone_for_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = engine_module.make_engine

    def counting(url=None):
        calls.append(url)
        return real(url)

    monkeypatch.setattr(engine_module, "make_engine", counting)
    for _ in range(3):
        with pytest.raises(DatabaseUnavailable):
            open_repository(PROC_URL)
    assert len(calls) == 1  # the second and third asks did not wait on the database again
    monkeypatch.setattr(guard, "RETRY_SECONDS", 0.0)
    guard.forget_failures()
    with pytest.raises(DatabaseUnavailable):
        open_repository(PROC_URL)
    assert len(calls) == 2  # once the pause is over, the database is tried again


def test_a_database_that_breaks_after_opening_fails_each_call_with_the_code(tmp_path: Path) -> None:
    path = tmp_path / "readers.sqlite3"
    repo = open_repository(f"sqlite:///{path}")
    notebook = repo.create_notebook()
    repo.add_note(notebook, "2025-01-27", "before", **RANGE)
    repo.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database file" * 100)  # the file replaced by garbage
    for call in (lambda: repo.list_notes(notebook), lambda: repo.list_commentaries(notebook), repo.list_published,
                 lambda: repo.save_commentary(notebook, "t", "body"), lambda: repo.claim_old_link(notebook)):
        with pytest.raises(DatabaseUnavailable):
            call()


def test_a_rejected_write_still_says_why(tmp_path: Path) -> None:
    from data_sources.readers.repository import RepositoryError

    repo = open_repository(f"sqlite:///{tmp_path / 'ok.sqlite3'}")
    with pytest.raises(RepositoryError) as caught:  # not turned into "unavailable"
        repo.save_commentary("a" * 32, "", "body")
    assert caught.value.code == "empty_title"


# ------------------------------------------------------------------------------------------------- the pages

UNAVAILABLE = {"en": "Notes and saved columns are unavailable right now",
               "ko": "지금은 메모와 저장한 칼럼을 불러올 수 없습니다"}


def _said(at, lang: str) -> list[str]:
    return [w.value for w in at.warning if w.value.startswith(UNAVAILABLE[lang])]


@pytest.fixture(params=["proc", "unreachable-postgres"])
def broken_db(request, seeded_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DASHBOARD_DB_URL", PROC_URL if request.param == "proc" else _unreachable_postgres())
    return seeded_store


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_column_page_works_without_the_database(broken_db: Path, lang: str) -> None:
    at = app_page("column", lang, notebook="c" * 32)
    assert not at.exception, [e.value for e in at.exception]
    assert len(_said(at, lang)) == 1  # said once, though the page asked for saved and published columns
    assert at.get("plotly_chart") and at.dataframe  # the bundled column's first chart and its scorecard


def test_library_page_works_without_the_database(broken_db: Path) -> None:
    at = app_page("library", "en", notebook="c" * 32)
    assert not at.exception, [e.value for e in at.exception]
    assert len(_said(at, "en")) == 1
    titles = list(at.dataframe[0].value["title"])
    assert len(titles) >= 4  # the bundled columns and our examples


def test_new_column_page_saves_nothing_and_says_why(broken_db: Path) -> None:
    at = app_page("new_column", "en")
    fill_new_column(at, "Nvidia will fall by year-end.", "Kept column", "Keeper")
    at.checkbox(key="new_own0").check().run()
    assert not at.exception
    at.button(key="new_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [shown(e.value) for e in at.error]
    assert any(e.startswith(UNAVAILABLE["en"]) for e in errors), errors
    assert at.dataframe  # the preview of the verdicts still works


def test_fx_page_draws_the_rate_without_notes(broken_db: Path) -> None:
    at = app_page("fx", "en", notebook="c" * 32, start="2025-01-02", end="2025-02-28")
    assert not at.exception, [e.value for e in at.exception]
    assert len(_said(at, "en")) == 1
    assert at.get("plotly_chart")
    at.session_state["fx_note_open"] = True
    at.run()
    at.text_input(key="fx_note_label").input("a note")
    next(b for b in at.button if b.label == "Add note").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith(UNAVAILABLE["en"]) for e in at.error), [e.value for e in at.error]
    assert at.get("plotly_chart")


def test_news_page_feed_list_says_the_database_is_unavailable(broken_db: Path) -> None:
    at = app_page("news", "en")
    at.session_state["news_feeds"] = True  # open "Manage feeds"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("feed list is unavailable" in w.value for w in at.warning)
