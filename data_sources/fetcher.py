"""One shape for every adapter (OpenBB's fetchers): ``transform_query → extract → transform_data``.

* :meth:`Fetcher.transform_query` turns what the caller wants into the requests to make, with no I/O (which
  symbols from when, which feed URLs), refusing what cannot be asked;
* :meth:`Fetcher.extract` makes one request: the only step that touches the network (or a bundled file);
* :meth:`Fetcher.transform_data` turns one raw answer into the project's frames, with no I/O.

Each step can be called and tested alone: a test builds a query by hand, feeds ``transform_data`` a raw answer
it made itself, or runs ``extract`` against a fake server. Yahoo (:class:`data_sources.market.yahoo.YahooFetcher`),
the ECB (:class:`data_sources.market.ecb.EcbFetcher`) and news feeds
(:class:`data_sources.news.fetch.FeedFetcher`) implement it; :func:`run` is the plain three-step pipeline
(an adapter's own ``fetch`` adds what it needs around it: retries, a shared deadline, per-feed problems).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar, runtime_checkable

P_contra = TypeVar("P_contra", contravariant=True)
Q = TypeVar("Q")
R = TypeVar("R")
D = TypeVar("D")


@runtime_checkable
class Fetcher(Protocol[P_contra, Q, R, D]):
    """An adapter in three steps: parameters ``P`` → queries ``Q`` → raw answers ``R`` → data ``D``."""

    def transform_query(self, params: P_contra) -> list[Q]:
        """The requests to make for ``params`` (no I/O)."""
        ...

    def extract(self, query: Q) -> R:
        """One request's raw answer (the only I/O)."""
        ...

    def transform_data(self, raw: R, query: Q) -> D:
        """One raw answer as the project's data (no I/O)."""
        ...


def run(fetcher: Fetcher[P_contra, Q, R, D], params: P_contra) -> Iterable[D]:
    """``transform_query``, then ``extract`` and ``transform_data`` for each query, in order."""
    for query in fetcher.transform_query(params):
        yield fetcher.transform_data(fetcher.extract(query), query)
