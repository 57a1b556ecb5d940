"""Yahoo Finance prices through the real ``yf.download``, in the adapter shape of :mod:`data_sources.fetcher`.

:class:`YahooFetcher`'s three steps:

1. ``transform_query`` — which symbols to ask for and from when (no I/O): symbols grouped by
   start date into few batched calls, so one new symbol does not re-download years of the others;
   the end is always tomorrow (UTC), so yfinance never answers from its in-process cache;
2. ``extract`` — one ``yf.download`` per query through a ``DeadlineSession`` (the only
   network I/O): a ``curl_cffi`` session that caps every request, yfinance's own cookie and crumb
   calls included, to one overall deadline, and records what the transport saw per symbol;
3. ``transform_data`` — yfinance's wide ``(Price, Ticker)`` frame → the tidy frame of ``frames.py``
   (only bars whose session has closed), plus a classified failure for every symbol that came back
   empty: rate-limited, timed out, unreachable, TLS, broken reply, or "not found" only when Yahoo
   said so for that symbol.

``yf.download`` never raises on network trouble (it logs per ticker); the transport record is
what tells a stalled or rate-limited Yahoo from a delisted symbol. :func:`fetch` raises
:class:`YahooUnavailable` when every symbol failed on the network, and retries symbols that were
rate-limited alone with backoff and jitter. ``auto_adjust=False``: ``close`` is Yahoo's quoted
(split-adjusted) close and ``adj_close`` the split- and dividend-adjusted one.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from data_sources.errors import MarketError, Problem
from data_sources.market import calendars
from data_sources.market.yahoo_session import REQUEST_TIMEOUT_S, DeadlineSession, Seen
from data_sources.store.frames import PRICE_COLUMNS, empty_prices
from data_sources.store.validate import check_rows

# yfinance (with peewee, BeautifulSoup, lxml …) is imported by the two functions that call it, not here: ~25 MB
# of resident memory that a process which never fetches (an app replica with DASHBOARD_REFRESH=off, an offline
# laptop) need not hold.

FIELD_MAP = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Adj Close": "adj_close",
             "Volume": "volume"}
BATCH_GAP = timedelta(days=31)  # symbols whose starts lie within this of a batch's first start share it
NETWORK_KINDS = frozenset({"rate_limit", "timeout", "deadline", "unreachable", "tls", "broken", "server_error"})
#: The problem code of each failure kind (its words are in the catalogs, ``problem.yahoo.*``).
KIND_CODES = {
    "rate_limit": "yahoo.rate_limit",
    "timeout": "yahoo.timeout",
    "deadline": "yahoo.deadline",
    "unreachable": "yahoo.unreachable",
    "tls": "yahoo.tls",
    "broken": "yahoo.broken",
    "server_error": "yahoo.server_error",
    "not_found": "yahoo.not_found",
    "no_rows": "yahoo.no_rows",
    "error": "yahoo.unreadable",
    "no_listing": "yahoo.no_listing",
}


def kind_problem(kind: str) -> Problem:
    """What one failure kind is (no symbol): ``yahoo.rate_limit`` …"""
    return Problem(KIND_CODES.get(kind, "yahoo.unreadable"))


class YahooUnavailable(MarketError):
    """Yahoo could not be used at all (every symbol failed the same network way); nothing came back."""

    def __init__(self, problem: Problem, kind: str) -> None:
        super().__init__(problem.code, **problem.params)
        self.kind = kind

    def __reduce__(self) -> tuple:
        return (YahooUnavailable, (self.problem, self.kind))


@dataclass(frozen=True)
class Query:
    """One batched request: symbols, the first date to ask for, and the (exclusive) end instant."""

    symbols: tuple[str, ...]
    start: date
    end: datetime  # timezone-aware; always in the future, so yfinance asks Yahoo
    starts: tuple[tuple[str, date], ...] = ()  # each symbol's own first date (rows before it are dropped)


@dataclass(frozen=True)
class Failure:
    """Why one symbol got no rows: a ``kind`` (see :data:`KIND_CODES`) and the problem naming the symbol
    (``yahoo.symbol_failed``: the symbol, the kind's problem as ``cause``, what the transport saw as ``detail``)."""

    kind: str
    problem: Problem


SessionFactory = Callable[[float], DeadlineSession]
session_factory: SessionFactory = DeadlineSession  # the one seam tests use (a routed subclass)


@dataclass
class Extracted:
    """The raw answer: yfinance's frame, what yfinance logged, and what the transport saw."""

    frame: pd.DataFrame
    log: list[str] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)


class LogCapture(logging.Handler):
    """The warnings yfinance logs during one call (it logs per ticker instead of raising)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class YahooRows:
    """One answer as data: tidy rows, a failure per symbol that got none, corporate actions per symbol."""

    prices: pd.DataFrame
    failures: dict[str, Failure]
    actions: dict[str, list[Problem]]


class YahooFetcher:
    """Daily bars from Yahoo Finance in three steps (:class:`data_sources.fetcher.Fetcher`).

    ``now`` is the clock bars are judged final against; the session (one deadline, ``deadline_s`` from the first
    request, for every call including yfinance's cookie and crumb) is made on the first :meth:`extract`.
    """

    def __init__(self, now: datetime | None = None, deadline_s: float = 30.0, gap: timedelta = BATCH_GAP) -> None:
        self.now = now or datetime.now(UTC)
        self.deadline_s = deadline_s
        self.gap = gap
        self._session: DeadlineSession | None = None

    @property
    def session(self) -> DeadlineSession:
        """The session every request of this fetcher goes through (made on first use)."""
        if self._session is None:
            self._session = session_factory(time.monotonic() + self.deadline_s)
        return self._session

    def close(self) -> None:
        """Close the session (a new one is made on the next request)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def transform_query(self, starts: dict[str, date]) -> list[Query]:
        """Batched queries: symbols sorted by start, a new batch wherever a start lies over ``gap`` after the
        batch's first. The end is tomorrow (UTC) by the real clock, an instant yfinance cannot cache."""
        end = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
        queries: list[Query] = []
        batch: list[str] = []
        first: date | None = None

        def close_batch() -> None:
            if batch and first is not None:
                own = tuple((symbol, starts[symbol]) for symbol in sorted(batch))
                queries.append(Query(tuple(sorted(batch)), first, end, own))

        for symbol in sorted(starts, key=lambda s: (starts[s], s)):
            if first is not None and starts[symbol] - first > self.gap:
                close_batch()
                batch, first = [], None
            if first is None:
                first = starts[symbol]
            batch.append(symbol)
        close_batch()
        return queries

    def extract(self, query: Query) -> Extracted:
        """One ``yf.download`` for the query; never raises for network trouble (the transport record says)."""
        import yfinance as yf  # on first use (see the imports above)

        session = self.session
        capture = LogCapture()
        logger = logging.getLogger("yfinance")
        logger.addHandler(capture)
        before = len(session.seen)
        try:
            frame = yf.download(list(query.symbols), start=query.start.isoformat(), end=pd.Timestamp(query.end),
                                auto_adjust=False, actions=True, group_by="column", progress=False,
                                threads=True, timeout=min(REQUEST_TIMEOUT_S, max(session.remaining(), 0.1)),
                                multi_level_index=True, session=session)
        except Exception as exc:  # yfinance failing as a whole (not per ticker): every symbol gets this reason
            capture.messages.append(f"{list(query.symbols)}: {type(exc).__name__}: {exc}")
            frame = pd.DataFrame()
        finally:
            logger.removeHandler(capture)
        frame = frame if frame is not None else pd.DataFrame()
        return Extracted(frame, capture.messages, list(session.seen[before:]))

    def transform_data(self, raw: Extracted, query: Query) -> YahooRows:
        """Tidy rows, a failure per symbol without rows, corporate actions seen per symbol.

        Rows before a symbol's own start (a batch asks from its earliest) are dropped, and so is a
        bar whose session has not closed at ``now`` (a live, still moving price); rows that fail the
        store's checks are dropped and reported.
        """
        starts = dict(query.starts)
        failures: dict[str, Failure] = {}
        actions: dict[str, list[Problem]] = {}
        pieces: list[pd.DataFrame] = []
        by_symbol = _split(raw.frame, query.symbols)
        for symbol in query.symbols:
            part = by_symbol.get(symbol)
            if part is None or part["close"].isna().all():
                failures[symbol] = classify(symbol, raw)
                continue
            actions[symbol] = _actions(part)
            part = part.dropna(subset=["close"]).drop(columns=["dividends", "splits"])
            if symbol in starts:
                part = part[part.index >= pd.Timestamp(starts[symbol])]
            final = [calendars.bar_is_final(symbol, d.date(), self.now) for d in part.index]
            part = part[final]
            rawrows = part.reset_index(names="date")
            good, problems = check_rows(rawrows.astype({"date": str}), symbol, f"Yahoo {symbol}")
            if problems:
                failures[symbol] = Failure("invalid", Problem("yahoo.rows_rejected", {
                    "symbol": symbol, "rows": [p.reason for p in problems[:3]]}))
            pieces.append(good)
        tidy = pd.concat(pieces, ignore_index=True) if pieces else empty_prices()
        return YahooRows(tidy.loc[:, list(PRICE_COLUMNS)], failures, actions)


def classify(symbol: str, raw: Extracted) -> Failure:
    """Why ``symbol`` got no rows, from what the transport saw for its chart requests (its last one wins)."""
    own = [s for s in raw.seen if s.symbol == symbol]
    failed = [s for s in own if s.kind != "ok"]
    if failed:
        last = failed[-1]
        return symbol_failure(symbol, last.kind, detail=last.detail)
    if own:  # every chart request answered fine: the range simply has no bars
        return symbol_failure(symbol, "no_rows")
    general = [s for s in raw.seen if s.kind != "ok"]
    if general:  # never reached its chart request: what stopped the others stopped it
        last = general[-1]
        return symbol_failure(symbol, last.kind, detail=last.detail)
    hint = next((m for m in raw.log if symbol in m), "")
    return symbol_failure(symbol, "error", detail=_last_line(hint))


def symbol_failure(symbol: str, kind: str, **params: object) -> Failure:
    """A symbol's failure of ``kind`` (``detail``: what the transport or yfinance said, for the technical fold)."""
    params.setdefault("detail", "")
    return Failure(kind, Problem("yahoo.symbol_failed", {"symbol": symbol, "cause": kind_problem(kind), **params}))


@dataclass
class FetchResult:
    """What :func:`fetch` brings back."""

    prices: pd.DataFrame
    failures: dict[str, Failure]
    actions: dict[str, list[Problem]]
    calls: int = 0
    retried: dict[str, int] = field(default_factory=dict)  # symbol -> rate-limit retries it needed


def fetch(starts: dict[str, date], now: datetime | None = None, deadline_s: float = 30.0,
          max_retries: int = 2, backoff_s: float = 1.0) -> FetchResult:
    """transform_query → extract → transform_data (:class:`YahooFetcher`), with bounded retries for a partial
    rate limit, all within one deadline.

    Raises :class:`YahooUnavailable` when no symbol got rows and every one failed on the network.
    """
    fetcher = YahooFetcher(now, deadline_s)
    session = fetcher.session
    result = FetchResult(empty_prices(), {}, {})
    pending = dict(starts)
    pieces: list[pd.DataFrame] = []
    try:
        for attempt in range(max_retries + 1):
            for query in fetcher.transform_query(pending):
                rows = fetcher.transform_data(fetcher.extract(query), query)
                result.calls += 1
                pieces.append(rows.prices)
                result.actions.update(rows.actions)
                for symbol in query.symbols:
                    result.failures.pop(symbol, None)
                result.failures.update(rows.failures)
            limited = {s for s, f in result.failures.items() if f.kind == "rate_limit"}
            got_some = any(len(p) for p in pieces)
            if not limited or not got_some or attempt == max_retries:
                break
            pause = backoff_s * 2 ** attempt + random.uniform(0, backoff_s)
            if session.remaining() <= pause + 0.5:
                break
            time.sleep(pause)
            pending = {s: starts[s] for s in limited}
            for symbol in limited:
                result.retried[symbol] = result.retried.get(symbol, 0) + 1
    finally:
        fetcher.close()
    result.prices = pd.concat(pieces, ignore_index=True) if pieces else empty_prices()
    for symbol, count in result.retried.items():
        failure = result.failures.get(symbol)
        if failure is not None and failure.kind == "rate_limit":
            result.failures[symbol] = Failure("rate_limit", Problem("yahoo.still_rate_limited", {
                "symbol": symbol, "retries": count, "detail": failure.problem.params.get("detail", "")}))
    if result.failures and len(result.prices) == 0 and len(result.failures) == len(starts):
        kinds = Counter(f.kind for f in result.failures.values())
        if set(kinds) <= NETWORK_KINDS:
            causes = Counter({k: c for k, c in kinds.items() if k != "deadline"}) or kinds
            raise YahooUnavailable(offline_problem(result.failures, deadline_s), causes.most_common(1)[0][0])
    return result


def offline_problem(failures: dict[str, Failure], deadline_s: float) -> Problem:
    """Why Yahoo could not be used at all (every symbol failed on the network): the common cause, how many
    symbols it hit of how many, and how many more the deadline cut off (a consequence, not a cause)."""
    kinds = Counter(f.kind for f in failures.values())
    n = len(failures)
    cut = kinds.pop("deadline", 0) if set(kinds) - {"deadline", "timeout"} else 0  # consequences, not causes
    if set(kinds) <= {"timeout", "deadline"}:
        return Problem("yahoo.offline_timeout", {"total": n, "deadline_s": round(deadline_s)})
    causes = [Problem("yahoo.cause_count", {"cause": kind_problem(k), "count": c}) for k, c in kinds.most_common()]
    cause = kind_problem(next(iter(kinds))) if len(kinds) == 1 else causes
    detail = next(iter(failures.values())).problem.params.get("detail", "")
    params = {"cause": cause, "failed": n - cut, "total": n, "detail": detail}
    if set(kinds) == {"rate_limit"}:  # Yahoo answered, but refuses us: say so first
        if cut:
            return Problem("yahoo.offline_rate_limit_cut", {**params, "unanswered": cut})
        return Problem("yahoo.offline_rate_limit", params)
    return Problem("yahoo.offline_cut", {**params, "unanswered": cut}) if cut else Problem("yahoo.offline", params)


def _split(frame: pd.DataFrame, symbols: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Per-symbol frames with our column names, from the ``(Price, Ticker)`` MultiIndex (or flat)."""
    if frame is None or frame.empty:
        return {}
    index = pd.to_datetime(frame.index)
    if getattr(index, "tz", None) is not None:
        index = index.tz_localize(None)
    index = index.normalize()
    out: dict[str, pd.DataFrame] = {}
    if isinstance(frame.columns, pd.MultiIndex):
        level_names = list(frame.columns.names)
        ticker_level = level_names.index("Ticker") if "Ticker" in level_names else 1
        for symbol in symbols:
            if symbol not in frame.columns.get_level_values(ticker_level):
                continue
            sub = frame.xs(symbol, axis=1, level=ticker_level)
            out[symbol] = _rename(sub, index)
    elif len(symbols) == 1:
        out[symbols[0]] = _rename(frame, index)
    return out


def _rename(sub: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    fields = {**FIELD_MAP, "Dividends": "dividends", "Stock Splits": "splits"}
    cols = {src: dst for src, dst in fields.items() if src in sub.columns}
    part = sub.loc[:, list(cols)].rename(columns=cols)
    part.index = index
    for col in fields.values():
        if col not in part.columns:
            part[col] = float("nan")
    return part.loc[:, list(fields.values())].astype("float64")


def _actions(part: pd.DataFrame) -> list[Problem]:
    """Splits and dividends in the answer (``yahoo.split``: ratio and day; ``yahoo.dividend``: amount and day)."""
    out = []
    for day, ratio in part["splits"].items():
        if pd.notna(ratio) and ratio not in (0.0, 1.0):
            out.append(Problem("yahoo.split", {"ratio": f"{ratio:g}", "day": day.date().isoformat()}))
    for day, amount in part["dividends"].items():
        if pd.notna(amount) and amount != 0.0:
            out.append(Problem("yahoo.dividend", {"amount": f"{amount:g}", "day": day.date().isoformat()}))
    return out


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1].strip()[:200] if text.strip() else ""
