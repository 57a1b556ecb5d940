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
from data_sources.market.universe import instrument

RAW = tomllib.loads(EVENTS_PATH.read_text(encoding="utf-8"))["event"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _good(**overrides: object) -> dict:
    entry = {
        "id": "x_event", "date": "2025-01-24", "kind": "fx", "label_ko": "환율 하락", "label_en": "Rate falls",
        "note_ko": "원/달러 환율이 내렸다.", "note_en": "USD/KRW fell.", "source_name": "SBS Biz",
        "source_url": "https://biz.sbs.co.kr/amp/article/20000214794", "symbols": ["KRW=X"],
        "reported": [{"what": "seoul_close", "value": 1431.3}],
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
    assert entry.get("source_url", "https://").startswith("https://")
    assert "source_url" in entry or entry.get("source_column") == "baek-2025-01-26"
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
            if key != "reported":
                lines.append(f"{key} = {value!r}".replace("'", '"'))
        lines += ["[[event.reported]]", 'what = "seoul_close"']
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


def test_event_moves_before_series_and_empty() -> None:
    series = pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-02-03", "2025-02-04"]), name="KRW=X")
    moves = event_moves([_ev("early", "2025-01-02")], series)
    assert moves.loc[0, "obs_date"] == pd.Timestamp("2025-02-03") and pd.isna(moves.loc[0, "prev_date"])
    late = event_moves([_ev("late", "2025-03-02")], series)
    assert pd.isna(late.loc[0, "obs_date"]) and late.loc[0, "prev_date"] == pd.Timestamp("2025-02-04")
    assert len(event_moves([_ev("x", "2025-01-02")], pd.Series(dtype="float64", name="KRW=X"))) == 1


def test_event_moments_and_item_7_fixes(market_dir: Path) -> None:
    by_id = {e.id: e for e in load_events()}
    assert by_id["martial_law_night"].moment == pd.Timestamp("2024-12-03 22:30", tz="Asia/Seoul")
    assert by_id["nvidia_selloff"].moment == pd.Timestamp("2025-01-27 09:30", tz="America/New_York")
    interview = by_id["trump_fox_interview"]  # the US evening of 01-23 is the Korean morning of 01-24
    assert interview.moment == pd.Timestamp("2025-01-23 18:00", tz="America/New_York") and interview.time_note
    assert not by_id["yoon_indictment"].time_known and by_id["yoon_indictment"].source_column
    # HSI's 2025-03-19 close and its gain on the 2024 close, from the snapshot.
    hsi = pd.read_csv(market_dir / "^HSI.csv", parse_dates=["date"]).set_index("date")["close"]
    close, year_end = hsi.loc["2025-03-19"], hsi.loc["2024-12-31"]
    note = by_id["hsi_three_year_high"].note_en
    assert f"{close:,.2f}" in note and f"{(close / year_end - 1) * 100:.1f}%" in note
    assert by_id["hstech_bull_market"].date == dt.date(2025, 2, 7)


def test_event_moves_on_real_krw_and_ecb_snapshots(market_dir: Path) -> None:
    events = load_events()
    for symbol in ("KRW=X", "USDKRW_ECB"):
        frame = pd.read_csv(market_dir / f"{symbol}.csv", parse_dates=["date"])
        moves = event_moves(events, frame.set_index("date")["close"], symbol=symbol).set_index("id")
        # Martial law (22:30 KST on 12-03) came after both of that day's prints: the reaction is 12-04's.
        assert moves.loc["martial_law_night", "obs_date"] == pd.Timestamp("2024-12-04")
        # The inauguration (noon ET, 01-20) and the NVIDIA sell-off (01-27 US session): the next day's print.
        assert moves.loc["inauguration_no_tariffs", "obs_date"] == pd.Timestamp("2025-01-21")
        assert moves.loc["nvidia_selloff", "prev_date"] == pd.Timestamp("2025-01-27")
        assert moves.loc["nvidia_selloff", "obs_date"] == pd.Timestamp("2025-01-28")
        # The Sunday indictment: Friday's print before, Monday's after.
        assert moves.loc["yoon_indictment", "prev_date"] == pd.Timestamp("2025-01-24")
        assert moves.loc["yoon_indictment", "obs_date"] == pd.Timestamp("2025-01-27")
    krw = pd.read_csv(market_dir / "KRW=X.csv", parse_dates=["date"]).set_index("date")["close"]
    moves = event_moves(events, krw, symbol="KRW=X").set_index("id")
    assert moves.loc["nvidia_selloff", "close"] == pytest.approx(1417.92, abs=0.01)
