"""The default universe: every series the dashboard knows, as data.

A symbol is a Yahoo Finance ticker, except the ECB reference-rate crosses
(``USDKRW_ECB`` …), which the ECB adapter derives from EUR rates.  Symbols may
have no stored data yet (e.g. ``^SOX``); the app shows them as "no data yet".

:data:`REGISTRY` answers for the universe and for the symbols readers added, which it is handed
(:func:`use_added`) rather than imports: this module imports nothing of the project.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Group = Literal["us_bigtech", "us_index", "cn_tech", "cn_index", "fx", "kr"]
Basis = Literal["adjusted", "quoted+adj", "level"]
Source = Literal["yahoo", "ecb"]


@dataclass(frozen=True)
class Instrument:
    """One series of the universe.

    ``basis`` says what ``close`` holds in the reference snapshot:
    ``adjusted`` (split- and dividend-adjusted, ``adj_close`` equal),
    ``quoted+adj`` (quoted close, ``adj_close`` dividend-adjusted) or
    ``level`` (index level or FX rate; nothing to adjust).
    Live Yahoo refreshes always store the quoted close plus ``adj_close``.
    """

    symbol: str
    name_ko: str
    name_en: str
    group: Group
    currency: str
    exchange: str
    timezone: str
    basis: Basis
    source: Source = "yahoo"

    def name(self, lang: str) -> str:
        """Display name in ``lang`` ("ko" or "en")."""
        return self.name_ko if lang == "ko" else self.name_en


_NY, _HK, _SEL, _LDN, _CET = "America/New_York", "Asia/Hong_Kong", "Asia/Seoul", "Europe/London", "Europe/Berlin"


def _us(symbol: str, ko: str, en: str, group: Group = "us_bigtech", basis: Basis = "adjusted",
        exchange: str = "NASDAQ") -> Instrument:
    return Instrument(symbol, ko, en, group, "USD", exchange, _NY, basis)


def _hk(symbol: str, ko: str, en: str, group: Group = "cn_tech", basis: Basis = "adjusted") -> Instrument:
    return Instrument(symbol, ko, en, group, "HKD", "HKEX", _HK, basis)


def _fx(symbol: str, ko: str, en: str, quote: str, source: Source = "yahoo") -> Instrument:
    if source == "ecb":
        return Instrument(symbol, ko, en, "fx", quote, "ECB", _CET, "level", "ecb")
    return Instrument(symbol, ko, en, "fx", quote, "FX (OTC)", _LDN, "level")


UNIVERSE: tuple[Instrument, ...] = (
    # US big tech
    _us("NVDA", "엔비디아", "NVIDIA"),
    _us("MSFT", "마이크로소프트", "Microsoft"),
    _us("AAPL", "애플", "Apple"),
    _us("GOOGL", "알파벳(구글)", "Alphabet (Google)"),
    _us("AMZN", "아마존", "Amazon"),
    _us("META", "메타", "Meta Platforms"),
    _us("TSLA", "테슬라", "Tesla"),
    _us("AVGO", "브로드컴", "Broadcom"),
    # US indices and ETFs
    _us("^NDX", "나스닥100", "Nasdaq-100", "us_index", "level"),
    _us("^IXIC", "나스닥 종합", "Nasdaq Composite", "us_index", "level"),
    _us("^GSPC", "S&P 500", "S&P 500", "us_index", "level", "SNP"),
    _us("QQQ", "QQQ (나스닥100 ETF)", "Invesco QQQ (Nasdaq-100 ETF)", "us_index", "quoted+adj"),
    _us("SPY", "SPY (S&P500 ETF)", "SPDR S&P 500 ETF", "us_index", "quoted+adj", "NYSE Arca"),
    _us("SOXX", "SOXX (반도체 ETF)", "iShares Semiconductor ETF", "us_index", "quoted+adj"),
    _us("SMH", "SMH (반도체 ETF)", "VanEck Semiconductor ETF", "us_index", "quoted+adj"),
    _us("^SOX", "필라델피아 반도체지수", "PHLX Semiconductor Index", "us_index", "level"),
    # Chinese tech: Hong Kong lines
    _hk("0700.HK", "텐센트", "Tencent"),
    _hk("3690.HK", "메이퇀", "Meituan"),
    _hk("1810.HK", "샤오미", "Xiaomi"),
    _hk("9988.HK", "알리바바(홍콩)", "Alibaba (HK)"),
    _hk("9618.HK", "징둥(홍콩)", "JD.com (HK)"),
    _hk("9888.HK", "바이두(홍콩)", "Baidu (HK)"),
    # Chinese tech: US ADRs
    _us("BABA", "알리바바 ADR", "Alibaba ADR", "cn_tech", exchange="NYSE"),
    _us("BIDU", "바이두 ADR", "Baidu ADR", "cn_tech"),
    _us("JD", "징둥 ADR", "JD.com ADR", "cn_tech"),
    _us("PDD", "핀둬둬 ADR", "PDD Holdings ADR", "cn_tech"),
    # China / Hong Kong benchmarks
    _hk("^HSI", "항셍지수", "Hang Seng Index", "cn_index", "level"),
    _hk("3033.HK", "항셍테크 ETF (CSOP)", "CSOP Hang Seng TECH ETF", "cn_index", "quoted+adj"),
    _us("KWEB", "KWEB (중국 인터넷 ETF)", "KraneShares China Internet ETF", "cn_index", "quoted+adj", "NYSE Arca"),
    _us("CQQQ", "CQQQ (중국 기술주 ETF)", "Invesco China Technology ETF", "cn_index", exchange="NYSE Arca"),
    _us("FXI", "FXI (중국 대형주 ETF)", "iShares China Large-Cap ETF", "cn_index", exchange="NYSE Arca"),
    _us("MCHI", "MCHI (MSCI 중국 ETF)", "iShares MSCI China ETF", "cn_index"),
    _us("EWH", "EWH (홍콩 ETF)", "iShares MSCI Hong Kong ETF", "cn_index", exchange="NYSE Arca"),
    # FX and the dollar index
    _fx("KRW=X", "원/달러 (야후)", "USD/KRW (Yahoo)", "KRW"),
    _fx("CNY=X", "위안/달러 (야후)", "USD/CNY (Yahoo)", "CNY"),
    _fx("HKD=X", "홍콩달러/달러 (야후)", "USD/HKD (Yahoo)", "HKD"),
    Instrument("DX-Y.NYB", "달러인덱스", "US Dollar Index", "fx", "USD", "ICE", _NY, "level"),
    _fx("USDKRW_ECB", "원/달러 (ECB 기준율)", "USD/KRW (ECB reference)", "KRW", "ecb"),
    _fx("USDCNY_ECB", "위안/달러 (ECB 기준율)", "USD/CNY (ECB reference)", "CNY", "ecb"),
    _fx("USDHKD_ECB", "홍콩달러/달러 (ECB 기준율)", "USD/HKD (ECB reference)", "HKD", "ecb"),
    # Korea
    Instrument("^KS11", "코스피", "KOSPI", "kr", "KRW", "KRX", _SEL, "level"),
    _us("EWY", "EWY (한국 ETF)", "iShares MSCI South Korea ETF", "kr", exchange="NYSE Arca"),
    Instrument("005930.KS", "삼성전자", "Samsung Electronics", "kr", "KRW", "KRX", _SEL, "adjusted"),
    Instrument("000660.KS", "SK하이닉스", "SK hynix", "kr", "KRW", "KRX", _SEL, "adjusted"),
)

BY_SYMBOL: dict[str, Instrument] = {i.symbol: i for i in UNIVERSE}

# Which stored series converts a currency into USD ("units of currency per USD").
FX_PER_USD: dict[str, tuple[str, ...]] = {
    "KRW": ("KRW=X", "USDKRW_ECB"),
    "CNY": ("CNY=X", "USDCNY_ECB"),
    "HKD": ("HKD=X", "USDHKD_ECB"),
}


#: Where the symbols readers added come from: a function of the store folder (None: the configured one) giving
#: them by symbol. The universe does not know where they are kept; ``data_sources.market`` hands it
#: :func:`data_sources.market.added_symbols.by_symbol` (see :func:`use_added`).
AddedSource = Callable[[Path | None], Mapping[str, Instrument]]


class Registry:
    """The universe plus the symbols readers added, which it is handed (:meth:`use_added`), never imports."""

    def __init__(self, base: tuple[Instrument, ...]) -> None:
        self.base = base
        self.by_symbol = {i.symbol: i for i in base}
        self._added: AddedSource | None = None

    def use_added(self, source: AddedSource | None) -> None:
        """Take the readers' added symbols from ``source`` (None: none)."""
        self._added = source

    def added(self, store_root: Path | None = None) -> Mapping[str, Instrument]:
        """The added symbols of the store at ``store_root`` (default: the configured one), by symbol."""
        return self._added(store_root) if self._added is not None else {}

    def instrument(self, symbol: str) -> Instrument | None:
        """The entry for ``symbol``: the universe's, else a symbol a reader added to the default store
        (``python -m data_sources add`` or the New column page), else None."""
        return self.by_symbol.get(symbol) or self.added().get(symbol)

    def all_instruments(self, store_root: Path | None = None) -> tuple[Instrument, ...]:
        """The universe plus the symbols readers added to the store at ``store_root``."""
        return self.base + tuple(self.added(store_root).values())


REGISTRY = Registry(UNIVERSE)


def use_added(source: AddedSource | None) -> None:
    """Hand the registry the readers' added symbols (``data_sources.market`` does, on import)."""
    REGISTRY.use_added(source)


def instrument(symbol: str) -> Instrument | None:
    """The universe entry for ``symbol``, a symbol a reader added to the default store, or None."""
    return REGISTRY.instrument(symbol)


def all_instruments(store_root: Path | None = None) -> tuple[Instrument, ...]:
    """The universe plus the symbols readers added to the store at ``store_root`` (default: the configured one)."""
    return REGISTRY.all_instruments(store_root)


def yahoo_symbols(store_root: Path | None = None, added: bool = False) -> list[str]:
    """Symbols fetched from Yahoo Finance: the universe's, and with ``added=True`` also the symbols
    readers added to the store at ``store_root`` (see :func:`all_instruments`)."""
    instruments = all_instruments(store_root) if added else UNIVERSE
    return [i.symbol for i in instruments if i.source == "yahoo"]


def group_symbols(group: Group) -> list[str]:
    """Symbols of one group, in universe order."""
    return [i.symbol for i in UNIVERSE if i.group == group]
