"""What an event's figures rest on: ``check`` entries our daily data can confirm, ``reported`` ones it cannot.

Every ``[[event]]`` in ``events.toml`` carries at least one of these tables:

``[[event.check]]``   a statement about one stored series that :func:`evaluate` tests on its daily closes
    (``tests/unit/commentary/test_events.py`` runs every one on the real snapshot).  Kinds and their fields:

    ``close``          symbol, date, value[, tolerance]            the close on ``date`` is ``value``
    ``change``         symbol, date, value[, since, tolerance]     % change to ``date`` from the previous
                                                                   print (or from the print dated ``since``)
    ``streak``         symbol, date, direction, value              ``date`` ends exactly ``value`` straight
                                                                   moves ``up``/``down``
    ``peak``           symbol, start, end, date                    the highest close in ``start..end`` is on ``date``
    ``highest_since``  symbol, date, since                         no close in ``since..date`` is above ``date``'s
    ``lower_than``     symbol, date, other                         the close on ``date`` is below the one on ``other``
    ``first_gain``     symbol, start, end, value, date             ``date`` is the first close ``value``% or more above
                                                                   the lowest close of ``start..end``
    ``sessions``       symbol, start, end, dates                   the series has prints in ``start..end`` on
                                                                   exactly ``dates``

    ``tolerance`` defaults to half a unit of the last digit written (118.42 → ±0.005; -13 → ±0.5).

``[[event.reported]]``   a figure or fact only the source has (``what`` from :data:`REPORTED`; optional
    ``date``, ``value`` or ``values``, and ``by`` when another publisher than the event's source reports it).
    The event's note says these in words; the page marks them "reported by …, not in our data".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from data_sources.market.universe import instrument

#: kind -> (required fields, optional fields), besides ``kind`` and ``symbol``
CHECK_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "close": (("date", "value"), ("tolerance",)),
    "change": (("date", "value"), ("since", "tolerance")),
    "streak": (("date", "direction", "value"), ()),
    "peak": (("start", "end", "date"), ()),
    "highest_since": (("date", "since"), ()),
    "lower_than": (("date", "other"), ()),
    "first_gain": (("start", "end", "value", "date"), ()),
    "sessions": (("start", "end", "dates"), ()),
}
#: what a reported entry is about -> the catalog key of its name (shown in "not in our data: …")
REPORTED: dict[str, str] = {
    "seoul_close": "timeline.what_seoul_close",
    "intraday": "timeline.what_intraday",
    "record": "timeline.what_record",
    "kospi": "timeline.what_kospi",
    "hstech": "timeline.what_hstech",
    "market_value": "timeline.what_market_value",
    "policy": "timeline.what_policy",
    "news": "timeline.what_news",
    "product": "timeline.what_product",
    "closure": "timeline.what_closure",
}
_DATE_FIELDS = ("date", "since", "start", "end", "other")
_MAX_ENTRIES = 20  # per event and table: the file is ours, but a runaway list is a mistake


@dataclass(frozen=True)
class Check:
    """One statement about ``symbol``'s daily closes (see the module docstring for the kinds)."""

    kind: str
    symbol: str
    params: dict = field(default_factory=dict, hash=False, compare=True)

    def describe(self) -> str:
        """``kind symbol field=value …`` (for test failures and logs, not for readers)."""
        fields = " ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.kind} {self.symbol} {fields}"


@dataclass(frozen=True)
class Reported:
    """A figure or fact only the source reports (``what`` is a key of :data:`REPORTED`)."""

    what: str
    by: str = ""
    date: dt.date | None = None
    values: tuple[float, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """Whether the data show a :class:`Check`, with what was measured (NaN/None when nothing could be)."""

    check: Check
    ok: bool
    measured: object
    detail: str


def default_tolerance(value: float | int) -> float:
    """Half a unit of the last digit of ``value`` as written in TOML (118.42 → 0.005, -13 → 0.5)."""
    if isinstance(value, int):
        return 0.5
    text = repr(float(value))
    decimals = len(text.split(".", 1)[1]) if "." in text and "e" not in text else 0
    return 0.5 * 10.0 ** -decimals


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_problems(i: int, raw: object) -> list[str]:
    where = f"check[{i}]"
    if not isinstance(raw, dict):
        return [f"{where}: not a table"]
    kind = raw.get("kind")
    if kind not in CHECK_FIELDS:
        return [f"{where}.kind: {kind!r} is not one of {', '.join(CHECK_FIELDS)}"]
    required, optional = CHECK_FIELDS[kind]
    problems = [f"{where}.{name}: unknown field for kind {kind}"
                for name in sorted(set(raw) - {"kind", "symbol", *required, *optional})]
    problems += [f"{where}.{name}: missing" for name in ("symbol", *required) if name not in raw]
    symbol = raw.get("symbol")
    if "symbol" in raw and (not isinstance(symbol, str) or instrument(symbol) is None):
        problems.append(f"{where}.symbol: {symbol!r} is not in the universe")
    for name in _DATE_FIELDS:
        if name in raw and _as_date(raw[name]) is None:
            problems.append(f"{where}.{name}: {raw[name]!r} is not a YYYY-MM-DD date")
    for name in ("value", "tolerance"):
        if name in raw and not _is_number(raw[name]):
            problems.append(f"{where}.{name}: {raw[name]!r} is not a number")
    if "tolerance" in raw and _is_number(raw["tolerance"]) and raw["tolerance"] < 0:
        problems.append(f"{where}.tolerance: must not be negative")
    if kind == "streak":
        if raw.get("direction") not in ("up", "down"):
            problems.append(f"{where}.direction: {raw.get('direction')!r} is not up or down")
        if "value" in raw and (not isinstance(raw["value"], int) or isinstance(raw["value"], bool) or raw["value"] < 1):
            problems.append(f"{where}.value: a streak is a whole number of sessions (1 or more)")
    if kind == "sessions" and "dates" in raw:
        dates = raw["dates"]
        if not isinstance(dates, list) or len(dates) > 400 or any(_as_date(d) is None for d in dates):
            problems.append(f"{where}.dates: must be a list of YYYY-MM-DD dates")
    start, end = _as_date(raw.get("start")), _as_date(raw.get("end"))
    if start and end and end < start:
        problems.append(f"{where}.end: {end} is before start {start}")
    return problems


def _reported_problems(i: int, raw: object) -> list[str]:
    where = f"reported[{i}]"
    if not isinstance(raw, dict):
        return [f"{where}: not a table"]
    known = {"what", "by", "date", "value", "values"}
    problems = [f"{where}.{name}: unknown field" for name in sorted(set(raw) - known)]
    if raw.get("what") not in REPORTED:
        problems.append(f"{where}.what: {raw.get('what')!r} is not one of {', '.join(REPORTED)}")
    if "by" in raw and (not isinstance(raw["by"], str) or not raw["by"].strip()):
        problems.append(f"{where}.by: must be a non-empty string")
    if "date" in raw and _as_date(raw["date"]) is None:
        problems.append(f"{where}.date: {raw['date']!r} is not a YYYY-MM-DD date")
    if "value" in raw and "values" in raw:
        problems.append(f"{where}.values: give value or values, not both")
    if "value" in raw and not _is_number(raw["value"]):
        problems.append(f"{where}.value: {raw['value']!r} is not a number")
    if "values" in raw and (not isinstance(raw["values"], list) or len(raw["values"]) > _MAX_ENTRIES
                            or not all(_is_number(v) for v in raw["values"])):
        problems.append(f"{where}.values: must be a list of numbers")
    return problems


def validate(entry: dict) -> list[str]:
    """Problems with an event's ``check`` and ``reported`` tables (empty list = valid)."""
    checks, reported = entry.get("check", []), entry.get("reported", [])
    problems = []
    for name, value in (("check", checks), ("reported", reported)):
        if not isinstance(value, list):
            problems.append(f"{name}: must be an array of tables ([[event.{name}]])")
        elif len(value) > _MAX_ENTRIES:
            problems.append(f"{name}: {len(value)} entries, at most {_MAX_ENTRIES}")
    if problems:
        return problems
    if not checks and not reported:
        return ["check: missing (give [[event.check]] for what our data can show, [[event.reported]] for what "
                "only the source has)"]
    for i, raw in enumerate(checks):
        problems += _check_problems(i, raw)
    for i, raw in enumerate(reported):
        problems += _reported_problems(i, raw)
    return problems


def parse(entry: dict) -> tuple[tuple[Check, ...], tuple[Reported, ...]]:
    """The checks and reported entries of a raw event that :func:`validate` accepted."""
    checks = []
    for raw in entry.get("check", []):
        params = {k: (_as_date(v) if k in _DATE_FIELDS else v) for k, v in raw.items() if k not in ("kind", "symbol")}
        if "dates" in params:
            params["dates"] = tuple(_as_date(d) for d in params["dates"])
        checks.append(Check(raw["kind"], raw["symbol"], params))
    reported = []
    for raw in entry.get("reported", []):
        values = tuple(float(v) for v in raw.get("values", [raw["value"]] if "value" in raw else []))
        reported.append(Reported(raw["what"], str(raw.get("by", "")).strip(), _as_date(raw.get("date")), values))
    return tuple(checks), tuple(reported)


def _at(close: pd.Series, day: dt.date) -> float:
    stamp = pd.Timestamp(day)
    if stamp not in close.index:
        raise KeyError(f"no print dated {day}")
    return float(close.loc[stamp])


def _previous(close: pd.Series, day: dt.date) -> float:
    before = close.loc[:pd.Timestamp(day) - pd.Timedelta(days=1)]
    if before.empty:
        raise KeyError(f"no print before {day}")
    return float(before.iloc[-1])


def _measure(check: Check, close: pd.Series) -> tuple[bool, object]:
    p = check.params
    if check.kind == "close":
        value = _at(close, p["date"])
        return abs(value - p["value"]) <= p.get("tolerance", default_tolerance(p["value"])), value
    if check.kind == "change":
        base = _at(close, p["since"]) if "since" in p else _previous(close, p["date"])
        pct = (_at(close, p["date"]) / base - 1.0) * 100.0
        return abs(pct - p["value"]) <= p.get("tolerance", default_tolerance(p["value"])), pct
    if check.kind == "streak":
        moves = close.loc[:pd.Timestamp(p["date"])].diff().dropna()
        if moves.empty or moves.index[-1] != pd.Timestamp(p["date"]):
            raise KeyError(f"no move dated {p['date']}")
        same = (moves < 0) if p["direction"] == "down" else (moves > 0)
        run = 0
        for hit in reversed(same.to_numpy()):
            if not hit:
                break
            run += 1
        return run == p["value"], run
    if check.kind in ("peak", "first_gain"):
        window = close.loc[pd.Timestamp(p["start"]):pd.Timestamp(p["end"])]
        if window.empty:
            raise KeyError(f"no prints in {p['start']}..{p['end']}")
        if check.kind == "peak":
            day = window.idxmax().date()
            return day == p["date"], day
        low_day = window.idxmin()
        after = close.loc[low_day:]
        above = after[after >= float(window.min()) * (1.0 + p["value"] / 100.0)]
        day = above.index[0].date() if len(above) else None
        return day == p["date"], day
    if check.kind == "highest_since":
        value = _at(close, p["date"])
        span = close.loc[pd.Timestamp(p["since"]):pd.Timestamp(p["date"])]
        return bool((span <= value).all()), float(span.max())
    if check.kind == "lower_than":
        value, other = _at(close, p["date"]), _at(close, p["other"])
        return value < other, value - other
    # sessions
    dates = tuple(d.date() for d in close.loc[pd.Timestamp(p["start"]):pd.Timestamp(p["end"])].index)
    return dates == tuple(p["dates"]), dates


def evaluate(check: Check, close: pd.Series | None) -> CheckResult:
    """Test ``check`` on ``close`` (the symbol's daily closes, indexed by date); never raises on missing data."""
    if close is None or close.dropna().empty:
        return CheckResult(check, False, None, f"{check.symbol}: no stored prices")
    clean = close.dropna()
    clean.index = pd.DatetimeIndex(clean.index).normalize()
    clean = clean[~clean.index.duplicated(keep="last")].sort_index()
    try:
        ok, measured = _measure(check, clean)
    except KeyError as exc:
        return CheckResult(check, False, None, f"{check.symbol}: {exc.args[0]}")
    shown = f"{measured:.4g}" if isinstance(measured, float) else str(measured)
    return CheckResult(check, bool(ok), measured, f"{check.describe()}: measured {shown}")
