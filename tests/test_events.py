"""events.toml content checks, the loader's error messages, windows, and event_moves."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from commentary.timeline.events import (
    EVENTS_PATH,
    KINDS,
    Event,
    EventsError,
    event_moves,
    events_in_window,
    load_events,
    validate_event,
)
from data_sources.universe import instrument

RAW = tomllib.loads(EVENTS_PATH.read_text(encoding="utf-8"))["event"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _good(**overrides: object) -> dict:
    entry = {
        "id": "x_event", "date": "2025-01-24", "kind": "fx", "label_ko": "환율 하락", "label_en": "Rate falls",
        "note_ko": "원/달러 환율이 내렸다.", "note_en": "USD/KRW fell.", "source_name": "SBS Biz",
        "source_url": "https://biz.sbs.co.kr/amp/article/20000214794", "symbols": ["KRW=X"],
    }
    entry.update(overrides)
    return {k: v for k, v in entry.items() if v is not None}


@pytest.mark.parametrize("entry", RAW, ids=[e.get("id", "?") for e in RAW])
def test_every_entry_is_valid(entry: dict) -> None:
    assert validate_event(entry) == []
    dates = [entry["date"]] if "date" in entry else [entry["start"], entry["end"]]
    for value in dates:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
        assert dt.date(2024, 12, 1) <= dt.date.fromisoformat(value) <= dt.date(2025, 4, 30)
    assert entry["kind"] in KINDS
    assert HANGUL.search(entry["label_ko"]) and HANGUL.search(entry["note_ko"])
    assert entry["label_en"].isascii() and entry["note_en"].isascii()
    assert 0 < len(entry["label_en"]) <= 40 and 0 < len(entry["label_ko"]) <= 40
    assert entry["source_url"].startswith("https://")
    assert entry["symbols"] and all(instrument(s) is not None for s in entry["symbols"])


def test_file_as_a_whole() -> None:
    ids = [e["id"] for e in RAW]
    assert len(ids) == len(set(ids))
    events = load_events()
    assert len(events) >= 14
    by_id = {e.id: e for e in events}
    seollal = by_id["seollal_closure"]
    assert seollal.is_range and (seollal.start, seollal.end) == (dt.date(2025, 1, 27), dt.date(2025, 1, 30))
    assert by_id["nvidia_selloff"].date_basis == "US"
    assert "1,431.3" in by_id["boj_hike_won_fifth_day"].note_en
    assert [e.anchor for e in events] == sorted(e.anchor for e in events)
    required = {"2024-12-03", "2024-12-14", "2024-12-19", "2024-12-27", "2024-12-30", "2025-01-17", "2025-01-20",
                "2025-01-24", "2025-01-26", "2025-01-27", "2025-01-31", "2025-03-06", "2025-03-31", "2025-04-07",
                "2025-04-09"}
    assert required <= {e.anchor.isoformat() for e in events}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": "2025/01/24"}, "date"),
        ({"date": "2025-02-30"}, "date"),
        ({"date": None}, "date"),
        ({"start": "2025-01-27", "end": "2025-01-30"}, "date"),  # both date and range
        ({"date": None, "start": "2025-01-30", "end": "2025-01-27"}, "end"),
        ({"kind": "gossip"}, "kind"),
        ({"label_en": "x" * 41}, "label_en"),
        ({"label_ko": "only english"}, "label_ko"),
        ({"note_en": "  "}, "note_en"),
        ({"source_url": "http://example.com/a"}, "source_url"),
        ({"source_url": "biz.sbs.co.kr/amp/article/1"}, "source_url"),
        ({"symbols": ["KRW=X", "NOPE"]}, "symbols"),
        ({"symbols": "KRW=X"}, "symbols"),
        ({"id": "Bad Id"}, "id"),
        ({"colour": "red"}, "colour"),
        ({"source_name": None}, "source_name"),
    ],
)
def test_validate_event_names_the_field(overrides: dict, field: str) -> None:
    problems = validate_event(_good(**overrides))
    assert problems, overrides
    assert any(p.startswith(f"{field}:") for p in problems), problems


def test_validate_accepts_range_and_toml_dates() -> None:
    assert validate_event(_good(date=None, start="2025-01-27", end="2025-01-30")) == []
    assert validate_event(_good(date=dt.date(2025, 1, 24))) == []


def test_load_events_error_names_file_entry_and_field(tmp_path: Path) -> None:
    def toml(entry: dict) -> str:
        lines = ["[[event]]"]
        for key, value in entry.items():
            lines.append(f"{key} = {value!r}".replace("'", '"'))
        return "\n".join(lines) + "\n"

    path = tmp_path / "events.toml"
    path.write_text(toml(_good()) + toml(_good(id="second", kind="gossip")), encoding="utf-8")
    with pytest.raises(EventsError) as err:
        load_events(path)
    message = str(err.value)
    assert str(path) in message and "#2" in message and "id=second" in message and "kind:" in message

    path.write_text(toml(_good()) + toml(_good()), encoding="utf-8")
    with pytest.raises(EventsError, match=r"#2 \(id=x_event\): id: duplicate of event #1"):
        load_events(path)

    path.write_text("[[event]\nid = 1\n", encoding="utf-8")
    with pytest.raises(EventsError, match="not valid TOML"):
        load_events(path)
    with pytest.raises(EventsError, match="file not found"):
        load_events(tmp_path / "missing.toml")


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _ev(ident: str, day: str | None = None, start: str | None = None, end: str | None = None) -> Event:
    return Event(ident, "fx", ident, ident, "n", "n", "src", f"https://example.com/{ident}",
                 date=_d(day), start=_d(start), end=_d(end))


def test_events_in_window_includes_overlapping_ranges() -> None:
    events = [_ev("a", "2025-01-10"), _ev("b", "2025-01-20"), _ev("r", start="2025-01-27", end="2025-01-30")]
    assert [e.id for e in events_in_window(events, "2025-01-15", "2025-01-28")] == ["b", "r"]
    assert [e.id for e in events_in_window(events, "2025-01-30", "2025-02-28")] == ["r"]
    assert [e.id for e in events_in_window(events, dt.date(2025, 1, 10), dt.date(2025, 1, 10))] == ["a"]


def test_event_moves_on_hand_built_series() -> None:
    days = pd.to_datetime(["2025-01-20", "2025-01-21", "2025-01-22", "2025-01-23", "2025-01-24",
                           "2025-01-27", "2025-01-28"])
    series = pd.Series([1450.0, 1440.0, 1430.0, 1435.0, 1431.0, 1440.0, 1444.0], index=days)
    events = [_ev("trading", "2025-01-22"), _ev("sunday", "2025-01-26"), _ev("first", "2025-01-20"),
              _ev("late", "2025-01-27")]
    moves = event_moves(events, series, horizon=2).set_index("id")

    row = moves.loc["trading"]
    assert row["on_trading_day"] and row["obs_date"] == pd.Timestamp("2025-01-22")
    assert row["change"] == pytest.approx(-10.0) and row["change_pct"] == pytest.approx(-10 / 1440 * 100)
    assert row["fwd_date"] == pd.Timestamp("2025-01-24") and row["fwd_change"] == pytest.approx(1.0)
    assert row["source_url"] == "https://example.com/trading"

    sunday = moves.loc["sunday"]  # non-trading date: last observation before it (Fri 01-24)
    assert not sunday["on_trading_day"] and sunday["obs_date"] == pd.Timestamp("2025-01-24")
    assert sunday["close"] == 1431.0 and sunday["change"] == pytest.approx(-4.0)
    assert sunday["fwd_change"] == pytest.approx(13.0)  # 01-28 (two rows on) minus 01-24

    assert pd.isna(moves.loc["first", "change"]) and moves.loc["first", "fwd_change"] == pytest.approx(-20.0)
    assert pd.isna(moves.loc["late", "fwd_change"]) and moves.loc["late", "change"] == pytest.approx(9.0)
    assert list(moves.index) == ["trading", "sunday", "first", "late"]


def test_event_moves_before_series_and_empty() -> None:
    series = pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-02-03", "2025-02-04"]))
    moves = event_moves([_ev("early", "2025-01-02")], series)
    assert pd.isna(moves.loc[0, "close"]) and pd.isna(moves.loc[0, "obs_date"])
    assert len(event_moves([_ev("x", "2025-01-02")], pd.Series(dtype="float64"))) == 1


def test_event_moves_on_real_krw_snapshot(market_dir: Path) -> None:
    frame = pd.read_csv(market_dir / "KRW=X.csv", parse_dates=["date"])
    series = frame.set_index("date")["close"]
    moves = event_moves(load_events(), series).set_index("id")
    assert moves.loc["boj_hike_won_fifth_day", "close"] == pytest.approx(1433.93, abs=0.01)
    assert moves.loc["trump_fox_interview", "close"] == pytest.approx(1433.93, abs=0.01)
    indictment = moves.loc["yoon_indictment"]  # Sunday 01-26: Friday's quote, first reaction over 5 rows
    assert not indictment["on_trading_day"] and indictment["obs_date"] == pd.Timestamp("2025-01-24")
    assert indictment["fwd_date"] == pd.Timestamp("2025-01-31")
    assert indictment["fwd_close"] == pytest.approx(1441.66, abs=0.01)
