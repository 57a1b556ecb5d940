"""Merging a refresher's data onto the current shared version before it publishes, so refreshers never undo
each other.

Two refreshers with different folders (or one that restarted on an old folder) would otherwise publish only
their own rows in turn, and the shared data would flip between them. Each publish therefore starts from the
current version:

- prices, per symbol: the side whose provenance is newer (``fetched_at``, ``yahoo_checked_at``,
  ``rebased_at``; a tie goes to the publisher) wins on the dates both hold; dates only one side holds are
  kept from that side; the symbol's provenance is the winner's;
- news: every item of the publisher, plus the current version's items it does not hold (by ``uid`` and link).

Applied to its own output, the merge changes nothing, so a refresher that has nothing newer than the current
version publishes nothing new (``unchanged``), whichever refresher published last.
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from data_sources.store.frames import normalise

_STAMPS = ("fetched_at", "yahoo_checked_at", "rebased_at")


def stamp(info: object) -> datetime | None:
    """The newest of a series' provenance times (timezone-aware ISO strings); None when it has none."""
    if not isinstance(info, dict):
        return None
    found = []
    for name in _STAMPS:
        try:
            when = datetime.fromisoformat(str(info.get(name) or ""))
        except ValueError:
            continue
        if when.tzinfo is not None:
            found.append(when)
    return max(found) if found else None


def _newer_or_same(ours: object, theirs: object) -> bool:
    mine, other = stamp(ours), stamp(theirs)
    return other is None or (mine is not None and mine >= other)


def merge_prices(local: pd.DataFrame, local_series: dict[str, dict], shared: pd.DataFrame | None,
                 shared_series: dict[str, dict] | None) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The publisher's prices merged onto the current version's (rules in the module docstring). When the
    current version adds nothing, the publisher's own frame and provenance come back unchanged (same object)."""
    if shared is None or shared.empty:
        return local, local_series
    shared_series = shared_series or {}
    shared_symbols = set(shared["symbol"].unique())
    ours = {s for s in local["symbol"].unique()
            if s not in shared_symbols or _newer_or_same(local_series.get(s), shared_series.get(s))}
    mine, theirs = local["symbol"].isin(ours), shared["symbol"].isin(ours)
    losers = pd.concat([shared[theirs], local[~mine]], ignore_index=True)
    winners = pd.concat([local[mine], shared[~theirs]], ignore_index=True)
    merged = normalise(pd.concat([losers, winners], ignore_index=True))  # duplicates: the last (winner) stays
    series = dict(local_series)
    series.update({s: info for s, info in shared_series.items() if s not in ours})
    if same_prices(merged, series, local, local_series):
        return local, local_series
    return merged, series


def same_prices(a: pd.DataFrame, a_series: dict, b: pd.DataFrame, b_series: dict) -> bool:
    """True when two price versions hold the same rows and the same provenance (whatever their row order)."""
    if len(a) != len(b) or canonical(a_series) != canonical(b_series):
        return False
    return normalise(a).equals(normalise(b))


def canonical(series: dict) -> str:
    """Provenance as comparable text (the way it is stored: JSON, keys sorted)."""
    return json.dumps(series, ensure_ascii=False, sort_keys=True, default=str)


def merge_news(local: pd.DataFrame | None, shared: pd.DataFrame | None) -> pd.DataFrame | None:
    """The publisher's news plus the current version's items it does not hold (same ``uid`` or link), newest first.
    The publisher's own frame (same object) when the current version adds nothing."""
    from data_sources.news.store import normalise_news, sort_news

    if shared is None or shared.empty:
        return local
    if local is None or local.empty:
        return shared
    links = {link for link in local["link"] if link}
    extra = shared[~shared["uid"].isin(set(local["uid"])) & ~shared["link"].isin(links)]
    if extra.empty:
        return local
    return sort_news(normalise_news(pd.concat([local, extra], ignore_index=True)))
