"""Reader annotations: add / list / delete, validation codes, cleaning, persistence on disk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from data_sources.annotations import (
    ANNOTATIONS_FILE,
    AnnotationError,
    add_annotation,
    delete_annotation,
    list_annotations,
)

RANGE = {"data_start": "2024-12-01", "data_end": "2025-04-30"}


def test_empty_store_lists_nothing(tmp_path: Path) -> None:
    frame = list_annotations(tmp_path)
    assert frame.empty and list(frame.columns) == ["id", "date", "label", "note", "created_at", "notebook"]
    assert not (tmp_path / ANNOTATIONS_FILE).exists()


def test_add_list_delete_roundtrip(tmp_path: Path) -> None:
    second = add_annotation(tmp_path, "2025-01-31", "Seoul reopens", "KOSPI -0.77%", **RANGE)
    first = add_annotation(tmp_path, dt.date(2025, 1, 24), "  환율 1,431.3원  ", "", **RANGE)
    assert first.label == "환율 1,431.3원" and first.date == dt.date(2025, 1, 24)
    assert len(first.id) == 32 and first.id != second.id
    assert (tmp_path / ANNOTATIONS_FILE).exists()

    frame = list_annotations(tmp_path)  # a fresh read from disk, sorted by date
    assert list(frame["id"]) == [first.id, second.id]
    assert list(frame["date"]) == [pd.Timestamp("2025-01-24"), pd.Timestamp("2025-01-31")]
    assert frame.loc[1, "note"] == "KOSPI -0.77%"

    assert delete_annotation(tmp_path, first.id) is True
    assert delete_annotation(tmp_path, first.id) is False
    assert list(list_annotations(tmp_path)["id"]) == [second.id]


def test_survives_a_restart(tmp_path: Path) -> None:
    ann = add_annotation(tmp_path, "2025-03-31", "March high", "1,472.9", **RANGE)
    # A "restart": nothing is cached in memory, the next process just reads the same folder.
    again = list_annotations(Path(str(tmp_path)))
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
def test_validation_codes(tmp_path: Path, date: object, label: str, note: str, code: str) -> None:
    with pytest.raises(AnnotationError) as err:
        add_annotation(tmp_path, date, label, note, **RANGE)
    assert err.value.code == code
    assert list_annotations(tmp_path).empty


def test_error_messages_are_specific(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match=r"date 2025-05-01 is outside the data range 2024-12-01 \.\. 2025-04-30"):
        add_annotation(tmp_path, "2025-05-01", "ok", **RANGE)
    with pytest.raises(AnnotationError) as err:
        add_annotation(tmp_path, "2025-01-24", "x" * 61, **RANGE)
    assert err.value.params == {"length": 61, "limit": 60} and "61 characters; at most 60" in str(err.value)


def test_limits_are_inclusive_and_boundaries_accepted(tmp_path: Path) -> None:
    add_annotation(tmp_path, "2024-12-01", "x" * 60, "y" * 500, **RANGE)
    add_annotation(tmp_path, "2025-04-30", "end", **RANGE)
    assert len(list_annotations(tmp_path)) == 2


def test_control_characters_stripped_and_html_kept_as_text(tmp_path: Path) -> None:
    ann = add_annotation(tmp_path, "2025-01-27", "NV\x00DA\u202e crash\x1b",
                         "line one\r\nline\ttwo <script>alert(1)</script>\x07", **RANGE)
    assert ann.label == "NVDA crash"
    assert ann.note == "line one\nline two <script>alert(1)</script>"
    stored = list_annotations(tmp_path).loc[0]
    assert stored["note"] == ann.note and stored["label"] == "NVDA crash"


def test_notebooks_keep_notes_private_and_share_read_only(tmp_path: Path) -> None:
    from data_sources.annotations import new_notebook_id, share_id, valid_notebook, valid_share

    mine, theirs = new_notebook_id(), new_notebook_id()
    assert mine != theirs and valid_notebook(mine) == mine
    add_annotation(tmp_path, "2025-01-24", "mine", **RANGE, notebook=mine)
    other = add_annotation(tmp_path, "2025-01-27", "theirs", **RANGE, notebook=theirs)
    assert list(list_annotations(tmp_path, mine)["label"]) == ["mine"]
    assert list(list_annotations(tmp_path, theirs)["label"]) == ["theirs"]
    assert list_annotations(tmp_path, new_notebook_id()).empty  # a new reader sees nothing
    assert list(list_annotations(tmp_path, share=share_id(mine))["label"]) == ["mine"]
    assert valid_share(share_id(mine)) and share_id(mine) not in (mine, theirs)
    assert delete_annotation(tmp_path, other.id, notebook=mine) is False  # not yours to delete
    assert delete_annotation(tmp_path, other.id, notebook=theirs) is True
    for bad in ("", "../x", "g" * 32, mine + "0", "<b>"):
        assert valid_notebook(bad) is None
    with pytest.raises(AnnotationError) as info:
        add_annotation(tmp_path, "2025-01-24", "x", **RANGE, notebook="not-an-id")
    assert info.value.code == "bad_notebook"


def test_notes_mode_is_private_unless_the_operator_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    from data_sources.annotations import notes_mode

    monkeypatch.delenv("DASHBOARD_NOTES", raising=False)
    assert notes_mode() == "private"
    monkeypatch.setenv("DASHBOARD_NOTES", "shared")
    assert notes_mode() == "shared"
