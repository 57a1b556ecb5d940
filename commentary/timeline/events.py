"""Dated events around the column: loading and checking ``events.toml``, and the rate's move around each event.

An event is either a point (``date``) or an inclusive range (``start``..``end``, drawn as a shaded band).
Dates are Korean dates unless ``date_basis == "US"`` (a US Eastern date, e.g. NVIDIA's 2025-01-27 fall).
An event's *moment* is its date at ``time`` (HH:MM, default 00:00 with ``time_known`` False) in its
basis' zone (Asia/Seoul or America/New_York); a range's moment is its first day's.  Reactions are
measured from each series' last print observed before the moment to its first print after it
(:func:`event_moves` with the series' symbol; observation times from
:mod:`commentary.timeline.observation`).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from commentary.timeline import checks as fact_checks
from commentary.timeline.checks import Check, Reported
from commentary.timeline.observation import first_after, print_moments
from commentary.words import Words
from data_sources.market.universe import instrument

EVENTS_PATH = Path(__file__).with_name("events.toml")

KINDS: tuple[str, ...] = ("politics", "fx", "ai", "market", "holiday", "central_bank", "trade")
USER_KIND = "user"  # reader annotations turned into events (never in events.toml)
DATE_BASES: tuple[str, ...] = ("KST", "US")
BASIS_ZONES: dict[str, str] = {"KST": "Asia/Seoul", "US": "America/New_York"}
LABEL_MAX = 40
NOTE_MAX = 400

_REQUIRED = ("id", "kind", "label_ko", "label_en", "note_ko", "note_en", "source_name", "symbols")
_OPTIONAL = ("date", "start", "end", "date_basis", "priority", "time", "time_note", "source_url", "source_column",
             "check", "reported")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")


class EventsError(ValueError):
    """``events.toml`` is missing, unparsable or has a bad entry; the message names file, entry and field."""


@dataclass(frozen=True)
class Event:
    """One dated event (point or inclusive range)."""

    id: str
    kind: str
    label_ko: str
    label_en: str
    note_ko: str
    note_en: str
    source_name: str
    source_url: str
    symbols: tuple[str, ...] = ()
    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    date_basis: str = "KST"
    priority: int = 1  # 2 = a key event of the column: its chart label is placed first
    time: str | None = None  # HH:MM in the basis' zone; None: not recorded (the day's start is used)
    time_note: str = ""
    source_column: str = ""  # the source is a commentary of this project (its id), not a web page
    checks: tuple[Check, ...] = ()  # what our daily data can confirm (commentary.timeline.checks)
    reported: tuple[Reported, ...] = ()  # what only the source has

    def reported_by(self) -> list[tuple[str, tuple[str, ...]]]:
        """(publisher, what) of the figures only the source has: one pair per publisher, in file order."""
        out: dict[str, list[str]] = {}
        for item in self.reported:
            names = out.setdefault(item.by or self.source_name, [])
            if item.what not in names:
                names.append(item.what)
        return [(by, tuple(names)) for by, names in out.items()]

    @property
    def time_known(self) -> bool:
        """Whether the event's time of day is recorded."""
        return self.time is not None

    @property
    def zone(self) -> str:
        """The IANA zone of the event's date and time."""
        return BASIS_ZONES.get(self.date_basis, "Asia/Seoul")

    @property
    def moment(self) -> pd.Timestamp:
        """The event's moment (UTC): its (first) day at ``time`` (00:00 when not recorded) in its zone."""
        local = pd.Timestamp(f"{self.anchor.isoformat()} {self.time or '00:00'}").tz_localize(self.zone)
        return local.tz_convert("UTC")

    @property
    def is_range(self) -> bool:
        """True for a date range (drawn as a band)."""
        return self.date is None

    @property
    def anchor(self) -> dt.date:
        """The date the event is pinned at: its date, or a range's first day."""
        return self.date if self.date is not None else self.start  # type: ignore[return-value]

    @property
    def last_day(self) -> dt.date:
        """The event's last day (== anchor for a point event)."""
        return self.date if self.date is not None else self.end  # type: ignore[return-value]

    def label(self, lang: str) -> str:
        """Short label in ``lang`` ("ko", else English)."""
        return self.label_ko if lang == "ko" else self.label_en

    def note(self, lang: str) -> str:
        """Full note in ``lang`` ("ko", else English)."""
        return self.note_ko if lang == "ko" else self.note_en


def _parse_date(value: object) -> dt.date | None:
    """A ``YYYY-MM-DD`` string or a TOML date → date; anything else → None."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def validate_event(entry: dict) -> list[str]:
    """Problems with one raw ``[[event]]`` table, each as ``"field: problem"`` (empty list = valid)."""
    problems: list[str] = []
    if not isinstance(entry, dict):
        return ["entry: not a table"]
    for name in sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL)):
        problems.append(f"{name}: unknown field")
    for name in _REQUIRED:
        if name not in entry:
            problems.append(f"{name}: missing")
    for name in ("id", "kind", "label_ko", "label_en", "note_ko", "note_en", "source_name", "source_url",
                 "source_column", "time_note"):
        if name in entry and (not isinstance(entry[name], str) or not entry[name].strip()):
            problems.append(f"{name}: must be a non-empty string")
    if "source_url" not in entry and "source_column" not in entry:
        problems.append("source_url: missing (or give source_column: the id of the commentary that reports it)")
    if "time" in entry and (not isinstance(entry["time"], str) or not _TIME_RE.match(entry["time"])):
        problems.append(f"time: {entry['time']!r} is not HH:MM (24-hour)")
    if isinstance(entry.get("id"), str) and entry["id"].strip() and not _ID_RE.match(entry["id"]):
        problems.append(f"id: {entry['id']!r} must be lower_snake_case")
    if isinstance(entry.get("kind"), str) and entry["kind"] not in KINDS:
        problems.append(f"kind: {entry['kind']!r} is not one of {', '.join(KINDS)}")
    if "date_basis" in entry and entry["date_basis"] not in DATE_BASES:
        problems.append(f"date_basis: {entry['date_basis']!r} is not one of {', '.join(DATE_BASES)}")
    if "priority" in entry and (isinstance(entry["priority"], bool) or entry["priority"] not in (1, 2, 3)):
        problems.append(f"priority: {entry['priority']!r} must be 1, 2 or 3")
    problems += _check_dates(entry)
    problems += fact_checks.validate(entry)
    for name in ("label_ko", "label_en"):
        if isinstance(entry.get(name), str) and len(entry[name]) > LABEL_MAX:
            problems.append(f"{name}: {len(entry[name])} characters, at most {LABEL_MAX}")
    for name in ("note_ko", "note_en"):
        if isinstance(entry.get(name), str) and len(entry[name]) > NOTE_MAX:
            problems.append(f"{name}: {len(entry[name])} characters, at most {NOTE_MAX}")
    for name in ("label_ko", "note_ko"):
        if isinstance(entry.get(name), str) and entry[name].strip() and not _HANGUL_RE.search(entry[name]):
            problems.append(f"{name}: has no Korean text")
    url = entry.get("source_url")
    if isinstance(url, str) and url.strip():
        parsed = urlparse(url)
        if parsed.scheme != "https" or "." not in parsed.netloc:
            problems.append(f"source_url: {url!r} is not a full https:// URL")
    if "symbols" in entry:
        symbols = entry["symbols"]
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            problems.append("symbols: must be a list of strings")
        else:
            unknown = [s for s in symbols if instrument(s) is None]
            if unknown:
                problems.append(f"symbols: not in the universe: {', '.join(unknown)}")
    return problems


def _check_dates(entry: dict) -> list[str]:
    has_date, has_range = "date" in entry, "start" in entry or "end" in entry
    if has_date and has_range:
        return ["date: give either date or start/end, not both"]
    if not has_date and not has_range:
        return ["date: missing (give date, or start and end)"]
    names = ("date",) if has_date else ("start", "end")
    problems = []
    for name in names:
        if name not in entry:
            problems.append(f"{name}: missing")
        elif _parse_date(entry[name]) is None:
            problems.append(f"{name}: {entry[name]!r} is not a YYYY-MM-DD date")
    if not problems and has_range and _parse_date(entry["start"]) > _parse_date(entry["end"]):  # type: ignore[operator]
        problems.append(f"end: {entry['end']} is before start {entry['start']}")
    return problems


def _to_event(entry: dict) -> Event:
    checks, reported = fact_checks.parse(entry)
    return Event(
        id=entry["id"], kind=entry["kind"],
        label_ko=entry["label_ko"].strip(), label_en=entry["label_en"].strip(),
        note_ko=entry["note_ko"].strip(), note_en=entry["note_en"].strip(),
        source_name=entry["source_name"].strip(), source_url=str(entry.get("source_url", "")).strip(),
        symbols=tuple(entry["symbols"]),
        date=_parse_date(entry.get("date")), start=_parse_date(entry.get("start")), end=_parse_date(entry.get("end")),
        date_basis=entry.get("date_basis", "KST"), priority=int(entry.get("priority", 1)),
        time=entry.get("time"), time_note=str(entry.get("time_note", "")).strip(),
        source_column=str(entry.get("source_column", "")).strip(), checks=checks, reported=reported,
    )


def load_events(path: Path | str | None = None) -> list[Event]:
    """Read and check ``events.toml`` (default: next to this module); events sorted by anchor date then id.

    Raises :class:`EventsError` naming the file, the entry (index and id) and the field of the first bad entry.
    """
    path = Path(path) if path is not None else EVENTS_PATH
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EventsError(f"{path}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EventsError(f"{path}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise EventsError(f"{path}: not valid TOML ({exc})") from exc
    entries = raw.get("event")
    if not isinstance(entries, list) or not entries:
        raise EventsError(f"{path}: no [[event]] entries")
    events: list[Event] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        ident = entry.get("id", "?") if isinstance(entry, dict) else "?"
        problems = validate_event(entry)
        if problems:
            raise EventsError(f"{path}: event #{index} (id={ident}): " + "; ".join(problems))
        if ident in seen:
            raise EventsError(f"{path}: event #{index} (id={ident}): id: duplicate of event #{seen[ident]}")
        seen[ident] = index
        events.append(_to_event(entry))
    return sorted(events, key=lambda e: (e.anchor, e.id))


def _as_date(value: dt.date | str | pd.Timestamp) -> dt.date:
    return pd.Timestamp(value).date()


def events_in_window(events: Iterable[Event], start: dt.date | str | pd.Timestamp,
                     end: dt.date | str | pd.Timestamp) -> list[Event]:
    """Events touching the inclusive window ``start``..``end`` (a range counts when it overlaps)."""
    lo, hi = _as_date(start), _as_date(end)
    return [e for e in events if e.anchor <= hi and e.last_day >= lo]


MOVE_COLUMNS: tuple[str, ...] = (
    "id", "date", "label", "moment", "prev_date", "obs_date", "on_trading_day", "prev_close", "close", "change",
    "change_pct", "fwd_date", "fwd_close", "fwd_change", "fwd_change_pct", "source_url",
)


def event_moves(events: Sequence[Event], series: pd.Series, horizon: int = 5, words: Words | None = None,
                symbol: str | None = None) -> pd.DataFrame:
    """The rate's reaction to each event: one row per event, in event order.

    ``series`` is a date-indexed daily series of ``symbol`` (default: ``series.name``), e.g. KRW per
    USD.  The reaction runs from the last print observed at or before the event's moment
    (``prev_date``) to the first print after it (``obs_date``), each print placed at its observation
    time (KRW=X: Asian hours; the ECB: 14:15 CET; exchanges: their session close).  So a US-evening
    event on D shows in D+1's KRW=X print, and a Sunday event in Monday's.  ``on_trading_day`` says
    whether that first print is dated on the event's own day.  ``fwd_change`` is the print ``horizon``
    rows after the reaction print minus the reaction print.  Missing neighbours give NaN.  ``label`` is the
    event's own label in the reader's language (``words.language``: the event's bilingual content; English
    without ``words``).
    """
    language = words.language if words is not None else "en"
    symbol = symbol or (str(series.name) if series.name is not None else "")
    clean = series.dropna()
    clean.index = pd.to_datetime(clean.index).tz_localize(None).normalize() if len(clean) else clean.index
    clean = clean[~clean.index.duplicated(keep="last")].sort_index()
    index = pd.DatetimeIndex(clean.index)
    values = clean.to_numpy(dtype="float64")
    moments = print_moments(symbol, index) if len(index) else pd.DatetimeIndex([], tz="UTC")
    rows = []
    for event in events:
        day = pd.Timestamp(event.anchor)
        row: dict = {"id": event.id, "date": day, "label": event.label(language), "source_url": event.source_url,
                     "moment": event.moment, "prev_date": pd.NaT, "obs_date": pd.NaT, "on_trading_day": False,
                     "prev_close": float("nan"), "close": float("nan"), "change": float("nan"),
                     "change_pct": float("nan"), "fwd_date": pd.NaT, "fwd_close": float("nan"),
                     "fwd_change": float("nan"), "fwd_change_pct": float("nan")}
        pos = int(moments.searchsorted(event.moment, side="right")) if len(index) else 0
        if pos < len(index):
            close = values[pos]
            row.update(obs_date=index[pos], on_trading_day=bool(index[pos] == day), close=close)
            if pos >= 1:
                prev = values[pos - 1]
                row.update(prev_date=index[pos - 1], prev_close=prev, change=close - prev,
                           change_pct=(close / prev - 1.0) * 100.0)
            if pos + horizon < len(values):
                fwd = values[pos + horizon]
                row.update(fwd_date=index[pos + horizon], fwd_close=fwd, fwd_change=fwd - close,
                           fwd_change_pct=(fwd / close - 1.0) * 100.0)
        elif len(index):
            row.update(prev_date=index[-1], prev_close=values[-1])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(MOVE_COLUMNS))
    for col in ("date", "prev_date", "obs_date", "fwd_date"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    frame["on_trading_day"] = frame["on_trading_day"].astype(bool)
    return frame


def reaction_print(symbol: str, dates: pd.DatetimeIndex, event: Event) -> pd.Timestamp | None:
    """The date of ``symbol``'s first print after ``event``'s moment among sorted ``dates`` (None if none)."""
    pos = first_after(symbol, dates, event.moment)
    return dates[pos] if pos is not None else None
