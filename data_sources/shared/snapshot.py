"""What a replica reads from a store, local or shared: a snapshot with its version and provenance."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data_sources.store.prices import PriceSnapshot, Store


@dataclass
class SharedSnapshot(PriceSnapshot):
    """A :class:`PriceSnapshot` from the shared store; ``warning`` (a :class:`Problem`, for readers) says why an
    older version, or none, is served, and ``detail`` what happened, for operators (bucket, key, S3's answer)."""

    detail: str = ""


@dataclass
class SharedPrices:
    """What a replica reads: the current prices, their version, and where they came from."""

    snapshot: PriceSnapshot
    version: str  # changes whenever the published data changes (cache key)
    provenance: dict = field(default_factory=dict)  # store, version number, published_at, publisher, refresh

    @property
    def prices(self) -> pd.DataFrame:
        return self.snapshot.prices


class LocalStore(Store):
    """Today's local folder store, with the read API the shared store also has."""

    url_kind = "local"

    def cache_key(self) -> str:
        """Changes whenever the price table file is replaced."""
        try:
            stat = self.prices_path.stat()
        except OSError:
            return "missing"
        return f"{stat.st_mtime_ns}:{stat.st_size}:{stat.st_ino}"

    def current(self) -> SharedPrices:
        """The stored prices with a version (the file's identity) and provenance."""
        key = self.cache_key()
        return SharedPrices(self.read(), key, {"store": str(self.root), "version": key})
