"""Reader annotations: add / list / delete, validation codes, cleaning, persistence in the readers' database,
and the one-time copy of an earlier version's annotations.parquet into it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from data_sources.readers.notebooks import Notebooks
from data_sources.readers.notes import ANNOTATIONS_FILE, AnnotationError
from data_sources.readers.repository import Repository, open_repository
from data_sources.store.atomic import write_table

RANGE = {"data_start": "2024-12-01", "data_end": "2025-04-30"}


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    return open_repository(f"sqlite:///{tmp_path / 'readers.sqlite3'}")


def test_empty_store_lists_nothing(repo: Repository) -> None:
    frame = Notebooks(repo).notes()
    assert frame.empty and list(frame.columns) == ["id", "date", "label", "note", "created_at", "notebook"]


def test_add_list_delete_roundtrip(repo: Repository) -> None:
    second = Notebooks(repo).add_note("2025-01-31", "Seoul reopens", "KOSPI -0.77%", **RANGE)
    first = Notebooks(repo).add_note(dt.date(2025, 1, 24), "  환율 1,431.3원  ", "", **RANGE)
    assert first.label == "환율 1,431.3원" and first.date == dt.date(2025, 1, 24)
    assert len(first.id) == 32 and first.id != second.id

    frame = Notebooks(repo).notes()  # a fresh read from the database, sorted by date
    assert list(frame["id"]) == [first.id, second.id]
    assert list(frame["date"]) == [pd.Timestamp("2025-01-24"), pd.Timestamp("2025-01-31")]
    assert frame.loc[1, "note"] == "KOSPI -0.77%"

    assert Notebooks(repo).delete_note(first.id, "") is True
    assert Notebooks(repo).delete_note(first.id, "") is False
    assert list(Notebooks(repo).notes()["id"]) == [second.id]


def test_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'readers.sqlite3'}"
    ann = Notebooks(open_repository(url)).add_note("2025-03-31", "March high", "1,472.9", **RANGE)
    # A "restart": a new engine on the same database file (nothing cached in memory).
    from data_sources.readers.engine import make_engine

    again = Notebooks(Repository(make_engine(url))).notes()
    assert again.loc[0, "id"] == ann.id and again.loc[0, "label"] == "March high"


@pytest.mark.parametrize(
    ("date", "label", "note", "code"),
    [
        ("2025-01-24", "", "", "empty_label"),
        ("2025-01-24", "   \t ", "", "empty_label"),
        ("2025-01-24", "\x00\x07", "", "empty_label"),
        ("2025-01-24", "x" * 61, "", "label_too_long"),
        ("2025-01-24", "ok", "y" * 501, "note_too_long"),
        ("2024-11-30", "ok", "", "date_out_of_range"),
        ("2025-05-01", "ok", "", "date_out_of_range"),
        ("not a date", "ok", "", "bad_date"),
        (None, "ok", "", "bad_date"),
    ],
)
def test_validation_codes(repo: Repository, date: object, label: str, note: str, code: str) -> None:
    with pytest.raises(AnnotationError) as err:
        Notebooks(repo).add_note(date, label, note, **RANGE)
    assert err.value.code == code
    assert Notebooks(repo).notes().empty


def test_error_messages_are_specific(repo: Repository) -> None:
    with pytest.raises(AnnotationError, match=r"date 2025-05-01 is outside the data range 2024-12-01 \.\. 2025-04-30"):
        Notebooks(repo).add_note("2025-05-01", "ok", **RANGE)
    with pytest.raises(AnnotationError) as err:
        Notebooks(repo).add_note("2025-01-24", "x" * 61, **RANGE)
    assert err.value.params == {"length": 61, "limit": 60} and "61 characters; at most 60" in str(err.value)


def test_limits_are_inclusive_and_boundaries_accepted(repo: Repository) -> None:
    Notebooks(repo).add_note("2024-12-01", "x" * 60, "y" * 500, **RANGE)
    Notebooks(repo).add_note("2025-04-30", "end", **RANGE)
    assert len(Notebooks(repo).notes()) == 2


def test_control_characters_stripped_and_html_kept_as_text(repo: Repository) -> None:
    ann = Notebooks(repo).add_note("2025-01-27", "NV\x00DA\u202e crash\x1b",
                         "line one\r\nline\ttwo <script>alert(1)</script>\x07", **RANGE)
    assert ann.label == "NVDA crash"
    assert ann.note == "line one\nline two <script>alert(1)</script>"
    stored = Notebooks(repo).notes().loc[0]
    assert stored["note"] == ann.note and stored["label"] == "NVDA crash"


def test_notebooks_keep_notes_private_and_share_read_only(repo: Repository) -> None:
    from data_sources.readers.notes import new_notebook_id, share_id, valid_notebook, valid_share

    mine, theirs = new_notebook_id(), new_notebook_id()
    assert mine != theirs and valid_notebook(mine) == mine
    Notebooks(repo).add_note("2025-01-24", "mine", **RANGE, notebook=mine)
    other = Notebooks(repo).add_note("2025-01-27", "theirs", **RANGE, notebook=theirs)
    assert list(Notebooks(repo).notes(mine)["label"]) == ["mine"]
    assert list(Notebooks(repo).notes(theirs)["label"]) == ["theirs"]
    assert Notebooks(repo).notes(new_notebook_id()).empty  # a new reader sees nothing
    assert list(Notebooks(repo).notes(share=share_id(mine))["label"]) == ["mine"]
    assert valid_share(share_id(mine)) and share_id(mine) not in (mine, theirs)
    assert Notebooks(repo).delete_note(other.id, notebook=mine) is False  # not yours to delete
    assert Notebooks(repo).delete_note(other.id, notebook=theirs) is True
    for bad in ("", "../x", "g" * 32, mine + "0", "<b>"):
        assert valid_notebook(bad) is None
    with pytest.raises(AnnotationError) as info:
        Notebooks(repo).add_note("2025-01-24", "x", **RANGE, notebook="not-an-id")
    assert info.value.code == "bad_notebook"


def test_notes_mode_is_private_unless_the_operator_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    from data_sources.readers.notes import notes_mode

    monkeypatch.delenv("DASHBOARD_NOTES", raising=False)
    assert notes_mode() == "private"
    monkeypatch.setenv("DASHBOARD_NOTES", "shared")
    assert notes_mode() == "shared"


def _old_file(root: Path, rows: list[dict]) -> Path:
    """An annotations.parquet as the previous version wrote it (same columns, types and writer)."""
    frame = pd.DataFrame(rows, columns=["id", "date", "label", "note", "created_at", "notebook"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["created_at"] = pd.to_datetime(frame["created_at"]).astype("datetime64[ns]")
    write_table(root / ANNOTATIONS_FILE, frame, {"table": "annotations", "version": 1})
    return root / ANNOTATIONS_FILE


def test_old_local_notes_are_copied_into_the_database_once(tmp_path: Path, repo: Repository) -> None:
    from data_sources.readers.notes import new_notebook_id, share_id

    book = new_notebook_id()
    path = _old_file(tmp_path, [
        {"id": "a" * 32, "date": "2025-01-24", "label": "below 1,430", "note": "<b>kept as text</b>",
         "created_at": "2025-01-26 03:00:00", "notebook": book},
        {"id": "b" * 32, "date": "2025-01-27", "label": "from before notebooks", "note": "",
         "created_at": "2025-01-27 09:30:00", "notebook": ""},
        {"id": "c" * 32, "date": "2025-01-28", "label": "bad notebook", "note": "",
         "created_at": "2025-01-28 09:30:00", "notebook": "../../etc"},
    ])
    before = path.read_bytes()
    assert Notebooks(repo).import_local_notes(tmp_path) == 2
    mine = Notebooks(repo).notes(book)
    assert mine["id"].tolist() == ["a" * 32] and mine["note"].tolist() == ["<b>kept as text</b>"]
    assert mine["created_at"].tolist() == [pd.Timestamp("2025-01-26 03:00:00")]  # the original time, kept
    assert Notebooks(repo).notes("")["label"].tolist() == ["from before notebooks"]  # the shared notebook
    assert Notebooks(repo).notes(share=share_id(book))["id"].tolist() == ["a" * 32]  # the share link still works
    assert path.read_bytes() == before  # the old file is left exactly as it was

    # idempotent: again, from a second process's repository, and after the reader deleted a copied note
    assert Notebooks(repo).import_local_notes(tmp_path) == 0
    assert Notebooks(repo).delete_note("a" * 32, book)
    assert Notebooks(Repository(repo.engine)).import_local_notes(tmp_path) == 0
    assert Notebooks(repo).notes(book).empty and len(Notebooks(repo).notes()) == 1


def test_a_changed_old_file_adds_only_the_notes_not_yet_copied(tmp_path: Path, repo: Repository) -> None:
    row = {"id": "d" * 32, "date": "2025-01-24", "label": "one", "note": "", "created_at": "2025-01-26",
           "notebook": ""}
    _old_file(tmp_path, [row])
    assert Notebooks(repo).import_local_notes(tmp_path) == 1
    _old_file(tmp_path, [row, {**row, "id": "e" * 32, "label": "two"}])  # e.g. an old replica kept writing
    assert Notebooks(repo).import_local_notes(tmp_path) == 1
    assert sorted(Notebooks(repo).notes("")["label"]) == ["one", "two"]  # never a duplicate of "one"


def test_no_old_file_means_nothing_to_copy(tmp_path: Path, repo: Repository) -> None:
    assert Notebooks(repo).import_local_notes(tmp_path) == 0 and Notebooks(repo).notes().empty
